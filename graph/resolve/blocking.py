"""Candidate generation: which residents a mention is compared with, and name statistics.

Comparing every mention with every resident is out of the question at a million
residents, so each mention is compared only with the residents who share a blocking key:

- the normalised name (simplified, half-width, no spaces);
- the toneless pinyin of the name (homophones typed through a pinyin input method);
- the name less one character (so a name one edit away always shares a key);
- the phone number, the exact address, the household and the enterprise seen with the
  mention (these find the right person even when their name group was cut, below).

One pass over the residents' names serves every mention and also counts how many
residents carry each name at each level of likeness: the ``u`` of a name is that count
over the population. Only candidates that could matter are kept:

- an equal name: every namesake when there are few (:data:`SMALL_GROUP`), or when the
  mention points at no place and there are at most :data:`MAX_GROUP`; otherwise those
  in a village or township the mention points at (a namesake elsewhere starts a
  disagreement behind, and many of them cannot all be told apart anyway);
- a homophone: those in a village or township the mention points at; a name one edit
  away: none by name (a common surname with any one character is thousands of people).
  Either is also kept when a personal key finds it. The decision rule links a name that
  is not equal only with personal evidence, and one without it trails an equal namesake
  by far, so the rest could neither win nor stand in the way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from graph.resolve import normalise as nz
from graph.resolve.columns import columns
from graph.resolve.context import MentionRecord
from graph.store.base import GraphStore

MAX_GROUP = 200
SMALL_GROUP = 20  # namesakes kept wherever they live
NAME_LEVELS = ("exact", "pinyin", "edit1")


@dataclass
class Block:
    """One mention's candidates: ID number -> name level, and the residents per level."""

    levels: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAME_LEVELS, 0))
    phone_counts: dict[str, int] = field(default_factory=dict)
    address_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Residents:
    """The residents' ID numbers, names and villages, as read in one pass."""

    ids: list[str]
    names: list[str]
    villages: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def read_residents(store: GraphStore) -> Residents:
    ids, names, villages = columns(store, "Person", ("id_number", "name", "village_code"))
    return Residents(ids, names, villages)


def name_level(mention_norm: str, norm: str) -> str:
    """How alike two normalised names are: exact, pinyin, edit1 or other.

    >>> name_level("王明", "王明"), name_level("王明", "王鸣"), name_level("王明", "王朋")
    ('exact', 'pinyin', 'edit1')
    """
    if norm == mention_norm:
        return "exact"
    if len(norm) == len(mention_norm) and nz.name_pinyin(norm) == nz.name_pinyin(mention_norm):
        return "pinyin"
    return "edit1" if nz.edit_distance(norm, mention_norm) == 1 else "other"


def _keys(names: pd.Series, ids: pd.Series | None = None) -> pd.DataFrame:
    """Edit-one keys of names, positional so that a shared key means exactly one edit:
    ``s|n|i|rest`` (the i-th of n characters replaced), ``w|x`` (x with one character
    dropped, to meet a name one shorter) and ``d|x`` (to meet a name one longer)."""
    lens = names.str.len()
    parts = []
    for i in range(int(lens.max()) if len(names) else 0):
        ok = (lens > i) & (lens >= 2)
        rest = names[ok].str.slice(0, i) + names[ok].str.slice(i + 1)
        owner = (ids if ids is not None else names)[ok]
        parts.append(pd.DataFrame({"o": owner, "k": "s|" + lens[ok].astype(str) + f"|{i}|" + rest}))
        tag = "d|" if ids is not None else "w|"  # a mention's deletions meet a resident whole
        parts.append(pd.DataFrame({"o": owner, "k": tag + rest}))
    whole = ("w|" if ids is not None else "d|") + names
    parts.append(pd.DataFrame({"o": ids if ids is not None else names, "k": whole}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"o": [], "k": []})


def _name_pairs(norms: pd.DataFrame, mentions: list[MentionRecord]) -> pd.DataFrame:
    """(norm, mention, level, residents) for every resident name alike to a mention's.

    ``norms`` has one row per distinct normalised resident name (``norm``, ``n``).
    Joins run in pandas: a million residents' names are matched in seconds.
    """
    ms = pd.DataFrame(
        {"mid": [m.mention_id for m in mentions], "mnorm": [m.norm for m in mentions]}
    )
    ms = ms[ms["mnorm"] != ""]
    if ms.empty or norms.empty:
        return pd.DataFrame(columns=["norm", "mid", "level", "n"])
    exact = norms.merge(ms, left_on="norm", right_on="mnorm").assign(level="exact")
    py = norms.assign(py=nz.names_pinyin(list(norms["norm"])))
    mpy = ms.assign(py=nz.names_pinyin(list(ms["mnorm"])))
    pinyin = py.merge(mpy, on="py").assign(level="pinyin")
    rk = _keys(norms["norm"])
    mk = _keys(ms["mnorm"], ms["mid"])
    edit = rk.merge(mk, on="k").rename(columns={"o_x": "norm", "o_y": "mid"})
    edit = edit[["norm", "mid"]].drop_duplicates().merge(norms, on="norm").assign(level="edit1")
    pairs = pd.concat(
        [exact[["norm", "mid", "level", "n"]], pinyin[["norm", "mid", "level", "n"]], edit],
        ignore_index=True,
    )
    # exact before pinyin before one edit
    return pairs.drop_duplicates(["norm", "mid"], keep="first")


