"""Neighbourhoods that never exceed their limit, supernodes included; induced subgraphs.

:func:`neighbourhood` expands hop by hop: it first counts each frontier node's neighbours
by label with a cheap aggregate, then shares the remaining budget among the frontier
(small nodes get all their neighbours, a supernode gets what is left) and fetches only
that. What the limit cut off is reported as counts per label (``more``), so a Program
with 80,000 disbursements answers "and 79,700 more Disbursement" in milliseconds
instead of hanging.

Callers that restrict what may be seen (the API's division scope) pass two hooks:
``where(var, params)`` returns a Cypher predicate on a neighbour variable (adding its
parameters to ``params``) and ``allow(nodes, links)`` returns the ids of the candidate
nodes that may be shown. Without them everything is visible (notebooks, the CLI).

Nodes and relationships are in the store's plain shapes (``graph.store.base``); a node
is identified by ``(label, key)``.

>>> allocate({("A", 1): 2, ("A", 2): 100, ("A", 3): 5}, 20)
{('A', 1): 2, ('A', 3): 5, ('A', 2): 13}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph import schema as sch
from graph.errors import NotFound
from graph.store import GraphStore, Node, Relationship, Subgraph

__all__ = [
    "Allow",
    "Neighbourhood",
    "NodeId",
    "Where",
    "allocate",
    "count_neighbours",
    "end_of",
    "everywhere",
    "fetch_all",
    "fetch_neighbours",
    "find_node",
    "induced",
    "label_filter",
    "neighbour_page",
    "neighbourhood",
    "node_id",
    "parse_ref",
    "rel_key",
    "rel_pattern",
]

NodeId = tuple[str, Any]
#: ``where(var, params) -> Cypher predicate`` on a neighbour; may add to ``params``.
Where = Callable[[str, dict[str, Any]], str]
#: ``allow(nodes, links) -> ids of the nodes that may be shown``.
Allow = Callable[[list[Node], list[tuple[NodeId, NodeId]]], set[NodeId]]

#: Rows fetched per hop at most, whatever the limit: a hop is one round of queries.
MAX_ROWS_PER_HOP = 5000


def everywhere(var: str, params: dict[str, Any]) -> str:
    """The ``where`` of a caller that may see everything."""
    return "true"


@dataclass
class Neighbourhood:
    """Nodes and relationships around a start node, and what the limit left out.

    Attributes
    ----------
    nodes : dict
        ``(label, key)`` → node, the start node first, then in the order reached.
    rels : dict
        A stable key (:func:`rel_key`) → relationship, only between nodes kept.
    truncated : bool
        Whether the limit (or the per-hop row cap) left neighbours out.
    more : dict
        Label → how many neighbours of that label were left out.
    """

    nodes: dict[NodeId, Node]
    rels: dict[tuple[Any, ...], Relationship] = field(default_factory=dict)
    truncated: bool = False
    more: dict[str, int] = field(default_factory=dict)

    @property
    def links(self) -> list[tuple[NodeId, NodeId]]:
        return [(end_of(r, "start"), end_of(r, "end")) for r in self.rels.values()]

    def to_subgraph(self) -> Subgraph:
        """``{"nodes": [...], "relationships": [...]}``, what the exporters take."""
        return {"nodes": list(self.nodes.values()), "relationships": list(self.rels.values())}


def node_id(node: Mapping[str, Any]) -> NodeId:
    """``(label, key)`` of a node in the store's plain shape."""
    labels = node.get("labels") or [""]
    return (str(labels[0]), node.get("key"))


def end_of(r: Mapping[str, Any], which: str) -> NodeId:
    """``(label, key)`` of a relationship's ``"start"`` or ``"end"``."""
    e = r.get(which) or {}
    return (str(e.get("label")), e.get("key"))


def rel_key(r: Mapping[str, Any]) -> tuple[Any, ...]:
    """What tells two relationships apart: type, ends, validity start and provenance."""
    s, e = end_of(r, "start"), end_of(r, "end")
    props = r.get("properties") or {}
    return (r.get("type"), s, e, props.get("valid_from"), tuple(props.get("src") or ()))


def rel_pattern(types: Iterable[str] | None) -> str:
    """``[r]`` or ``[r:A|B]``; unknown types are refused (they go into the query text).

    >>> rel_pattern(None), rel_pattern(["OWNS", "HOLDS"])
    ('[r]', '[r:OWNS|HOLDS]')
    """
    types = list(types or [])
    for t in types:
        sch.relationship(t)
    return f"[r:{'|'.join(types)}]" if types else "[r]"


