"""Neighbourhoods within the caller's scope: :func:`graph.queries.subgraph.neighbourhood`
with the scope's Cypher predicate on every neighbour and the resolver's check on what
may be shown (a node reached only through another county's person stays hidden)."""

from __future__ import annotations

from api.scope import NodeId, Scope, ScopeResolver
from graph.queries.subgraph import Neighbourhood, neighbour_page, neighbourhood
from graph.store import GraphStore, Node


def neighbours(
    store: GraphStore,
    resolver: ScopeResolver,
    scope: Scope,
    start: Node,
    *,
    depth: int = 1,
    types: list[str] | None = None,
    labels: list[str] | None = None,
    offset: int = 0,
    limit: int = 100,
    timeout: float = 10.0,
) -> Neighbourhood:
    """The in-scope neighbourhood of ``start`` up to ``depth`` hops, at most ``limit`` nodes.

    One hop is a page of the direct neighbours in a stable order (label, key), so that
    ``offset`` (which needs ``depth`` 1) continues where the previous page stopped."""

    def allow(nodes: list[Node], links: list[tuple[NodeId, NodeId]]) -> set[NodeId]:
        return resolver.allowed(scope, nodes, links)

    if offset and depth != 1:
        raise ValueError("offset pages the direct neighbours: depth must be 1")
    if depth == 1:
        return neighbour_page(
            store,
            start,
            offset=offset,
            limit=limit,
            types=types,
            labels=labels,
            timeout=timeout,
            where=scope.predicate,
            allow=allow,
        )
    return neighbourhood(
        store,
        start,
        depth=depth,
        types=types,
        labels=labels,
        limit=limit,
        timeout=timeout,
        where=scope.predicate,
        allow=allow,
    )
