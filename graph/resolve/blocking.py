"""Candidate generation: which residents a mention is compared with, and name statistics.

Comparing every mention with every resident is out of the question at a million
residents, so each mention is compared only with the residents who share a blocking key:

- the normalised name (simplified, half-width, no spaces);
- the toneless pinyin of the name (homophones typed through a pinyin input method);
- the name less one character (so a name one edit away always shares a key);
- the phone number, and the exact address, seen with the mention.

One pass over the residents' names serves every mention and also counts how many
residents carry each name at each level of likeness: the ``u`` of a name is that count
over the population. A name so common that no context narrows it is not worth scoring:
past :data:`MAX_GROUP` residents, only those in a village or township the mention
points at are kept (no other could clear the threshold).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.resolve import normalise as nz
from graph.resolve.columns import columns
from graph.resolve.context import MentionRecord
from graph.store.base import GraphStore

MAX_GROUP = 200
NAME_LEVELS = ("exact", "pinyin", "edit1")


@dataclass
class Block:
    """One mention's candidates: ID number -> name level, and the residents per level."""

    levels: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAME_LEVELS, 0))
    phone_counts: dict[str, int] = field(default_factory=dict)
    address_counts: dict[str, int] = field(default_factory=dict)
    truncated: bool = False


@dataclass
class _Group:
    norm: str
    people: list[tuple[str, str]]  # (id_number, village_code)


def scan_names(store: GraphStore) -> tuple[list[_Group], int]:
    """Residents grouped by normalised name, and the population size."""
    ids, names, villages = columns(store, "Person", ("id_number", "name", "village_code"))
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, n, v in zip(ids, names, villages, strict=True):
        if n:
            by_name[n].append((i, v))
    groups: dict[str, _Group] = {}
    for raw, people in by_name.items():
        norm = nz.person_name(raw)
        g = groups.get(norm)
        if g is None:
            groups[norm] = _Group(norm, people)
        else:
            g.people.extend(people)
    return list(groups.values()), len(ids)


def _name_blocks(groups: list[_Group], mentions: list[MentionRecord]) -> dict[str, Block]:
    exact: dict[str, list[str]] = defaultdict(list)  # norm -> mention ids
    by_pinyin: dict[str, list[str]] = defaultdict(list)
    by_del: dict[str, list[str]] = defaultdict(list)
    lengths = set()
    for m in mentions:
        if not m.norm:
            continue
        exact[m.norm].append(m.mention_id)
        by_pinyin[nz.name_pinyin(m.norm)].append(m.mention_id)
        for k in nz.deletion_keys(m.norm):
            by_del[k].append(m.mention_id)
        lengths.add(len(m.norm))
    norms = {m.mention_id: m.norm for m in mentions}
    blocks = {m.mention_id: Block() for m in mentions}
    members: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for g in groups:
        if not any(abs(len(g.norm) - n) <= 1 for n in lengths):
            continue
        hits: dict[str, str] = {}
        for mid in exact.get(g.norm, ()):
            hits[mid] = "exact"
        if len(g.norm) in lengths:
            for mid in by_pinyin.get(nz.name_pinyin(g.norm), ()):
                hits.setdefault(mid, "pinyin")
        for k in nz.deletion_keys(g.norm):
            for mid in by_del.get(k, ()):
                if mid not in hits and nz.edit_distance(g.norm, norms[mid]) == 1:
                    hits[mid] = "edit1"
        for mid, level in hits.items():
            blocks[mid].counts[level] += len(g.people)
            members[(mid, level)].append(g)
    by_id = {m.mention_id: m for m in mentions}
    for (mid, level), gs in members.items():
        b, m = blocks[mid], by_id[mid]
        people = [p for g in gs for p in g.people]
        if len(people) > MAX_GROUP:
            b.truncated = True
            people = [
                p for p in people if p[1] in m.villages or (p[1][:9] and p[1][:9] in m.townships)
            ]
        for pid, _ in people:
            if pid != m.anchor:
                b.levels.setdefault(pid, level)
    return blocks


def candidates(store: GraphStore, mentions: list[MentionRecord]) -> tuple[dict[str, Block], int]:
    """Blocks for every mention, and the number of residents."""
    groups, total = scan_names(store)
    blocks = _name_blocks(groups, mentions)
    phones = sorted({p for m in mentions for p in m.phones if p})
    if phones:
        found: dict[str, list[str]] = defaultdict(list)
        for r in store.read(
            "MATCH (p:Person) WHERE p.phone IN $phones RETURN p.id_number AS i, p.phone AS ph",
            {"phones": phones},
        ):
            found[nz.phone(r["ph"])].append(r["i"])
        for m in mentions:
            for ph in m.phones:
                ids = found.get(ph, [])
                blocks[m.mention_id].phone_counts[ph] = len(ids)
                for pid in ids[:MAX_GROUP]:
                    if pid != m.anchor:
                        blocks[m.mention_id].levels.setdefault(pid, "other")
    raw = sorted({a for m in mentions for a in m.raw_addresses})
    if raw:
        at: dict[str, list[str]] = defaultdict(list)
        for r in store.read(
            "MATCH (p:Person) WHERE p.address IN $addrs RETURN p.id_number AS i, p.address AS a",
            {"addrs": raw},
        ):
            at[nz.address(r["a"])].append(r["i"])
        for m in mentions:
            for a in m.addresses:
                ids = at.get(a, [])
                blocks[m.mention_id].address_counts[a] = len(ids)
                for pid in ids[:MAX_GROUP]:
                    if pid != m.anchor:
                        blocks[m.mention_id].levels.setdefault(pid, "other")
    return blocks, total
