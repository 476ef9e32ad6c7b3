"""Cases (案件): the board, open, transitions, dispositions, report, statistics."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator
from sqlalchemy import func, select

from api.deps import (
    PresenterDep,
    PurposeDep,
    ServicesDep,
    note_params,
    require,
    respond,
    scope_of,
)
from api.errors import COMMON_RESPONSES, Forbidden, NotFoundError, Unprocessable
from api.policy import Cap
from api.present import Presenter
from api.services import findings as fs
from api.users import Principal
from api.workflow import deps as wd
from api.workflow import present as wp
from api.workflow import rules as R
from api.workflow import schemas as S
from api.workflow import stats as st
from api.workflow.cases import DispositionIn, Source, today
from api.workflow.intake import CHANNELS
from api.workflow.models import Case, Intake
from graph.queries import cases as gc
from graph.queries import leads as gl
from graph.queries import lookup, triage

router = APIRouter(prefix="/cases", tags=["cases"], responses=COMMON_RESPONSES)
CaseNo = Annotated[
    str, Path(pattern=r"^[0-9]{2,12}-[0-9]{4}-[0-9]{4,6}$", description="case number")
]
Reader = Annotated[Principal, Depends(require(Cap.CASES))]
Handler = Annotated[Principal, Depends(require(Cap.HANDLE_CASES))]
Approver = Annotated[Principal, Depends(require(Cap.APPROVE_EXTENSIONS))]
StatsReader = Annotated[Principal, Depends(require(Cap.CASE_STATS))]
AsOf = Annotated[
    str | None,
    Query(pattern=S.ISO_DAY, description="judge deadlines on this day (default today)"),
    AfterValidator(S.iso_day),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _case_out(
    svc: ServicesDep, user: Principal, p: Presenter, case_no: str, as_of: str | None = None
) -> dict[str, Any]:
    wf = wd.workflow(svc)
    with svc.db.session() as s:
        c = wf.case(s, wd.actor(user), case_no)
        return wp.case_json(wf, s, svc.store, c, wd.actor(user), p, as_of or today(), wd.names(svc))


@router.get(
    "",
    summary="The board: open cases in the caller's divisions, nearest deadline first",
    response_model=S.BoardOut,
)
def board(
    request: Request,
    user: Reader,
    svc: ServicesDep,
    state: Annotated[
        str,
        Query(
            json_schema_extra={"enum": ["open", "all", *R.STATES]},
            description="open = received, accepted, in progress",
        ),
    ] = "open",
    division: Annotated[str | None, Query(max_length=12, pattern=r"^[0-9]*$")] = None,
    flag: Annotated[
        str | None, Query(json_schema_extra={"enum": ["ok", "due_soon", "overdue"]})
    ] = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    as_of: AsOf = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    if state not in ("open", "all", *R.STATES):
        raise Unprocessable(f"state must be open, all or one of {', '.join(R.STATES)}")
    if flag is not None and flag not in ("ok", "due_soon", "overdue"):
        raise Unprocessable("flag must be ok, due_soon or overdue")
    wf = wd.workflow(svc)
    day = as_of or today()
    # Plain rows of the columns the board shows: ORM objects cost ~0.1 ms each to load,
    # read and detach, a third of a 1,000-case board.
    q = select(*wp.BOARD_COLUMNS).where(wf.scoped(wd.actor(user)))
    if state == "open":
        q = q.where(Case.state.in_(R.OPEN_STATES))
    elif state != "all":
        q = q.where(Case.state == state)
    if division:
        q = q.where(Case.division_code.startswith(division, autoescape=True))
    if assignee:
        q = q.where(Case.assignee == assignee)
    soon = dl_add(day, wf.rules.due_soon_days)
    # The pending deadline: acceptance while received, closing afterwards.
    pending = func.coalesce(Case.close_due, Case.accept_due)
    if flag == "overdue":
        q = q.where(Case.state.in_(R.OPEN_STATES), pending < day)
    elif flag == "due_soon":
        q = q.where(Case.state.in_(R.OPEN_STATES), pending >= day, pending <= soon)
    elif flag == "ok":
        q = q.where(Case.state.in_(R.OPEN_STATES), pending > soon)
    names = wd.names(svc)
    with svc.db.engine.connect() as s:
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.execute(
            q.order_by(pending, Case.case_no).offset((page - 1) * size).limit(size)
        ).all()
        items = [wp.row(wf, c, day, names) for c in wp.board_rows(rows)]
        sub = (
            select(Case).where(wf.scoped(wd.actor(user)), Case.state.in_(R.OPEN_STATES)).subquery()
        )
        pend = func.coalesce(sub.c.close_due, sub.c.accept_due)
        counts_q = select(
            func.count().filter(pend < day),
            func.count().filter((pend >= day) & (pend <= soon)),
            func.count().filter(pend > soon),
        ).select_from(sub)
        overdue, due_soon, ok = s.execute(counts_q).one()
    body = {
        "items": items,
        "page": page,
        "size": size,
        "total": int(total),
        "as_of": day,
        "counts": {
            "overdue": int(overdue or 0),
            "due_soon": int(due_soon or 0),
            "ok": int(ok or 0),
        },
    }
    # A thousand rows skip a second validation against the model, which documents them
    # (the schemathesis test checks that what is sent matches it).
    return respond(request, body)


def dl_add(day: str, days: int) -> str:
    from graph.deadlines import add_days

    return add_days(day, days)


@router.get(
    "/overdue",
    summary="Open cases overdue or due soon (what `guanxi cases overdue` prints)",
    response_model=S.OverdueOut,
)
def overdue(user: Reader, svc: ServicesDep, as_of: AsOf = None) -> dict[str, Any]:
    day = as_of or today()
    return {"as_of": day, "items": st.overdue(svc.db, day, svc.settings.rules, user.divisions)}


@router.get(
    "/vocabulary",
    summary="States, actions, outcomes, disposition kinds and measures, channels, categories, "
    "and the deadline rules: what the explorer's forms offer",
    response_model=S.VocabularyOut,
)
def vocabulary(user: Reader, svc: ServicesDep) -> dict[str, Any]:
    from graph.queries.suggest import CATEGORIES, OTHER

    rules = svc.settings.rules
    return {
        "states": [{"id": s, "zh": R.STATE_ZH[s]} for s in R.STATES],
        "open_states": list(R.OPEN_STATES),
        "actions": [{"id": a, "zh": R.ACTION_ZH[a]} for a in R.ACTIONS],
        "outcomes": list(R.OUTCOMES),
        "substantiated": list(R.SUBSTANTIATED),
        "disposition_kinds": [
            {"kind": k, "measures": list(R.MEASURES.get(k, ()))} for k in R.DISPOSITION_KINDS
        ],
        "channels": list(CHANNELS),
        "categories": [*CATEGORIES, OTHER],
        "rules": {
            "accept_days": rules.accept_days,
            "close_months": rules.close_months,
            "extension_months": rules.extension_months,
            "max_extensions": rules.max_extensions,
            "due_soon_days": rules.due_soon_days,
        },
    }


def _stats(
    user: Principal,
    svc: ServicesDep,
    division: str | None,
    start: str | None,
    end: str | None,
    as_of: str | None,
) -> dict[str, Any]:
    scope = scope_of(user)
    if division is None:
        if len(user.divisions) != 1:
            raise Unprocessable("name the division (your scope holds several)")
        division = user.divisions[0]
    if not scope.covers(division):
        raise Forbidden(f"division {division} lies outside your divisions")
    if start and end and start > end:
        raise Unprocessable("the period's start is after its end")
    return st.statistics(
        svc.db, division, st.Period(start, end), as_of or today(), svc.settings.rules, wd.names(svc)
    )


@router.get(
    "/stats",
    summary="Handling statistics of a division (with its children) over a period",
    response_model=S.StatsOut,
    description=(
        "Counts each event in the period it falls in; amounts in fen; `from` and `to` inclusive."
    ),
)
def stats(
    user: StatsReader,
    svc: ServicesDep,
    division: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{0,12}$", description="default: the caller's one division"),
    ] = None,
    start: Annotated[
        str | None, Query(alias="from", pattern=S.ISO_DAY), AfterValidator(S.iso_day)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", pattern=S.ISO_DAY), AfterValidator(S.iso_day)
    ] = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return _stats(user, svc, division, start, end, as_of)


@router.get(
    "/stats.xlsx",
    summary="The statistics as an Excel workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "XLSX workbook"}},
)
def stats_xlsx(
    user: StatsReader,
    purpose: PurposeDep,
    svc: ServicesDep,
    division: Annotated[str | None, Query(pattern=r"^[0-9]{0,12}$")] = None,
    start: Annotated[
        str | None, Query(alias="from", pattern=S.ISO_DAY), AfterValidator(S.iso_day)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", pattern=S.ISO_DAY), AfterValidator(S.iso_day)
    ] = None,
    as_of: AsOf = None,
) -> Response:
    data = st.workbook(_stats(user, svc, division, start, end, as_of))
    name = f"case-stats-{division or user.divisions[0] or 'all'}.xlsx"
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _source(svc: ServicesDep, user: Principal, kind: str, ident: str) -> Source:
    """The case's source, checked in the graph (and the workflow DB) and in scope."""
    scope = scope_of(user)
    if ident.startswith("~"):
        try:
            _label, key = svc.codec.decode(ident)
        except ValueError:
            raise NotFoundError("unknown or altered ref") from None
        ident = str(key)
    if kind == "lead":
        found = gl.lead_with_findings(svc.store, ident)
        if found is None:
            raise NotFoundError(f"no lead {ident}")
        lead, fids = found
        props = lead["properties"]
        code = str(props.get("division_code") or "")
        title = str(props.get("title") or ident)
        links = [("finding", f) for f in sorted(fids)]
    elif kind == "finding":
        f, _ = fs.get_finding(svc.store, ident)
        props = f["properties"]
        code = str(props.get("division_code") or "")
        title = str(props.get("title") or ident)
        links = [("lead", str(props["lead_id"]))] if props.get("lead_id") else []
    else:
        with svc.db.session() as s:
            i = s.scalars(select(Intake).where(Intake.complaint_id == ident)).first()
            registered = (i.division_code, i.summary, i.case_id) if i is not None else None
        if registered is not None:
            code, summary, case_id = registered
            if case_id is not None:
                raise Unprocessable(f"{ident} already belongs to a case")
        else:
            node = lookup.fetch(svc.store, "Complaint", ident)
            if node is None:
                raise NotFoundError(f"no complaint {ident}")
            cp = node["properties"]
            code, summary = str(cp.get("village_code") or ""), str(cp.get("summary") or "")
        title = "举报：" + (summary[:60] + ("…" if len(summary) > 60 else ""))
        links = []
    if not code or not (scope.unrestricted or scope.covers(code)):
        raise Forbidden(f"this {kind} lies outside your divisions")
    return Source(kind, ident, code, title, links)


