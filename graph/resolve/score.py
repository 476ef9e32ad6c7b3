"""Scoring a mention against a candidate: a list of contributions that sum to the score.

>>> from graph.resolve.context import MentionRecord, PersonRecord
>>> m = MentionRecord("enterprises#2#legal_rep_name", "张建国", kind="legal_rep",
...                   villages={"430428101201"}, phones={"13907340000"})
>>> p = PersonRecord("430428198001011234", "张建国", "张建国", village="430428101201",
...                  phone="13907340000")
>>> stats = Stats(population=10_000, divisions={"430428101201": 2_000})
>>> block = Block(counts={"exact": 3, "pinyin": 0, "edit1": 5}, phone_counts={"13907340000": 1})
>>> cs = compare(m, p, "exact", block, stats)
>>> [(c.feature, c.level, round(c.bits, 1)) for c in cs]
[('prior', '', -13.3), ('name', 'exact', 11.6), ('village', 'agree', 2.1), ('phone', 'agree', 12.3)]
>>> round(total(cs), 1)
12.6
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from graph.resolve import model as fs
from graph.resolve.blocking import Block
from graph.resolve.context import MentionRecord, PersonRecord
from graph.resolve.normalise import address_similarity, address_tokens

ADDRESS_SIMILAR = 0.7  # token Jaccard above which two addresses are "similar"
# Share of a village's residents living at an address similar to a given one (same group
# or street, other number): a fixed estimate, addresses being too varied to count.
ADDRESS_SIMILAR_SHARE = 0.05
ADDRESS_SIMILAR_M = 0.10


@dataclass
class Stats:
    """Counts from the graph that the ``u`` probabilities are made of."""

    population: int
    divisions: dict[str, int] = field(default_factory=dict)  # village / township -> residents
    households: dict[str, int] = field(default_factory=dict)  # household -> members
    employers: dict[str, int] = field(default_factory=dict)  # employer key -> people tied


def total(contributions: list[fs.Contribution]) -> float:
    return sum(c.bits for c in contributions)


def compare(
    m: MentionRecord, p: PersonRecord, level: str, block: Block, stats: Stats
) -> list[fs.Contribution]:
    """The contributions of every feature both sides have."""
    n = max(stats.population, 1)
    out = [fs.Contribution("prior", "", -math.log2(n), f"1 of {n} residents")]
    out.append(_name(m, p, level, block, n))
    ctx = fs.CONTEXT_M[m.kind]
    parent = n  # residents sharing the innermost division that agreed
    if m.villages and p.village:
        u = sum(stats.divisions.get(v, 1) for v in m.villages) / n
        if p.village in m.villages:
            out.append(fs.agreement("village", ctx["village"], u, p.village))
            parent = stats.divisions.get(p.village, parent)
        else:
            out.append(fs.disagreement("village", ctx["village"], u, p.village))
    elif m.townships and p.township:
        u = sum(stats.divisions.get(t, 1) for t in m.townships) / n
        if p.township in m.townships:
            out.append(fs.agreement("township", ctx["township"], u, p.township))
            parent = stats.divisions.get(p.township, parent)
        else:
            out.append(fs.disagreement("township", ctx["township"], u, p.township))
    if m.households and p.households:
        mh = fs.HOUSEHOLD_M.get(m.relation, 0.3)
        shared = m.households & p.households
        size = sum(stats.households.get(h, 3) for h in m.households)
        if shared:
            out.append(fs.agreement("household", mh, size / parent, sorted(shared)[0]))
        else:
            out.append(fs.disagreement("household", mh, size / parent))
    if m.addresses and p.address:
        out.append(_address(m, p, block, ctx["address"], parent, n, stats))
    if m.phones and p.phone:
        if p.phone in m.phones:
            u = max(block.phone_counts.get(p.phone, 1), 1) / n
            out.append(fs.agreement("phone", ctx["phone"], u))
        else:
            out.append(fs.disagreement("phone", ctx["phone"], 1 / n))
    if m.employers and p.employers:
        shared = m.employers & p.employers
        if shared:
            k = min(max(stats.employers.get(e, 1), 1) for e in shared)
            out.append(fs.agreement("employer", ctx["employer"], k / n, sorted(shared)[0]))
        else:
            out.append(fs.disagreement("employer", ctx["employer"], 1 / n))
    fit = relation_fit(m, p)
    if fit is not None:
        bits = 0.0 if fit else math.log2(fs.RELATION_MISFIT_M)
        out.append(fs.Contribution("relation", "fits" if fit else "misfit", bits, m.relation))
    if m.birth_year and p.birth_date[:4].isdigit():
        if int(p.birth_date[:4]) == m.birth_year:
            out.append(fs.agreement("birth_year", fs.BIRTH_YEAR_M, 1 / 70))
        else:
            out.append(fs.disagreement("birth_year", fs.BIRTH_YEAR_M, 1 / 70))
    return out


def _name(m: MentionRecord, p: PersonRecord, level: str, block: Block, n: int) -> fs.Contribution:
    if level == "other":
        similar = sum(block.counts.values())
        return fs.Contribution("name", "other", fs.weight(fs.NAME_M["other"], 1 - similar / n))
    count = max(block.counts.get(level, 1), 1)
    detail = f"{p.name}: {count} resident{'s' if count > 1 else ''} at this level"
    return fs.Contribution("name", level, fs.weight(fs.NAME_M[level], count / n), detail)


def _address(
    m: MentionRecord, p: PersonRecord, block: Block, ma: float, parent: int, n: int, stats: Stats
) -> fs.Contribution:
    if p.address in m.addresses:
        k = max(block.address_counts.get(p.address, 1), 1)
        return fs.agreement("address", ma, k / parent)
    tokens = address_tokens(p.address)
    best = 0.0
    for a in m.addresses:
        other = address_tokens(a)
        # One address inside the other ("甲村1组" in "甲村1组12号") is as good as similar.
        inside = bool(other) and (set(other) <= set(tokens) or set(tokens) <= set(other))
        best = max(best, 1.0 if inside else address_similarity(other, tokens))
    if best >= ADDRESS_SIMILAR:
        share = ADDRESS_SIMILAR_SHARE * (1.0 if parent < n else 1 / max(len(stats.divisions), 1))
        c = fs.agreement("address", ADDRESS_SIMILAR_M, share, f"similarity {best:.2f}")
        return fs.Contribution("address", "similar", c.bits, c.detail)
    return fs.disagreement("address", ma + ADDRESS_SIMILAR_M, 0.0)


# relation -> (candidate's birth year minus the official's: lowest, highest; sexes differ)
_AGE_GAP: dict[str, tuple[int, int, bool]] = {
    "配偶": (-20, 20, True),
    "子女": (14, 55, False),
    "父母": (-55, -14, False),
    "兄弟姐妹": (-25, 25, False),
    "配偶父母": (-60, -10, False),
    "子女配偶": (8, 60, False),
}


def relation_fit(m: MentionRecord, p: PersonRecord) -> bool | None:
    """Whether the candidate's age (and sex, for a spouse) fits the declared relation.

    ``None`` when it cannot be told (no relation, or a birth date missing).
    """
    gap = _AGE_GAP.get(m.relation)
    if gap is None or not (m.anchor_birth[:4].isdigit() and p.birth_date[:4].isdigit()):
        return None
    lo, hi, other_sex = gap
    diff = int(p.birth_date[:4]) - int(m.anchor_birth[:4])
    if not lo <= diff <= hi:
        return False
    return not (other_sex and m.anchor_gender and p.gender and m.anchor_gender == p.gender)
