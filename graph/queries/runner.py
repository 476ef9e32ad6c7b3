"""Run patterns against a store and turn their rows into findings."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.deadlines import Rules
from graph.errors import QueryError
from graph.queries import findings as fnd
from graph.queries import leads
from graph.queries.derive import derive_all
from graph.queries.pattern import Pattern, get, library
from graph.store import GraphStore


@dataclass
class PatternRun:
    pattern: str
    findings: list[fnd.Finding]
    seconds: float


@dataclass
class Detection:
    runs: list[PatternRun] = field(default_factory=list)
    derive_seconds: float = 0.0
    leads: int = 0
    leads_seconds: float = 0.0

    @property
    def findings(self) -> list[fnd.Finding]:
        return [f for r in self.runs for f in r.findings]


def run_pattern(
    store: GraphStore,
    pattern: Pattern | str,
    params: dict[str, Any] | None = None,
    *,
    as_of: str | None = None,
    timeout: float | None = None,
) -> list[fnd.Finding]:
    """One pattern's findings, without writing them anywhere."""
    p = get(pattern) if isinstance(pattern, str) else pattern
    bound = p.bind(params, as_of=as_of)
    try:
        rows = store.read(p.cypher, bound, timeout=timeout)
    except QueryError as e:
        e.pattern = p.id
        raise
    found: dict[str, fnd.Finding] = {}
    for row in rows:
        f = fnd.from_row(p, row)
        # Two rows over the same subjects are one finding; keep the stronger.
        prev = found.get(f.finding_id)
        if prev is None or f.score > prev.score:
            found[f.finding_id] = f
    return sorted(found.values(), key=lambda f: (-f.score, f.subjects))


def detect(
    store: GraphStore,
    patterns: Iterable[str] | None = None,
    *,
    params: dict[str, dict[str, Any]] | None = None,
    as_of: str | None = None,
    save: bool = True,
    rules: Rules | None = None,
) -> Detection:
    """Run the chosen patterns (all by default), and keep their findings in the graph."""
    ids = list(patterns) if patterns else list(library())
    chosen = [get(i) for i in ids]  # unknown ids fail before any work is done
    if save:
        store.bump_graph_version()  # findings and derived links change what is derived
    out = Detection()
    t0 = time.perf_counter()
    derive_all(store, rules)
    out.derive_seconds = time.perf_counter() - t0
    for p in chosen:
        t = time.perf_counter()
        found = run_pattern(store, p, (params or {}).get(p.id), as_of=as_of)
        if save:
            fnd.save(store, p.id, found, today=as_of)
        out.runs.append(PatternRun(p.id, found, time.perf_counter() - t))
    if save:
        t = time.perf_counter()
        out.leads = leads.update(store, out.findings, today=as_of)
        out.leads_seconds = time.perf_counter() - t
    return out
