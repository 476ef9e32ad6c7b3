"""Handling statistics per division (with its children) and period, as a commission
reports them, and as an XLSX workbook.

Each count is of the event that falls in the period: received (cases received, and
registered complaints not yet attached to a case), accepted (受理), accepted on time,
rejected (不予受理), closed (办结, with an outcome), closed on time, substantiated (closed as
查实 or 部分属实), money involved and recovered (of cases closed in the period), and
dispositions by kind (decided in the period). ``overdue_now`` counts the open cases past
their pending deadline on ``as_of``.

>>> Period("2024-01-01", "2024-12-31").has("2024-06-30"), Period(None, None).has(None)
(True, False)
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from api.db import Database
from api.workflow import rules as R
from api.workflow.models import Case, Disposition, Intake
from graph import deadlines as dl
from graph.export.tables import _sheet


@dataclass(frozen=True)
class Period:
    start: str | None  # first day, inclusive
    end: str | None  # last day, inclusive

    def has(self, day: str | None) -> bool:
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass
class Counts:
    received: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    rejected: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue_now: int = 0
    substantiated: int = 0
    amount_involved: int = 0  # fen
    amount_recovered: int = 0  # fen
    outcomes: Counter[str] = field(default_factory=Counter)
    dispositions: Counter[str] = field(default_factory=Counter)
    measures: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "accepted_on_time": self.accepted_on_time,
            "rejected": self.rejected,
            "closed": self.closed,
            "closed_on_time": self.closed_on_time,
            "overdue_now": self.overdue_now,
            "substantiated": self.substantiated,
            "amount_involved": self.amount_involved,
            "amount_recovered": self.amount_recovered,
            "outcomes": {o: self.outcomes.get(o, 0) for o in R.OUTCOMES},
            "dispositions": {k: self.dispositions.get(k, 0) for k in R.DISPOSITION_KINDS},
            "measures": dict(sorted(self.measures.items())),
        }


def _add_case(n: Counts, c: Case, period: Period, as_of: str, rules: dl.Rules) -> None:
    if period.has(c.received):
        n.received += 1
    if period.has(c.accepted):
        n.accepted += 1
        if c.accepted is not None and c.accepted <= c.accept_due:
            n.accepted_on_time += 1
    if c.state == "rejected" and period.has(c.closed):
        n.rejected += 1
    if c.state == "closed" and period.has(c.closed):
        n.closed += 1
        if c.close_due is not None and c.closed is not None and c.closed <= c.close_due:
            n.closed_on_time += 1
        if c.outcome:
            n.outcomes[c.outcome] += 1
        if c.outcome in R.SUBSTANTIATED:
            n.substantiated += 1
        n.amount_involved += c.amount_involved or 0
        n.amount_recovered += c.amount_recovered or 0
    if c.state in R.OPEN_STATES:
        due = c.accept_due if c.state == "received" else c.close_due
        if due is not None and as_of > due:
            n.overdue_now += 1


def child_code(code: str, parent: str) -> str:
    """The child division of ``parent`` that contains ``code`` (one level down)."""
    for size in (2, 4, 6, 9, 12):
        if size > len(parent):
            return code[:size]
    return code


def statistics(
    db: Database,
    division: str,
    period: Period,
    as_of: str,
    rules: dl.Rules,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Totals for ``division`` and one row per child division that has any case."""
    names = names or {}
    total = Counts()
    children: dict[str, Counts] = {}
    with db.session() as s:
        cases = s.scalars(
            select(Case).where(Case.division_code.startswith(division, autoescape=True))
        ).all()
        ids = {c.id: c for c in cases}
        for c in cases:
            _add_case(total, c, period, as_of, rules)
            if len(c.division_code) > len(division):
                k = child_code(c.division_code, division)
                _add_case(children.setdefault(k, Counts()), c, period, as_of, rules)
        waiting = s.scalars(
            select(Intake).where(
                Intake.division_code.startswith(division, autoescape=True),
                Intake.case_id.is_(None),
            )
        ).all()
        for i in waiting:
            if period.has(i.received):
                total.received += 1
                if len(i.division_code) > len(division):
                    children.setdefault(
                        child_code(i.division_code, division), Counts()
                    ).received += 1
        ds = (
            s.scalars(select(Disposition).where(Disposition.case_id.in_(list(ids)))).all()
            if ids
            else []
        )
        for d in ds:
            if not period.has(d.decided):
                continue
            c = ids[d.case_id]
            targets = [total]
            if len(c.division_code) > len(division):
                targets.append(children.setdefault(child_code(c.division_code, division), Counts()))
            for n in targets:
                n.dispositions[d.kind] += 1
                if d.measure:
                    n.measures[f"{d.kind}:{d.measure}"] += 1
    return {
        "division_code": division,
        "division_name": names.get(division, division),
        "period": {"from": period.start, "to": period.end},
        "as_of": as_of,
        "totals": total.to_json(),
        "children": [
            {"division_code": k, "division_name": names.get(k, k), **v.to_json()}
            for k, v in sorted(children.items())
        ],
    }


