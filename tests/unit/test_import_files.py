"""The import files written in slices by worker processes hold what one process writes:
the same node ids, properties and relationships, whatever the slicing."""

from __future__ import annotations

import csv
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph.loaders.batch import Batch
from graph.loaders.bulk import DiskGraph, TableRows
from graph.store.base import NodeGroup
from graph.store.neo4j_import import (
    ImportFiles,
    import_command,
    import_threads,
    write_import_files,
    write_import_script,
)

PERSONS = 3_000


@pytest.fixture(scope="module")
def graph() -> Iterator[DiskGraph]:
    g = DiskGraph()
    try:
        g.apply("persons", _persons().plan())
        yield g
    finally:
        g.drop()


def _persons() -> Batch:
    b = Batch("persons")
    for i in range(PERSONS):
        src, pid, hh = f"persons#{i + 2}", f"4304221990{i:08d}", f"H{i // 4}"
        b.ref("Division", f"4304221012{i % 7:02d}", src=src)
        b.upsert("Household", hh, {"address": f"{i // 4}号"}, src=src)
        # Every fifth person has a flag: rows of two type signatures in one label.
        extra = {"in_register": False} if i % 5 == 0 else {}
        b.upsert("Person", pid, {"name": f"人{i}", **extra}, src=src)
        b.rel("MEMBER_OF", ("Person", pid), ("Household", hh), {"relation_to_head": "子"}, src=src)
        b.rel("LIVES_IN", ("Household", hh), ("Division", f"4304221012{i % 7:02d}"), src=src)
    for i in range(0, PERSONS, 2):  # a label made after Person: OWNS leads with its end
        src, pid, plate = f"vehicles#{i + 2}", f"4304221990{i:08d}", f"湘D{i:05d}"
        b.upsert("Vehicle", plate, {"brand": "五菱"}, src=src)
        b.rel("OWNS", ("Person", pid), ("Vehicle", plate), {"co_owner": False}, src=src)
    return b


def _read(files: ImportFiles) -> tuple[dict[int, tuple[str, dict[str, str]]], Counter[Any]]:
    nodes: dict[int, tuple[str, dict[str, str]]] = {}
    for label, path in files.nodes:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                nid = int(row.pop(":ID"))
                assert nid not in nodes, f"node id {nid} written twice"
                nodes[nid] = (label, {k.split(":")[0]: v for k, v in row.items()})
    rels: Counter[Any] = Counter()
    for type_, path in files.relationships:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                ends = (int(row.pop(":START_ID")), int(row.pop(":END_ID")))
                props = tuple(sorted((k.split(":")[0], v) for k, v in row.items()))
                rels[(type_, *ends, props)] += 1
    return nodes, rels


def test_slices_written_by_workers_equal_one_process(graph: DiskGraph, tmp_path: Path) -> None:
    nodes, rels = graph.groups()
    one = write_import_files(nodes, rels, tmp_path / "one", workers=1)
    nodes, rels = graph.groups()
    assert all(isinstance(g.rows, TableRows) for g in nodes)
    leads = {g.type: g.rows.lead for g in rels if isinstance(g.rows, TableRows)}
    assert leads == {"MEMBER_OF": "s", "LIVES_IN": "s", "OWNS": "e"}
    done: list[int] = []
    many = write_import_files(
        nodes, rels, tmp_path / "many", done.append, workers=2, rows_per_task=700
    )
    assert len(many.nodes) > len(one.nodes)  # Person and Household went in slices
    assert len(many.relationships) > len(one.relationships)
    assert (many.node_count, many.relationship_count) == (one.node_count, one.relationship_count)
    assert _read(many) == _read(one)
    assert sum(done) >= many.node_count  # every task told the progress bar


