"""Resolution measured against a synthetic county's truth (``truth.json`` ``mentions``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.store.base import GraphStore


@dataclass
class Evaluation:
    """Precision and recall of links over the planted mentions."""

    planted: int = 0
    linkable: int = 0  # mentions whose person is in the registers
    true_positives: int = 0
    false_positives: int = 0
    ambiguous_linked: int = 0
    missing: int = 0  # planted mentions with no Mention node
    errors: list[dict[str, Any]] = field(default_factory=list)
    by_variant: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        linked = self.true_positives + self.false_positives
        return self.true_positives / linked if linked else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.linkable if self.linkable else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def linked_persons(store: GraphStore) -> dict[str, str]:
    """mention_id -> the person it is linked to (automatic or confirmed)."""
    rows = store.read(
        "MATCH (m:Mention)-[r:RESOLVED_TO]->(p:Person) "
        "WHERE r.judgement IS NULL OR r.judgement <> 'rejected' "
        "RETURN m.mention_id AS m, p.id_number AS p"
    )
    return {r["m"]: r["p"] for r in rows}


def evaluate(
    truth_mentions: Sequence[Mapping[str, Any]],
    links: Mapping[str, str],
    mention_ids: set[str] | None = None,
) -> Evaluation:
    """Compare links with the planted truth; ``mention_ids`` (if given) are the Mentions
    the graph holds, to tell a missed link from a mention the loaders never made."""
    ev = Evaluation(planted=len(truth_mentions))
    for t in truth_mentions:
        mid = f"{t['register']}#{t['row']}#{t['column']}"
        truth = t.get("true_id_number")
        got = links.get(mid)
        tally = ev.by_variant.setdefault(str(t.get("variant", "")), Counter())
        if mention_ids is not None and mid not in mention_ids:
            ev.missing += 1
        if truth:
            ev.linkable += 1
        if got is not None and got == truth:
            ev.true_positives += 1
            tally["right"] += 1
        elif got is not None:
            ev.false_positives += 1
            tally["wrong"] += 1
            ev.errors.append({"mention": mid, "linked": got, **t})
        else:
            tally["unlinked" if truth else "rightly unlinked"] += 1
            if truth:
                ev.errors.append({"mention": mid, "linked": None, **t})
        if t.get("ambiguous") and got is not None:
            ev.ambiguous_linked += 1
    return ev
