"""Communities ranked by risk (Leiden on the risk projection, graph.algorithms)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from api.deps import PresenterDep, PurposeDep, ServicesDep, require, scope_of
from api.errors import COMMON_RESPONSES, NotFoundError
from api.models import CommunitiesPage, CommunityDetail
from api.policy import Cap
from api.services import communities as svc_comm
from api.services.findings import screen, summary, with_concerns
from api.users import Principal

router = APIRouter(prefix="/communities", tags=["communities"], responses=COMMON_RESPONSES)
Reader = Annotated[Principal, Depends(require(Cap.COMMUNITIES))]


@router.get(
    "",
    summary="Communities, riskiest first, with the reasons for their rank",
    response_model=CommunitiesPage,
)
def list_communities(
    user: Reader,
    svc: ServicesDep,
    p: PresenterDep,
    order: Annotated[Literal["risk", "size"], Query()] = "risk",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    items, more = svc_comm.ranked(svc, scope_of(user), (page - 1) * size, size, order)
    for it in items:
        it["explanation"] = p.text(it["explanation"])
    return {"items": items, "page": page, "size": size, "has_more": more}


@router.get(
    "/{community}",
    summary="One community: its members in scope, their links, its findings",
    response_model=CommunityDetail,
)
def community(
    user: Reader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    community: Annotated[int, Path(ge=0)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 300,
) -> dict[str, Any]:
    scope = scope_of(user)
    m = svc_comm.model_of(svc)
    c = m.by_id.get(community)
    v = svc_comm.view(m, scope, c) if c is not None else None
    if v is None:
        raise NotFoundError(f"no ranked community {community} in your divisions")
    nodes, rels, truncated = svc_comm.community_subgraph(svc, scope, community, limit)
    findings = [n for n in nodes if n["labels"][0] == "Finding"]
    top = sorted(findings, key=lambda f: -(f["properties"].get("score") or 0))[:20]
    v["explanation"] = p.text(v["explanation"])
    screen(svc.store, svc.resolver, scope, p, nodes)
    return {
        **v,
        "subgraph": p.subgraph(nodes, rels),
        "truncated": truncated,
        "top_findings": [
            summary(p, svc.resolver, scope, f, xs) for f, xs in with_concerns(svc.store, top)
        ],
    }
