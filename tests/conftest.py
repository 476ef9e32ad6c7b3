"""Shared fixtures: a real embedded engine per test session, Neo4j when configured, and
synthetic counties.

With CI=true a missing Neo4j is a failure, not a skip: production runs on Neo4j, so every
engine-parametrized test must have run on it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import GraphStore
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore
from tests.shapes import County, MakeCounty, OpenEngine

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ENGINES = ["embedded", "neo4j"]


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEngine]:
    engine = EmbeddedEngine(tmp_path_factory.mktemp("falkordb"))
    engine.start(owned=True)
    yield engine
    engine.stop()


def neo4j_settings() -> Settings:
    if not os.environ.get("GUANXI_NEO4J_URI"):
        reason = os.environ.get("GUANXI_NEO4J_SKIP_REASON") or (
            "Neo4j not configured: GUANXI_NEO4J_URI is unset (make test starts one)"
        )
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return Settings(engine="neo4j")


def open_engine_store(engine: str, server: EmbeddedEngine, graph: str) -> GraphStore:
    """A store on graph ``graph`` of ``engine``: the session's embedded server, or the
    configured Neo4j (whose single database every graph name shares)."""
    if engine == "embedded":
        return FalkorStore(server, graph)
    from graph.store.neo4j import Neo4jStore

    s = neo4j_settings()
    return Neo4jStore(
        s.neo4j_uri, s.neo4j_user, s.neo4j_password.get_secret_value(), s.neo4j_database
    )


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, embedded_server: EmbeddedEngine) -> Iterator[GraphStore]:
    """An empty graph with the schema's indexes, on each engine in turn."""
    st = open_engine_store(request.param, embedded_server, "test")
    st.clear()
    st.ensure_schema()
    yield st
    st.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="session")
def open_engine(embedded_server: EmbeddedEngine) -> OpenEngine:
    """``open_engine(engine, graph)``: a store on a named graph, for fixtures that build a
    graph of their own (module-scoped API graphs, durability tests)."""
    return lambda engine, graph: open_engine_store(engine, embedded_server, graph)


@pytest.fixture(scope="session")
def synthetic_county(tmp_path_factory: pytest.TempPathFactory) -> MakeCounty:
    """``synthetic_county(persons, seed)``: a generated county's folder and its
    ``truth.json``. Each size and seed is generated once per session; every call gets its
    own copy of the folder, so a load's ``_load/`` report or a test's edits stay its own."""
    from graph.synth import generate

    made: dict[tuple[int, int], Path] = {}

    def county(persons: int, seed: int) -> County:
        if (persons, seed) not in made:
            made[persons, seed] = tmp_path_factory.mktemp(f"county-{persons}-{seed}")
            generate(persons, seed, made[persons, seed])
        copy = tmp_path_factory.mktemp(f"county-{persons}-{seed}-copy") / "county"
        shutil.copytree(made[persons, seed], copy)
        return copy, json.loads((copy / "truth.json").read_text(encoding="utf-8"))

    return county
