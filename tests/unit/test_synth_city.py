"""The city preset at a small size: several counties in one set of registers, their keys
apart, the platform's division totals at full size, every planted case (the cross-county
one included) found by the file-level audit and no decoy flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from graph.synth import build, generate
from graph.synth.audit import check
from graph.synth.city import CITY, generate_city, plan
from graph.synth.common import County
from graph.synth.plant import Planter
from graph.synth.writer import COLUMNS, FILES

PERSONS = 9_000


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("city")
    return out, generate_city(PERSONS, 3, out, counties=3)


def frame(folder: Path, register: str) -> pd.DataFrame:
    name, encoding, _ = FILES[register]
    if encoding == "xlsx":
        df = pd.read_excel(folder / name, dtype=str).fillna("")
    else:
        df = pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding=encoding)
    df.columns = [c for c, _ in COLUMNS[register]]
    return df


def test_plan_keeps_the_platform_totals_at_full_size() -> None:
    counties = plan(CITY["persons"], 1)
    assert sum(c.persons for c in counties) == 6_600_000
    assert sum(c.towns for c in counties) == 193
    assert sum(c.villages for c in counties) == 2_741
    assert len({c.code for c in counties}) == len(counties) == 7


def test_counties_share_the_files_and_keep_their_keys_apart(
    city: tuple[Path, dict[str, Any]],
) -> None:
    folder, truth = city
    persons = frame(folder, "persons")
    assert len(persons) == truth["counts"]["persons"] >= PERSONS
    codes = {c["code"] for c in truth["counties"]}
    assert {v[:6] for v in persons["village_code"] if v[:6].isdigit()} == codes
    assert not persons["id_number"].duplicated().any()
    divisions = frame(folder, "divisions")
    assert set(divisions.loc[divisions["level"] == "county", "code"]) == codes
    assert not divisions["code"].duplicated().any()
    for register, column in (
        ("enterprises", "uscc"),
        ("contracts", "contract_id"),
        ("payments", "voucher_no"),
        ("disbursements", "record_id"),
        ("allocations", "allocation_id"),
    ):
        keys = frame(folder, register)[column]
        assert not keys[keys != ""].duplicated().any(), register
    # phones are shared on purpose only within a county (planted cases)
    phones = persons[persons["phone"] != ""]
    spread = phones.assign(county=phones["village_code"].str[:6]).groupby("phone")["county"]
    assert int(spread.nunique().max()) == 1
    assert len(frame(folder, "programs")) == truth["counts"]["programs"]


def test_audit_finds_every_case_including_the_cross_county_one(
    city: tuple[Path, dict[str, Any]],
) -> None:
    folder, truth = city
    cross = [c for c in truth["cases"] if c["note"].startswith("cross-county")]
    assert len(cross) == len(truth["counties"]) - 1
    result = check(folder)
    assert result["missed"] == []
    assert result["flagged_decoys"] == []
    assert result["unplanned"] == {}


def test_the_county_preset_is_unchanged_by_a_city_run(
    city: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    # a city rebinds the county constants while it runs; afterwards a county is as before
    truth = generate(2_000, 1, tmp_path)
    assert truth["county"] == {"code": "430428", "name": "蒸阳县"}
    persons = frame(tmp_path, "persons")
    assert persons["village_code"].str.startswith("430428").all()
    assert persons["phone"].str[:3].isin(["", *[str(p) for p in range(130, 200)]]).all()


def test_decoys_and_diversions_stay_what_the_truth_says(
    city: tuple[Path, dict[str, Any]],
) -> None:
    # regression: the exclusive-programmes decoy student's household stayed blank, so an
    # education-aid case could pick the same child and add a 2024-2025 JY01 row; and a
    # diversion to the secretary's household member was approved by the secretary
    # himself where he also heads the committee (an unplanned cadre_pays_self)
    folder, truth = city
    students = frame(folder, "students")
    for d in truth["decoys"]:
        if d["kind"] == "exclusive_programs" and d["note"].startswith("JY01 in 2023-2024"):
            rows = students[students["id_number"] == d["subjects"][0]]
            assert sorted(rows["year"]) == ["2023-2024", "2024-2025"]
    persons = frame(folder, "persons").set_index("id_number")["household_id"]
    payments = frame(folder, "payments").set_index("voucher_no")
    for c in truth["cases"]:
        if c["kind"] == "program_diversion" and "secretary" in c["note"]:
            row = payments.loc[c["subjects"][0]]
            home = persons[c["subjects"][1]]
            signers = {row["approver_id_number"], row["handler_id_number"]}
            assert home not in {persons.get(s) for s in signers}


def test_a_later_planter_does_not_reclaim_planted_households() -> None:
    # regression: the cross-county case's Planter saw only the background registers, so it
    # could pick a household a planted case already paid subsistence: his post and his
    # member's company then made unplanned payroll and business cases
    ctx = County(n=2_000, seed=5, rng=np.random.Generator(np.random.PCG64(5)))
    build(ctx)
    paid = {str(r["recipient_id_number"]) for r in ctx.extra["disbursements"]}
    persons = ctx.frames["persons"]
    planted = set(persons.loc[persons["id_number"].isin(paid), "_hh"])
    assert planted
    later = Planter(ctx)
    assert not later.blank[sorted(planted)].any()
