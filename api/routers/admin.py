"""Administration: the audit log, rebuilding the search and risk indexes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.audit import entries, users_within
from api.deps import ServicesDep, require, scope_of
from api.errors import COMMON_RESPONSES
from api.models import AuditPage
from api.policy import Cap
from api.users import Principal

router = APIRouter(tags=["admin"], responses=COMMON_RESPONSES)
Auditor = Annotated[Principal, Depends(require(Cap.AUDIT))]
Admin = Annotated[Principal, Depends(require(Cap.ADMINISTER))]


@router.get(
    "/audit",
    summary="The audit log, newest first (admins); append-only",
    response_model=AuditPage,
    description=(
        "An admin with every division reads every row. An admin scoped to some divisions "
        "reads only the rows of users whose every division lies within that scope: not "
        "other users' rows, not unauthenticated requests (docs/api.md, Security)."
    ),
)
def audit(
    user: Auditor,
    svc: ServicesDep,
    who: Annotated[str | None, Query(alias="user", max_length=100)] = None,
    endpoint: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO time, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO time, exclusive")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    scope = scope_of(user)
    rows, more = entries(
        svc.db,
        user=who,
        users=None if scope.unrestricted else users_within(svc.db, scope.prefixes),
        endpoint=endpoint,
        since=since,
        until=until,
        offset=(page - 1) * size,
        limit=size,
    )
    return {"items": rows, "page": page, "size": size, "has_more": more}


@router.post(
    "/search/reindex",
    summary="Rebuild the pinyin name index (admins); answers at once, builds in background",
    status_code=202,
    response_model=dict[str, Any],
)
def reindex(user: Admin, svc: ServicesDep) -> dict[str, Any]:
    svc.names.build_in_background(svc.store)
    return svc.names.status()


@router.post(
    "/risk/rebuild",
    summary="Recompute communities and risk scores (admins); builds in background",
    status_code=202,
    response_model=dict[str, Any],
)
def rebuild_risk(user: Admin, svc: ServicesDep) -> dict[str, Any]:
    svc.risk.build_in_background(svc.store)
    svc.resolver.clear()
    return svc.risk.status()


@router.get(
    "/status",
    summary="Background indexes: pinyin names and the risk model",
    response_model=dict[str, Any],
)
def status(user: Admin, svc: ServicesDep) -> dict[str, Any]:
    return {"names": svc.names.status(), "risk": svc.risk.status()}
