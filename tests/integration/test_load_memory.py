"""An embedded load that would not fit in memory is refused before anything is written,
with the estimate and the advice to use Neo4j (real embedded engine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.errors import LoadFailed
from graph.loaders import load_folder
from graph.loaders.memory import ENGINE_BYTES_PER_PERSON, estimate
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore

MINI = Path(__file__).parents[1] / "data" / "registers" / "mini"


def test_a_load_too_big_for_memory_is_refused_before_writing(
    embedded_server: EmbeddedEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FalkorStore(embedded_server, "memory_check")
    store.clear()
    try:
        store.write("CREATE (:Person {id_number: '430428199001011234', name: '张三'})")
        monkeypatch.setenv("GUANXI_MEMORY_LIMIT", "64K")
        with pytest.raises(LoadFailed, match=r"load refused, nothing written") as err:
            load_folder(store, shutil.copytree(MINI, tmp_path / "mini"), fresh=True)
        assert "persons needs about" in str(err.value)
        assert "into Neo4j" in str(err.value)
        assert store.count() == 1  # --fresh wiped nothing
        assert store.load_mark() is None
        monkeypatch.setenv("GUANXI_MEMORY_CHECK", "off")
        report = load_folder(store, shutil.copytree(MINI, tmp_path / "again"), fresh=True)
        assert report.nodes_after > 1
    finally:
        store.clear()
        store.close()


def test_estimate_of_the_city_on_a_24_gib_machine() -> None:
    city = estimate(6_600_000, "bulk", available=24 << 30)
    county = estimate(1_000_000, "merge", available=24 << 30)
    assert not city.fits
    assert county.fits
    assert city.engine_bytes == 6_600_000 * ENGINE_BYTES_PER_PERSON
    assert "6,600,000 persons" in city.message()


def test_a_graph_beyond_the_engines_own_limit_is_refused_before_writing(
    embedded_server: EmbeddedEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The machine has room; the engine's maxmemory (half its budget) has not: without this
    # check a 3M county failed half-way through GRAPH.BULK on a 24 GiB machine.
    store = FalkorStore(embedded_server, "memory_check")
    store.clear()
    try:
        assert store.graph_memory_limit == embedded_server.limits.maxmemory
        monkeypatch.setattr(FalkorStore, "graph_memory_limit", property(lambda _: 1024))
        with pytest.raises(LoadFailed, match=r"load refused, nothing written") as err:
            load_folder(store, shutil.copytree(MINI, tmp_path / "mini"), fresh=True)
        assert "GUANXI_EMBEDDED_MEMORY_MB" in str(err.value)
        assert store.count() == 0
    finally:
        store.clear()
        store.close()


def test_estimate_against_the_engines_limit() -> None:
    three = estimate(3_000_000, "bulk", available=22 << 30, engine_limit=6 << 30)
    assert three.fits_machine
    assert not three.fits_engine
    assert not three.fits
    assert "lets the graph fill 6.0 GiB" in three.message()
    assert "budget of about" in three.message()
    assert estimate(3_000_000, "bulk", available=22 << 30, engine_limit=12 << 30).fits
