"""The bulk path (a first load built in a scratch file, created with GRAPH.BULK) against the
MERGE path, on the real embedded engine: the same county gives the same graph, the same
rejects, warnings and counts, and a second load on top of it changes nothing."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.errors import LoadFailed, Unsupported
from graph.loaders import LoadReport, load_folder, pipeline, stream
from graph.store import GraphStore
from tests.integration.graphdump import dump
from tests.shapes import MakeCounty, OpenEngine

MINI = Path(__file__).parents[1] / "data" / "registers" / "mini"
PERSONS = 3000


@pytest.fixture
def two(open_engine: OpenEngine) -> Iterator[tuple[GraphStore, GraphStore]]:
    """Two empty graphs on the embedded engine: one for each path."""
    stores = (open_engine("embedded", "bulk_a"), open_engine("embedded", "bulk_b"))
    for st in stores:
        st.clear()
    yield stores
    for st in stores:
        st.clear()
        st.close()


@pytest.fixture(scope="module")
def county(synthetic_county: MakeCounty) -> Path:
    return synthetic_county(PERSONS, 11)[0]


def copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns("_load"))
    return to


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def summary(report: LoadReport) -> dict[str, Any]:
    """The report without timings and the path taken."""
    out = report.to_json()
    for key in ("seconds", "method", "bulk_seconds", "folder", "rejects_file", "warnings_file"):
        out.pop(key)
    for rep in out["registers"].values():
        rep.pop("seconds")
        assert rep["rows_read"] == rep["loaded"] + rep["rejected"], rep["register"]
    return out


def assert_same_load(
    a: GraphStore, ra: LoadReport, fa: Path, b: GraphStore, rb: LoadReport, fb: Path
) -> None:
    nodes_a, rels_a = dump(a)
    nodes_b, rels_b = dump(b)
    assert set(nodes_a) == set(nodes_b)
    diff = [k for k in nodes_a if nodes_a[k] != nodes_b[k]]
    assert not diff, [(k, nodes_a[k], nodes_b[k]) for k in diff[:5]]
    only_a, only_b = Counter(rels_a) - Counter(rels_b), Counter(rels_b) - Counter(rels_a)
    assert rels_a == rels_b, (list(only_a.items())[:5], list(only_b.items())[:5])
    assert summary(ra) == summary(rb)
    for name in ("rejects.csv", "warnings.csv"):
        assert rows(fa / "_load" / name) == rows(fb / "_load" / name), name


@pytest.mark.parametrize("batch_size", [3, 5000])
def test_mini_county_bulk_equals_merge(
    two: tuple[GraphStore, GraphStore], tmp_path: Path, batch_size: int
) -> None:
    """The hand-made county: bad rows, a key twice in a chunk, two terms in one post."""
    a, b = two
    fa, fb = copy(MINI, tmp_path / "a"), copy(MINI, tmp_path / "b")
    ra = load_folder(a, fa, batch_size=batch_size, progress=False, bulk=True)
    rb = load_folder(b, fb, batch_size=batch_size, progress=False, bulk=False)
    assert (ra.method, rb.method) == ("bulk", "merge")
    assert ra.nodes_after > 0
    assert ra.relationships_after > 0
    assert_same_load(a, ra, fa, b, rb, fb)


@pytest.mark.slow
def test_synthetic_county_bulk_equals_merge(
    two: tuple[GraphStore, GraphStore],
    county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two
    # Every register validated by a worker process, as big ones are at a million persons.
    monkeypatch.setattr(stream, "WORKER_BYTES", 0)
    fa, fb = copy(county, tmp_path / "a"), copy(county, tmp_path / "b")
    # Small chunks: nodes named by many chunks and registers, as at a million persons.
    ra = load_folder(a, fa, batch_size=500, progress=False, bulk=True)
    rb = load_folder(b, fb, batch_size=500, progress=False, bulk=False)
    assert ra.register("persons").rejected > 0  # the county's planted bad rows
    assert_same_load(a, ra, fa, b, rb, fb)
    # Every node and relationship says where it came from.
    q = "MATCH (n) WHERE n.src IS NULL OR size(n.src) = 0 RETURN count(n) AS c"
    assert a.read(q)[0]["c"] == 0
    q = "MATCH ()-[r]->() WHERE r.src IS NULL OR size(r.src) = 0 RETURN count(r) AS c"
    assert a.read(q)[0]["c"] == 0


@pytest.mark.slow
def test_chunks_built_in_the_worker_equal_chunks_built_here(
    two: tuple[GraphStore, GraphStore],
    county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A register built in the validating worker (disbursements) loads as it does when
    every row is validated and built in the loader's own process."""
    a, b = two
    fa, fb = copy(county, tmp_path / "a"), copy(county, tmp_path / "b")
    assert "disbursements" in pipeline._BUILT_IN_WORKER
    monkeypatch.setattr(stream, "WORKER_BYTES", 0)
    ra = load_folder(a, fa, batch_size=500, progress=False, bulk=True)
    monkeypatch.setattr(stream, "WORKER_BYTES", 1 << 60)
    rb = load_folder(b, fb, batch_size=500, progress=False, bulk=True)
    assert ra.register("disbursements").warned > 0  # warnings made while building travel too
    assert_same_load(a, ra, fa, b, rb, fb)


@pytest.mark.slow
def test_reload_on_a_bulk_loaded_graph_changes_nothing(
    two: tuple[GraphStore, GraphStore], county: Path, tmp_path: Path
) -> None:
    a, _ = two
    folder = copy(county, tmp_path / "a")
    first = load_folder(a, folder, batch_size=500, progress=False)
    assert first.method == "bulk"
    before = dump(a)
    second = load_folder(a, folder, batch_size=500, progress=False)
    assert second.method == "merge"  # the graph is no longer empty
    assert dump(a) == before
    assert second.nodes_before == second.nodes_after == first.nodes_after
    assert second.relationships_after == first.relationships_after
    assert second.totals["nodes_created"] == second.totals["relationships_created"] == 0
    # The bulk path left the schema's indexes and constraints behind it.
    assert a.ensure_schema() == []


def test_bulk_refuses_a_graph_with_data(two: tuple[GraphStore, GraphStore], tmp_path: Path) -> None:
    a, _ = two
    a.write("CREATE (:Division {code: '430422', src: ['test#1']})")
    with pytest.raises(LoadFailed, match="bulk load needs an empty graph") as refused:
        load_folder(a, copy(MINI, tmp_path / "a"), progress=False, bulk=True)
    assert isinstance(refused.value.__cause__, Unsupported)
    assert not refused.value.partial
    assert a.count() == 1
    assert a.load_mark() is None