@router.post(
    "",
    summary="Open a case from a lead, a finding or a complaint",
    response_model=S.CaseOut,
    status_code=201,
)
def open_case(
    request: Request, user: Handler, svc: ServicesDep, p: PresenterDep, body: S.OpenIn
) -> dict[str, Any]:
    note_params(
        request, source=body.source.kind, id=body.source.id, division_code=body.division_code
    )
    src = _source(svc, user, body.source.kind, body.source.id)
    wf = wd.workflow(svc)
    received = body.received
    hook = None
    if src.kind == "complaint":
        received = received or _complaint_received(svc, src.ref)
        hook = _attach_intake(src.ref)
    no = wf.open(
        wd.actor(user),
        src,
        division_code=body.division_code,
        received=received,
        assignee=body.assignee,
        title=body.title,
        reason=body.reason,
        hook=hook,
    )
    return _case_out(svc, user, p, no)


def _complaint_received(svc: ServicesDep, complaint_id: str) -> str | None:
    with svc.db.session() as s:
        i = s.scalars(select(Intake).where(Intake.complaint_id == complaint_id)).first()
        if i is not None:
            return i.received
    node = lookup.fetch(svc.store, "Complaint", complaint_id)
    received = node["properties"].get("received") if node is not None else None
    return str(received) if received else None


