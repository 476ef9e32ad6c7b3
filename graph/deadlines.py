"""The commission's handling deadlines, computed in one place.

Every complaint or clue is accepted (受理) within 7 days of receipt and closed (办结)
within 3 months of acceptance; for a special reason the closing deadline may be extended
by 1 month, only with the approval of the commission one level up. Calendar days; a month
later is the same day of the month, or the month's last day when it has fewer days
(31 January + 3 months = 30 April). An extended deadline counts from acceptance (31
January + 4 months = 31 May), not from the unextended deadline (30 April + 1 month would
be 30 May), so an extension never shortens the total time by a month-end clamp.

Pure functions of ISO dates and a :class:`Rules` value: the workflow, the API, the
explorer (through the API's JSON), ``derive`` (which stores ``accept_due`` / ``close_due``
on Complaint nodes for the ``complaint_deadline`` pattern) and the statistics all call
these.

>>> r = Rules()
>>> accept_due("2024-01-02", r), close_due("2024-01-31", r), close_due("2024-01-31", r, True)
('2024-01-09', '2024-04-30', '2024-05-31')
>>> s = status(Dates(received="2024-01-02"), "2024-01-20", r)
>>> s.accept_due, s.state, s.days_overdue
('2024-01-09', 'acceptance_overdue', 11)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = [
    "STATES",
    "Dates",
    "Rules",
    "Status",
    "accept_due",
    "add_days",
    "add_months",
    "close_due",
    "days_between",
    "status",
]

STATES = (
    "awaiting_acceptance",
    "acceptance_overdue",
    "open",
    "closure_overdue",
    "closed_on_time",
    "closed_late",
    "unknown",
)


@dataclass(frozen=True)
class Rules:
    """The rule's numbers; configurable (``GUANXI_ACCEPT_DAYS`` etc. through the settings)."""

    accept_days: int = 7
    close_months: int = 3
    extension_months: int = 1
    max_extensions: int = 1
    due_soon_days: int = 7  # what the board and `guanxi cases overdue` call "due soon"


def add_months(iso: str, months: int) -> str:
    """Calendar months later, clamped to the month's end.

    >>> add_months("2024-01-31", 1), add_months("2023-11-15", 3), add_months("2023-01-31", 3)
    ('2024-02-29', '2024-02-15', '2023-04-30')
    """
    d = dt.date.fromisoformat(iso[:10])
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day).isoformat()


def add_days(iso: str, days: int) -> str:
    """Calendar days later.

    >>> add_days("2024-02-26", 7)
    '2024-03-04'
    """
    return (dt.date.fromisoformat(iso[:10]) + dt.timedelta(days=days)).isoformat()


def days_between(a: str, b: str) -> int:
    """Calendar days from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days


def accept_due(received: str, rules: Rules) -> str:
    """The last day on which acceptance is on time."""
    return add_days(received, rules.accept_days)


def close_due(accepted: str, rules: Rules, extensions: int | bool = 0) -> str:
    """The last day on which closing is on time, with ``extensions`` approved extensions."""
    n = min(int(extensions), rules.max_extensions)
    return add_months(accepted, rules.close_months + n * rules.extension_months)


@dataclass(frozen=True)
class Dates:
    received: str | None = None
    accepted: str | None = None
    closed: str | None = None
    extensions: int = 0


@dataclass(frozen=True)
class Status:
    accept_due: str | None
    close_due: str | None
    state: str
    accepted_late: bool
    days_overdue: int


def status(d: Dates, as_of: str, rules: Rules) -> Status:
    """Where a matter stands against its deadlines on ``as_of`` (ISO day)."""
    try:
        a_due = accept_due(d.received, rules) if d.received else None
        c_due = close_due(d.accepted, rules, d.extensions) if d.accepted else None
    except ValueError:
        return Status(None, None, "unknown", False, 0)
    if a_due is None:
        return Status(None, c_due, "unknown", False, 0)
    late = bool(d.accepted and d.accepted[:10] > a_due)
    if not d.accepted:
        if d.closed:  # closed without acceptance (不予受理): judged on the acceptance rule
            state = "closed_late" if d.closed[:10] > a_due else "closed_on_time"
            return Status(a_due, None, state, False, max(0, days_between(a_due, d.closed)))
        if as_of > a_due:
            return Status(a_due, None, "acceptance_overdue", False, days_between(a_due, as_of))
        return Status(a_due, None, "awaiting_acceptance", False, 0)
    assert c_due is not None
    if d.closed:
        state = "closed_late" if d.closed[:10] > c_due else "closed_on_time"
        return Status(a_due, c_due, state, late, max(0, days_between(c_due, d.closed)))
    if as_of > c_due:
        return Status(a_due, c_due, "closure_overdue", late, days_between(c_due, as_of))
    return Status(a_due, c_due, "open", late, 0)