def allocate(degrees: Mapping[NodeId, int], budget: int) -> dict[NodeId, int]:
    """Share ``budget`` rows among nodes: smallest first, each at most its degree."""
    out: dict[NodeId, int] = {}
    remaining = max(0, budget)
    items = sorted(degrees.items(), key=lambda kv: kv[1])
    for i, (nid, d) in enumerate(items):
        share = remaining // (len(items) - i)
        give = min(d, share)
        out[nid] = give
        remaining -= give
    return out


def _by_label(ids: Iterable[NodeId]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for label, key in ids:
        if label in sch.NODES:
            out.setdefault(label, []).append(key)
    return out


def _union(
    groups: Mapping[str, list[Any]], pattern: str, where: Where, tail: str, **extra: Any
) -> tuple[str, dict[str, Any]]:
    """One statement, a ``UNION ALL`` branch per label, so that a hop costs one round trip
    (the key property differs by label, so each label needs its own ``MATCH``)."""
    params: dict[str, Any] = dict(extra)
    pred = where("m", params)
    branches = []
    for i, (label, keys) in enumerate(groups.items()):
        params[f"k{i}"] = keys
        kp = sch.node(label).key
        branches.append(
            f"UNWIND $k{i} AS k MATCH (n:{label} {{{kp}: k}})-{pattern}-(m) WHERE {pred} "
            + tail.replace("$label", f"'{label}'")
        )
    return " UNION ALL ".join(branches), params


# What a hop returns per neighbour: not the frontier node itself (its properties would come
# back once per relationship, and reading them costs more than the query), but its key,
# the relationship's type, direction and properties, and the neighbour.
_STEP = "RETURN $label AS nl, k, type(r) AS t, startNode(r) = n AS out, properties(r) AS rp, m"


def _steps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``_STEP`` as ``{n, r, m}``, ``n`` a stub holding the frontier node's id."""
    out = []
    for row in rows:
        m = row["m"]
        here = {"label": row["nl"], "key": row["k"]}
        there = {"label": (m.get("labels") or [None])[0], "key": m.get("key")}
        start, end = (here, there) if row["out"] else (there, here)
        out.append(
            {
                "n": {"_kind": "node", "labels": [row["nl"]], "key": row["k"], "properties": {}},
                "r": {
                    "_kind": "relationship",
                    "type": row["t"],
                    "start": start,
                    "end": end,
                    "properties": row["rp"] or {},
                },
                "m": m,
            }
        )
    return out


def count_neighbours(
    store: GraphStore,
    frontier: Iterable[NodeId],
    pattern: str = "[r]",
    where: Where | None = None,
    timeout: float | None = 10.0,
) -> dict[NodeId, dict[str, int]]:
    """Each frontier node's neighbours (through ``pattern``), counted by label."""
    out: dict[NodeId, dict[str, int]] = {}
    groups = _by_label(frontier)
    if not groups:
        return out
    # One round trip for every label of the frontier; each branch names its label (``nl``),
    # as keys of different labels may look alike.
    q, params = _union(
        groups,
        pattern,
        where or everywhere,
        "RETURN $label AS nl, k, labels(m)[0] AS l, count(*) AS c",
    )
    for row in store.read(q, params, timeout=timeout):
        out.setdefault((str(row["nl"]), row["k"]), {})[str(row["l"])] = int(row["c"])
    return out


def fetch_all(
    store: GraphStore,
    frontier: Iterable[NodeId],
    cap: int,
    pattern: str = "[r]",
    where: Where | None = None,
    timeout: float | None = 10.0,
) -> list[dict[str, Any]] | None:
    """Rows ``{n, r, m}`` for every neighbour of the frontier in one round trip, or None
    when one label's branch has more than ``cap`` (then the budget must be shared out by
    :func:`allocate`, so that one supernode cannot crowd out the rest)."""
    rows = _fetch_upto(store, frontier, cap, pattern, where, timeout)
    per_label: dict[str, int] = {}
    for row in rows:
        per_label[row["nl"]] = per_label.get(row["nl"], 0) + 1
    return None if any(n > cap for n in per_label.values()) else _steps(rows)


def _fetch_upto(
    store: GraphStore,
    frontier: Iterable[NodeId],
    cap: int,
    pattern: str,
    where: Where | None,
    timeout: float | None,
) -> list[dict[str, Any]]:
    """Raw ``_STEP`` rows for the frontier, at most ``cap + 1`` per label (one round trip)."""
    groups = _by_label(frontier)
    if not groups:
        return []
    q, params = _union(groups, pattern, where or everywhere, _STEP + " LIMIT $cap", cap=cap + 1)
    return store.read(q, params, timeout=timeout)


def fetch_neighbours(
    store: GraphStore,
    alloc: Mapping[NodeId, int],
    degree: Mapping[NodeId, int],
    pattern: str = "[r]",
    where: Where | None = None,
    timeout: float | None = 10.0,
) -> list[dict[str, Any]]:
    """Rows ``{n, r, m}`` (``n`` a stub): all neighbours of the nodes whose allocation
    covers their degree (one round trip), at most the allocation of the others (one
    query each)."""
    where = where or everywhere
    rows: list[dict[str, Any]] = []
    whole = [nid for nid, n in alloc.items() if n > 0 and n >= degree.get(nid, 0)]
    partial = [nid for nid, n in alloc.items() if 0 < n < degree.get(nid, 0)]
    groups = _by_label(whole)
    if groups:
        q, params = _union(groups, pattern, where, _STEP)
        rows += store.read(q, params, timeout=timeout)
    for label, key in partial:
        if label not in sch.NODES:
            continue
        q, params = _union(
            {label: [key]}, pattern, where, _STEP + " LIMIT $lim", lim=alloc[(label, key)]
        )
        rows += store.read(q, params, timeout=timeout)
    return _steps(rows)


def neighbourhood(
    store: GraphStore,
    start: Node,
    *,
    depth: int = 1,
    types: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    limit: int = 100,
    timeout: float | None = 10.0,
    where: Where | None = None,
    allow: Allow | None = None,
) -> Neighbourhood:
    """The neighbourhood of ``start`` up to ``depth`` hops, at most ``limit`` nodes.

    Parameters
    ----------
    start : dict
        A node in the store's plain shape (see :func:`find_node`).
    types : iterable of str, optional
        Relationship types to follow; all by default.
    labels : iterable of str, optional
        Only neighbours with one of these labels, at every hop; all by default.
    limit : int
        Nodes returned at most, the start node included. Each hop shares what is left
        among its frontier; what does not fit is counted in ``more``.
    where, allow : callables, optional
        Visibility hooks (see the module docstring); everything is visible without them.
    """
    pattern = rel_pattern(types)
    where = label_filter(labels, where)
    exp = Neighbourhood(nodes={node_id(start): start})
    frontier = [node_id(start)]
    for _hop in range(depth):
        budget = limit - len(exp.nodes)
        if not frontier:
            break
        if budget <= 0:
            _add_more(exp, count_neighbours(store, frontier, pattern, where, timeout), {})
            break
        row_budget = min(MAX_ROWS_PER_HOP, budget + len(frontier))
        # Most hops fit the budget: fetch everything at once. Otherwise count first and
        # share the budget out.
        counts: dict[NodeId, dict[str, int]] = {}
        rows: list[dict[str, Any]] | None
        if len(frontier) == 1:
            # A lone node (the start, or a household reached alone) gets all it has in one
            # round trip, read up to the budget plus one; only when that overflows (a
            # supernode) is it counted, for ``more``, and the rows read so far are its
            # share: the same rows a ``LIMIT budget`` read would return.
            raw = _fetch_upto(store, frontier, row_budget, pattern, where, timeout)
            if len(raw) > row_budget:
                raw = raw[:row_budget]
                counts = count_neighbours(store, frontier, pattern, where, timeout)
            rows = _steps(raw)
        else:
            rows = fetch_all(store, frontier, row_budget, pattern, where, timeout)
        if rows is None:
            counts = count_neighbours(store, frontier, pattern, where, timeout)
            degree = {nid: sum(counts.get(nid, {}).values()) for nid in frontier}
            alloc = allocate(degree, row_budget)
            rows = fetch_neighbours(store, alloc, degree, pattern, where, timeout)
        fetched: dict[NodeId, dict[str, int]] = {}
        candidates: dict[NodeId, Node] = {}
        new_rels: dict[tuple[Any, ...], Relationship] = {}
        for row in rows:
            n, r, m = row["n"], row["r"], row["m"]
            src, mid = node_id(n), node_id(m)
            per = fetched.setdefault(src, {})
            per[mid[0]] = per.get(mid[0], 0) + 1
            if mid not in exp.nodes:
                candidates.setdefault(mid, m)
            new_rels.setdefault(rel_key(r), r)
        if allow is None:
            allowed = set(candidates)
        else:
            allowed = allow(
                [*exp.nodes.values(), *candidates.values()],
                [*exp.links, *((end_of(r, "start"), end_of(r, "end")) for r in new_rels.values())],
            )
        added: list[NodeId] = []
        for mid, m in candidates.items():
            if mid not in allowed:
                continue
            if len(exp.nodes) >= limit:
                exp.truncated = True
                exp.more[mid[0]] = exp.more.get(mid[0], 0) + 1
                continue
            exp.nodes[mid] = m
            added.append(mid)
        for k, r in new_rels.items():
            if end_of(r, "start") in exp.nodes and end_of(r, "end") in exp.nodes:
                exp.rels.setdefault(k, r)
        _add_more(exp, counts, fetched)
        frontier = added
    return exp


def label_filter(labels: Iterable[str] | None, where: Where | None = None) -> Where | None:
    """``where`` that also keeps only neighbours carrying one of ``labels`` (schema labels,
    so they can go into the text; a label test, not a list membership, which FalkorDB
    evaluates wrongly in a multi-hop ``WHERE``)."""
    wanted = [sch.node(lbl).label for lbl in labels or []]
    if not wanted:
        return where
    inner = where or everywhere

    def both(var: str, params: dict[str, Any]) -> str:
        test = " OR ".join(f"{var}:{lbl}" for lbl in wanted)
        return f"({test}) AND ({inner(var, params)})"

    return both


def neighbour_page(
    store: GraphStore,
    start: Node,
    *,
    offset: int = 0,
    limit: int = 100,
    types: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    timeout: float | None = 10.0,
    where: Where | None = None,
    allow: Allow | None = None,
) -> Neighbourhood:
    """A page of ``start``'s direct neighbours, at most ``limit`` nodes with the start node.

    Neighbours are ordered by label, then natural key. The first page shares the limit
    among labels, smallest first (a person with 300 disbursements still shows their
    household); a later page (``offset`` > 0) is the slice of that order after the first
    ``offset`` neighbours — give ``labels`` one label to walk through a programme's 80,000
    disbursements. ``more`` counts, per label, what lies beyond the page.
    """
    pattern = rel_pattern(types)
    where = label_filter(labels, where) or everywhere
    label, key = node_id(start)
    kp = sch.node(label).key
    exp = Neighbourhood(nodes={(label, key): start})
    params: dict[str, Any] = {"k": key}
    pred = where("m", params)
    head = f"MATCH (n:{label} {{{kp}: $k}})-{pattern}-(m) WHERE ({pred}) "
    totals = {
        str(r["l"]): int(r["c"])
        for r in store.read(
            head + "RETURN labels(m)[0] AS l, count(DISTINCT m) AS c", params, timeout=timeout
        )
    }
    room = max(0, limit - 1)
    skips = {lbl: _before(totals, lbl, offset) for lbl in totals}
    if offset <= 0:
        share = allocate({(lbl, ""): n for lbl, n in totals.items()}, room)
        takes = {lbl: share[(lbl, "")] for lbl in totals}
    else:  # the slice [offset, offset + room) of the label-then-key order
        takes, left = {}, room
        for lbl in sorted(totals):
            takes[lbl] = min(left, totals[lbl] - skips[lbl])
            left -= takes[lbl]
    branches = []
    for i, lbl in enumerate(sorted(lbl for lbl, n in takes.items() if n > 0 and lbl in sch.NODES)):
        params[f"s{i}"], params[f"t{i}"] = skips[lbl], takes[lbl]
        branches.append(
            f"{head}AND m:{lbl} WITH DISTINCT n, m ORDER BY m.{sch.node(lbl).key} "
            f"SKIP $s{i} LIMIT $t{i} MATCH (n)-{pattern}-(m) WITH n, r, m, $k AS k "
            + _STEP.replace("$label", f"'{label}'")
        )
    rows = (
        _steps(store.read(" UNION ALL ".join(branches), params, timeout=timeout))
        if branches
        else []
    )
    seen: dict[str, set[NodeId]] = {}
    candidates: dict[NodeId, Node] = {}
    rels: dict[tuple[Any, ...], Relationship] = {}
    for row in rows:
        mid = node_id(row["m"])
        seen.setdefault(mid[0], set()).add(mid)
        candidates.setdefault(mid, row["m"])
        rels.setdefault(rel_key(row["r"]), row["r"])
    links = [(end_of(r, "start"), end_of(r, "end")) for r in rels.values()]
    allowed = set(candidates) if allow is None else allow([start, *candidates.values()], links)
    # In page order (each branch's final MATCH may return its rows in any order).
    exp.nodes.update({mid: candidates[mid] for mid in sorted(candidates) if mid in allowed})
    exp.rels = {
        k: r
        for k, r in rels.items()
        if end_of(r, "start") in exp.nodes and end_of(r, "end") in exp.nodes
    }
    # What lies before the page is not "more": the caller has it already.
    for lbl, total in totals.items():
        beyond = total - skips[lbl] - len(seen.get(lbl, ()))
        if beyond > 0:
            exp.truncated = True
            exp.more[lbl] = beyond
    return exp


def _before(totals: Mapping[str, int], label: str, offset: int) -> int:
    """How many neighbours of ``label`` the first ``offset`` (in label order) hold."""
    skipped = max(0, offset)
    for lbl in sorted(totals):
        take = min(skipped, totals[lbl])
        if lbl == label:
            return take
        skipped -= take
    return 0


def _add_more(
    exp: Neighbourhood,
    counts: Mapping[NodeId, Mapping[str, int]],
    fetched: Mapping[NodeId, Mapping[str, int]],
) -> None:
    for nid, by_label in counts.items():
        got = fetched.get(nid, {})
        for label, c in by_label.items():
            left = c - got.get(label, 0)
            if left > 0:
                exp.truncated = True
                exp.more[label] = exp.more.get(label, 0) + left


def parse_ref(ref: str, label: str | None = None) -> tuple[str | None, str]:
    """Split ``"Label:key"`` when the prefix is a schema label; else keep the key whole.

    >>> parse_ref("Contract:HT2023-961396"), parse_ref("湘D:A1234"), parse_ref("x", "Vehicle")
    (('Contract', 'HT2023-961396'), (None, '湘D:A1234'), ('Vehicle', 'x'))
    """
    if label is None and ":" in ref:
        head, rest = ref.split(":", 1)
        if head in sch.NODES:
            return head, rest
    return label, ref


def find_node(store: GraphStore, key: Any, label: str | None = None) -> Node:
    """The node with natural key ``key`` (``"Label:key"`` accepted), in its plain shape.

    Without a label every label is tried, in schema order; a key that names nodes of
    two labels must be given with its label. Raises :class:`~graph.errors.NotFound`.
    """
    if isinstance(key, str):
        label, key = parse_ref(key, label)
    labels = [sch.node(label).label] if label else list(sch.NODES)
    found: list[Node] = []
    for lbl in labels:
        kp = sch.NODES[lbl].key
        found += [r["n"] for r in store.read(f"MATCH (n:{lbl} {{{kp}: $k}}) RETURN n", {"k": key})]
        if len(found) > 1:
            break
    if not found:
        raise NotFound(f"no {label or 'node'} with key {key!r}")
    if len(found) > 1:
        names = sorted({node_id(n)[0] for n in found})
        raise NotFound(f"key {key!r} names several nodes ({', '.join(names)}); give the label")
    return found[0]


def induced(
    store: GraphStore, nodes: Iterable[NodeId | str], *, timeout: float | None = 30.0
) -> Subgraph:
    """The given nodes and every relationship among them, as a plain subgraph.

    ``nodes`` are ``(label, key)`` pairs or ``"Label:key"`` strings (a community's
    members, a finding's subjects). Nodes not in the store are left out.
    """
    ids: list[NodeId] = []
    for n in nodes:
        if isinstance(n, str):
            lbl, key = parse_ref(n)
            if lbl is None:
                raise ValueError(f"{n!r} is not written 'Label:key'")
            ids.append((lbl, key))
        else:
            ids.append((str(n[0]), n[1]))
    wanted = set(ids)
    found: dict[NodeId, Node] = {}
    rels: dict[tuple[Any, ...], Relationship] = {}
    for label, keys in _by_label(dict.fromkeys(ids)).items():
        kp = sch.node(label).key
        q = f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}}) RETURN n"
        for row in store.read(q, {"keys": keys}, timeout=timeout):
            found[node_id(row["n"])] = row["n"]
        q = f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}})-[r]->(m) RETURN n, r, m"
        for row in store.read(q, {"keys": keys}, timeout=timeout):
            if node_id(row["m"]) in wanted:
                rels.setdefault(rel_key(row["r"]), row["r"])
    return {"nodes": list(found.values()), "relationships": list(rels.values())}
