"""graph.deadlines: the handling rules' dates, month ends, the extension, configurable numbers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from graph import deadlines as dl
from graph.queries.derive import add_months as derive_add_months

R = dl.Rules()


def test_month_ends_are_clamped() -> None:
    assert dl.close_due("2023-01-31", R) == "2023-04-30"
    assert dl.close_due("2024-11-30", R) == "2025-02-28"
    assert dl.close_due("2023-11-30", R) == "2024-02-29"  # leap year
    assert dl.close_due("2023-01-31", R, 1) == "2023-05-31"  # counted from acceptance


def test_accept_due_is_seven_calendar_days() -> None:
    assert dl.accept_due("2024-12-28", R) == "2025-01-04"


def test_second_extension_does_not_extend() -> None:
    assert dl.close_due("2024-01-10", R, 2) == dl.close_due("2024-01-10", R, 1) == "2024-05-10"


def test_numbers_are_configurable() -> None:
    r = dl.Rules(accept_days=15, close_months=2, extension_months=2, max_extensions=2)
    assert dl.accept_due("2024-01-01", r) == "2024-01-16"
    assert dl.close_due("2024-01-31", r) == "2024-03-31"
    assert dl.close_due("2024-01-31", r, 2) == "2024-07-31"


def test_settings_carry_the_rules(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graph.settings import Settings

    monkeypatch.setenv("GUANXI_ACCEPT_DAYS", "10")
    assert Settings().rules.accept_days == 10


def test_status_states() -> None:
    s = dl.status(dl.Dates("2024-01-02", "2024-01-12"), "2024-02-01", R)
    assert (s.state, s.accepted_late, s.close_due) == ("open", True, "2024-04-12")
    s = dl.status(dl.Dates("2024-01-02", "2024-01-03"), "2024-04-10", R)
    assert (s.state, s.days_overdue) == ("closure_overdue", 7)
    s = dl.status(dl.Dates("2024-01-02", "2024-01-03", "2024-05-01", 1), "2024-06-01", R)
    assert s.state == "closed_on_time"


def test_derive_uses_the_same_month_arithmetic() -> None:
    assert derive_add_months is dl.add_months


days = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


@given(days, st.integers(0, 3))
def test_close_due_properties(d: dt.date, ext: int) -> None:
    due = dt.date.fromisoformat(dl.close_due(d.isoformat(), R, ext))
    months = 3 + min(ext, 1)
    # Never more than the calendar months allow, never short by more than a month-end clamp.
    assert due > d
    assert (due.year - d.year) * 12 + due.month - d.month == months
    assert due.day == d.day or (due.day < d.day and (due + dt.timedelta(days=1)).day == 1)
