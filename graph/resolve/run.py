"""One resolution run over the whole graph: read, block, score, decide, write, report."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from graph.resolve import blocking, conflicts, context, links
from graph.resolve import normalise as nz
from graph.resolve.decide import MARGIN, METHOD, THRESHOLD, Decision, Scored, decide
from graph.resolve.score import Stats, compare
from graph.store.base import GraphStore


@dataclass
class ResolveReport:
    """What a run did: links in place, mentions left unresolved and why, conflicts."""

    mentions: int = 0
    linked: int = 0  # automatic links in place after the run
    confirmed: int = 0  # links an investigator confirmed (kept whatever the score)
    unresolved: dict[str, int] = field(default_factory=dict)  # status -> mentions
    created: int = 0
    removed: int = 0
    conflicts: list[conflicts.Conflict] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process only (the engine's own work is not in it)
    stages: dict[str, float] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict, repr=False)

    @property
    def conflicts_by_kind(self) -> dict[str, int]:
        return dict(sorted(Counter(c.kind for c in self.conflicts).items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "mentions": self.mentions,
            "linked": self.linked,
            "confirmed": self.confirmed,
            "unresolved": self.unresolved,
            "created": self.created,
            "removed": self.removed,
            "conflicts": self.conflicts_by_kind,
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "stages": {k: round(v, 2) for k, v in self.stages.items()},
        }

    def render(self) -> Table:
        """The run as a rich table, for ``guanxi resolve`` and the end of ``guanxi load``."""
        t = Table(title="entity resolution 实体识别", show_header=True)
        t.add_column("what")
        t.add_column("count", justify="right")
        t.add_row("mentions 提及", str(self.mentions))
        t.add_row("linked 已关联", str(self.linked))
        t.add_row("confirmed 人工确认", str(self.confirmed))
        for status, n in sorted(self.unresolved.items()):
            t.add_row(f"unresolved: {status}", str(n))
        t.add_row("links created / removed", f"{self.created} / {self.removed}")
        for kind, n in self.conflicts_by_kind.items():
            t.add_row(f"conflict: {kind}", str(n))
        t.add_row("seconds", f"{self.seconds:.1f}")
        return t


def resolve(
    store: GraphStore,
    *,
    threshold: float = THRESHOLD,
    margin: float = MARGIN,
    find_conflicts: bool = True,
) -> ResolveReport:
    """Link every name-only Mention that the evidence allows; keep judgements; report.

    Idempotent: a second run over an unchanged graph changes nothing.
    """
    store.bump_graph_version()
    rep = ResolveReport()
    t0, cpu0 = time.perf_counter(), time.process_time()
    clock = [t0]

    def stage(name: str) -> None:
        now = time.perf_counter()
        rep.stages[name] = now - clock[0]
        clock[0] = now

    divs = context.read_divisions(store)
    mentions = context.read_mentions(store, divs)
    current = links.existing(store)
    stage("read mentions")
    confirmed = {
        m: p for m, ls in current.items() for p, j in ls if j == "confirmed" and m in mentions
    }
    for m_id, ls in current.items():
        if m_id in mentions:
            mentions[m_id].rejected |= {p for p, j in ls if j == "rejected"}
    todo = [m for m_id, m in mentions.items() if m_id not in confirmed]
    residents = blocking.read_residents(store)
    population = len(residents)
    blocks = blocking.candidates(store, todo, residents)
    stage("candidates")
    ids = {pid for b in blocks.values() for pid in b.levels}
    people = {p.id_number: p for p in context.read_people(store, ids, divs)}
    stats = _stats(store, population, divs, todo)
    stage("read candidates")
    _decide_all(rep, todo, todo, blocks, people, stats, threshold, margin)
    # A second round: a mention linked in the first ties its person to its enterprise, which
    # is evidence for the other name-only mentions of that enterprise (a shareholder named
    # like the legal representative that was just linked).
    ties = 0
    for m in todo:
        pid = rep.decisions[m.mention_id].person_id
        if pid:
            new = {e for e in m.employers if e.startswith("uscc:")} - people[pid].employers
            people[pid].employers |= new
            ties += len(new)
    if ties:
        again = [m for m in todo if not rep.decisions[m.mention_id].person_id]
        _decide_all(rep, again, todo, blocks, people, stats, threshold, margin)
    stage("score")
    _write(store, rep, current, confirmed, mentions)
    stage("write")
    if find_conflicts:
        rep.conflicts = conflicts.find(store, divs.places, residents)
        stage("conflicts")
    rep.seconds = time.perf_counter() - t0
    rep.cpu_seconds = time.process_time() - cpu0
    return rep


def _decide_all(
    rep: ResolveReport,
    these: list[context.MentionRecord],
    todo: list[context.MentionRecord],
    blocks: dict[str, blocking.Block],
    people: dict[str, context.PersonRecord],
    stats: Stats,
    threshold: float,
    margin: float,
) -> None:
    for m in these:
        block = blocks[m.mention_id]
        scored = [
            Scored(pid, level, compare(m, people[pid], level, block, stats))
            for pid, level in block.levels.items()
            if pid in people
        ]
        rep.decisions[m.mention_id] = decide(
            m.mention_id, scored, rejected=m.rejected, threshold=threshold, margin=margin
        )


def _stats(
    store: GraphStore, population: int, divs: context.Divisions, todo: list[context.MentionRecord]
) -> Stats:
    stats = Stats(population, divs.population)
    hs = sorted({h for m in todo for h in m.households})
    if hs:
        for r in store.read(
            "UNWIND $hs AS h MATCH (p:Person)-[:MEMBER_OF]->(x:Household {household_id: h}) "
            "RETURN h, count(p) AS n",
            {"hs": hs},
        ):
            stats.households[r["h"]] = int(r["n"])
    usccs = sorted({e[5:] for m in todo for e in m.employers if e.startswith("uscc:")})
    if usccs:
        for r in store.read(
            "UNWIND $us AS u MATCH (p:Person)-[r]->(e:Enterprise {uscc: u}) "
            "WHERE r.via_mention IS NULL RETURN u, count(DISTINCT p) AS n",
            {"us": usccs},
        ):
            stats.employers[f"uscc:{r['u']}"] = int(r["n"])
    for r in store.read(
        "MATCH (p:Person)-[:HOLDS]->(post:Post) "
        "RETURN post.organisation AS o, count(DISTINCT p) AS n"
    ):
        key = nz.enterprise_name(r["o"], divs.places)
        stats.employers[key] = stats.employers.get(key, 0) + int(r["n"])
    return stats


def _write(
    store: GraphStore,
    rep: ResolveReport,
    current: dict[str, list[tuple[str, str]]],
    confirmed: dict[str, str],
    mentions: dict[str, context.MentionRecord],
) -> None:
    desired = {m: d.person_id for m, d in rep.decisions.items() if d.person_id}
    stale = [
        (m, p)
        for m, ls in current.items()
        for p, j in ls
        if not j and (m not in mentions or m in confirmed or desired.get(m) != p)
    ]
    links.delete_links(store, stale)
    fresh = set(desired.items()) - {(m, p) for m, ls in current.items() for p, j in ls if not j}
    rows = [
        {
            "m": m,
            "p": p,
            "score": round(rep.decisions[m].best.score, 3),  # type: ignore[union-attr]
            "margin": _round(rep.decisions[m].margin),
            "features": rep.decisions[m].features_json(),
            "method": METHOD,
        }
        for m, p in sorted(desired.items())
    ]
    links.write_links(store, rows)
    types = links.present_types(store)
    pairs = [{"m": m, "p": p} for m, p in sorted({**desired, **confirmed}.items())]
    links.materialise(store, pairs, types)
    statuses = [
        {"m": m, "status": "confirmed", "score": None, "candidates": None}
        for m in sorted(confirmed)
    ] + [
        {
            "m": m,
            "status": d.status,
            "score": _round(d.best.score if d.best else None),
            "candidates": None if d.person_id else d.candidates_json(),
        }
        for m, d in sorted(rep.decisions.items())
    ]
    links.set_status(store, statuses)
    rep.mentions = len(mentions)
    rep.linked = len(desired)
    rep.confirmed = len(confirmed)
    rep.unresolved = dict(
        sorted(Counter(d.status for d in rep.decisions.values() if not d.person_id).items())
    )
    rep.created = len(fresh)
    rep.removed = len(stale)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)