def test_relationship_slices_split_a_table_evenly_by_its_leading_end(graph: DiskGraph) -> None:
    _, rels = graph.groups()
    for group in rels:
        assert isinstance(group.rows, TableRows)
        whole = _rel_rows(group.rows)
        parts = [_rel_rows(part) for _, part in group.rows.slices(3)]
        assert sum(parts, Counter()) == whole, group.type
        # Cut at the leading end's ids: a slice filtered on the other end would be empty.
        assert len(parts) == 3, group.type
        assert all(p.total() >= group.count // 4 for p in parts), group.type


def _rel_rows(rows: Any) -> Counter[Any]:
    return Counter((s, e, repr(sorted(props.items()))) for s, e, props in rows)


def test_rows_held_in_memory_are_written_here(tmp_path: Path) -> None:
    rows = [{"code": "43", "level": "city"}, {"code": "4304", "level": None}]
    group = NodeGroup("Division", ("code", "level"), 2, rows)
    files = write_import_files([group], [], tmp_path, workers=2)
    nodes, rels = _read(files)
    assert nodes == {0: ("Division", {"code": "43", "level": "city"}),
                     1: ("Division", {"code": "4304"})}  # fmt: skip
    assert not rels


@pytest.mark.parametrize("workers", [1, 2])
def test_only_files_with_a_value_across_lines_are_read_as_multiline(
    tmp_path: Path, workers: int
) -> None:
    g = DiskGraph()
    try:
        b = Batch("payments")
        for i in range(40):
            purpose = "维修费\n二次付款" if i == 7 else "维修费"
            b.upsert("Payment", f"PZ{i}", {"purpose": purpose}, src=f"payments#{i + 2}")
            b.upsert("Complaint", f"C{i}", {"summary": "第一行\r\n第二行" if i == 3 else "无"},
                     src=f"complaints#{i + 2}")  # fmt: skip
        for i in range(40):
            b.upsert("Division", f"43{i:02d}", {"name": f"{i}村"}, src=f"divisions#{i + 2}")
        g.apply("payments", b.plan())
        nodes, rels = g.groups()
        files = write_import_files(nodes, rels, tmp_path, workers=workers, rows_per_task=10)
    finally:
        g.drop()
    spans = {path.name.split(".")[1] for path in files.multiline}
    assert spans == {"Payment", "Complaint"}
    assert len(files.multiline) == 2  # one slice of each, not the label's every file
    args = files.arguments()
    assert "--multiline-fields-format=v2" in args
    listed = next(a for a in args if a.startswith("--multiline-fields="))
    assert set(listed.removeprefix("--multiline-fields=").split(",")) == {
        str(p) for p in files.multiline
    }
    nodes_read, _ = _read(files)
    texts = {props.get("purpose") or props.get("summary") for _, props in nodes_read.values()}
    assert {"维修费\n二次付款", "第一行\r\n第二行"} <= texts


def test_no_multiline_reading_without_a_value_across_lines(
    graph: DiskGraph, tmp_path: Path
) -> None:
    nodes, rels = graph.groups()
    files = write_import_files(nodes, rels, tmp_path, workers=1)
    assert files.multiline == []
    assert not any(a.startswith("--multiline") for a in files.arguments())


def test_relationships_with_only_src_are_written_as_the_general_path_writes_them(
    graph: DiskGraph, tmp_path: Path
) -> None:
    nodes, rels = graph.groups()
    assert any(tuple(r.columns) == ("src",) for r in rels)  # LIVES_IN: src alone
    fast = write_import_files(nodes, rels, tmp_path / "fast", workers=2, rows_per_task=700)
    nodes, rels = graph.groups()
    held = [replace(r, rows=list(r.rows)) for r in rels]  # lists: no src_rows
    general = write_import_files(nodes, held, tmp_path / "general", workers=1)
    assert _read(fast) == _read(general)
    lives_in = [p for t, p in fast.relationships if t == "LIVES_IN"]
    assert len(lives_in) > 1  # sliced, each slice from SQLite


def test_the_import_tool_gets_at_least_four_threads(tmp_path: Path) -> None:
    """guanxi's own import passes ``--threads`` (at least four: two leave a 2-core machine
    idle); import.sh counts the cores where it runs, and passes the same."""
    assert (import_threads(1), import_threads(2), import_threads(4), import_threads(16)) == (
        4, 4, 4, 16)  # fmt: skip
    rows = [{"code": "43", "level": "city"}]
    files = write_import_files([NodeGroup("Division", ("code", "level"), 1, rows)], [], tmp_path)
    assert "--threads=6" in import_command("neo4j-admin", "neo4j", files, 6)
    assert not [a for a in import_command("neo4j-admin", "neo4j", files) if "threads" in a]
    # A stand-in neo4j-admin on the PATH prints the arguments the script gives it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "neo4j-admin"
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    script = write_import_script(files, "neo4j")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    args = done.stdout.splitlines()
    assert f"--threads={import_threads(len(os.sched_getaffinity(0)))}" in args  # as nproc counts
    assert args[:4] == ["database", "import", "full", "neo4j"]
    assert f"--nodes=Division={files.nodes[0][1]}" in args
