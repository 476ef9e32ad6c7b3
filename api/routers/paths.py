"""How two entities are connected."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import GraphReader, PresenterDep, PurposeDep, ServicesDep, respond, scope_of
from api.errors import COMMON_RESPONSES
from api.models import LABELS, REL_TYPES, PathsOut
from api.present import Presenter
from api.scope import NodeId, node_id
from api.services.findings import screen
from api.services.lookup import check_types, find_visible
from graph.algorithms.paths import describe_hop, find_paths
from graph.store import Node, Relationship

router = APIRouter(prefix="/paths", tags=["paths"], responses=COMMON_RESPONSES)


@router.get(
    "",
    summary="The shortest paths between two entities, each hop in words",
    response_model=PathsOut,
    description=(
        "All shortest paths (up to `k`) of at most `max_hops` hops, through nodes in the "
        "caller's divisions only, over every relationship type but CONCERNS (a finding is a "
        "conclusion, not a connection) unless `types` says otherwise. With `exclude_hubs`, "
        "nodes with more than the hub limit of relationships (a programme, a village, a "
        "department) are not walked through."
    ),
)
def paths(
    request: Request,
    user: GraphReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=500)],
    to: Annotated[str, Query(min_length=1, max_length=500)],
    from_label: Annotated[str | None, Query(json_schema_extra={"enum": LABELS})] = None,
    to_label: Annotated[str | None, Query(json_schema_extra={"enum": LABELS})] = None,
    max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
    types: Annotated[str | None, Query(max_length=500)] = None,
    exclude_hubs: bool = True,
    k: Annotated[int, Query(ge=1, le=10)] = 3,
) -> Response:
    scope = scope_of(user)
    a = find_visible(svc.store, svc.codec, svc.resolver, scope, from_, from_label)
    b = find_visible(svc.store, svc.codec, svc.resolver, scope, to, to_label)
    found = find_paths(
        svc.store,
        a,
        b,
        where=scope.predicate,
        allow=lambda nodes, links: svc.resolver.allowed(scope, nodes, links),
        max_hops=max_hops,
        # Findings are conclusions, not connections: not walked through unless asked for.
        types=check_types(types) or [t for t in REL_TYPES if t != "CONCERNS"],
        exclude_hubs=exclude_hubs,
        hub_degree=svc.settings.hub_degree,
        k=min(k, svc.settings.paths_max),
        timeout=svc.settings.api_timeout,
    )
    screen(svc.store, svc.resolver, scope, p, [n for nodes, _ in found.paths for n in nodes])
    body = {
        "paths": [_path(p, nodes, rels) for nodes, rels in found.paths],
        "truncated": found.truncated,
        "explored": found.explored,
    }
    return respond(request, body)


def _path(p: Presenter, nodes: list[Node], rels: list[Relationship]) -> dict[str, Any]:
    by_id = {node_id(n): n for n in nodes}

    def caption(nid: NodeId) -> str:
        n = by_id.get(nid)
        if n is None:
            return "?"
        return p.caption(nid[0], n["properties"], n["key"]) or nid[0]

    hops = []
    for r in rels:
        out = p.relationship(r)
        props = out["properties"]
        details = [str(props[k]) for k in ("relation", "role") if props.get(k)]
        text = describe_hop(r, caption, details)
        hops.append({"start": out["start"], "end": out["end"], "type": out["type"], "text": text})
    sub = p.subgraph(nodes, rels)
    return {"length": len(rels), **sub, "hops": hops}
