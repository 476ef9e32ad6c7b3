"""What the graph tells about each mention and each candidate person.

A mention carries little of its own (a name and the ``context`` JSON the loader kept);
its neighbours tell more: the enterprise a legal representative or shareholder is named
in (its name, address and phone), the official who declared a relative (their village,
household, age and sex). Candidates are read with their village, household, phone,
address, birth date and the employers their ID-bearing rows tie them to.

Division names found in addresses and enterprise names become division hints
(``湖南省蒸阳县石塘镇枫桥村3组12号`` → that village and its township).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.resolve import normalise as nz
from graph.store.base import GraphStore


@dataclass
class MentionRecord:
    """A name-only mention and everything known around it."""

    mention_id: str
    name: str
    kind: str = "other"  # legal_rep / role / relative / other
    norm: str = ""
    villages: set[str] = field(default_factory=set)
    townships: set[str] = field(default_factory=set)
    households: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    raw_addresses: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)  # "uscc:<code>" or a normalised name
    relation: str = ""
    anchor: str = ""  # the declaring official, never a candidate
    anchor_birth: str = ""
    anchor_gender: str = ""
    birth_year: int | None = None
    rejected: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.norm = nz.person_name(self.name)


@dataclass
class PersonRecord:
    """A candidate resident, as far as resolution compares them."""

    id_number: str
    name: str
    norm: str
    village: str = ""
    address: str = ""
    phone: str = ""
    birth_date: str = ""
    gender: str = ""
    households: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)

    @property
    def township(self) -> str:
        return self.village[:9] if len(self.village) >= 9 else ""


@dataclass
class Divisions:
    """Division names for turning text into division hints, and population counts."""

    villages: dict[str, list[str]] = field(default_factory=dict)  # name -> codes
    townships: dict[str, list[str]] = field(default_factory=dict)
    places: tuple[str, ...] = ()  # county names stripped from enterprise names
    population: dict[str, int] = field(default_factory=dict)  # village or township code -> n

    def hints(self, text: str) -> tuple[set[str], set[str]]:
        """Village and township codes whose names occur in ``text``.

        >>> d = Divisions({"枫桥村": ["430428101201"]}, {"石塘镇": ["430428101"]})
        >>> d.hints("湖南省蒸阳县石塘镇枫桥村3组12号")
        ({'430428101201'}, {'430428101'})
        """
        if not text:
            return set(), set()
        towns = {c for name, codes in self.townships.items() if name in text for c in codes}
        villages: set[str] = set()
        for name, codes in self.villages.items():
            if name in text:
                inside = [c for c in codes if not towns or c[:9] in towns]
                villages.update(inside or codes)
        towns |= {v[:9] for v in villages}
        return villages, towns


def read_divisions(store: GraphStore) -> Divisions:
    d = Divisions()
    places: list[str] = []
    for r in store.read(
        "MATCH (d:Division) WHERE d.name IS NOT NULL RETURN d.code AS code, d.name AS name, "
        "d.level AS level"
    ):
        name = nz.address(r["name"])
        if r["level"] == "village":
            d.villages.setdefault(name, []).append(r["code"])
        elif r["level"] == "township":
            # Not a place to strip from enterprise names: two shops of one brand in two
            # townships are two enterprises.
            d.townships.setdefault(name, []).append(r["code"])
        elif r["level"] == "county":
            places.append(name)
    d.places = tuple(sorted(places, key=len, reverse=True))
    for r in store.read(
        "MATCH (p:Person) WHERE p.village_code IS NOT NULL "
        "RETURN p.village_code AS v, count(p) AS n"
    ):
        v, n = r["v"], int(r["n"])
        d.population[v] = d.population.get(v, 0) + n
        if len(v) >= 9:
            d.population[v[:9]] = d.population.get(v[:9], 0) + n
    return d


def _context(raw: Any) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _add_text(m: MentionRecord, divs: Divisions, address: str | None) -> None:
    a = nz.address(address)
    if a and address:
        m.addresses.add(a)
        m.raw_addresses.add(address)
        v, t = divs.hints(a)
        m.villages |= v
        m.townships |= t


def _add_employer(m: MentionRecord, divs: Divisions, name: str | None) -> None:
    e = nz.employer(name, divs.places)
    if e:
        m.employers.add(e)
    v, t = divs.hints(nz.address(name))
    m.villages |= v
    m.townships |= t


def read_mentions(store: GraphStore, divs: Divisions) -> dict[str, MentionRecord]:
    """Every Mention with its own context and what its neighbours add."""
    out: dict[str, MentionRecord] = {}
    for r in store.read(
        "MATCH (m:Mention) RETURN m.mention_id AS id, m.name AS name, m.context AS ctx, "
        "m.rejected_ids AS rejected"
    ):
        m = MentionRecord(r["id"], r["name"] or "", rejected=set(r["rejected"] or []))
        ctx = _context(r["ctx"])
        _add_text(m, divs, ctx.get("address"))
        if ctx.get("phone"):
            m.phones.add(nz.phone(str(ctx["phone"])))
        _add_employer(m, divs, ctx.get("employer"))
        if ctx.get("enterprise"):
            m.employers.add(f"uscc:{ctx['enterprise']}")
        for key in ("village", "village_code"):
            if ctx.get(key):
                m.villages.add(str(ctx[key]))
                m.townships.add(str(ctx[key])[:9])
        year = str(ctx.get("birth_year") or ctx.get("birth_date") or "")[:4]
        m.birth_year = int(year) if year.isdigit() else None
        m.relation = str(ctx.get("relation") or "")
        out[m.mention_id] = m
    _enterprise_neighbours(store, divs, out)
    _declaring_officials(store, out)
    return out


def _enterprise_neighbours(
    store: GraphStore, divs: Divisions, mentions: dict[str, MentionRecord]
) -> None:
    rows = store.read(
        "MATCH (m:Mention)-[r]->(e:Enterprise) WHERE type(r) IN ['LEGAL_REP_OF', 'ROLE_IN'] "
        "RETURN m.mention_id AS id, type(r) AS t, e.uscc AS uscc, e.name AS name, "
        "e.address AS address, e.phone AS phone"
    )
    for r in rows:
        m = mentions.get(r["id"])
        if m is None:
            continue
        m.employers.add(f"uscc:{r['uscc']}")
        _add_employer(m, divs, r["name"])
        if r["t"] == "LEGAL_REP_OF":
            m.kind = "legal_rep"
            _add_text(m, divs, r["address"])
            if r["phone"]:
                m.phones.add(nz.phone(r["phone"]))
        elif m.kind == "other":
            # A shareholder's enterprise says where to look rather than where they live,
            # and its phone is sometimes theirs: weak hints, weighed as such (model.py).
            m.kind = "role"
            _add_text(m, divs, r["address"])
            m.addresses.clear()
            m.raw_addresses.clear()
            if r["phone"]:
                m.phones.add(nz.phone(r["phone"]))


def _declaring_officials(store: GraphStore, mentions: dict[str, MentionRecord]) -> None:
    rows = store.read(
        "MATCH (o:Person)-[r:RELATIVE_OF]->(m:Mention) "
        "OPTIONAL MATCH (o)-[:MEMBER_OF]->(h:Household) "
        "RETURN m.mention_id AS id, o.id_number AS official, o.village_code AS village, "
        "o.address AS address, o.birth_date AS birth, o.gender AS gender, "
        "r.relation AS relation, r.employer AS employer, collect(h.household_id) AS households"
    )
    for r in rows:
        m = mentions.get(r["id"])
        if m is None:
            continue
        m.kind = "relative"
        m.anchor = r["official"] or ""
        m.anchor_birth = r["birth"] or ""
        m.anchor_gender = r["gender"] or ""
        m.relation = r["relation"] or m.relation
        m.households |= {h for h in r["households"] or [] if h}
        if r["village"]:
            m.villages.add(r["village"])
            m.townships.add(r["village"][:9])
        employer = nz.employer(r["employer"])
        if employer:
            m.employers.add(employer)


_PERSON_FIELDS = (
    "p.id_number AS id, p.name AS name, p.village_code AS village, p.address AS address, "
    "p.phone AS phone, p.birth_date AS birth, p.gender AS gender"
)


def read_people(store: GraphStore, ids: Iterable[str], divs: Divisions) -> list[PersonRecord]:
    """Candidate persons by ID number, with households and employers."""
    wanted = sorted(set(ids))
    people: dict[str, PersonRecord] = {}
    for chunk in _chunks(wanted, 5000):
        for r in store.read(
            f"UNWIND $ids AS id MATCH (p:Person {{id_number: id}}) "
            "OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household) "
            f"RETURN {_PERSON_FIELDS}, collect(h.household_id) AS hs",
            {"ids": chunk},
        ):
            people[r["id"]] = PersonRecord(
                r["id"],
                r["name"] or "",
                nz.person_name(r["name"]),
                r["village"] or "",
                nz.address(r["address"]),
                nz.phone(r["phone"]),
                r["birth"] or "",
                r["gender"] or "",
                {h for h in r["hs"] if h},
            )
        # Employers: enterprises the person's own (ID-bearing) rows tie them to, and the
        # organisations of their posts.
        for r in store.read(
            "UNWIND $ids AS id MATCH (p:Person {id_number: id})-[r]->(x) "
            "WHERE r.via_mention IS NULL AND (x:Enterprise OR x:Post) "
            "RETURN p.id_number AS id, x.uscc AS uscc, x.name AS name, x.organisation AS org",
            {"ids": chunk},
        ):
            emp = people[r["id"]].employers
            if r["uscc"]:
                emp.add(f"uscc:{r['uscc']}")
            emp.add(nz.enterprise_name(r["name"] or r["org"], divs.places))
            emp.discard("")
    return list(people.values())


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
