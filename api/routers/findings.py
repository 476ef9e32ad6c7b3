"""Findings: list, one with its evidence and triage history, and triage itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.deps import (
    FindingsReader,
    PresenterDep,
    PurposeDep,
    ServicesDep,
    note_params,
    require,
    respond,
    scope_of,
)
from api.errors import COMMON_RESPONSES, NotFoundError
from api.inputs import TriageIn
from api.models import FindingDetail, FindingsPage, FindingSummary
from api.policy import Cap
from api.services import findings as fs
from api.users import Principal
from api.workflow.deps import named
from api.workflow.deps import names as division_names

router = APIRouter(prefix="/findings", tags=["findings"], responses=COMMON_RESPONSES)
FindingId = Annotated[str, Path(min_length=1, max_length=300, description="finding_id or ref")]


def _finding_id(svc: ServicesDep, ident: str) -> str:
    if ident.startswith("~"):
        try:
            label, key = svc.codec.decode(ident)
        except ValueError:
            raise NotFoundError("unknown or altered ref") from None
        if label != "Finding":
            raise NotFoundError("this ref does not name a finding")
        return str(key)
    return ident


@router.get(
    "",
    summary="Findings in the caller's divisions, highest score first",
    response_model=FindingsPage,
)
def list_findings(
    user: FindingsReader,
    svc: ServicesDep,
    p: PresenterDep,
    pattern: Annotated[str | None, Query(max_length=100)] = None,
    severity: Annotated[
        str | None, Query(json_schema_extra={"enum": ["high", "medium", "low"]})
    ] = None,
    division: Annotated[str | None, Query(max_length=12, pattern=r"^[0-9]*$")] = None,
    status: Annotated[
        str | None, Query(json_schema_extra={"enum": ["new", "confirmed", "dismissed"]})
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    scope = scope_of(user)
    rows, total = fs.list_findings(
        svc.store,
        scope,
        pattern=pattern,
        severity=severity,
        division=division,
        status=status,
        offset=(page - 1) * size,
        size=size,
        timeout=svc.settings.api_timeout,
    )
    names = division_names(svc)
    return {
        "items": [named(fs.summary(p, svc.resolver, scope, f, xs), names) for f, xs in rows],
        "page": page,
        "size": size,
        "total": total,
    }


@router.get(
    "/{finding_id}",
    summary="One finding with its evidence subgraph and its triage history",
    response_model=FindingDetail,
    description=(
        "Evidence is kept in the API's database and survives restarts; the first request "
        "for a finding whose evidence is not stored re-runs its pattern once. Evidence "
        "nodes outside the caller's divisions are left out and counted in `redacted`."
    ),
)
def finding(
    request: Request,
    user: FindingsReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    finding_id: FindingId,
) -> Response:
    scope = scope_of(user)
    f, concerns = fs.get_finding(svc.store, _finding_id(svc, finding_id))
    fs.ensure_visible(scope, f)
    cache = svc.evidence
    ev, how = cache.get(f["properties"])
    evidence = None
    redacted = 0
    if ev is not None:
        nodes, rels, redacted = fs.evidence_in_scope(svc.resolver, scope, ev)
        evidence = p.subgraph(nodes, rels)
    out = named(
        fs.summary(p, svc.resolver, scope, f, concerns, hidden=redacted > 0), division_names(svc)
    )
    body = {
        **out,
        "evidence": evidence,
        "evidence_status": how,
        "redacted": redacted,
        "history": fs.history(svc.db, out["finding_id"]),
    }
    return respond(request, body)


@router.patch(
    "/{finding_id}",
    summary="Triage a finding: new, confirmed or dismissed, with a note (audited)",
    response_model=FindingSummary,
)
def triage(
    request: Request,
    user: Annotated[Principal, Depends(require(Cap.TRIAGE))],
    svc: ServicesDep,
    p: PresenterDep,
    finding_id: FindingId,
    body: TriageIn,
) -> dict[str, Any]:
    scope = scope_of(user)
    note_params(request, status=body.status, note=body.note)
    f, concerns = fs.get_finding(svc.store, _finding_id(svc, finding_id))
    fs.ensure_visible(scope, f)
    fs.triage(svc.store, svc.db, f, user.name, body.status, body.note)
    f["properties"] = {**f["properties"], "status": body.status, "note": body.note}
    return fs.summary(p, svc.resolver, scope, f, concerns)
