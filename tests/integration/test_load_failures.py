"""A load that cannot finish, on each engine: refused before writing, or marked partial."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from graph.errors import LoadFailed
from graph.loaders import load_folder, pipeline
from graph.store import GraphStore
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore

MINI = Path(__file__).parents[1] / "data" / "registers" / "mini"
A = "430422198001011235"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    return folder


def _report(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "_load" / "load_report.json").read_text(encoding="utf-8"))


def test_fresh_with_a_bad_later_register_leaves_the_graph_as_it_was(
    store: GraphStore, mini: Path
) -> None:
    load_folder(store, mini, progress=False)
    nodes, rels = store.count(), store.count_relationships()
    (mini / "vehicles.csv").unlink()
    (mini / "vehicles.xlsx").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(LoadFailed, match=r"^load refused, nothing written: vehicles\.xlsx: "):
        load_folder(store, mini, progress=False, fresh=True)
    assert (store.count(), store.count_relationships()) == (nodes, rels)
    assert store.load_mark() is None
    assert _report(mini)["status"] == "refused"


def test_an_empty_folder_with_fresh_wipes_nothing(store: GraphStore, mini: Path) -> None:
    load_folder(store, mini, progress=False)
    nodes = store.count()
    empty = mini.parent / "empty"
    empty.mkdir()
    with pytest.raises(LoadFailed, match="holds no register file"):
        load_folder(store, empty, progress=False, fresh=True)
    assert store.count() == nodes


def test_a_load_that_stops_part_way_marks_the_graph_until_one_completes(
    store: GraphStore, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk error on a later register, after earlier registers are written."""
    real = pipeline.open_register

    def failing(path: Path, encoding: str | None = None) -> Any:
        if path.stem == "vehicles":
            raise OSError(errno.EIO, "Input/output error", str(path))
        return real(path, encoding)

    monkeypatch.setattr(pipeline, "open_register", failing)
    with pytest.raises(LoadFailed) as e:
        load_folder(store, mini, progress=False, bulk=False)
    assert (e.value.partial, e.value.exit_code) == (True, 3)
    assert "\n" not in str(e.value)
    assert "the graph is marked partially loaded" in str(e.value)
    assert store.count("Person") > 0  # the registers before vehicles are in
    mark = store.load_mark()
    assert mark is not None
    assert mark["state"] == "failed"
    assert mark["error"].startswith("OSError: [Errno 5] Input/output error")
    report = _report(mini)
    assert report["status"] == "failed"
    assert report["registers"]["persons"]["loaded"] > 0
    assert "Traceback" in (mini / "_load" / "error.txt").read_text(encoding="utf-8")

    monkeypatch.setattr(pipeline, "open_register", real)
    done = load_folder(store, mini, progress=False)
    assert done.status == "complete"
    assert store.load_mark() is None
    assert "GuanxiLoad" not in done.labels_after


def test_a_nul_in_a_phone_number_rejects_its_row_on_the_bulk_path(
    store: GraphStore, mini: Path
) -> None:
    persons = mini / "persons.csv"
    text = persons.read_text(encoding="utf-8-sig")
    assert f"{A},张三," in text
    assert ",13800000001," in text
    persons.write_text(text.replace(",13800000001,", ",1380000\x000001,", 1), encoding="utf-8")
    report = load_folder(store, mini, progress=False)
    assert report.method == ("bulk" if store.can_bulk_create else "merge")
    assert report.status == "complete"
    assert report.register("persons").reject_reasons.get("nul_character") == 1
    phones = store.read("MATCH (p:Person) WHERE p.phone IS NOT NULL RETURN p.phone AS phone")
    assert phones
    assert not [r for r in phones if "\x00" in r["phone"]]
    (person,) = store.read("MATCH (p:Person {id_number: $a}) RETURN p.phone AS phone", {"a": A})
    assert person["phone"] is None  # the register's row for 张三 was rejected


def test_engine_status_names_a_partly_loaded_graph(embedded_server: EmbeddedEngine) -> None:
    store = FalkorStore(embedded_server, "status-test")
    try:
        store.write("CREATE (:Division {code: '430422', src: ['test#1']})")
        assert embedded_server.status()["load"] == "complete"
        store.set_load_mark({"state": "failed", "since": "2026-01-02T03:04:05+00:00", "error": "x"})
        assert embedded_server.status()["load"] == (
            "status-test partially loaded (failed since 2026-01-02T03:04:05+00:00): x"
        )
    finally:
        store.set_load_mark(None)
        store.clear()
        store.close()
