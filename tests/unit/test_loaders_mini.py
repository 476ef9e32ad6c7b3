"""The whole load loop over the hand-made county ``tests/data/registers/mini`` with a
store that only records what it is asked to write: no engine needed."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from graph import schema as sch
from graph.loaders import load_folder
from graph.store.base import LOAD_MARK, GraphStore, Row, WriteSummary

MINI = Path(__file__).parents[1] / "data" / "registers" / "mini"

# Every bad row and warning planted in build_mini.py, as (register, row, column, reason).
_EXPECTED = json.loads((MINI.parent / "mini_expected.json").read_text(encoding="utf-8"))
EXPECTED_REJECTS = {tuple(r) for r in _EXPECTED["rejects"]}
# Only warnings that need no reference data: the recording store knows no divisions.
EXPECTED_WARNINGS = {tuple(w) for w in _EXPECTED["warnings"]}


class RecordingStore(GraphStore):
    """Answers reads with nothing and records writes."""

    engine = "recording"

    def __init__(self) -> None:
        self.writes: list[tuple[str, dict[str, Any]]] = []

    def _run(
        self, cypher: str, params: Mapping[str, Any], *, write: bool, timeout: float | None
    ) -> tuple[list[Row], WriteSummary]:
        if write:
            self.writes.append((cypher, dict(params)))
            return [], WriteSummary()
        return (
            [{"c": 0}] if cypher.endswith("AS c") and "label" not in cypher else []
        ), WriteSummary()

    def _ddl_for(self, schema_nodes: Sequence[sch.NodeType]) -> list[str]:
        return []

    def close(self) -> None:
        pass


# The loaders use only _run and _ddl_for; the rest of the interface may grow freely.
RecordingStore.__abstractmethods__ = frozenset()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


def test_every_row_is_loaded_or_rejected_with_the_planted_reason(mini: Path) -> None:
    store = RecordingStore()
    report = load_folder(store, mini, batch_size=3, progress=False)
    rejects = read_csv(mini / "_load" / "rejects.csv")
    assert {(r["register"], int(r["row"]), r["column"], r["reason"]) for r in rejects} == (
        EXPECTED_REJECTS
    )
    for rep in report.registers:
        assert rep.status == "loaded", rep.register
        assert rep.rows_read == rep.loaded + rep.rejected, rep.register
        rejected_rows = {int(r["row"]) for r in rejects if r["register"] == rep.register}
        assert rep.rejected == len(rejected_rows), rep.register
    # Data rows per file, blank lines aside: nothing is lost between the file and the report.
    assert report.register("persons").rows_read == 11
    assert report.register("deaths").encoding == "gb18030"
    assert report.register("officials").encoding == "xlsx"
    assert report.register("persons").encoding == "utf-8-sig"
    assert report.register("persons").extra_columns == ["x_备注"]
    warnings = read_csv(mini / "_load" / "warnings.csv")
    assert {(w["register"], int(w["row"]), w["column"], w["code"]) for w in warnings} == (
        EXPECTED_WARNINGS
    )


def test_load_report_json(mini: Path) -> None:
    load_folder(RecordingStore(), mini, progress=False)
    data = json.loads((mini / "_load" / "load_report.json").read_text(encoding="utf-8"))
    persons = data["registers"]["persons"]
    assert {
        k: persons[k]
        for k in ("file", "encoding", "rows_read", "loaded", "rejected", "warned", "extra_columns")
    } == {
        "file": "persons.csv",
        "encoding": "utf-8-sig",
        "rows_read": 11,
        "loaded": 8,
        "rejected": 3,
        "warned": 2,
        "extra_columns": ["x_备注"],
    }
    assert persons["seconds"] >= 0
    assert data["totals"]["rows_read"] == data["totals"]["loaded"] + data["totals"]["rejected"]
    for key in ("nodes_before", "nodes_after", "relationships_before", "relationships_after"):
        assert key in data


def test_absent_registers_are_skipped_and_reported(mini: Path) -> None:
    for p in mini.glob("*"):
        if p.stem not in ("divisions", "persons"):
            p.unlink()
    report = load_folder(RecordingStore(), mini, progress=False)
    assert [r.register for r in report.registers if r.status == "loaded"] == [
        "divisions",
        "persons",
    ]
    assert report.register("deaths").status == "absent"
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(report.render())
    text = console.export_text()
    assert "absent" in text
    assert "persons" in text


def test_writes_are_in_the_cypher_subset_and_the_schema(mini: Path) -> None:
    store = RecordingStore()
    load_folder(store, mini, progress=False)
    # The partial-load mark goes first and is removed last; the rows go in between.
    (first, _), (last, _) = store.writes[0], store.writes[-1]
    assert first.startswith(f"MERGE (m:{LOAD_MARK})")
    assert last == f"MATCH (m:{LOAD_MARK}) DELETE m"
    assert store.writes[1:-1]
    for cypher, params in store.writes[1:-1]:
        assert cypher.startswith("UNWIND $rows AS row "), cypher
        assert ", (" not in cypher.split("MERGE")[0], "comma-separated MATCH"
        for label in re.findall(r"\((?:\w+):(\w+)", cypher):
            assert label in sch.NODES or label in sch.RELATIONSHIPS, label
        for type_ in re.findall(r"\[r:(\w+)", cypher):
            assert type_ in sch.RELATIONSHIPS
        for row in params["rows"]:
            assert row["s"], "every row carries its provenance"
            assert all(re.fullmatch(r"[a-z_]+#\d+", s) for s in row["s"])


def test_confidential_values_stay_out_of_the_issue_files(mini: Path) -> None:
    (mini / "complaints.csv").write_text(
        "complaint_id,received,summary,reporter_name,reporter_phone,extra\n"
        "TS9,2023-05-01,摘要,秘密举报人,13999999999,多余\n"
        "TS10,2023-05-01,摘要,秘密举报人,13999999999\n"
        "TS11,2023-05-01,摘要,秘密举报人,13999999999,,秘密举报人\n",
        encoding="utf-8",
    )
    load_folder(RecordingStore(), mini, progress=False)
    for name in ("rejects.csv", "warnings.csv", "load_report.json"):
        text = (mini / "_load" / name).read_text(encoding="utf-8-sig")
        assert "秘密举报人" not in text, name
        assert "13999999999" not in text, name
