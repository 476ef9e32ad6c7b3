"""The decision rule: link a mention to its best candidate, or leave it unresolved.

A mention is linked when its best candidate's score clears :data:`THRESHOLD` *and* beats
the runner-up by :data:`MARGIN`. The score is the posterior log2-odds of the model in
:mod:`graph.resolve.model`; the threshold of -1 bit reads "the evidence singles this
person out at least as well as a name that two residents share", which is the data
contract's "a unique name within the division". The margin of 3 bits (8 to 1) is what
keeps two residents of one village with one name, and nothing else to tell them apart,
from being linked at all.

Only a candidate whose name is equal, a homophone or one edit away can be linked: a phone
or an address shared with someone of another name is a relative's, not the same person.
A name that is not equal needs evidence pointing at the person, not just their village
(:data:`PERSONAL`: phone, household, address, employer, birth year): a relative working
outside the county, absent from the registers, often has a namesake one edit away in
the official's village.
Pairs an investigator rejected are never candidates again; a confirmed link is kept
whatever the score says.

>>> from graph.resolve.model import Contribution
>>> a = Scored("A", "exact", [Contribution("name", "exact", 2.0)])
>>> b = Scored("B", "exact", [Contribution("name", "exact", 1.5)])
>>> decide("m1", [a, b]).status
'ambiguous'
>>> decide("m1", [a, b], rejected={"B"}).person_id
'A'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.resolve.model import Contribution

THRESHOLD = -1.0
MARGIN = 3.0
LINKABLE = frozenset({"exact", "pinyin", "edit1"})
PERSONAL = frozenset({"phone", "household", "address", "employer", "birth_year"})
METHOD = "fellegi-sunter/1"


@dataclass
class Scored:
    person_id: str
    level: str
    contributions: list[Contribution]
    score: float = field(init=False)

    def __post_init__(self) -> None:
        self.score = sum(c.bits for c in self.contributions)

    @property
    def corroborated(self) -> bool:
        """Some evidence beyond name and place agrees (needed when the name is not equal)."""
        return any(
            c.feature in PERSONAL and c.level == "agree" and c.bits > 0 for c in self.contributions
        )

    def features_json(self) -> str:
        return json.dumps([c.as_json() for c in self.contributions], ensure_ascii=False)


@dataclass
class Decision:
    """What the rule made of one mention.

    ``status``: ``linked``, ``ambiguous`` (a runner-up within the margin), ``weak`` (best
    below the threshold) or ``no_candidate``.
    """

    mention_id: str
    status: str
    best: Scored | None = None
    runner_up: Scored | None = None
    ranked: list[Scored] = field(default_factory=list)  # the leading candidates, best first

    def candidates_json(self, k: int = 3) -> str:
        """The leading candidates, for an investigator choosing by hand."""
        return json.dumps(
            [
                {"id_number": s.person_id, "level": s.level, "score": round(s.score, 2)}
                for s in self.ranked[:k]
            ]
        )

    @property
    def person_id(self) -> str | None:
        return self.best.person_id if self.status == "linked" and self.best else None

    @property
    def margin(self) -> float | None:
        if self.best is None:
            return None
        if self.runner_up is None:
            return None
        return self.best.score - self.runner_up.score

    def features_json(self) -> str:
        """The best candidate's contributions, plus the runner-up the margin was taken from."""
        if self.best is None:
            return "[]"
        items = [c.as_json() for c in self.best.contributions]
        if self.runner_up is not None:
            items.append(
                {
                    "feature": "runner_up",
                    "level": self.runner_up.level,
                    "bits": round(self.runner_up.score, 2),
                    "detail": self.runner_up.person_id,
                }
            )
        return json.dumps(items, ensure_ascii=False)


def decide(
    mention_id: str,
    scored: Iterable[Scored],
    *,
    rejected: Iterable[str] = (),
    threshold: float = THRESHOLD,
    margin: float = MARGIN,
) -> Decision:
    """Apply the rule to one mention's scored candidates."""
    banned = set(rejected)
    ranked = sorted(
        (s for s in scored if s.level in LINKABLE and s.person_id not in banned),
        key=lambda s: (-s.score, s.person_id),
    )
    if not ranked:
        return Decision(mention_id, "no_candidate")
    best = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    top = ranked[:3]
    # Ambiguity is told first: "two candidates" says more to an investigator than "weak".
    if second is not None and best.score - second.score < margin:
        return Decision(mention_id, "ambiguous", best, second, top)
    if best.score < threshold or (best.level != "exact" and not best.corroborated):
        return Decision(mention_id, "weak", best, second, top)
    return Decision(mention_id, "linked", best, second, top)
