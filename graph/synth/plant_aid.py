"""Planted education-aid cases (patterns 26-30) and their decoys.

Each case is a student of a blank household aided in school year 2024-2025 (or
2023-2024); the decoy beside it is the honest record the pattern must leave alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.synth import people
from graph.synth.common import COUNTY_NAME, at_str, day, per_kind
from graph.synth.funds import _GRADES, aid_amount
from graph.synth.plant import Planter
from graph.synth.plant_assets import _vehicle

YEAR = "2024-2025"
FIRST_DAY = day(dt.date(2024, 9, 1))


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (_category, _duplicate, _ineligible, _yulu, _assets):
        fn(pl, k, decoys)


def _child(pl: Planter, lo: int = 6, hi: int = 16) -> tuple[int, int]:
    """A blank household with a child of school age: (household, child); in a small
    county, where such households run short, any child from 3 to 19."""
    try:
        h = pl.household(min_size=2, adult=(lo, hi))
    except RuntimeError:
        lo, hi = 3, 19
        h = pl.household(min_size=2, adult=(lo, hi))
    return h, pl.adults(h, lo, hi)[0]


def _aid(
    pl: Planter,
    i: int,
    category: str,
    policies: str,
    *,
    year: str = YEAR,
    school: str | None = None,
    school_type: str | None = None,
    grade: str | None = None,
    id_number: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    age = int(pl.age[i]) - (1 if year == "2023-2024" else 0)
    town = at_str(pl.villages, pl.village_of(i), "town_name")
    kind = school_type or (
        "学前" if age <= 5 else "小学" if age <= 11 else "初中" if age <= 14 else "高中"
    )
    default_school = {
        "学前": f"{town}中心幼儿园",
        "小学": f"{town}中心小学",
        "初中": f"{town}中学",
        "高中": f"{COUNTY_NAME}第一中学",
        "中职": f"{COUNTY_NAME}职业中专",
    }[kind]
    row = {
        "id_number": id_number or pl.new_id(i),
        "name": name or str(pl.names[i]),
        "school": school or default_school,
        "grade": grade or _GRADES.get(min(max(age, 3), 17), "初二"),
        "category": category,
        "household_id": str(pl.hh.at[int(pl.h_of[i]), "household_id"]),
        "policies": policies,
        "year": year,
        "school_type": kind,
        "status": "在读",
        "amount": aid_amount(policies),
        "_p": i,
    }
    pl.ctx.add("students", row)
    return row


def _poverty(pl: Planter, i: int, year: str) -> None:
    pl.ctx.add(
        "poverty_households",
        {
            "household_id": str(pl.hh.at[int(pl.h_of[i]), "household_id"]),
            "village_code": pl.vcode(pl.village_of(i)),
            "year": year,
            "status": "监测户",
        },
    )


def _category(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        h, c = _child(pl)
        hid = str(pl.hh.at[h, "household_id"])
        if j % 2 == 0:
            _aid(pl, c, "农村低保家庭学生", "JY01")
            note = "农村低保家庭学生 whose household had no subsistence in 2024"
        else:
            _poverty(pl, c, "2022")
            _aid(pl, c, "建档立卡经济困难学生", "JY01")
            note = "建档立卡 student whose household is registered poor only in 2022"
        ctx.truth.case("aid_category_mismatch", [pl.new_id(c), hid], note)
    for _ in range(decoys):
        h, c = _child(pl)
        _poverty(pl, c, "2024")
        _aid(pl, c, "建档立卡经济困难学生", "JY01")
        ctx.truth.decoy(
            "aid_category_mismatch",
            [pl.new_id(c), str(pl.hh.at[h, "household_id"])],
            "建档立卡 student whose household is in the 2024 register",
        )


def _duplicate(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        _, c = _child(pl)
        first = _aid(pl, c, "其他", "JY01")
        town = at_str(pl.villages, pl.village_of(c), "town_name")
        if j < k:
            _aid(pl, c, "其他", "JY01", school=f"{town}第二{first['school_type']}学校")
            ctx.truth.case("duplicate_student_aid", [pl.new_id(c), "JY01"], "two schools, one year")
        else:
            _aid(pl, c, "其他", "JY01", year="2023-2024")
            ctx.truth.decoy(
                "duplicate_student_aid", [pl.new_id(c), "JY01"], "one policy, two years"
            )


def _ineligible(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        variant = j % 3
        if variant == 0:
            _, c = _child(pl)
            ghost = people.new_id_number(ctx, day(dt.date(2012, 5, 4)) + j, True)
            _aid(pl, c, "其他", "JY01", id_number=ghost, name=str(pl.names[c])[0] + "小龙")
            ctx.truth.case("ineligible_student", [ghost], "student not in the household register")
            continue
        if variant == 1:
            _, c = _child(pl)
            pl.p.at[c, "_death"] = FIRST_DAY - 60 - j
            note = "student died before the school year began"
        else:
            h = pl.household(min_size=1, adult=(21, 26))
            c = pl.adults(h, 21, 26)[0]
            note = "a man in his twenties aided as a junior middle school pupil"
        _aid(pl, c, "其他", "JY01", school_type="初中", grade="初二" if variant == 2 else None)
        ctx.truth.case("ineligible_student", [pl.new_id(c)], note)
    for _ in range(decoys):
        _, c = _child(pl)
        pl.p.at[c, "_death"] = FIRST_DAY + 100
        _aid(pl, c, "其他", "JY01")
        ctx.truth.decoy("ineligible_student", [pl.new_id(c)], "died during the school year")


def _yulu(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        _, c = _child(pl, 15, 19)
        _poverty(pl, c, "2024")
        if j < k:
            _aid(pl, c, "建档立卡经济困难学生", "JY02;JY05", school_type="高中", grade="高二")
            ctx.truth.case(
                "yulu_not_vocational", [pl.new_id(c), "JY05"], "雨露计划 at a high school"
            )
        else:
            _aid(pl, c, "建档立卡经济困难学生", "JY03;JY05", school_type="中职", grade="中职二年级")
            ctx.truth.decoy(
                "yulu_not_vocational", [pl.new_id(c), "JY05"], "雨露计划 at a vocational school"
            )


def _assets(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        h, c = _child(pl)
        _poverty(pl, c, "2024")
        _aid(pl, c, "建档立卡经济困难学生", "JY01")
        owner = next((i for i in pl.adults(h, 25, 70)), None)
        if owner is None:
            owner = pl.adults(h, 18, 120)[0] if pl.adults(h, 18, 120) else c
        if j < k:
            plate = _vehicle(pl, owner, "小型轿车", day(dt.date(2022, 3, 1)) + j)
            ctx.truth.case(
                "aid_household_assets",
                [pl.new_id(c), pl.new_id(owner), plate],
                "a household member owns a saloon car during the school year",
            )
        else:
            plate = _vehicle(
                pl, owner, "小型轿车", day(dt.date(2019, 3, 1)), "转移", FIRST_DAY - 90 - j
            )
            ctx.truth.decoy(
                "aid_household_assets",
                [pl.new_id(c), pl.new_id(owner), plate],
                "the car was sold before the school year began",
            )
