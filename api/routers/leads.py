"""Leads (线索): findings grouped by their acting subject and shared evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import FindingsReader, PresenterDep, PurposeDep, ServicesDep, scope_of
from api.errors import COMMON_RESPONSES, Forbidden, NotFoundError
from api.present import Presenter, mask_value
from api.services import findings as fs
from api.workflow import deps as wd
from api.workflow.schemas import LeadDetail, LeadsPage
from graph.queries import leads as gl
from graph.queries import lookup

router = APIRouter(prefix="/leads", tags=["leads"], responses=COMMON_RESPONSES)
LeadId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^lead:[0-9A-Za-z:_.-]+$")]


def present(p: Presenter, props: dict[str, Any]) -> dict[str, Any]:
    """A lead as the caller may see it: the principal's key masked per role, the title
    (which names the principal) withheld where personal data is."""
    shown, _, _ = p.properties("Lead", props)
    key = props.get("principal_key")
    label = props.get("principal_label")
    # The audit row names what the answer showed: the lead and whom it is about.
    p.note("Lead", props["lead_id"])
    if label and key is not None:
        p.note(str(label), key)
    return {
        "lead_id": str(props["lead_id"]),
        "title": p.text(shown.get("title"), [str(key)] if key else []),
        "principal": {
            "label": label,
            "key": p.key(str(label), key) if label else mask_value(key),
            "name": shown.get("principal_name"),
            "ref": p.ref(str(label), key) if label and key is not None else None,
        },
        "division_code": props.get("division_code"),
        "division_name": props.get("division_name"),
        "division_names": list(props.get("division_names") or []),
        "amount": int(props.get("amount") or 0),
        "vouchers": int(props.get("vouchers") or 0),
        "severity": props.get("severity"),
        "patterns": list(props.get("patterns") or []),
        "finding_count": int(props.get("finding_count") or 0),
        "open_count": int(props.get("open_count") or 0),
        "exposure": int(props.get("exposure") or 0),
        "score": float(props.get("score") or 0.0),
        "first_detected": props.get("first_detected"),
        "detected_at": props.get("detected_at"),
    }


@router.get(
    "",
    summary="Leads in the caller's divisions, highest score first",
    response_model=LeadsPage,
    description=(
        "A lead groups the findings about one acting subject (the approver, the recipient "
        "household, the contractor) and those joined to them by shared evidence; money is "
        "counted once per voucher or payment record. Scope and masking as for findings: a "
        "lead is in scope when its `division_code` is."
    ),
)
def list_leads(
    user: FindingsReader,
    svc: ServicesDep,
    p: PresenterDep,
    division: Annotated[str | None, Query(max_length=12, pattern=r"^[0-9]*$")] = None,
    pattern: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    scope = scope_of(user)
    params: dict[str, Any] = {}
    where = [scope.anchored_predicate("l.division_code", params)]
    if division:
        params["division"] = division
        where.append("l.division_code STARTS WITH $division")
    if pattern:
        params["pattern"] = pattern
        where.append("$pattern IN l.patterns")
    rows, total = gl.leads(
        svc.store,
        where=" AND ".join(where),
        params=params,
        offset=(page - 1) * size,
        size=size,
        timeout=svc.settings.api_timeout,
    )
    return {"items": [present(p, r) for r in rows], "page": page, "size": size, "total": total}


def get_lead(svc: ServicesDep, lead_id: str) -> dict[str, Any]:
    node = lookup.fetch(svc.store, "Lead", lead_id)
    if node is None:
        raise NotFoundError(f"no lead {lead_id}")
    return dict(node["properties"])


@router.get(
    "/{lead_id}",
    summary="One lead with its findings",
    response_model=LeadDetail,
)
def lead(
    user: FindingsReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    lead_id: LeadId,
) -> dict[str, Any]:
    scope = scope_of(user)
    props = get_lead(svc, lead_id)
    code = props.get("division_code")
    if not (scope.unrestricted or (code is not None and scope.covers(str(code)))):
        raise Forbidden("this lead lies outside your divisions")
    findings = fs.with_concerns(svc.store, gl.lead_findings(svc.store, lead_id))
    out = present(p, props)
    names = wd.names(svc)
    out["findings"] = [
        wd.named(fs.summary(p, svc.resolver, scope, f, xs), names) for f, xs in findings
    ]
    return out
