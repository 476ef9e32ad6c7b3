"""How two entities are connected: bidirectional breadth-first search over the store.

Paths only run through nodes in the caller's scope (a path through another county's
person would reveal that person). With ``exclude_hubs`` a node whose degree exceeds the
hub limit (a programme, a village, a shared address) is not walked through, though it
may be an end. The search stops at a node budget and says so. All shortest paths are
returned, up to ``k``; each hop is described in words from the schema's ``verb_zh``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from api.scope import NodeId, Scope, ScopeResolver, node_id
from graph import schema as sch
from graph.queries.subgraph import count_neighbours, end_of, fetch_neighbours, rel_pattern
from graph.store import GraphStore, Node, Relationship

Step = tuple[NodeId, Relationship]  # (the neighbour nearer the side's origin, the relationship)


@dataclass
class _Side:
    origin: NodeId
    level: dict[NodeId, int] = field(default_factory=dict)
    parents: dict[NodeId, list[Step]] = field(default_factory=dict)
    frontier: list[NodeId] = field(default_factory=list)
    counts: dict[NodeId, dict[str, int]] | None = None  # of the current frontier

    def degree(self) -> dict[NodeId, int]:
        return {nid: sum((self.counts or {}).get(nid, {}).values()) for nid in self.frontier}


@dataclass
class PathResult:
    paths: list[tuple[list[Node], list[Relationship]]]
    truncated: bool
    explored: int


def find_paths(
    store: GraphStore,
    resolver: ScopeResolver,
    scope: Scope,
    a: Node,
    b: Node,
    *,
    max_hops: int = 4,
    types: list[str] | None = None,
    exclude_hubs: bool = True,
    hub_degree: int = 200,
    k: int = 5,
    node_budget: int = 20_000,
    timeout: float = 10.0,
) -> PathResult:
    pattern = rel_pattern(types)
    nodes: dict[NodeId, Node] = {node_id(a): a, node_id(b): b}
    links: list[tuple[NodeId, NodeId]] = []
    sides = [_Side(node_id(a)), _Side(node_id(b))]
    for s in sides:
        s.level[s.origin] = 0
        s.frontier = [s.origin]
    ends = {node_id(a), node_id(b)}
    truncated = False
    if node_id(a) == node_id(b):
        return PathResult([([a], [])], False, 1)
    best: int | None = None
    hops_done = 0
    while hops_done < max_hops and all(s.frontier for s in sides):
        # Both sides are counted in one round trip when both need it (the first hop).
        stale = [s for s in sides if s.counts is None]
        if stale:
            counted = count_neighbours(
                store,
                {n: None for s in stale for n in s.frontier},
                pattern,
                scope.predicate,
                timeout,
            )
            for s in stale:
                s.counts = {n: counted[n] for n in s.frontier if n in counted}
        # Grow the side that costs less to grow: a person with 500 payments on one end and
        # a household of two on the other is searched from the household.
        side = min(sides, key=lambda s: sum(s.degree().values()))
        other = sides[1] if side is sides[0] else sides[0]
        degree = side.degree()
        alloc = {
            nid: 0 if exclude_hubs and d > hub_degree and nid not in ends else min(d, hub_degree)
            for nid, d in degree.items()
        }
        truncated |= any(alloc[n] < d for n, d in degree.items())
        rows = fetch_neighbours(store, alloc, degree, pattern, scope.predicate, timeout)
        fresh: dict[NodeId, Node] = {}
        steps: list[tuple[NodeId, NodeId, Relationship]] = []
        for row in rows:
            src, mid = node_id(row["n"]), node_id(row["m"])
            if mid not in nodes:
                fresh.setdefault(mid, row["m"])
            steps.append((src, mid, row["r"]))
            links.append((src, mid))
        allowed = resolver.allowed(scope, [*nodes.values(), *fresh.values()], links)
        nodes.update({nid: n for nid, n in fresh.items() if nid in allowed})
        level = side.level[side.frontier[0]] + 1
        nxt: dict[NodeId, None] = {}
        for src, mid, r in steps:
            if mid not in nodes or mid not in allowed:
                continue
            if mid not in side.level:
                side.level[mid] = level
                nxt[mid] = None
            if side.level[mid] == level:
                side.parents.setdefault(mid, []).append((src, r))
        side.frontier = list(nxt)
        side.counts = None
        hops_done += 1
        meet = [n for n in side.frontier if n in other.level]
        if meet:
            best = min(side.level[n] + other.level[n] for n in meet)
            break
        if len(nodes) >= node_budget:
            truncated = True
            break
    if best is None:
        return PathResult([], truncated, len(nodes))
    sa, sb = sides
    meeting = [n for n in nodes if n in sa.level and n in sb.level]
    meeting = [n for n in meeting if sa.level[n] + sb.level[n] == best]
    out: list[tuple[list[Node], list[Relationship]]] = []
    seen: set[tuple[NodeId, ...]] = set()
    for m in meeting:
        for left, right in product(_chains(sa, m, k), _chains(sb, m, k)):
            ids_ = [*left[0], *reversed(right[0][:-1])]
            if tuple(ids_) in seen or len(set(ids_)) != len(ids_):
                continue
            seen.add(tuple(ids_))
            out.append(([nodes[i] for i in ids_], [*left[1], *reversed(right[1])]))
            if len(out) >= k:
                return PathResult(out, truncated, len(nodes))
    return PathResult(out, truncated, len(nodes))


def _chains(side: _Side, node: NodeId, k: int) -> list[tuple[list[NodeId], list[Relationship]]]:
    """Up to ``k`` parent chains from the side's origin to ``node``: (node ids, rels)."""
    if node == side.origin:
        return [([node], [])]
    out: list[tuple[list[NodeId], list[Relationship]]] = []
    for parent, rel in side.parents.get(node, []):
        for ids_, rels in _chains(side, parent, k):
            out.append(([*ids_, node], [*rels, rel]))
            if len(out) >= k:
                return out
    return out


def describe(
    r: Mapping[str, Any], caption: Callable[[NodeId], str], details: list[str] | None = None
) -> str:
    """One hop in words, in the relationship's own direction: '张三 拥有 湘DA1234',
    with the relationship's relation or role as graph.algorithms writes it ('（配偶）')."""
    rt = sch.RELATIONSHIPS.get(str(r.get("type")))
    verb = rt.verb_zh if rt is not None else str(r.get("type"))
    note = f"（{'，'.join(details)}）" if details else ""
    return f"{caption(end_of(r, 'start'))} {verb}{note} {caption(end_of(r, 'end'))}"