def _attach_intake(complaint_id: str) -> Any:
    def hook(s: Any, c: Case) -> None:
        i = s.scalars(select(Intake).where(Intake.complaint_id == complaint_id)).first()
        if i is not None:
            i.case_id = c.id

    return hook


@router.get(
    "/{case_no}",
    summary="One case: deadlines, timeline, links, dispositions, and what the caller may do",
    response_model=S.CaseOut,
)
def get_case(
    user: Reader,
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    as_of: AsOf = None,
) -> dict[str, Any]:
    return _case_out(svc, user, p, case_no, as_of)


def _act(
    request: Request,
    user: Principal,
    svc: ServicesDep,
    p: Presenter,
    case_no: str,
    action: str,
    body: S.ActionIn,
    **kw: Any,
) -> dict[str, Any]:
    note_params(request, action=action, on=body.on, reason=body.reason)
    wd.workflow(svc).act(
        wd.actor(user), case_no, action, on=body.on, reason=body.reason, version=body.version, **kw
    )
    return _case_out(svc, user, p, case_no)


_ACTION_DOC = {
    "accept": "受理: received → accepted; sets the closing deadline",
    "reject": "不予受理: received → rejected; `reason` required",
    "start": "开始办理: accepted → in progress",
    "request-extension": "申请延期 (1 month, once): `reason` required",
}


