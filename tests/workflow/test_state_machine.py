"""Random walks through the case workflow (hypothesis), checking after every step:
no closed case without an outcome, deadlines as graph.deadlines computes them, every
accepted transition in the timeline and in the audit log, no extension approved by its
requester or more than once, and every refusal carrying its reason and status."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from api.db import AuditEntry
from api.errors import ApiError
from api.workflow.cases import DispositionIn, Source, Workflow
from api.workflow.models import Case, CaseEvent
from graph import deadlines as dl
from tests.workflow.wfdata import (
    A_HANDLER,
    A_OTHER,
    B_HANDLER,
    CITY_APPROVER,
    CITY_OTHER,
    COUNTY_A,
    fresh_database,
)

ACTORS = [A_HANDLER, A_OTHER, B_HANDLER, CITY_APPROVER, CITY_OTHER]
ACTIONS = [
    "accept",
    "reject",
    "start",
    "request_extension",
    "approve_extension",
    "refuse_extension",
    "close",
    "assign",
    "dispose",
]
OUTCOMES = [None, "查实", "部分属实", "不属实", "bogus"]
START = dt.date(2024, 1, 1)


def make_machine(backend: str) -> type[RuleBasedStateMachine]:
    class CaseMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            self.tmp = Path(tempfile.mkdtemp(prefix="guanxi-sm-"))
            self.db = fresh_database(backend, self.tmp)
            self.wf = Workflow(self.db)
            self.cases: list[str] = []
            self.accepted_ok = 0  # transitions that returned normally (acknowledged)
            self.day = START

        def teardown(self) -> None:
            if hasattr(self, "db"):
                self.db.dispose()

        @rule(received=st.integers(0, 40))
        def open_case(self, received: int) -> None:
            day = (START + dt.timedelta(days=received)).isoformat()
            src = Source("finding", f"f:{len(self.cases)}", COUNTY_A, "疑点")
            self.cases.append(self.wf.open(A_HANDLER, src, received=day))
            self.accepted_ok += 1

        @precondition(lambda self: bool(self.cases))
        @rule(
            i=st.integers(0, 50),
            who=st.sampled_from(ACTORS),
            action=st.sampled_from(ACTIONS),
            step=st.integers(0, 60),
            outcome=st.sampled_from(OUTCOMES),
            reason=st.sampled_from([None, "", "理由"]),
        )
        def act(
            self,
            i: int,
            who: object,
            action: str,
            step: int,
            outcome: str | None,
            reason: str | None,
        ) -> None:
            no = self.cases[i % len(self.cases)]
            self.day = min(self.day + dt.timedelta(days=step), dt.date.today())
            ds = [DispositionIn("430422196803032345", "诫勉谈话")] if action == "dispose" else []
            try:
                self.wf.act(
                    who,
                    no,
                    action,
                    on=self.day.isoformat(),
                    reason=reason,  # type: ignore[arg-type]
                    outcome=outcome,
                    assignee="wang",
                    dispositions=ds,
                )
            except ApiError as e:
                refused: ApiError | None = e
            else:
                refused = None
            if refused is not None:
                assert refused.status in (403, 409, 422)
                assert refused.message
                return
            self.accepted_ok += 1

        @invariant()
        def rules_hold(self) -> None:
            if not hasattr(self, "db"):
                return
            with self.db.session() as s:
                cases = s.scalars(select(Case)).all()
                events = s.scalars(select(CaseEvent).order_by(CaseEvent.id)).all()
                audits = s.scalars(select(AuditEntry).where(AuditEntry.method == "EVENT")).all()
                assert len(events) == len(audits) == self.accepted_ok
                for c in cases:
                    if c.state == "closed":
                        assert c.outcome in ("查实", "部分属实", "不属实")
                    assert c.accept_due == dl.accept_due(c.received, self.wf.rules)
                    if c.accepted:
                        assert c.close_due == dl.close_due(c.accepted, self.wf.rules, c.extensions)
                    assert c.extensions <= 1
                    mine = [e for e in events if e.case_id == c.id]
                    requested: str | None = None
                    for e in mine:
                        if e.action == "request_extension":
                            requested = e.user_name
                        elif e.action == "approve_extension":
                            assert e.user_name != requested  # never self-approved
                            assert e.details["requested_by"] == requested
                            assert e.user_name in (CITY_APPROVER.name, CITY_OTHER.name)
                    assert sum(e.action == "approve_extension" for e in mine) == c.extensions

    CaseMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    return CaseMachine


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_random_transitions_keep_the_rules(backend: str) -> None:
    if backend == "postgres":
        from tests.workflow.wfdata import postgres_url

        postgres_url()  # skip (or fail under CI) before hypothesis starts
    make_machine(backend).TestCase().runTest()
