"""A first Neo4j load through ``neo4j-admin database import full`` against the MERGE path,
on the real test server (tools/neo4j): the same county gives the same graph (properties
and their types included), the schema is there afterwards, and a second load into the
imported graph merges and changes nothing."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph.loaders import load_folder
from graph.store.neo4j import Neo4jStore
from graph.store.neo4j_import import ServerHome
from tests.conftest import neo4j_settings
from tests.integration.graphdump import dump

PERSONS = 3000


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from graph.synth import generate

    out = tmp_path_factory.mktemp("county")
    generate(PERSONS, 11, out)
    _voucher_over_two_lines(out / "payments.csv")
    return out


def _voucher_over_two_lines(path: Path) -> None:
    """One voucher's purpose spans two lines, as a clerk's export may: the import reads
    that file as multi-line CSV, and the graph is still the MERGE path's."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("purpose")] = "维修费\n二次付款"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _server() -> ServerHome:
    home = os.environ.get("GUANXI_NEO4J_TEST_HOME")
    if not home:
        pytest.skip("the test server's home is unknown (tools/neo4j/start.sh writes it)")
    conf, java = (
        os.environ.get("GUANXI_NEO4J_TEST_CONF"),
        os.environ.get("GUANXI_NEO4J_TEST_JAVA_HOME"),
    )
    return ServerHome(Path(home), Path(conf) if conf else None, Path(java) if java else None)


def _store(server: ServerHome | None) -> Neo4jStore:
    s = neo4j_settings()
    return Neo4jStore(
        s.neo4j_uri, s.neo4j_user, s.neo4j_password.get_secret_value(), s.neo4j_database, server
    )


def typed(nodes: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Properties with their Python types (1 and 1.0 compare equal; a long and a double
    must not)."""
    return {
        k: {p: (type(v).__name__, [type(x).__name__ for x in v] if isinstance(v, list) else v)
            for p, v in props.items()}
        for k, props in nodes.items()
    }  # fmt: skip


def test_import_gives_the_merge_graph_and_later_loads_merge(county: Path, tmp_path: Path) -> None:
    server = _server()
    plain = _store(None)
    assert not plain.can_bulk_create
    try:
        merged = load_folder(plain, shutil.copytree(county, tmp_path / "a"), fresh=True)
        assert merged.method == "merge"
        nodes_a, rels_a = dump(plain)
        nodes_a = typed(nodes_a)
        # A node the county does not hold: the fresh import below must replace it too.
        plain.write("CREATE (:Enterprise {uscc: 'STALE', name: '旧图'})")
    finally:
        plain.close()
    managed = _store(server)
    try:
        # Fresh over a graph with data: the import replaces the database, not cleared first.
        assert managed.bulk_replaces
        imported = load_folder(managed, shutil.copytree(county, tmp_path / "b"), fresh=True)
        assert imported.method == "bulk"
        assert imported.nodes_before == 0
        assert imported.bulk_stages.get("neo4j-admin")  # imported, not merged
        assert "维修费\n二次付款" in {
            r["p"] for r in managed.read("MATCH (v:Payment) RETURN v.purpose AS p")
        }
        nodes_b, rels_b = dump(managed)
        nodes_b = typed(nodes_b)
        assert set(nodes_a) == set(nodes_b)
        diff = [k for k in nodes_a if nodes_a[k] != nodes_b[k]]
        assert not diff, [(k, nodes_a[k], nodes_b[k]) for k in diff[:5]]
        only_a, only_b = Counter(rels_a) - Counter(rels_b), Counter(rels_b) - Counter(rels_a)
        assert rels_a == rels_b, (list(only_a.items())[:5], list(only_b.items())[:5])
        assert imported.nodes_after == merged.nodes_after
        assert imported.relationships_after == merged.relationships_after
        constraints = {r["name"] for r in managed.read("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert "person_id_number_unique" in constraints
        assert managed.load_mark() is None
        again = load_folder(managed, shutil.copytree(county, tmp_path / "c"))
        assert again.method == "merge"
        nodes_c, rels_c = dump(managed)
        assert (typed(nodes_c), rels_c) == (nodes_b, rels_b)
    finally:
        managed.clear()
        managed.close()


def test_import_files_for_a_server_guanxi_does_not_manage(county: Path, tmp_path: Path) -> None:
    """``guanxi load --import-files DIR`` writes the files and import.sh and loads nothing;
    the script, run as an operator would (server stopped, neo4j-admin on the PATH), gives
    the graph, and ``guanxi resolve`` then creates the schema."""
    from typer.testing import CliRunner

    from cli.main import app

    server = _server()
    store = _store(None)
    runner = CliRunner()
    out = tmp_path / "import"
    common = ["--engine", "neo4j", "--data-dir", str(tmp_path / "data")]
    try:
        folder = shutil.copytree(county, tmp_path / "a")
        result = runner.invoke(
            app, ["load", str(folder), "--fresh", "--import-files", str(out), *common]
        )
        assert result.exit_code == 0, result.output
        assert "neo4j-admin database import full" in result.output
        assert "--array-delimiter=\\x1f" in result.output
        assert store.count() == 0  # nothing loaded until the import runs
        script = out / "import.sh"
        assert script.read_text(encoding="utf-8").splitlines()[-1] in result.output
        env = server.env()
        env["PATH"] = f"{server.home / 'bin'}{os.pathsep}{env['PATH']}"
        subprocess.run([str(server.home / "bin" / "neo4j"), "stop"], env=env, check=True)
        try:
            done = subprocess.run(
                ["bash", str(script)], env=env, capture_output=True, text=True, check=False
            )
        finally:
            subprocess.run([str(server.home / "bin" / "neo4j"), "start"], env=env, check=True)
            store._wait_ready(180)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        report = json.loads((folder / "_load" / "load_report.json").read_text(encoding="utf-8"))
        loaded = {r: v["nodes_created"] for r, v in report["registers"].items()}
        assert sum(loaded.values()) == store.count() > PERSONS
        result = runner.invoke(app, ["resolve", *common])
        assert result.exit_code == 0, result.output
        constraints = {r["name"] for r in store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert "person_id_number_unique" in constraints
    finally:
        store.clear()
        store.close()
