"""Score findings against a synthetic county's truth: recall of planted cases, decoys hit.

A planted case counts as found when some finding of its pattern names all of the case's
subjects; a decoy is flagged when some finding of its pattern names all of the decoy's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph import ids
from graph.queries.findings import Finding


def _canonical(key: object) -> str:
    """A truth key in the form the loaders store it (certificates get full-width brackets)."""
    text = str(key)
    if "不动产" in text or "房权" in text:
        try:
            return ids.normalise_cert_no(text)
        except ValueError:
            return text
    return text


@dataclass
class PatternScore:
    pattern: str
    planted: int = 0
    found: int = 0
    decoys: int = 0
    decoys_flagged: int = 0
    findings: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)
    flagged: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None


def score(findings: list[Finding], truth: dict[str, Any]) -> dict[str, PatternScore]:
    by_pattern: dict[str, list[set[str]]] = defaultdict(list)
    for f in findings:
        by_pattern[f.pattern].append(set(f.subjects))
    out: dict[str, PatternScore] = {}

    def entry(kind: str) -> PatternScore:
        return out.setdefault(kind, PatternScore(kind))

    for kind, subs in by_pattern.items():
        entry(kind).findings = len(subs)
    for case in truth.get("cases", []):
        s = entry(case["kind"])
        s.planted += 1
        want = {_canonical(x) for x in case["subjects"]}
        if any(want <= got for got in by_pattern.get(case["kind"], [])):
            s.found += 1
        else:
            s.missed.append(case)
    for decoy in truth.get("decoys", []):
        s = entry(decoy["kind"])
        s.decoys += 1
        want = {_canonical(x) for x in decoy["subjects"]}
        if any(want <= got for got in by_pattern.get(decoy["kind"], [])):
            s.decoys_flagged += 1
            s.flagged.append(decoy)
    return out
