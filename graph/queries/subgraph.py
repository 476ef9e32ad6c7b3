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
from graph.store import GraphStore

__all__ = [
    "Allow",
    "Neighbourhood",
    "NodeId",
    "Where",
    "allocate",
    "count_neighbours",
    "end_of",
    "fetch_neighbours",
    "find_node",
    "induced",
    "neighbourhood",
    "node_id",
    "parse_ref",
    "rel_key",
    "rel_pattern",
]

Node = dict[str, Any]
Rel = dict[str, Any]
NodeId = tuple[str, Any]
#: ``where(var, params) -> Cypher predicate`` on a neighbour; may add to ``params``.
Where = Callable[[str, dict[str, Any]], str]
#: ``allow(nodes, links) -> ids of the nodes that may be shown``.
Allow = Callable[[list[Node], list[tuple[NodeId, NodeId]]], set[NodeId]]

#: Rows fetched per hop at most, whatever the limit: a hop is one round of queries.
MAX_ROWS_PER_HOP = 5000


def _everywhere(var: str, params: dict[str, Any]) -> str:
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
    rels: dict[tuple[Any, ...], Rel] = field(default_factory=dict)
    truncated: bool = False
    more: dict[str, int] = field(default_factory=dict)

    @property
    def links(self) -> list[tuple[NodeId, NodeId]]:
        return [(end_of(r, "start"), end_of(r, "end")) for r in self.rels.values()]

    def to_subgraph(self) -> dict[str, list[dict[str, Any]]]:
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


def count_neighbours(
    store: GraphStore,
    frontier: Iterable[NodeId],
    pattern: str = "[r]",
    where: Where | None = None,
    timeout: float | None = 10.0,
) -> dict[NodeId, dict[str, int]]:
    """Each frontier node's neighbours (through ``pattern``), counted by label."""
    where = where or _everywhere
    out: dict[NodeId, dict[str, int]] = {}
    for label, keys in _by_label(frontier).items():
        params: dict[str, Any] = {"keys": keys}
        pred = where("m", params)
        kp = sch.node(label).key
        q = (
            f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}})-{pattern}-(m) WHERE {pred} "
            "RETURN k, labels(m)[0] AS l, count(*) AS c"
        )
        for row in store.read(q, params, timeout=timeout):
            out.setdefault((label, row["k"]), {})[str(row["l"])] = int(row["c"])
    return out


def fetch_neighbours(
    store: GraphStore,
    alloc: Mapping[NodeId, int],
    degree: Mapping[NodeId, int],
    pattern: str = "[r]",
    where: Where | None = None,
    timeout: float | None = 10.0,
) -> list[dict[str, Any]]:
    """Rows ``{n, r, m}``: all neighbours of nodes whose allocation covers their degree
    (one query per label), at most the allocation of the others (one query each)."""
    where = where or _everywhere
    rows: list[dict[str, Any]] = []
    whole = [nid for nid, n in alloc.items() if n > 0 and n >= degree.get(nid, 0)]
    partial = [nid for nid, n in alloc.items() if 0 < n < degree.get(nid, 0)]
    for label, keys in _by_label(whole).items():
        params: dict[str, Any] = {"keys": keys}
        pred = where("m", params)
        kp = sch.node(label).key
        q = (
            f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}})-{pattern}-(m) WHERE {pred} "
            "RETURN n, r, m"
        )
        rows += store.read(q, params, timeout=timeout)
    for label, key in partial:
        if label not in sch.NODES:
            continue
        params = {"k": key, "lim": alloc[(label, key)]}
        pred = where("m", params)
        kp = sch.node(label).key
        q = f"MATCH (n:{label} {{{kp}: $k}})-{pattern}-(m) WHERE {pred} RETURN n, r, m LIMIT $lim"
        rows += store.read(q, params, timeout=timeout)
    return rows


def neighbourhood(
    store: GraphStore,
    start: Node,
    *,
    depth: int = 1,
    types: Iterable[str] | None = None,
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
    limit : int
        Nodes returned at most, the start node included. Each hop shares what is left
        among its frontier; what does not fit is counted in ``more``.
    where, allow : callables, optional
        Visibility hooks (see the module docstring); everything is visible without them.
    """
    pattern = rel_pattern(types)
    exp = Neighbourhood(nodes={node_id(start): start})
    frontier = [node_id(start)]
    for _hop in range(depth):
        budget = limit - len(exp.nodes)
        if not frontier:
            break
        counts = count_neighbours(store, frontier, pattern, where, timeout)
        degree = {nid: sum(counts.get(nid, {}).values()) for nid in frontier}
        if budget <= 0:
            _add_more(exp, counts, {})
            break
        row_budget = min(MAX_ROWS_PER_HOP, budget + len(frontier))
        alloc = allocate(degree, row_budget)
        rows = fetch_neighbours(store, alloc, degree, pattern, where, timeout)
        fetched: dict[NodeId, dict[str, int]] = {}
        candidates: dict[NodeId, Node] = {}
        new_rels: dict[tuple[Any, ...], Rel] = {}
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
) -> dict[str, list[dict[str, Any]]]:
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
    rels: dict[tuple[Any, ...], Rel] = {}
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
