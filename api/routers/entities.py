"""One entity, its neighbourhood, and its dossier."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import (
    GraphReader,
    PresenterDep,
    PurposeDep,
    ServicesDep,
    require,
    respond,
    scope_of,
)
from api.errors import COMMON_RESPONSES, BadRequest
from api.models import LABELS, EntityOut, Neighbourhood
from api.policy import Cap
from api.services import entity as ent
from api.services import exporting
from api.services.expand import neighbours as expand
from api.services.findings import screen, summary
from api.services.lookup import check_labels, check_types, find_visible
from api.services.riskmodel import RiskModel
from api.users import Principal

router = APIRouter(prefix="/entities", tags=["entities"], responses=COMMON_RESPONSES)

Ident = Annotated[
    str,
    Path(
        description="a ref (`~…`, from any response) or a natural key (ID number, USCC, "
        "plate, contract id…)",
        min_length=1,
        max_length=500,
    ),
]
LabelQ = Annotated[
    str | None,
    Query(
        description="the label, when a bare key could name several (Payment and Income "
        "share voucher numbers)",
        json_schema_extra={"enum": LABELS},
    ),
]


def _risk_model(svc: ServicesDep) -> RiskModel:
    return svc.risk


@router.get(
    "/{ident}",
    summary="An entity: properties (masked by role), provenance, findings, community, risk",
    response_model=EntityOut,
)
def entity(
    user: GraphReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    ident: Ident,
    label: LabelQ = None,
) -> dict[str, Any]:
    scope = scope_of(user)
    node = find_visible(svc.store, svc.codec, svc.resolver, scope, ident, label)
    model = _risk_model(svc)
    found = ent.findings_of(svc.store, node, scope, svc.settings.api_timeout)
    screen(svc.store, svc.resolver, scope, p, [node])
    return {
        "node": p.node(node),
        "provenance": ent.provenance(node),
        "findings": [summary(p, svc.resolver, scope, f, xs) for f, xs in found],
        "community": ent.community(model, node, scope),
        "risk": ent.risk(model, node, found),
    }


@router.get(
    "/{ident}/neighbours",
    summary="The neighbourhood of an entity, never more than `limit` nodes",
    response_model=Neighbourhood,
    description=(
        "Up to `depth` hops, only nodes in the caller's divisions. When the limit cuts the "
        "expansion short, `truncated` is true and `more` counts what was left out by label "
        "(a programme with 80,000 disbursements answers at once with "
        '`more: {"Disbursement": 79700}`). `labels` and `offset` page through them: '
        "`?depth=1&labels=Disbursement&offset=300&limit=301` gives the next 300."
    ),
)
def neighbours(
    request: Request,
    user: GraphReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    ident: Ident,
    label: LabelQ = None,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    types: Annotated[
        str | None, Query(description="comma-separated relationship types", max_length=500)
    ] = None,
    labels: Annotated[
        str | None,
        Query(description="comma-separated labels: only neighbours with these", max_length=500),
    ] = None,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=10_000_000,
            description="skip this many direct neighbours (ordered by label and key): pages "
            "through a supernode; needs depth=1",
        ),
    ] = 0,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="at most this many nodes")
    ] = None,
) -> Response:
    scope = scope_of(user)
    if offset and depth != 1:
        raise BadRequest("offset pages the direct neighbours: give depth=1")
    node = find_visible(svc.store, svc.codec, svc.resolver, scope, ident, label)
    cap = min(limit or svc.settings.neighbours_default, svc.settings.neighbours_max)
    exp = expand(
        svc.store,
        svc.resolver,
        scope,
        node,
        depth=depth,
        types=check_types(types),
        labels=check_labels(labels),
        offset=offset,
        limit=cap,
        timeout=svc.settings.api_timeout,
    )
    screen(svc.store, svc.resolver, scope, p, exp.nodes.values())
    sub = p.subgraph(exp.nodes.values(), exp.rels.values())
    body = {
        **sub,
        "start": p.ref(str(node["labels"][0]), node["key"]),
        "truncated": exp.truncated,
        "more": exp.more,
    }
    return respond(request, body)


@router.get(
    "/{ident}/dossier",
    summary="A printable one-page report of a person or an enterprise (HTML)",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, 501: COMMON_RESPONSES[400]},
)
def dossier(
    user: Annotated[Principal, Depends(require(Cap.DOSSIER))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    ident: Ident,
    label: LabelQ = None,
) -> HTMLResponse:
    scope = scope_of(user)
    node = find_visible(svc.store, svc.codec, svc.resolver, scope, ident, label)
    html = exporting.dossier(svc, p, scope, node, purpose)
    return HTMLResponse(html)
