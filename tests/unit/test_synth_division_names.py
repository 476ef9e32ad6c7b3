"""Village names stay unique however many villages a county has."""

from __future__ import annotations

import numpy as np

from graph.synth.divisions import _names


def test_a_county_of_three_million_gets_unique_names_and_small_ones_keep_two_characters() -> None:
    taken: set[str] = set()
    towns = _names(np.random.default_rng(7), 30, taken)
    # 3,000,000 persons: 1,364 villages, about all the two-character names there are.
    villages = _names(np.random.default_rng(7), 1_364, taken)
    assert len(set(towns + villages)) == 30 + 1_364
    assert {len(n) for n in villages} == {3}
    small = _names(np.random.default_rng(7), 480, set())  # a million persons
    assert {len(n) for n in small} == {2}