def _simple(action: str, path: str) -> None:
    def endpoint(
        request: Request,
        user: Handler,
        svc: ServicesDep,
        p: PresenterDep,
        case_no: CaseNo,
        body: S.ActionIn,
    ) -> dict[str, Any]:
        return _act(request, user, svc, p, case_no, action, body)

    endpoint.__name__ = f"case_{action}"
    router.post(f"/{{case_no}}/{path}", summary=_ACTION_DOC[path], response_model=S.CaseOut)(
        endpoint
    )


for _a, _p in (
    ("accept", "accept"),
    ("reject", "reject"),
    ("start", "start"),
    ("request_extension", "request-extension"),
):
    _simple(_a, _p)


@router.post(
    "/{case_no}/refuse-extension",
    summary="不批准延期: by a user of the parent division",
    response_model=S.CaseOut,
)
def refuse_extension(
    request: Request,
    user: Approver,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.ActionIn,
) -> dict[str, Any]:
    return _act(request, user, svc, p, case_no, "refuse_extension", body)


@router.post(
    "/{case_no}/approve-extension",
    summary="批准延期: only a user whose scope is the parent division, never the requester",
    response_model=S.CaseOut,
)
def approve_extension(
    request: Request,
    user: Approver,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.ActionIn,
) -> dict[str, Any]:
    return _act(request, user, svc, p, case_no, "approve_extension", body)


def _dispositions(
    svc: ServicesDep, user: Principal, items: list[S.DispositionIn]
) -> list[DispositionIn]:
    """Each disposition names a Person of the graph, in the caller's scope."""
    ids = []
    for d in items:
        pid = d.person
        if pid.startswith("~"):
            try:
                label, key = svc.codec.decode(pid)
            except ValueError:
                raise Unprocessable("unknown or altered person ref") from None
            if label != "Person":
                raise Unprocessable("a disposition names a Person")
            pid = str(key)
        ids.append(pid)
    found = {str(n["key"]): n for n in lookup.fetch_many(svc.store, "Person", sorted(set(ids)))}
    scope = scope_of(user)
    ok = svc.resolver.allowed(scope, list(found.values()))
    out = []
    for d, pid in zip(items, ids, strict=True):
        node = found.get(pid)
        if node is None:
            raise Unprocessable("a disposition must name a person of the graph (id_number or ref)")
        if ("Person", node["key"]) not in ok:
            raise Forbidden("that person lies outside your divisions")
        out.append(
            DispositionIn(pid, d.kind, d.measure, d.decided, d.note, node["properties"].get("name"))
        )
    return out


@router.post(
    "/{case_no}/close",
    summary="办结: in progress → closed, with outcome (422 without), money, dispositions",
    response_model=S.CaseOut,
)
def close(
    request: Request,
    user: Handler,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.CloseIn,
) -> dict[str, Any]:
    note_params(
        request,
        outcome=body.outcome,
        amount_involved=body.amount_involved,
        amount_recovered=body.amount_recovered,
    )
    ds = _dispositions(svc, user, body.dispositions)
    return _act(
        request,
        user,
        svc,
        p,
        case_no,
        "close",
        body,
        outcome=body.outcome,
        amount_involved=body.amount_involved,
        amount_recovered=body.amount_recovered,
        summary=body.summary,
        dispositions=ds,
        public_outcome=body.public_outcome,
    )


