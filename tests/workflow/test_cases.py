"""Case transitions on both databases: states, refusals with reasons, deadlines, the
extension rule, and the audit row written in the transition's own transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from api.db import AuditEntry, Database
from api.errors import Conflict, Forbidden, Unprocessable
from api.workflow.cases import DispositionIn, Source, Workflow
from api.workflow.models import Case, CaseEvent
from tests.workflow.wfdata import (
    A_HANDLER,
    A_OTHER,
    ANALYST,
    B_HANDLER,
    CITY_APPROVER,
    CITY_OTHER,
    COUNTY_A,
)

SRC = Source("finding", "cadre_pays_self:abc", COUNTY_A, "经手人向本人或亲属付款")


def opened(db: Database, received: str = "2024-01-31") -> tuple[Workflow, str]:
    wf = Workflow(db)
    return wf, wf.open(A_HANDLER, SRC, received=received, assignee="li")


def state(db: Database, no: str) -> Case:
    with db.session() as s:
        c = s.scalars(select(Case).where(Case.case_no == no)).one()
        s.expunge(c)
        return c


def test_case_numbers_count_per_division_and_year(db: Database) -> None:
    wf, first = opened(db)
    second = wf.open(A_HANDLER, SRC, received="2024-02-01")
    assert (first, second) == ("430422-2024-0001", "430422-2024-0002")


def test_full_path_with_deadlines(db: Database) -> None:
    wf, no = opened(db)
    assert state(db, no).accept_due == "2024-02-07"
    wf.act(A_HANDLER, no, "accept", on="2024-01-31", reason="属于受理范围")
    assert state(db, no).close_due == "2024-04-30"  # 31 January + 3 months
    wf.act(A_HANDLER, no, "start", on="2024-02-01")
    wf.act(A_HANDLER, no, "request_extension", on="2024-04-20", reason="涉及人员多，需延期")
    wf.act(CITY_APPROVER, no, "approve_extension", on="2024-04-21", reason="同意延期一个月")
    c = state(db, no)
    assert (c.extensions, c.close_due) == (1, "2024-05-31")
    wf.act(
        A_HANDLER,
        no,
        "close",
        on="2024-05-20",
        outcome="查实",
        amount_involved=9_600_000,
        amount_recovered=9_600_000,
        dispositions=[
            DispositionIn("430422196803032345", "党纪处分", "警告"),
            DispositionIn("430422197001011234", "诫勉谈话"),
        ],
    )
    c = state(db, no)
    assert (c.state, c.outcome, c.closed) == ("closed", "查实", "2024-05-20")
    with db.session() as s:
        actions = [e.action for e in s.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert actions == ["open", "accept", "start", "request_extension", "approve_extension", "close"]


def test_illegal_transitions_are_409_with_the_reason(db: Database) -> None:
    wf, no = opened(db)
    with pytest.raises(Conflict, match="cannot close a case that is received"):
        wf.act(A_HANDLER, no, "close", outcome="查实")
    with pytest.raises(Conflict, match="start"):
        wf.act(A_HANDLER, no, "start")
    wf.act(A_HANDLER, no, "reject", reason="不属于受理范围")
    with pytest.raises(Conflict, match="rejected"):
        wf.act(A_HANDLER, no, "accept")


def test_closing_without_outcome_is_422(db: Database) -> None:
    wf, no = opened(db)
    wf.act(A_HANDLER, no, "accept")
    wf.act(A_HANDLER, no, "start")
    with pytest.raises(Unprocessable, match="outcome"):
        wf.act(A_HANDLER, no, "close")
    with pytest.raises(Unprocessable, match="outcome must be"):
        wf.act(A_HANDLER, no, "close", outcome="差不多")
    assert state(db, no).state == "in_progress"


def test_reject_needs_a_reason(db: Database) -> None:
    wf, no = opened(db)
    with pytest.raises(Unprocessable, match="reason"):
        wf.act(A_HANDLER, no, "reject", reason="  ")


def test_extension_only_one_level_up_never_self_never_twice(db: Database) -> None:
    wf, no = opened(db)
    wf.act(A_HANDLER, no, "accept")
    with pytest.raises(Conflict, match="no extension has been requested"):
        wf.act(CITY_APPROVER, no, "approve_extension")
    wf.act(A_HANDLER, no, "request_extension", reason="特殊原因")
    with pytest.raises(Forbidden, match="one level up"):
        wf.act(A_OTHER, no, "approve_extension")  # same county: not the level up
    with pytest.raises(Forbidden, match="outside your divisions"):
        wf.act(B_HANDLER, no, "approve_extension")  # another county
    with pytest.raises(Forbidden, match="may not approve"):
        wf.act(ANALYST, no, "approve_extension")
    wf.act(CITY_APPROVER, no, "approve_extension")
    with pytest.raises(Conflict, match="no second extension"):
        wf.act(A_HANDLER, no, "request_extension", reason="再延期")


def test_the_requester_cannot_approve(db: Database) -> None:
    wf, no = opened(db)
    wf.act(A_HANDLER, no, "accept")
    wf.act(CITY_APPROVER, no, "request_extension", reason="市纪委提级办理需延期")
    with pytest.raises(Forbidden, match="requested it"):
        wf.act(CITY_APPROVER, no, "approve_extension")
    wf.act(CITY_OTHER, no, "approve_extension")
    assert state(db, no).extensions == 1


def test_other_county_cannot_see_or_act(db: Database) -> None:
    wf, no = opened(db)
    with pytest.raises(Forbidden):
        wf.act(B_HANDLER, no, "accept")
    with pytest.raises(Forbidden):
        wf.open(B_HANDLER, SRC)
    with db.session() as s, pytest.raises(Forbidden):
        wf.case(s, B_HANDLER, no)


def test_dates_cannot_go_backwards_or_ahead(db: Database) -> None:
    wf, no = opened(db)
    with pytest.raises(Unprocessable, match="before"):
        wf.act(A_HANDLER, no, "accept", on="2024-01-30")
    with pytest.raises(Unprocessable, match="future"):
        wf.act(A_HANDLER, no, "accept", on="2999-01-01")


def test_disposition_kinds_and_measures(db: Database) -> None:
    wf, no = opened(db)
    wf.act(A_HANDLER, no, "accept")
    wf.act(A_HANDLER, no, "start")
    with pytest.raises(Unprocessable, match="党纪处分 takes one of"):
        wf.act(A_HANDLER, no, "dispose", dispositions=[DispositionIn("x", "党纪处分", "罚款")])
    with pytest.raises(Unprocessable, match="takes no measure"):
        wf.act(A_HANDLER, no, "dispose", dispositions=[DispositionIn("x", "诫勉谈话", "警告")])
    with pytest.raises(Unprocessable, match="不属实"):
        wf.act(
            A_HANDLER, no, "close", outcome="不属实", dispositions=[DispositionIn("x", "批评教育")]
        )


def test_every_transition_is_in_the_audit_log_in_its_transaction(db: Database) -> None:
    wf, no = opened(db)
    wf.act(A_HANDLER, no, "accept", reason="符合受理条件")
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.endpoint.like("case:%"))).all()
        assert [(r.endpoint, r.user_name, r.purpose) for r in rows] == [
            ("case:open", "li", None),
            ("case:accept", "li", "符合受理条件"),
        ]
    # A refused transition leaves neither an event nor an audit row behind.
    with pytest.raises(Conflict):
        wf.act(A_HANDLER, no, "close", outcome="查实")
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM case_events")) == 2
        assert s.scalar(text("SELECT count(*) FROM audit_log")) == 2


def test_events_are_append_only(db: Database) -> None:
    _wf, _no = opened(db)
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET reason = 'x'"))
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events"))


def test_a_stale_version_is_409(db: Database) -> None:
    wf, no = opened(db)
    v = state(db, no).version
    wf.act(A_HANDLER, no, "assign", assignee="wang", version=v)
    with pytest.raises(Conflict, match="changed meanwhile"):
        wf.act(A_HANDLER, no, "assign", assignee="zhao", version=v)
