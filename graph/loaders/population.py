"""persons and deaths: the household register and the death/cremation register.

Graph (persons): ``(:Person {id_number, name, gender, birth_date, village_code,
address, phone, in_register: true})-[:MEMBER_OF {relation_to_head}]->(:Household
{household_id, village_code, address})-[:LIVES_IN]->(:Division)``.
Graph (deaths): ``Person.death_date``; a person the household register lacks is
created with ``in_register: false`` and the name, gender and birth date the ID gives.
"""

from __future__ import annotations

from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_village, division
from graph.loaders.validate import Record


def build_person(rec: Record, ctx: Context, b: Batch) -> None:
    rid = rec.resident_ids["id_number"]
    birth = rid.birth_date.isoformat()
    if rec["gender"] and rec["gender"] != rid.gender:
        rec.warn(
            "gender_mismatch", "gender", f"gender {rec['gender']}, the ID number says {rid.gender}"
        )
    if rec["birth_date"] and rec["birth_date"] != birth:
        rec.warn(
            "birth_date_mismatch",
            "birth_date",
            f"birth date {rec['birth_date']}, the ID number says {birth}",
        )
    counties = ctx.counties
    if counties and rid.division_code not in counties:
        rec.warn(
            "id_division_outside_county",
            "id_number",
            f"ID division {rid.division_code} is not {'/'.join(sorted(counties))}",
        )
    check_village(rec, ctx, "village_code")
    key, hh, village = rec["id_number"], rec["household_id"], rec["village_code"]
    props = {
        "name": rec["name"],
        "gender": rec["gender"] or rid.gender,
        "birth_date": rec["birth_date"] or birth,
        "village_code": village,
        "address": rec["address"],
        "phone": rec["phone"],
        "in_register": True,
        **rec.extra,
    }
    # The household first: its statement runs first, so the person's statement can
    # write MEMBER_OF itself (see graph.loaders.batch).
    b.upsert("Household", hh, {"village_code": village, "address": rec["address"]}, src=rec.src)
    b.upsert("Person", key, props, src=rec.src, warnings=rec.warning_texts())
    b.rel(
        "MEMBER_OF",
        ("Person", key),
        ("Household", hh),
        {"relation_to_head": rec["relation_to_head"]},
        src=rec.src,
    )
    b.rel("LIVES_IN", ("Household", hh), division(b, rec, village), src=rec.src)


def build_death(rec: Record, ctx: Context, b: Batch) -> None:
    rid = rec.resident_ids["id_number"]
    if rec["death_date"] < rid.birth_date.isoformat():
        rec.warn(
            "death_before_birth",
            "death_date",
            f"death {rec['death_date']} before birth {rid.birth_date.isoformat()}",
        )
    create = {
        "name": rec["name"],
        "gender": rid.gender,
        "birth_date": rid.birth_date.isoformat(),
        "in_register": False,
    }
    b.upsert(
        "Person",
        rec["id_number"],
        {"death_date": rec["death_date"], **rec.extra},
        create=create,
        src=rec.src,
        warnings=rec.warning_texts(),
    )


BUILDERS: dict[str, Builder] = {"persons": build_person, "deaths": build_death}
