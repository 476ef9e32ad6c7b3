"""Planted cases keep inside the county's as-of window however many a county holds."""

from __future__ import annotations

from graph.synth.plant_kin import on, spread


def test_spread_stays_between_first_and_last_and_seldom_repeats_a_day() -> None:
    first, last = on(2024, 3, 5), on(2024, 12, 31)
    days = [spread(first, 17, j, last) for j in range(200)]
    assert all(first <= d <= last for d in days)
    assert days[:17] == [first + 17 * j for j in range(17)]  # unfolded while there is room
    assert len(set(days)) >= 190


def test_spread_of_a_step_that_divides_the_span_still_moves_on() -> None:
    first = on(2024, 1, 1)
    days = [spread(first, 10, j, first + 99) for j in range(30)]
    assert len(set(days)) == 30
