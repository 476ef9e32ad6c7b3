"""Complaints registered by staff (letters, visits, calls): register, suggestions, merge.

The reporter's identity is kept in the workflow database only and returned only to the
complaint_handler role; it is not written to the graph, the logs or the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import PresenterDep, PurposeDep, ServicesDep, note_params, require
from api.errors import COMMON_RESPONSES, Unprocessable
from api.policy import Cap, Role
from api.present import Presenter
from api.users import Principal
from api.workflow import deps as wd
from api.workflow import schemas as S
from api.workflow.intake import IntakeService
from api.workflow.models import Case, Intake, Suggestion
from graph import deadlines as dl

router = APIRouter(prefix="/intake", tags=["intake"], responses=COMMON_RESPONSES)
Registrar = Annotated[Principal, Depends(require(Cap.COMPLAINTS))]
ComplaintId = Annotated[str, Path(pattern=r"^JB-[0-9]{2,12}-[0-9]{4}-[0-9]{4,6}$")]


def intake_json(
    it: IntakeService, s: Session, user: Principal, p: Presenter, i: Intake, names: dict[str, str]
) -> dict[str, Any]:
    handler = user.role is Role.COMPLAINT_HANDLER
    case_no = s.scalar(select(Case.case_no).where(Case.id == i.case_id)) if i.case_id else None
    suggestions = s.scalars(
        select(Suggestion).where(Suggestion.intake_id == i.id).order_by(Suggestion.id)
    ).all()
    p.note("Complaint", i.complaint_id)
    for sg in suggestions:  # the persons and enterprises it is suggested to be about
        p.note(sg.label, sg.key)
    return {
        "complaint_id": i.complaint_id,
        "division_code": i.division_code,
        "division_name": names.get(i.division_code),
        "channel": i.channel,
        "received": i.received,
        "summary": p.text(i.summary),
        "category": i.category,
        "anonymous": i.anonymous,
        "reporter_name": i.reporter_name if handler else None,
        "reporter_phone": i.reporter_phone if handler else None,
        "reporter_address": i.reporter_address if handler else None,
        "registered_by": i.registered_by,
        "registered_at": i.registered_at,
        "case_no": case_no,
        "accept_due": dl.accept_due(i.received, it.rules),
        "suggestions": [
            {
                "id": sg.id,
                "label": sg.label,
                "key": str(p.key(sg.label, sg.key)),
                "ref": p.ref(sg.label, sg.key),
                "name": sg.name if sg.label != "Person" else (p.text(sg.name) or "（已隐去）"),
                "matched": sg.matched
                if sg.label != "Person"
                else (p.text(sg.matched) or "（已隐去）"),
                "decision": sg.decision,
                "decided_by": sg.decided_by,
            }
            for sg in suggestions
        ],
        "duplicates": it.duplicates(s, wd.actor(user), i) if i.case_id is None else [],
    }


def _one(svc: ServicesDep, user: Principal, p: Presenter, complaint_id: str) -> dict[str, Any]:
    it = wd.intake(svc)
    with svc.db.session() as s:
        i = it.load(s, wd.actor(user), complaint_id)
        return intake_json(it, s, user, p, i, wd.names(svc))


@router.post(
    "",
    summary="Register a complaint received by letter, visit or phone; get suggestions",
    response_model=S.IntakeOut,
    status_code=201,
)
def register(
    request: Request, user: Registrar, svc: ServicesDep, p: PresenterDep, body: S.IntakeIn
) -> dict[str, Any]:
    # The reporter is not among what the audit log records.
    note_params(
        request, division_code=body.division_code, channel=body.channel, received=body.received
    )
    if body.division_code not in wd.names(svc):
        raise Unprocessable(f"no division {body.division_code} in the graph")
    it = wd.intake(svc)
    cid = it.register(
        wd.actor(user),
        division_code=body.division_code,
        channel=body.channel,
        received=body.received,
        summary=body.summary,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        reporter_address=body.reporter_address,
        anonymous=body.anonymous,
    )
    return _one(svc, user, p, cid)


@router.get(
    "",
    summary="Registered complaints in the caller's divisions, newest first",
    response_model=S.IntakePage,
)
def list_intake(
    user: Registrar,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    open_only: Annotated[bool, Query(description="only those not yet in a case")] = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    it = wd.intake(svc)
    scope = wd.actor(user).scope
    q = select(Intake)
    if not scope.unrestricted:
        from sqlalchemy import or_

        q = q.where(
            or_(*[Intake.division_code.startswith(x, autoescape=True) for x in scope.prefixes])
        )
    if open_only:
        q = q.where(Intake.case_id.is_(None))
    names = wd.names(svc)
    with svc.db.session() as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(
            q.order_by(Intake.received.desc(), Intake.complaint_id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        items = [intake_json(it, s, user, p, i, names) for i in rows]
    return {"items": items, "page": page, "size": size, "total": int(total)}


@router.get(
    "/{complaint_id}",
    summary="One registered complaint with suggestions and possible duplicates",
    response_model=S.IntakeOut,
)
def get_intake(
    user: Registrar,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    complaint_id: ComplaintId,
) -> dict[str, Any]:
    return _one(svc, user, p, complaint_id)


@router.post(
    "/{complaint_id}/suggestions/{suggestion_id}",
    summary="Confirm or reject a suggested ABOUT link (confirmed links go to the graph)",
    response_model=S.IntakeOut,
)
def decide(
    request: Request,
    user: Registrar,
    svc: ServicesDep,
    p: PresenterDep,
    complaint_id: ComplaintId,
    suggestion_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: S.DecisionIn,
) -> dict[str, Any]:
    note_params(request, decision=body.decision)
    wd.intake(svc).decide(wd.actor(user), complaint_id, suggestion_id, body.decision)
    return _one(svc, user, p, complaint_id)


@router.post(
    "/{complaint_id}/merge",
    summary="Merge the complaint into an open case (a duplicate)",
    response_model=S.IntakeOut,
)
def merge(
    request: Request,
    user: Registrar,
    svc: ServicesDep,
    p: PresenterDep,
    complaint_id: ComplaintId,
    body: S.MergeIn,
) -> dict[str, Any]:
    note_params(request, case_no=body.case_no)
    wd.intake(svc).merge(wd.actor(user), complaint_id, body.case_no, body.reason)
    return _one(svc, user, p, complaint_id)
