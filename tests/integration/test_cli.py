"""The command line as a new user meets it: its help, and a data directory with no graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.settings import Settings
from graph.store import embedded_engine, open_store


def test_help_shows_no_value_for_flags() -> None:
    """``--json <bool>`` read as if the flag took a value (issue 21)."""
    top = CliRunner().invoke(app, ["--help"], terminal_width=200)
    query = CliRunner().invoke(app, ["query", "--help"], terminal_width=200)
    assert top.exit_code == 0
    assert query.exit_code == 0
    for out in (top.output, query.output):
        assert "<bool>" not in out
        assert "--help" in out
    json_line = next(line for line in query.output.splitlines() if "--json" in line)
    assert "<" not in json_line
    # Options that do take a value still say what kind.
    assert "<int>" in next(line for line in query.output.splitlines() if "--limit" in line)


@pytest.fixture(scope="module")
def empty_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory whose engine runs (started once, for every case)
    and holds nothing."""
    path = tmp_path_factory.mktemp("data")
    engine = embedded_engine(Settings(data_dir=path))
    engine.start(owned=True)
    yield path
    engine.stop()


@pytest.mark.parametrize(
    "args",
    [
        ["query", "MATCH (n:Person) RETURN count(n) AS n"],
        ["detect", "--no-save"],
        ["communities"],
        ["resolve"],
        ["export", "430422196501011234", "--out", "x.html"],
    ],
)
def test_a_data_dir_without_a_graph_is_said_so(args: list[str], empty_data_dir: Path) -> None:
    """Right after ``make demo``, ``guanxi query ...`` read the empty default data directory
    and answered 0 (issue 21): it must say where it looked and how to point elsewhere."""
    r = CliRunner().invoke(app, [*args, "--data-dir", str(empty_data_dir)], terminal_width=400)
    assert r.exit_code == 2, r.output
    said = " ".join(r.output.split())
    assert "holds no graph" in said
    assert str(empty_data_dir) in said
    for how in ("--data-dir", "GUANXI_DATA_DIR", "out/demo-data"):
        assert how in said


def test_a_loaded_data_dir_answers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    engine = embedded_engine(settings)
    engine.start(owned=True)
    try:
        with open_store(settings) as store:
            store.write("CREATE (:Person {id_number: '430422196501011234', name: '周建国'})")
        r = CliRunner().invoke(
            app,
            [
                "query",
                "MATCH (n:Person) RETURN n.name AS name",
                "--json",
                "--data-dir",
                str(tmp_path),
            ],
        )
    finally:
        engine.stop()
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == [{"name": "周建国"}]


def test_paths_in_words(tmp_path: Path) -> None:
    """`guanxi paths` runs the API's path finder over the whole graph."""
    settings = Settings(data_dir=tmp_path)
    engine = embedded_engine(settings)
    engine.start(owned=True)
    try:
        with open_store(settings) as store:
            store.write(
                "CREATE (a:Person {id_number: '430422196501011234', name: '周建国'}),"
                " (b:Person {id_number: '430422196803032345', name: '吴秀英'}),"
                " (a)-[:RELATIVE_OF {relation: '配偶'}]->(b)"
            )
        r = CliRunner().invoke(
            app,
            ["paths", "430422196501011234", "430422196803032345", "--data-dir", str(tmp_path)],
            terminal_width=200,
        )
    finally:
        engine.stop()
    assert r.exit_code == 0, r.output
    assert "1. (1 hops) 周建国 申报的亲属是（配偶） 吴秀英" in r.output
    assert "1 path(s)" in r.output
