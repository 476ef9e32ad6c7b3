"""Contradictions between registers about who someone is: reported, never silently fixed.

- ``id_two_names``: one ID number under two names (after normalisation), e.g. the
  enterprise register's legal representative name against the household register's.
- ``id_15_18``: one person under two ID numbers, which happens when a legacy 15-digit
  number carried a division code retired since, so that its upgrade to 18 digits is not
  the number the person holds now. Told by name, birth date and sequence number
  (digits 15-17) agreeing while the division code differs; ``two_id_numbers`` when
  neither number is known to come from a 15-digit one.
- ``two_households``: one person recorded as a member of two households.
- ``enterprise_same_name``: two USCCs whose names normalise alike (a re-registration or
  a typing slip in a code; a USCC is never merged away).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.resolve import normalise as nz
from graph.resolve.blocking import Residents, read_residents
from graph.resolve.columns import joined
from graph.store.base import GraphStore

KINDS = ("id_two_names", "id_15_18", "two_id_numbers", "two_households", "enterprise_same_name")


@dataclass(frozen=True)
class Conflict:
    kind: str
    subjects: tuple[str, ...]
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subjects": list(self.subjects),
            "detail": self.detail,
            "evidence": self.evidence,
        }


def find(
    store: GraphStore, places: tuple[str, ...] = (), residents: Residents | None = None
) -> list[Conflict]:
    """Every conflict of every kind, sorted by kind and subjects.

    ``residents`` (as :func:`graph.resolve.blocking.read_residents` returns them) saves
    reading every person again.
    """
    found = [
        *_two_names(store),
        *_two_numbers(store, residents or read_residents(store)),
        *_two_households(store),
        *_enterprise_names(store, places),
    ]
    return sorted(set(found), key=lambda c: (KINDS.index(c.kind), c.subjects))


def _two_names(store: GraphStore) -> list[Conflict]:
    out = []
    for r in store.read(
        "MATCH (e:Enterprise)<-[r:LEGAL_REP_OF]-(p:Person) WHERE r.via_mention IS NULL "
        "RETURN p.id_number AS id, p.name AS name, e.legal_rep_name AS other, e.uscc AS uscc, "
        "p.src AS src"
    ):
        if not r["name"] or not r["other"]:
            continue
        if nz.person_name(r["name"]) != nz.person_name(r["other"]):
            out.append(
                Conflict(
                    "id_two_names",
                    (r["id"],),
                    f"{r['name']} in the household register, {r['other']} as legal "
                    f"representative of {r['uscc']}",
                    {"names": [r["name"], r["other"]], "uscc": r["uscc"], "src": r["src"]},
                )
            )
    return out


def _two_numbers(store: GraphStore, residents: Residents) -> list[Conflict]:
    # Grouped here rather than in the engine (a million-row aggregation took seconds
    # there): by the birth date and sequence number the numbers encode, vectorised, then
    # by name where those collide.
    df = pd.DataFrame({"id": residents.ids, "name": residents.names})
    df = df[(df["id"].str.len() == 18) & (df["name"] != "")]
    df = df.assign(key=df["id"].str.slice(6, 17))
    df = df[df.duplicated("key", keep=False)]
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i, norm, key in zip(df["id"], nz.person_names(list(df["name"])), df["key"], strict=True):
        groups[(norm, key)].append(i)
    pairs: list[tuple[str, str, str, str]] = []
    for (norm, key), ids in groups.items():
        if len(ids) > 1:
            ids.sort()
            birth = f"{key[:4]}-{key[4:6]}-{key[6:8]}"
            pairs += [(a, b, norm, birth) for a in ids for b in ids if a < b]
    if not pairs:
        return []
    upgraded = _upgraded({i for a, b, _, _ in pairs for i in (a, b)}, store)
    out = []
    for a, b, name, birth in pairs:
        kind = "id_15_18" if a in upgraded or b in upgraded else "two_id_numbers"
        out.append(
            Conflict(
                kind,
                (a, b),
                f"{name}, born {birth}, under two numbers",
                {"from_15": sorted({a, b} & upgraded)},
            )
        )
    return out


def _upgraded(ids: set[str], store: GraphStore) -> set[str]:
    """Numbers some register gave in the legacy 15-digit form.

    The loaders warn on the row's own node or relationship (a vehicle, an ownership), so
    the warnings next to the person are searched.
    """
    out = set()
    for r in store.read(
        "UNWIND $ids AS id MATCH (p:Person {id_number: id}) OPTIONAL MATCH (p)-[r]-(x) "
        "WITH p, collect(r.warnings) AS rw, collect(x.warnings) AS xw "
        "RETURN p.id_number AS id, p.warnings AS own, rw + xw AS ws",
        {"ids": sorted(ids)},
    ):
        texts = [*(r["own"] or []), *(w for ws in r["ws"] or [] if ws for w in ws)]
        if any("id_upgraded_from_15" in t for t in texts):
            out.add(r["id"])
    return out


def _two_households(store: GraphStore) -> list[Conflict]:
    # Everyone the household register describes has one MEMBER_OF per household row; when
    # there are as many memberships as such people, nobody is in two (a cheap count first).
    memberships = store.read("MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS n")[0]["n"]
    described = store.read("MATCH (p:Person) WHERE p.in_register = true RETURN count(p) AS n")[0][
        "n"
    ]
    if memberships == described:
        return []
    (members,) = joined(store, "MATCH (p:Person)-[:MEMBER_OF]->(:Household)", ("p.id_number",))
    twice = sorted(i for i, n in Counter(members).items() if n > 1)
    if not twice:
        return []
    return [
        Conflict(
            "two_households",
            (r["id"],),
            f"{r['name']} is a member of households {'、'.join(sorted(r['hs']))}",
            {"households": sorted(r["hs"])},
        )
        for r in store.read(
            "UNWIND $ids AS id MATCH (p:Person {id_number: id})-[:MEMBER_OF]->(h:Household) "
            "WITH p, collect(DISTINCT h.household_id) AS hs WHERE size(hs) > 1 "
            "RETURN p.id_number AS id, p.name AS name, hs",
            {"ids": twice},
        )
    ]


def _enterprise_names(store: GraphStore, places: tuple[str, ...]) -> list[Conflict]:
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.read(
        "MATCH (e:Enterprise) WHERE e.name IS NOT NULL RETURN e.uscc AS uscc, e.name AS name"
    ):
        key = nz.enterprise_name(r["name"], places)
        if key:
            by_name[key].append((r["uscc"], r["name"]))
    return [
        Conflict(
            "enterprise_same_name",
            tuple(sorted(u for u, _ in items)),
            "、".join(sorted({n for _, n in items})),
            {"normalised": key},
        )
        for key, items in by_name.items()
        if len({u for u, _ in items}) > 1
    ]
