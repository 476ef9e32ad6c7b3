"""Loading registers into a real store, on each engine: shape, provenance, idempotence."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from graph import schema as sch
from graph.loaders import LoadReport, load_folder
from graph.store import GraphStore
from tests.integration.graphdump import dump
from tests.shapes import MakeCounty

DATA = Path(__file__).parents[1] / "data" / "registers"
MINI = DATA / "mini"
EXPECTED = json.loads((DATA / "mini_expected.json").read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def issues(folder: Path, name: str, code: str) -> set[tuple[str, int, str, str]]:
    rows = read_csv(folder / "_load" / name)
    return {(r["register"], int(r["row"]), r["column"], r[code]) for r in rows}


def check_counts(report: LoadReport) -> None:
    for rep in report.registers:
        assert rep.rows_read == rep.loaded + rep.rejected, rep.register


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


def test_mini_county(store: GraphStore, mini: Path) -> None:
    report = load_folder(store, mini, batch_size=4, progress=False)
    check_counts(report)
    assert issues(mini, "rejects.csv", "reason") == {tuple(r) for r in EXPECTED["rejects"]}
    warnings = {tuple(w) for w in EXPECTED["warnings"] + EXPECTED["reference_warnings"]}
    assert issues(mini, "warnings.csv", "code") == warnings
    assert report.labels_after == EXPECTED["labels"]
    assert report.relationships_after == EXPECTED["relationships"]
    nodes, rels = dump(store)
    a, g = "430422198001011235", "430422199009091713"
    assert nodes[("Person", a)]["in_register"] is True
    assert nodes[("Person", g)]["in_register"] is False
    assert nodes[("Person", g)]["birth_date"] == "1990-09-09"
    assert nodes[("Person", "430422195001011119")]["death_date"] == "2023-03-01"
    assert nodes[("Person", "430422197905051550")]["warnings"] == [
        "persons#6 gender: gender_mismatch"
    ]
    # A node named by several registers lists each of them.
    srcs = nodes[("Person", a)]["src"]
    assert {s.split("#")[0] for s in srcs} >= {"persons", "officials", "contracts", "payments"}
    assert nodes[("Disbursement", "R001")]["amount"] == 45000
    assert nodes[("Enterprise", "91430422MA4L00001X")]["registered_capital"] == 50_000_000
    assert nodes[("Person", "430422195001011119")]["x_备注"] == "低保户"
    holds = [r for r in rels if r[0] == "HOLDS" and r[2] == a]
    assert len(holds) == 2  # two terms in one post


def test_every_node_and_relationship_has_provenance(store: GraphStore, mini: Path) -> None:
    load_folder(store, mini, progress=False)
    assert (
        store.read("MATCH (n) WHERE n.src IS NULL OR size(n.src) = 0 RETURN count(n) AS c")[0]["c"]
        == 0
    )
    q = "MATCH ()-[r]->() WHERE r.src IS NULL OR size(r.src) = 0 RETURN count(r) AS c"
    assert store.read(q)[0]["c"] == 0


def test_the_graph_follows_the_schema(store: GraphStore, mini: Path) -> None:
    load_folder(store, mini, progress=False)
    nodes, rels = dump(store)
    for (label, _), props in nodes.items():
        nt = sch.node(label)
        for p in props:
            assert nt.has(p) or p.startswith("x_"), f"{label}.{p}"
    for type_, a, _, b, _, props in rels:
        rt = sch.relationship(type_)
        assert a in rt.sources, (type_, a)
        assert b in rt.targets, (type_, b)
        for p in json.loads(props):
            rt.prop(p)


def test_loading_twice_gives_the_same_graph(store: GraphStore, mini: Path) -> None:
    first = load_folder(store, mini, batch_size=3, progress=False)
    before = dump(store)
    second = load_folder(store, mini, batch_size=3, progress=False)
    assert dump(store) == before
    assert second.nodes_before == second.nodes_after == first.nodes_after
    assert second.relationships_after == first.relationships_after
    assert [r.warned for r in second.registers] == [r.warned for r in first.registers]


def test_a_newer_extract_adds_without_duplicating(store: GraphStore, mini: Path) -> None:
    load_folder(store, mini, progress=False)
    nodes, rels = dump(store)
    path = mini / "disbursements.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    d = "430422195001011119"
    newer = [
        f"R101,DB01,{d},王老汉,H002,430422101202,450,2023-05,2023-05-15,6217000000000001,",
        f"R102,DB01,{d},王老汉,H002,430422101202,450,2023-06,2023-06-15,6217000000000001,",
    ]
    # The newer extract repeats the old months in another order, then the new ones.
    path.write_text("\n".join([header, *reversed(rows), *newer]) + "\n", encoding="utf-8")
    report = load_folder(store, mini, progress=False)
    check_counts(report)
    nodes2, rels2 = dump(store)
    assert set(nodes2) - set(nodes) == {("Disbursement", "R101"), ("Disbursement", "R102")}
    for key, props in nodes.items():
        # The same records, seen on other rows: only the row references may grow.
        changed = {k for k in props if props[k] != nodes2[key][k]}
        assert changed <= {"src", "warnings"}, (key, changed)
    assert len(rels2) == len(rels) + 2 * 5  # RECEIVED UNDER INTO_ACCOUNT FOR_HOUSEHOLD IN_DIVISION


# ------------------------------------------------------------------ synthetic county

SYNTH_PERSONS = 2000


@pytest.fixture
def county_copy(synthetic_county: MakeCounty) -> Path:
    return synthetic_county(SYNTH_PERSONS, 7)[0]


@pytest.mark.slow
def test_synthetic_county_rejects_exactly_the_planted_bad_rows(
    store: GraphStore, county_copy: Path
) -> None:
    report = load_folder(store, county_copy, progress=False)
    check_counts(report)
    truth = json.loads((county_copy / "truth.json").read_text(encoding="utf-8"))
    planted = {(b["register"], int(b["row"]), b["column"], b["reason"]) for b in truth["bad_rows"]}
    found = issues(county_copy, "rejects.csv", "reason")
    assert {(r, n) for r, n, _, _ in found} == {(r, n) for r, n, _, _ in planted}
    assert planted <= found
    flagged = {(w["register"], int(w["row"]), w["column"], w["reason"]) for w in truth["warn_rows"]}
    assert flagged <= issues(county_copy, "warnings.csv", "code")
    for rep in report.registers:
        assert rep.status == "loaded", f"{rep.register} missing from the synthetic county"
    before = dump(store)
    again = load_folder(store, county_copy, progress=False)
    assert dump(store) == before
    assert again.nodes_after == report.nodes_after