@router.post("/{case_no}/assign", summary="指定承办人", response_model=S.CaseOut)
def assign(
    request: Request,
    user: Handler,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.AssignIn,
) -> dict[str, Any]:
    return _act(request, user, svc, p, case_no, "assign", body, assignee=body.assignee)


@router.post(
    "/{case_no}/dispositions",
    summary="作出处理: dispositions per person (in progress or closed)",
    response_model=S.CaseOut,
)
def dispose(
    request: Request,
    user: Handler,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.DisposeIn,
) -> dict[str, Any]:
    ds = _dispositions(svc, user, body.dispositions)
    return _act(request, user, svc, p, case_no, "dispose", body, dispositions=ds)


@router.post(
    "/{case_no}/links",
    summary="Link another lead, finding or complaint to an open case",
    response_model=S.CaseOut,
)
def link(
    request: Request,
    user: Handler,
    svc: ServicesDep,
    p: PresenterDep,
    case_no: CaseNo,
    body: S.LinkIn,
) -> dict[str, Any]:
    note_params(request, kind=body.kind, id=body.id)
    with svc.db.session() as s:
        registered = s.scalars(select(Intake).where(Intake.complaint_id == body.id)).first()
    if body.kind == "complaint" and registered is not None:
        # A registered complaint joins a case by merging: it then belongs to that case.
        wd.intake(svc).merge(wd.actor(user), body.id, case_no, body.reason)
    else:
        src = _source(svc, user, body.kind, body.id)
        wd.workflow(svc).link(
            wd.actor(user), case_no, [(src.kind, src.ref), *src.links], body.reason
        )
    return _case_out(svc, user, p, case_no)


@router.get(
    "/{case_no}/graph",
    summary="The case's graph: the case, its sources, their subjects, persons disposed of",
    response_model=S.CaseGraph,
)
def case_graph(
    user: Reader, purpose: PurposeDep, svc: ServicesDep, p: PresenterDep, case_no: CaseNo
) -> dict[str, Any]:
    with svc.db.session() as s:
        wd.workflow(svc).case(s, wd.actor(user), case_no)
    nodes, rels = gc.case_graph(svc.store, case_no)
    nodes, rels, redacted = fs.evidence_in_scope(
        svc.resolver, scope_of(user), {"nodes": nodes, "relationships": rels}
    )
    fs.screen(svc.store, svc.resolver, scope_of(user), p, nodes)
    return {**p.subgraph(nodes, rels), "redacted": redacted}


@router.get(
    "/{case_no}/report",
    summary="The printable case report (HTML; print to PDF in the browser)",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "the report"}},
)
def report(
    user: Reader, purpose: PurposeDep, svc: ServicesDep, p: PresenterDep, case_no: CaseNo
) -> HTMLResponse:
    case = _case_out(svc, user, p, case_no)
    scope = scope_of(user)
    nodes, rels = gc.case_graph(svc.store, case_no)
    nodes, rels, _ = fs.evidence_in_scope(
        svc.resolver, scope, {"nodes": nodes, "relationships": rels}
    )
    fs.screen(svc.store, svc.resolver, scope, p, nodes)
    graph: dict[str, list[Any]] = {
        "nodes": [p.export_node(n) for n in nodes],
        "relationships": [p.export_relationship(r) for r in rels],
    }
    centre = next((n for n in graph["nodes"] if n["labels"] == ["Case"]), None)
    links = cast("list[dict[str, Any]]", case["links"])
    fids = [ln["id"] for ln in links if ln["kind"] == "finding"]
    findings = []
    if fids:
        findings = [
            fs.summary(p, svc.resolver, scope, f, xs)
            for f, xs in triage.findings_by_id(svc.store, fids[:200])
        ]
    return HTMLResponse(wp.report_html(case, graph, centre, findings))
