"""Request bodies and response shapes of the leads, cases, intake and statistics endpoints.

These are the explorer's contract (docs/api.md, "Cases"): dates are ISO days, instants
ISO UTC, money integer fen.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from api.models import FindingSummary, Subgraph
from api.workflow import rules as R


def iso_day(value: str | None) -> str | None:
    """A real calendar day in the years deadlines can be computed for."""
    if value is None:
        return None
    d = dt.date.fromisoformat(value)
    if not 1990 <= d.year <= 2100:
        raise ValueError("the year must lie between 1990 and 2100")
    return value


ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
Day = Annotated[
    str, Field(pattern=ISO_DAY, description="ISO day, YYYY-MM-DD"), AfterValidator(iso_day)
]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Fen = Annotated[int, Field(ge=0, le=10**15, description="integer fen (分)")]
Division = Annotated[str, Field(pattern=r"^[0-9]{2,12}$", description="division code")]


# -- leads ------------------------------------------------------------------------------
class PrincipalOut(BaseModel):
    label: str | None
    key: str | None = Field(description="natural key, masked per role")
    name: str | None = Field(description="withheld for roles without personal data")
    ref: str | None


class LeadOut(BaseModel):
    lead_id: str = Field(description="stable across detect runs")
    title: str | None = Field(description="Chinese title; null when withheld")
    principal: PrincipalOut
    division_code: str | None
    division_name: str | None
    division_names: list[str]
    amount: int = Field(description="money involved, fen, each voucher counted once")
    vouchers: int = Field(description="distinct vouchers / payment records counted")
    severity: str | None
    patterns: list[str]
    finding_count: int
    open_count: int = Field(description="findings not dismissed")
    exposure: int = Field(description="findings on the principal or next to it")
    score: float
    first_detected: str | None
    detected_at: str | None


class LeadsPage(BaseModel):
    items: list[LeadOut]
    page: int
    size: int
    total: int


class LeadDetail(LeadOut):
    findings: list[FindingSummary]


# -- cases: requests -----------------------------------------------------------------------
class SourceIn(BaseModel):
    kind: Literal["lead", "finding", "complaint"]
    id: str = Field(min_length=1, max_length=200, description="lead_id, finding_id or complaint_id")


class OpenIn(BaseModel):
    source: SourceIn
    division_code: Division | None = Field(None, description="default: the source's division")
    received: Day | None = Field(None, description="default: today")
    assignee: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, min_length=1, max_length=500)
    reason: str | None = Field(None, max_length=4000)


class DispositionIn(BaseModel):
    person: str = Field(min_length=1, max_length=300, description="Person id_number or ref (~…)")
    kind: Literal["党纪处分", "政务处分", "诫勉谈话", "批评教育", "移送司法机关"]
    measure: str | None = Field(None, max_length=20, description="for 党纪处分 / 政务处分")
    decided: Day | None = None
    note: str | None = Field(None, max_length=4000)


class ActionIn(BaseModel):
    on: Day | None = Field(None, description="the day it took effect; default today")
    reason: str | None = Field(None, max_length=4000, description="why (written to the timeline)")
    version: int | None = Field(
        None, ge=0, le=2**31, description="refuse if the case changed since"
    )


class CloseIn(ActionIn):
    outcome: str | None = Field(
        None, max_length=10, description="查实 / 部分属实 / 不属实 (required)"
    )
    amount_involved: Fen | None = None
    amount_recovered: Fen | None = None
    summary: str | None = Field(None, max_length=20000)
    public_outcome: str | None = Field(
        None,
        max_length=500,
        description="one sentence about the outcome, shown to a resident who reported online",
    )
    dispositions: list[DispositionIn] = Field(default_factory=list, max_length=200)


class AssignIn(ActionIn):
    assignee: str = Field(min_length=1, max_length=100)


class DisposeIn(ActionIn):
    dispositions: list[DispositionIn] = Field(min_length=1, max_length=200)


class LinkIn(BaseModel):
    kind: Literal["lead", "finding", "complaint"]
    id: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=4000)


# -- cases: responses ----------------------------------------------------------------------
class DueOut(BaseModel):
    accept_due: str | None
    close_due: str | None = Field(description="with approved extensions")
    close_due_without_extension: str | None
    extension_possible_until: str | None
    deadline_state: str = Field(
        json_schema_extra={
            "enum": [
                "awaiting_acceptance",
                "acceptance_overdue",
                "open",
                "closure_overdue",
                "closed_on_time",
                "closed_late",
                "unknown",
            ]
        }
    )
    accepted_late: bool
    days_overdue: int
    next_due: str | None = Field(description="the pending deadline (accept or close)")
    days_left: int | None = Field(description="negative when overdue")
    flag: str = Field(
        description="ok / due_soon / overdue / done",
        json_schema_extra={"enum": ["ok", "due_soon", "overdue", "done"]},
    )


class CaseRow(BaseModel):
    case_no: str
    title: str | None
    division_code: str
    division_name: str | None
    state: str = Field(json_schema_extra={"enum": list(R.STATES)})
    state_zh: str
    source: str
    assignee: str | None
    received: str
    accepted: str | None
    closed: str | None
    extensions: int
    extension_pending: bool
    due: DueOut
    version: int


class EventOut(BaseModel):
    at: str
    on: str | None
    user: str
    role: str
    action: str
    action_zh: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    details: dict[str, Any]


class LinkOut(BaseModel):
    kind: str
    id: str
    ref: str | None = Field(description="opaque ref of the graph node, when it exists")
    title: str | None
    added_at: str
    added_by: str


class DispositionOut(BaseModel):
    person: str = Field(description="id_number, masked per role")
    person_ref: str
    person_name: str | None
    kind: str
    measure: str | None
    decided: str
    note: str | None
    recorded_by: str


class CaseOut(CaseRow):
    rejected_reason: str | None
    outcome: str | None
    amount_involved: int | None
    amount_recovered: int | None
    summary: str | None
    public_outcome: str | None = None
    extension_requested_by: str | None
    extension_reason: str | None
    opened_by: str
    opened_at: str
    approver_division: str | None = Field(description="division whose users approve an extension")
    links: list[LinkOut]
    dispositions: list[DispositionOut]
    timeline: list[EventOut]
    can: dict[str, bool] = Field(description="actions the caller may take now")
    report: str = Field(description="path of the printable HTML report")


class BoardOut(BaseModel):
    items: list[CaseRow]
    page: int
    size: int
    total: int
    as_of: str
    counts: dict[str, int] = Field(description="open cases by flag: ok / due_soon / overdue")


class OverdueRow(BaseModel):
    case_no: str
    division_code: str
    state: str
    assignee: str | None
    due: str
    deadline: str
    days_left: int
    overdue: bool
    extension_pending: bool
    title: str | None


class OverdueOut(BaseModel):
    as_of: str
    items: list[OverdueRow]


class StatsCounts(BaseModel):
    received: int
    accepted: int
    accepted_on_time: int
    rejected: int
    closed: int
    closed_on_time: int
    overdue_now: int
    substantiated: int
    amount_involved: int
    amount_recovered: int
    outcomes: dict[str, int]
    dispositions: dict[str, int]
    measures: dict[str, int]


class StatsChild(StatsCounts):
    division_code: str
    division_name: str


class StatsOut(BaseModel):
    division_code: str
    division_name: str
    period: dict[str, str | None]
    as_of: str
    totals: StatsCounts
    children: list[StatsChild]


# -- complaints registered by staff ---------------------------------------------------------
class IntakeIn(BaseModel):
    division_code: Division
    channel: Literal["来信", "来访", "电话", "网络", "其他"]
    received: Day
    summary: str = Field(min_length=2, max_length=20000)
    reporter_name: str | None = Field(None, max_length=100)
    reporter_phone: str | None = Field(None, max_length=40)
    reporter_address: str | None = Field(None, max_length=500)
    anonymous: bool = False


class DecisionIn(BaseModel):
    decision: Literal["confirmed", "rejected"]


class MergeIn(BaseModel):
    case_no: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(None, max_length=4000)


class SuggestionOut(BaseModel):
    id: int
    label: str
    key: str = Field(description="natural key, masked per role")
    ref: str
    name: str
    matched: str
    decision: str = Field(json_schema_extra={"enum": ["suggested", "confirmed", "rejected"]})
    decided_by: str | None


class DuplicateOut(BaseModel):
    case_no: str
    title: str | None
    received: str
    state: str
    shared_subjects: list[str]


class IntakeOut(BaseModel):
    complaint_id: str
    division_code: str
    division_name: str | None
    channel: str
    received: str
    summary: str | None
    category: str
    anonymous: bool
    reporter_name: str | None = Field(description="complaint handlers only")
    reporter_phone: str | None = Field(description="complaint handlers only")
    reporter_address: str | None = Field(description="complaint handlers only")
    registered_by: str
    registered_at: str
    case_no: str | None
    accept_due: str
    suggestions: list[SuggestionOut]
    duplicates: list[DuplicateOut]


class IntakePage(BaseModel):
    items: list[IntakeOut]
    page: int
    size: int
    total: int


class CaseGraph(Subgraph):
    redacted: int = Field(description="nodes outside the caller's scope, left out")


class Term(BaseModel):
    id: str
    zh: str


class DispositionKind(BaseModel):
    kind: str
    measures: list[str] = Field(description="empty: the kind takes no measure")


class VocabularyOut(BaseModel):
    states: list[Term]
    open_states: list[str]
    actions: list[Term]
    outcomes: list[str]
    substantiated: list[str] = Field(description="outcomes counted as substantiated")
    disposition_kinds: list[DispositionKind]
    channels: list[str]
    categories: list[str]
    rules: dict[str, int]
