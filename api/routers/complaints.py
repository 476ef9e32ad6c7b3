"""Complaints with their deadline status; reporters only for complaint handlers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from api.deps import PresenterDep, PurposeDep, Services, ServicesDep, require, scope_of
from api.errors import COMMON_RESPONSES
from api.models import ComplaintsPage
from api.policy import Cap, sees_confidential
from api.scope import node_id
from api.services import complaints as svc_c
from api.users import Principal
from api.workflow.models import Intake
from graph.ids import parse_date
from graph.store import Node, SealedStore

Deadline = tuple[str | None, str | None, str, bool, int]

router = APIRouter(prefix="/complaints", tags=["complaints"], responses=COMMON_RESPONSES)


@router.get(
    "",
    summary="Complaints with deadline status (7 days to accept, 3 months to close, +1 approved)",
    response_model=ComplaintsPage,
    description=(
        "Newest first. `reporter_name` and `reporter_phone` are returned only to the "
        "complaint_handler role, and never written to logs or the audit log. They are not "
        "in the graph: this endpoint reads them, for that role only, from the sealed store "
        "(loaded complaints) or the workflow database (complaints registered by staff)."
    ),
)
def complaints(
    user: Annotated[Principal, Depends(require(Cap.COMPLAINTS))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    status: Annotated[str | None, Query(json_schema_extra={"enum": list(svc_c.STATUSES)})] = None,
    as_of: Annotated[str | None, Query(description="judge deadlines on this day")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    day = parse_date(as_of) if as_of else dt.date.today().isoformat()
    scope = scope_of(user)
    rows, more = svc_c.complaints(
        svc.store,
        scope,
        as_of=day,
        status=status,
        offset=(page - 1) * size,
        size=size,
        timeout=svc.settings.api_timeout,
    )
    ok = svc.resolver.allowed(scope, [c for c, _ in rows])
    rows = [(c, d) for c, d in rows if node_id(c) in ok]
    if sees_confidential(user.role):
        rows = _with_reporters(svc, rows)
    items = [
        {
            "node": p.node(c),
            "accept_due": d[0],
            "close_due": d[1],
            "deadline_status": d[2],
            "accepted_late": d[3],
            "days_overdue": d[4],
        }
        for c, d in rows
    ]
    return {"items": items, "page": page, "size": size, "has_more": more, "as_of": day}


Row = tuple[Node, Deadline]


def _with_reporters(svc: Services, rows: list[Row]) -> list[Row]:
    """The page's complaints with their reporters (handlers only): a loaded complaint's
    from the sealed store, a staff-registered one's from the workflow database."""
    sealed: SealedStore = svc.sealed
    keys = [str(c.get("key")) for c, _ in rows]
    found = sealed.get("Complaint", keys)
    with svc.db.session() as s:
        for i in s.scalars(select(Intake).where(Intake.complaint_id.in_(keys))):
            found[i.complaint_id] = {
                k: v
                for k, v in (
                    ("reporter_name", i.reporter_name),
                    ("reporter_phone", i.reporter_phone),
                )
                if v
            }
    return [
        ({**c, "properties": {**c["properties"], **found.get(str(c.get("key")), {})}}, d)
        for c, d in rows
    ]
