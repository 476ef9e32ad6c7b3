"""Search by name (exact, prefix, pinyin), identifier, plate, certificate, contract, account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import GraphReader, PresenterDep, PurposeDep, ServicesDep, respond, scope_of
from api.errors import COMMON_RESPONSES
from api.models import LABELS, SearchPage
from api.services import search as svc_search
from api.services.findings import screen
from api.services.lookup import check_label

router = APIRouter(prefix="/search", tags=["search"], responses=COMMON_RESPONSES)
TOTAL_CAP = 500


@router.get(
    "",
    summary="Find entities by name, pinyin, ID number, USCC, plate, certificate, contract…",
    response_model=SearchPage,
    description=(
        "Ranked: exact key 100, exact identifier (phone) 95, exact name 90, name prefix 70, "
        "pinyin 60, pinyin initials 45, full-text up to 30. Results outside the caller's "
        "divisions are never returned. Requires `X-Purpose`."
    ),
)
def search(
    request: Request,
    user: GraphReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for")],
    label: Annotated[
        str | None, Query(description="only this label", json_schema_extra={"enum": LABELS})
    ] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    size = min(size, svc.settings.page_size_max)
    found = svc_search.search(
        svc.store,
        svc.resolver,
        scope_of(user),
        svc.names,
        q,
        label=check_label(label),
        cap=TOTAL_CAP,
        timeout=svc.settings.api_timeout,
    )
    start = (page - 1) * size
    chunk = svc_search.hydrate(svc.store, found.hits[start : start + size])
    screen(svc.store, svc.resolver, scope_of(user), p, [h.node for h in chunk])
    return respond(
        request,
        {
            "items": [
                {"node": p.node(h.node), "match": h.match, "field": h.field, "score": h.score}
                for h in chunk
            ],
            "page": page,
            "size": size,
            "has_more": len(found.hits) > start + size,
            "total": found.total,
            "total_capped": found.capped,
        },
    )
