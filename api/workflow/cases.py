"""Cases: open one, move it through its states, record dispositions; read it back.

Every change is one database transaction holding the case row, the case's event (its
timeline entry: who, when, why) and an audit-log row; the mirror to the graph runs inside
it, before the commit, as triage does (a failed graph write rolls the change back), and it
writes the case's whole state, so a later change heals a mirror left behind. With SQLite
in WAL mode a committed transaction survives the process being killed; PostgreSQL commits
durably by default. Concurrent changes to one case: the second gets a 409 (optimistic
locking on ``cases.version``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.db import AuditEntry, Database, now
from api.errors import Conflict, Forbidden, NotFoundError, Unprocessable
from api.workflow import rules as R
from api.workflow.models import Case, CaseEvent, CaseLink, Disposition
from graph import deadlines as dl

Mirror = Callable[[Session, Case], None]


def today() -> str:
    return dt.date.today().isoformat()


def _day(value: str | None, what: str) -> str:
    if value is None:
        return today()
    try:
        d = dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise Unprocessable(f"{what} must be a date (YYYY-MM-DD), not {value!r}") from None
    if d > today():
        raise Unprocessable(f"{what} {d} lies in the future")
    return d


def view(c: Case) -> R.CaseView:
    return R.CaseView(c.division_code, c.state, c.extensions, c.extension_requested_by, c.outcome)


@dataclass(frozen=True)
class Source:
    """What a case is opened from, as the caller checked it in the graph."""

    kind: str  # lead / finding / complaint
    ref: str
    division_code: str
    title: str
    links: Sequence[tuple[str, str]] = ()  # more (kind, ref) to link: a lead's findings


@dataclass(frozen=True)
class DispositionIn:
    person_id: str
    kind: str
    measure: str | None = None
    decided: str | None = None
    note: str | None = None
    person_name: str | None = None


@dataclass
class Workflow:
    db: Database
    rules: dl.Rules = field(default_factory=dl.Rules)
    mirror: Mirror | None = None

    # -- opening ---------------------------------------------------------------------
    def open(
        self,
        actor: R.Actor,
        source: Source,
        *,
        division_code: str | None = None,
        received: str | None = None,
        assignee: str | None = None,
        title: str | None = None,
        reason: str | None = None,
        hook: Mirror | None = None,
    ) -> str:
        """Open a case (state ``received``); returns its case number. ``hook`` runs in the
        same transaction (a registered complaint takes the case's id)."""
        from api.policy import Cap, allowed

        if not allowed(actor.role, Cap.HANDLE_CASES):
            raise Forbidden(f"role {actor.role.value} may not open cases")
        division = division_code or R.handling_division(source.division_code, actor.divisions)
        if not division or not division.isdigit():
            raise Unprocessable("a case needs a division (a division code)")
        if not actor.scope.covers(division):
            raise Forbidden(f"division {division} lies outside your divisions")
        day = _day(received, "received")
        for attempt in range(8):
            try:
                with self.db.session() as s:
                    no = self._next_number(s, division, day)
                    c = Case(
                        case_no=no,
                        division_code=division,
                        title=(title or source.title or "")[:500],
                        source=source.kind,
                        source_id=source.ref,
                        state="received",
                        assignee=assignee,
                        received=day,
                        accept_due=dl.accept_due(day, self.rules),
                        extensions=0,
                        opened_by=actor.name,
                        updated_at=now(),
                    )
                    s.add(c)
                    s.flush()
                    for kind, ref in dict.fromkeys([(source.kind, source.ref), *source.links]):
                        s.add(CaseLink(case_id=c.id, kind=kind, ref=ref, added_by=actor.name))
                    self._event(
                        s,
                        actor,
                        c,
                        "open",
                        None,
                        "received",
                        reason,
                        day,
                        {
                            "source": source.kind,
                            "ref": source.ref,
                            "assignee": assignee,
                        },
                    )
                    if hook is not None:
                        hook(s, c)
                    s.flush()
                    if self.mirror is not None:
                        self.mirror(s, c)
                    return no
            except IntegrityError:
                if attempt == 7:
                    raise
                continue  # another process took this number meanwhile
        raise AssertionError("unreachable")

    def _next_number(self, s: Session, division: str, day: str) -> str:
        stem = f"{division}-{day[:4]}-"
        last = s.scalar(
            select(func.max(Case.case_no)).where(Case.case_no.startswith(stem, autoescape=True))
        )
        n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        return f"{stem}{n:04d}"

    # -- transitions -------------------------------------------------------------------
    def act(
        self,
        actor: R.Actor,
        case_no: str,
        action: str,
        *,
        on: str | None = None,
        reason: str | None = None,
        outcome: str | None = None,
        amount_involved: int | None = None,
        amount_recovered: int | None = None,
        summary: str | None = None,
        assignee: str | None = None,
        dispositions: Sequence[DispositionIn] = (),
        version: int | None = None,
        public_outcome: str | None = None,
    ) -> None:
        """Take ``action`` on a case: one transaction, audited, mirrored. Raises 403 / 409 /
        422 (:mod:`api.errors`) with the reason when it may not be taken."""
        if action not in R.TRANSITIONS:
            raise Unprocessable(f"unknown action {action!r}; one of {', '.join(R.ACTIONS)}")
        try:
            with self.db.session() as s:
                c = self._load(s, case_no, actor, lock=True)
                if version is not None and c.version != version:
                    raise Conflict(
                        f"case {case_no} changed meanwhile (version {c.version}, not {version})"
                    )
                refused = R.refusal(actor, view(c), action, self.rules.max_extensions)
                if refused is not None:
                    raise (Forbidden if refused.status == 403 else Conflict)(refused.reason)
                before = c.state
                details = self._apply(
                    s,
                    actor,
                    c,
                    action,
                    on,
                    reason,
                    outcome,
                    amount_involved,
                    amount_recovered,
                    summary,
                    assignee,
                    dispositions,
                    public_outcome,
                )
                c.updated_at = now()
                self._event(
                    s, actor, c, action, before, c.state, reason, details.pop("on"), details
                )
                s.flush()
                if self.mirror is not None:
                    self.mirror(s, c)
        except StaleDataError:
            raise Conflict(f"case {case_no} changed meanwhile; reload it and try again") from None

    def _apply(
        self,
        s: Session,
        actor: R.Actor,
        c: Case,
        action: str,
        on: str | None,
        reason: str | None,
        outcome: str | None,
        amount_involved: int | None,
        amount_recovered: int | None,
        summary: str | None,
        assignee: str | None,
        dispositions: Sequence[DispositionIn],
        public_outcome: str | None = None,
    ) -> dict[str, Any]:
        day = _day(on, "the date")
        details: dict[str, Any] = {"on": day}
        floor = c.closed or c.accepted or c.received
        if day < floor:
            raise Unprocessable(f"the date {day} is before the case's last date {floor}")
        if action == "accept":
            c.accepted = day
            c.state = "accepted"
            c.close_due = dl.close_due(day, self.rules, c.extensions)
        elif action == "reject":
            if not (reason and reason.strip()):
                raise Unprocessable("不予受理 needs a reason")
            c.state = "rejected"
            c.rejected_reason = reason.strip()
            c.closed = day
        elif action == "start":
            c.state = "in_progress"
        elif action == "request_extension":
            if not (reason and reason.strip()):
                raise Unprocessable("an extension request needs the special reason")
            c.extension_requested_by = actor.name
            c.extension_requested_at = now()
            c.extension_reason = reason.strip()
            details["requested_by"] = actor.name
        elif action == "approve_extension":
            details["requested_by"] = c.extension_requested_by
            c.extensions += 1
            c.extension_requested_by = None
            assert c.accepted is not None
            c.close_due = dl.close_due(c.accepted, self.rules, c.extensions)
            details["close_due"] = c.close_due
        elif action == "refuse_extension":
            details["requested_by"] = c.extension_requested_by
            c.extension_requested_by = None
        elif action == "close":
            if outcome is None:
                raise Unprocessable("closing a case needs an outcome: 查实, 部分属实 or 不属实")
            if outcome not in R.OUTCOMES:
                raise Unprocessable(f"outcome must be one of {', '.join(R.OUTCOMES)}")
            for v, what in (
                (amount_involved, "amount_involved"),
                (amount_recovered, "amount_recovered"),
            ):
                if v is not None and v < 0:
                    raise Unprocessable(f"{what} cannot be negative")
            if outcome == "不属实" and dispositions:
                raise Unprocessable("a case closed as 不属实 takes no dispositions")
            c.state = "closed"
            c.closed = day
            c.outcome = outcome
            c.amount_involved = amount_involved
            c.amount_recovered = amount_recovered
            c.summary = summary
            c.public_outcome = (public_outcome or "").strip() or None
            c.extension_requested_by = None
            details.update(
                outcome=outcome, amount_involved=amount_involved, amount_recovered=amount_recovered
            )
            self._dispose(s, actor, c, dispositions, day)
            details["dispositions"] = len(dispositions)
        elif action == "assign":
            if not assignee:
                raise Unprocessable("name the assignee")
            details["from"], details["to"] = c.assignee, assignee
            c.assignee = assignee
        elif action == "dispose":
            if not dispositions:
                raise Unprocessable("give at least one disposition")
            self._dispose(s, actor, c, dispositions, day)
            details["dispositions"] = len(dispositions)
        return details

    def _dispose(
        self, s: Session, actor: R.Actor, c: Case, items: Sequence[DispositionIn], day: str
    ) -> None:
        for d in items:
            if d.kind not in R.DISPOSITION_KINDS:
                raise Unprocessable(
                    f"disposition kind must be one of {', '.join(R.DISPOSITION_KINDS)}"
                )
            measures = R.MEASURES.get(d.kind)
            if measures is not None and d.measure not in measures:
                raise Unprocessable(f"{d.kind} takes one of {', '.join(measures)}")
            if measures is None and d.measure:
                raise Unprocessable(f"{d.kind} takes no measure")
            s.add(
                Disposition(
                    case_id=c.id,
                    person_id=d.person_id,
                    person_name=d.person_name,
                    kind=d.kind,
                    measure=d.measure,
                    decided=_day(d.decided, "decided") if d.decided else day,
                    note=d.note,
                    recorded_by=actor.name,
                )
            )

    def link(
        self, actor: R.Actor, case_no: str, links: Sequence[tuple[str, str]], reason: str | None
    ) -> None:
        with self.db.session() as s:
            c = self._load(s, case_no, actor, lock=True)
            refused = R.refusal(actor, view(c), "link", self.rules.max_extensions)
            if refused is not None:
                raise (Forbidden if refused.status == 403 else Conflict)(refused.reason)
            have = {
                (x.kind, x.ref) for x in s.scalars(select(CaseLink).where(CaseLink.case_id == c.id))
            }
            new = [x for x in dict.fromkeys(links) if x not in have]
            for kind, ref in new:
                s.add(CaseLink(case_id=c.id, kind=kind, ref=ref, added_by=actor.name))
            c.updated_at = now()
            self._event(
                s,
                actor,
                c,
                "link",
                c.state,
                c.state,
                reason,
                today(),
                {"links": [f"{k}:{r}" for k, r in new]},
            )
            s.flush()
            if self.mirror is not None:
                self.mirror(s, c)

    # -- records -----------------------------------------------------------------------
    def _load(self, s: Session, case_no: str, actor: R.Actor | None, *, lock: bool = False) -> Case:
        q = select(Case).where(Case.case_no == case_no)
        if lock and self.db.engine.dialect.name == "postgresql":
            q = q.with_for_update()
        c = s.scalars(q).first()
        if c is None:
            raise NotFoundError(f"no case {case_no}")
        if actor is not None and not self.visible(actor, c):
            raise Forbidden("this case lies outside your divisions")
        return c

    def visible(self, actor: R.Actor, c: Case) -> bool:
        """In the caller's divisions (a scope covering the parent division covers the
        case's too: scopes are code prefixes)."""
        return actor.scope.covers(c.division_code)

    def _event(
        self,
        s: Session,
        actor: R.Actor,
        c: Case,
        action: str,
        before: str | None,
        after: str | None,
        reason: str | None,
        on: str,
        details: dict[str, Any],
    ) -> None:
        at = now()
        s.add(
            CaseEvent(
                case_id=c.id,
                at=at,
                on=on,
                user_name=actor.name,
                role=actor.role.value,
                action=action,
                from_state=before,
                to_state=after,
                reason=reason,
                details=details,
            )
        )
        # The audit log holds the transition too, in this same transaction: an
        # acknowledged transition is never missing from it.
        s.add(
            AuditEntry(
                at=at,
                user_name=actor.name,
                role=actor.role.value,
                method="EVENT",
                endpoint=f"case:{action}",
                path=f"/api/v1/cases/{c.case_no}",
                params={"case": c.case_no, "from": before, "to": after, "on": on, **details},
                purpose=(reason or None) and reason[:500],
                status=200,
                returned_keys=[f"Case:{c.case_no}"],
            )
        )

    def case(self, s: Session, actor: R.Actor | None, case_no: str) -> Case:
        return self._load(s, case_no, actor)

    def events(self, s: Session, c: Case) -> list[CaseEvent]:
        return list(
            s.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id).order_by(CaseEvent.id))
        )

    def links(self, s: Session, c: Case) -> list[CaseLink]:
        return list(
            s.scalars(select(CaseLink).where(CaseLink.case_id == c.id).order_by(CaseLink.id))
        )

    def dispositions(self, s: Session, c: Case) -> list[Disposition]:
        return list(
            s.scalars(
                select(Disposition).where(Disposition.case_id == c.id).order_by(Disposition.id)
            )
        )

    def scoped(self, actor: R.Actor) -> Any:
        """A WHERE clause keeping the cases in the caller's divisions."""
        scope = actor.scope
        if scope.unrestricted:
            return true()
        terms = [Case.division_code.startswith(p, autoescape=True) for p in scope.prefixes]
        return or_(*terms)

    def due(self, c: Any, as_of: str) -> dict[str, Any]:
        """The case's deadlines as of a day, for JSON. ``c`` is a Case or a row with its
        dates, ``state`` and ``extensions``. The due dates are those graph.deadlines set
        when the case was received and accepted (stored on the case: a board of a
        thousand cases does not recompute them); the state is judged here."""
        a_due: str = c.accept_due
        c_due: str | None = c.close_due
        rules = self.rules
        if c.state == "received":
            pending: str | None = a_due
        elif c.state in ("accepted", "in_progress"):
            pending = c_due
        else:
            pending = None
        accepted, closed = c.accepted, c.closed
        late = bool(accepted and accepted > a_due)
        overdue = 0
        if accepted is None:
            if closed:  # 不予受理: judged on the acceptance rule
                state = "closed_late" if closed > a_due else "closed_on_time"
                overdue = max(0, dl.days_between(a_due, closed))
            elif as_of > a_due:
                state, overdue = "acceptance_overdue", dl.days_between(a_due, as_of)
            else:
                state = "awaiting_acceptance"
        elif c.state == "closed" and closed and c_due:
            state = "closed_late" if closed > c_due else "closed_on_time"
            overdue = max(0, dl.days_between(c_due, closed))
        elif c_due and as_of > c_due:
            state, overdue = "closure_overdue", dl.days_between(c_due, as_of)
        else:
            state = "open"
        days_left = dl.days_between(as_of, pending) if pending else None
        if days_left is None:
            flag = "done"
        elif days_left < 0:
            flag = "overdue"
        elif days_left <= rules.due_soon_days:
            flag = "due_soon"
        else:
            flag = "ok"
        plain = until = None
        if accepted:
            plain = c_due if not c.extensions else dl.close_due(accepted, rules, 0)
            until = (
                c_due
                if c.extensions >= rules.max_extensions
                else dl.close_due(accepted, rules, rules.max_extensions)
            )
        return {
            "accept_due": a_due,
            "close_due": c_due,
            "close_due_without_extension": plain,
            "extension_possible_until": until,
            "deadline_state": state,
            "accepted_late": late,
            "days_overdue": overdue,
            "next_due": pending,
            "days_left": days_left,
            "flag": flag,
        }
