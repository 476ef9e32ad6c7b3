"""Shared fixtures: a real embedded engine per test session, and Neo4j when configured.

With CI=true a missing Neo4j is a failure, not a skip: production runs on Neo4j, so every
engine-parametrized test must have run on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import GraphStore
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore

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


def _open(engine: str, server: EmbeddedEngine, graph: str) -> GraphStore:
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
    st = _open(request.param, embedded_server, "test")
    st.clear()
    st.ensure_schema()
    yield st
    st.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path
