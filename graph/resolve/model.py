"""The Fellegi–Sunter weights: what each piece of evidence is worth, and why.

A mention is compared with a candidate person feature by feature. Each feature takes a
level (agree, disagree, missing, or a name's degree of likeness) and contributes
``log2(m / u)`` bits, where ``m`` is the chance of that level when mention and person
are the same human and ``u`` the chance when they are not. A missing value contributes
nothing. The score starts from the prior ``-log2(N)`` (before any evidence the mention
is any one of the county's ``N`` residents), so it reads as the posterior log2-odds that
this candidate is the one:

- ``u`` comes from the data. A name's ``u`` is its frequency among the residents (a
  common name proves little); a village's is its share of the population; a phone's,
  address's or household's the share of residents who have it. Features that nest
  (village inside township, household and address inside village) are counted once:
  an inner feature's ``u`` is taken among the residents who already share the outer one.
- ``m`` is fixed here, from how registers are kept. It differs by the kind of mention:
  an enterprise's address says much about a sole trader's home village and little about
  a shareholder's. The values are deliberately moderate so that no single piece of
  context outweighs a disagreeing name.

Names living together in clan villages make name and village less independent than the
product assumes; the decision rule's margin (:mod:`graph.resolve.decide`) is what keeps
two same-named villagers from being told apart on such evidence.

>>> round(weight(0.9, 1 / 1000), 2)
9.81
>>> Contribution("phone", "agree", 9.81).as_json()
{'feature': 'phone', 'level': 'agree', 'bits': 9.81}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# Probability of each name level when the mention is the person (m). Registers copy a
# name right in the great majority of rows; the rest are slips of the keyboard (a
# character one edit away) or of the ear (a homophone through the pinyin input method).
NAME_M: dict[str, float] = {
    "exact": 0.90,  # after simplification, half-width and space removal
    "pinyin": 0.04,  # another character with the same (toneless) pinyin
    "edit1": 0.04,  # one character substituted, added or dropped
    "other": 0.02,
}

# m of context features per kind of mention: P(feature agrees | same person), given that
# both sides have a value. "-" marks features a kind never has.
CONTEXT_M: dict[str, dict[str, float]] = {
    # legal representative named in the enterprise register: its address is often the
    # home (sole traders) and its phone the owner's mobile; its township nearly always.
    "legal_rep": {
        "township": 0.85,
        "village": 0.85,
        "address": 0.40,
        "phone": 0.50,
        "employer": 0.60,
    },
    # shareholder, director, supervisor: the enterprise is all we know of them.
    "role": {"township": 0.30, "village": 0.20, "address": 0.10, "phone": 0.30, "employer": 0.50},
    # relative declared by an official: usually the same village, often the same household.
    "relative": {
        "township": 0.85,
        "village": 0.75,
        "household": 0.50,
        "address": 0.40,
        "phone": 0.20,
        "employer": 0.50,
    },
    # any other name-only mention: its own context only.
    "other": {
        "township": 0.80,
        "village": 0.80,
        "address": 0.50,
        "phone": 0.60,
        "employer": 0.50,
    },
}

# How likely a declared relation is to share the official's household (m of "household").
HOUSEHOLD_M: dict[str, float] = {
    "配偶": 0.85,
    "子女": 0.55,
    "父母": 0.45,
    "兄弟姐妹": 0.15,
    "配偶父母": 0.10,
    "子女配偶": 0.30,
}

# Age or sex that contradicts the declared relation: a strong penalty, not a veto (birth
# dates in the registers are sometimes wrong).
RELATION_MISFIT_M = 0.02
BIRTH_YEAR_M = 0.95  # the stated birth year is the person's (when a register gives one)
MIN_U = 1e-9


def weight(m: float, u: float) -> float:
    """``log2(m / u)``, with ``u`` kept away from zero."""
    return math.log2(max(m, MIN_U) / max(u, MIN_U))


@dataclass(frozen=True)
class Contribution:
    """One feature's part in a score: its level and its weight in bits."""

    feature: str
    level: str
    bits: float
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"feature": self.feature, "level": self.level}
        out["bits"] = round(self.bits, 2)
        if self.detail:
            out["detail"] = self.detail
        return out


def agreement(feature: str, m: float, u: float, detail: str = "") -> Contribution:
    """Both sides agree: ``log2(m/u)``, never below zero (agreement is no evidence against)."""
    return Contribution(feature, "agree", max(0.0, weight(m, u)), detail)


def disagreement(feature: str, m: float, u: float, detail: str = "") -> Contribution:
    """Both sides have a value and they differ: ``log2((1-m)/(1-u))``, never above zero."""
    return Contribution(feature, "disagree", min(0.0, weight(1 - m, 1 - min(u, 0.999))), detail)
