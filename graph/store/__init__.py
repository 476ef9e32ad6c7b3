"""The graph store: one interface, two engines.

>>> from graph.settings import Settings
>>> from graph.store import open_store
>>> # open_store(Settings())  starts the embedded engine if needed and returns a GraphStore
"""

from __future__ import annotations

from graph.settings import Settings
from graph.store.base import (
    Columns,
    GraphStore,
    Health,
    Node,
    NodeRef,
    Path,
    Relationship,
    Row,
    Subgraph,
    WriteSummary,
)
from graph.store.sealed import SealedStore, seal_graph

__all__ = [
    "Columns",
    "GraphStore",
    "Health",
    "Node",
    "NodeRef",
    "Path",
    "Relationship",
    "Row",
    "SealedStore",
    "Subgraph",
    "WriteSummary",
    "embedded_engine",
    "open_sealed",
    "open_store",
    "seal_graph",
]


def embedded_engine(settings: Settings):  # type: ignore[no-untyped-def]
    from graph.store.embedded import EmbeddedEngine, Limits

    limits = Limits.sized(
        settings.embedded_memory_mb,
        settings.embedded_query_memory_mb,
        settings.embedded_timeout_max,
    )
    return EmbeddedEngine(
        settings.engine_dir,
        port=settings.embedded_port,
        threads=settings.embedded_threads,
        limits=limits,
    )


def open_store(settings: Settings | None = None, *, start: bool = True) -> GraphStore:
    """Connect to the configured engine; start the embedded one if it is not running.

    An embedded engine started here belongs to this process and stops when it exits;
    ``guanxi engine start`` leaves one running for later commands instead.
    """
    settings = settings or Settings()
    if settings.engine == "neo4j":
        from graph.store.neo4j import Neo4jStore
        from graph.store.neo4j_import import ServerHome

        neo = Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            ServerHome.from_env(),
        )
        neo.stamp_dir = settings.data_dir
        return neo
    from graph.store.falkor import FalkorStore

    engine = embedded_engine(settings)
    if start and not engine.is_running():
        engine.start(owned=True)
    store = FalkorStore(engine, settings.graph)
    store.stamp_dir = settings.data_dir
    return store


def open_sealed(settings: Settings | None = None) -> SealedStore:
    """The sealed store of confidential values, in the database the API uses."""
    settings = settings or Settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SealedStore(settings.db_url)
