"""Neighbourhoods that never exceed their limit, supernodes included.

Hop by hop: first count each frontier node's neighbours by label with a cheap aggregate,
then share the remaining budget among the frontier (small nodes get all their
neighbours, a supernode gets what is left) and fetch only that. What the limit cut off is
reported as counts per label (``more``), so a Program with 80,000 disbursements answers
"and 79,700 more Disbursement" in milliseconds instead of hanging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.scope import NodeId, Scope, ScopeResolver, node_id
from graph import schema as sch
from graph.store import GraphStore

Node = dict[str, Any]
Rel = dict[str, Any]
_MAX_ROWS_PER_HOP = 5000


@dataclass
class Expansion:
    nodes: dict[NodeId, Node]
    rels: dict[tuple[Any, ...], Rel] = field(default_factory=dict)
    truncated: bool = False
    more: dict[str, int] = field(default_factory=dict)

    @property
    def links(self) -> list[tuple[NodeId, NodeId]]:
        return [(_end(r, "start"), _end(r, "end")) for r in self.rels.values()]


def _end(r: Mapping[str, Any], which: str) -> NodeId:
    e = r.get(which) or {}
    return (str(e.get("label")), e.get("key"))


def rel_key(r: Mapping[str, Any]) -> tuple[Any, ...]:
    s, e = _end(r, "start"), _end(r, "end")
    props = r.get("properties") or {}
    return (r.get("type"), s, e, props.get("valid_from"), tuple(props.get("src") or ()))


def rel_pattern(types: list[str] | None) -> str:
    """``[r]`` or ``[r:A|B]``; types were checked against the schema by the caller."""
    for t in types or []:
        sch.relationship(t)
    return f"[r:{'|'.join(types)}]" if types else "[r]"


def allocate(degrees: Mapping[NodeId, int], budget: int) -> dict[NodeId, int]:
    """Share ``budget`` rows among nodes: smallest first, each at most its degree.

    >>> allocate({("A", 1): 2, ("A", 2): 100, ("A", 3): 5}, 20)
    {('A', 1): 2, ('A', 3): 5, ('A', 2): 13}
    """
    out: dict[NodeId, int] = {}
    remaining = max(0, budget)
    items = sorted(degrees.items(), key=lambda kv: kv[1])
    for i, (nid, d) in enumerate(items):
        share = remaining // (len(items) - i)
        give = min(d, share)
        out[nid] = give
        remaining -= give
    return out


def _by_label(ids: list[NodeId]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for label, key in ids:
        if label in sch.NODES:
            out.setdefault(label, []).append(key)
    return out


def _union(
    groups: Mapping[str, list[Any]], pattern: str, scope: Scope, tail: str, **extra: Any
) -> tuple[str, dict[str, Any]]:
    """One statement, a ``UNION ALL`` branch per label, so a hop costs one round trip."""
    params: dict[str, Any] = dict(extra)
    pred = scope.predicate("m", params)
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
    """Rows of ``_STEP`` as ``{n, r, m}``, ``n`` a stub with the frontier node's id only."""
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


def _counts(
    store: GraphStore, frontier: list[NodeId], pattern: str, scope: Scope, timeout: float
) -> dict[NodeId, dict[str, int]]:
    groups = _by_label(frontier)
    if not groups:
        return {}
    out: dict[NodeId, dict[str, int]] = {}
    for label, keys in groups.items():  # per label: the key column must name the label
        q, params = _union(
            {label: keys}, pattern, scope, "RETURN k, labels(m)[0] AS l, count(*) AS c"
        )
        for row in store.read(q, params, timeout=timeout):
            out.setdefault((label, row["k"]), {})[str(row["l"])] = int(row["c"])
    return out


def _fetch_all(
    store: GraphStore,
    frontier: list[NodeId],
    pattern: str,
    scope: Scope,
    cap: int,
    timeout: float,
) -> list[dict[str, Any]] | None:
    """Every neighbour of the frontier in one round trip, or None if there are more than
    ``cap`` under one label (then the budget must be shared out: see :func:`allocate`)."""
    groups = _by_label(frontier)
    if not groups:
        return []
    q, params = _union(groups, pattern, scope, _STEP + " LIMIT $cap", cap=cap + 1)
    rows = store.read(q, params, timeout=timeout)
    per_label: dict[str, int] = {}
    for row in rows:
        per_label[row["nl"]] = per_label.get(row["nl"], 0) + 1
    return None if any(n > cap for n in per_label.values()) else _steps(rows)


def _fetch(
    store: GraphStore,
    alloc: Mapping[NodeId, int],
    degree: Mapping[NodeId, int],
    pattern: str,
    scope: Scope,
    timeout: float,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    whole = [nid for nid, n in alloc.items() if n > 0 and n >= degree.get(nid, 0)]
    partial = [nid for nid, n in alloc.items() if 0 < n < degree.get(nid, 0)]
    groups = _by_label(whole)
    if groups:
        q, params = _union(groups, pattern, scope, _STEP)
        rows += store.read(q, params, timeout=timeout)
    for label, key in partial:
        q, params = _union(
            {label: [key]}, pattern, scope, _STEP + " LIMIT $lim", lim=alloc[(label, key)]
        )
        rows += store.read(q, params, timeout=timeout)
    return _steps(rows)


def neighbours(
    store: GraphStore,
    resolver: ScopeResolver,
    scope: Scope,
    start: Node,
    *,
    depth: int = 1,
    types: list[str] | None = None,
    limit: int = 100,
    timeout: float = 10.0,
) -> Expansion:
    """The in-scope neighbourhood of ``start`` up to ``depth`` hops, at most ``limit`` nodes."""
    pattern = rel_pattern(types)
    exp = Expansion(nodes={node_id(start): start})
    frontier = [node_id(start)]
    for _hop in range(depth):
        budget = limit - len(exp.nodes)
        if not frontier:
            break
        if budget <= 0:
            _add_more(exp, _counts(store, frontier, pattern, scope, timeout), {})
            break
        row_budget = min(_MAX_ROWS_PER_HOP, budget + len(frontier))
        # Most hops fit the budget: fetch everything at once. Otherwise count first and
        # share the budget out, so that one supernode cannot crowd out the rest.
        # A lone node (the start) is counted first: it may be a supernode, and counting its
        # 80,000 relationships costs less than reading 300 of them twice.
        complete = (
            None
            if len(frontier) == 1
            else _fetch_all(store, frontier, pattern, scope, row_budget, timeout)
        )
        counts: dict[NodeId, dict[str, int]] = {}
        if complete is not None:
            rows = complete
        else:
            counts = _counts(store, frontier, pattern, scope, timeout)
            degree = {nid: sum(counts.get(nid, {}).values()) for nid in frontier}
            alloc = allocate(degree, row_budget)
            rows = _fetch(store, alloc, degree, pattern, scope, timeout)
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
        allowed = resolver.allowed(
            scope,
            [*exp.nodes.values(), *candidates.values()],
            [*exp.links, *((_end(r, "start"), _end(r, "end")) for r in new_rels.values())],
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
            if _end(r, "start") in exp.nodes and _end(r, "end") in exp.nodes:
                exp.rels.setdefault(k, r)
        _add_more(exp, counts, fetched)
        frontier = added
    return exp


def _add_more(
    exp: Expansion,
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