_COLUMNS = (
    ("received", "收到"),
    ("accepted", "受理"),
    ("accepted_on_time", "按期受理"),
    ("rejected", "不予受理"),
    ("closed", "办结"),
    ("closed_on_time", "按期办结"),
    ("overdue_now", "当前超期"),
    ("substantiated", "查实（含部分属实）"),
    ("amount_involved", "涉及金额(元)"),
    ("amount_recovered", "追缴金额(元)"),
)


def _row(name: str, code: str, d: dict[str, Any]) -> list[Any]:
    row: list[Any] = [name, code]
    for key, _ in _COLUMNS:
        v = d[key]
        row.append(v / 100 if key.startswith("amount") else v)
    row += [d["dispositions"][k] for k in R.DISPOSITION_KINDS]
    return row


def workbook(stats: dict[str, Any]) -> bytes:
    """The statistics as XLSX: one sheet of divisions, one of the period's parameters.
    Division names come from the graph and are written as text cells, never formulas."""
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    head = ["区划 (division)", "区划代码 (code)", *(zh for _, zh in _COLUMNS), *R.DISPOSITION_KINDS]
    rows = [
        _row(str(stats["division_name"]) + "（合计）", stats["division_code"], stats["totals"]),
        *(_row(c["division_name"], c["division_code"], c) for c in stats["children"]),
    ]
    _sheet(wb, "办理情况统计", head, rows)
    p = stats["period"]
    _sheet(
        wb,
        "说明",
        ["项目", "值"],
        [["统计起始日", p["from"]], ["统计截止日", p["to"]], ["超期判定日", stats["as_of"]]],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def overdue(
    db: Database, as_of: str, rules: dl.Rules, divisions: Iterable[str] = ("",)
) -> list[dict[str, Any]]:
    """Open cases past or within ``rules.due_soon_days`` of their pending deadline."""
    soon = dl.add_days(as_of, rules.due_soon_days)
    out = []
    with db.session() as s:
        for c in s.scalars(
            select(Case).where(Case.state.in_(R.OPEN_STATES)).order_by(Case.case_no)
        ):
            if not any(c.division_code.startswith(p) for p in divisions):
                continue
            due = c.accept_due if c.state == "received" else c.close_due
            if due is None or due > soon:
                continue
            out.append(
                {
                    "case_no": c.case_no,
                    "division_code": c.division_code,
                    "state": c.state,
                    "assignee": c.assignee,
                    "due": due,
                    "deadline": "受理期限" if c.state == "received" else "办结期限",
                    "days_left": dl.days_between(as_of, due),
                    "overdue": as_of > due,
                    "extension_pending": c.extension_requested_by is not None,
                    "title": c.title,
                }
            )
    return sorted(out, key=lambda r: (r["due"], r["case_no"]))