def _near(m: MentionRecord, village: str) -> bool:
    return village in m.villages or (len(village) >= 9 and village[:9] in m.townships)


def name_blocks(residents: Residents, mentions: list[MentionRecord]) -> dict[str, Block]:
    """Blocks from names alone: candidates and the per-level name counts."""
    names = pd.Series(residents.names, dtype=object)
    raw_counts = names[names != ""].value_counts()
    raws = list(raw_counts.index)
    by_raw = pd.DataFrame({"raw": raws, "norm": nz.person_names(raws), "n": raw_counts.values})
    norms = by_raw.groupby("norm", as_index=False).agg(n=("n", "sum"))
    pairs = _name_pairs(norms, mentions)
    blocks = {m.mention_id: Block() for m in mentions}
    by_id = {m.mention_id: m for m in mentions}
    sums = pairs.groupby(["mid", "level"], as_index=False).agg(n=("n", "sum"))
    for mid, level, n in zip(sums["mid"], sums["level"], sums["n"], strict=True):
        blocks[str(mid)].counts[str(level)] += int(n)
    # Residents themselves only for equal names and homophones: a name one edit away is
    # counted for its u and found, if at all, by a personal key (below).
    kept = pairs[pairs["level"] != "edit1"].merge(by_raw[["raw", "norm"]], on="norm")
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)  # raw -> [(mention, level)]
    for raw, mid, level in zip(kept["raw"], kept["mid"], kept["level"], strict=True):
        wanted[raw].append((mid, level))
    rows = np.flatnonzero(names.isin(list(wanted)).to_numpy())
    for r in rows:
        pid, raw, village = residents.ids[r], residents.names[r], residents.villages[r]
        for mid, level in wanted[raw]:
            m, b = by_id[mid], blocks[mid]
            if pid == m.anchor:
                continue
            everywhere = level == "exact" and (
                b.counts["exact"] <= SMALL_GROUP
                or (b.counts["exact"] <= MAX_GROUP and not (m.villages or m.townships))
            )
            if everywhere or _near(m, village):
                b.levels.setdefault(pid, level)
    return blocks


def _add(block: Block, m: MentionRecord, hits: list[tuple[str, str]]) -> None:
    """Residents found by a personal key, at the level their names deserve."""
    for pid, name in hits[:MAX_GROUP]:
        if pid != m.anchor and pid not in block.levels:
            block.levels[pid] = name_level(m.norm, nz.person_name(name))


def candidates(
    store: GraphStore, mentions: list[MentionRecord], residents: Residents
) -> dict[str, Block]:
    """Blocks for every mention: by name, then by phone, address, household, enterprise."""
    blocks = name_blocks(residents, mentions)
    phones = sorted({p for m in mentions for p in m.phones if p})
    if phones:
        by_phone = _lookup(
            store,
            "MATCH (p:Person) WHERE p.phone IN $keys "
            "RETURN p.phone AS k, p.id_number AS i, p.name AS n",
            phones,
            nz.phone,
        )
        for m in mentions:
            for ph in m.phones:
                blocks[m.mention_id].phone_counts[ph] = len(by_phone.get(ph, []))
                _add(blocks[m.mention_id], m, by_phone.get(ph, []))
    raw = sorted({a for m in mentions for a in m.raw_addresses})
    if raw:
        by_address = _lookup(
            store,
            "MATCH (p:Person) WHERE p.address IN $keys "
            "RETURN p.address AS k, p.id_number AS i, p.name AS n",
            raw,
            nz.address,
        )
        for m in mentions:
            for a in m.addresses:
                blocks[m.mention_id].address_counts[a] = len(by_address.get(a, []))
                _add(blocks[m.mention_id], m, by_address.get(a, []))
    households = sorted({h for m in mentions for h in m.households})
    if households:
        members = _lookup(
            store,
            "UNWIND $keys AS h MATCH (p:Person)-[:MEMBER_OF]->(:Household {household_id: h}) "
            "RETURN h AS k, p.id_number AS i, p.name AS n",
            households,
        )
        for m in mentions:
            for h in m.households:
                _add(blocks[m.mention_id], m, members.get(h, []))
    usccs = sorted({e[5:] for m in mentions for e in m.employers if e.startswith("uscc:")})
    if usccs:
        tied = _lookup(
            store,
            "UNWIND $keys AS u MATCH (p:Person)-[r]->(:Enterprise {uscc: u}) "
            "WHERE r.via_mention IS NULL RETURN u AS k, p.id_number AS i, p.name AS n",
            usccs,
        )
        for m in mentions:
            for e in m.employers:
                if e.startswith("uscc:"):
                    _add(blocks[m.mention_id], m, tied.get(e[5:], []))
    return blocks


def _lookup(
    store: GraphStore, cypher: str, keys: list[str], norm: Callable[[str], str] | None = None
) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.read(cypher, {"keys": keys}):
        k = norm(r["k"]) if norm else r["k"]
        if (r["i"], r["n"] or "") not in out[k]:
            out[k].append((r["i"], r["n"] or ""))
    return out


__all__ = ["Block", "Residents", "candidates", "name_blocks", "name_level"]
