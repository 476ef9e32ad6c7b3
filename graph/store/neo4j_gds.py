"""Graph algorithms inside Neo4j: the Graph Data Science library through its Python client.

A city's risk projection has tens of millions of vertices; pulling it over Bolt into
igraph took 234 s at 1 M persons (bench/RESULTS.md). Here the projection is made inside
the database by a Cypher aggregation (``gds.graph.project``) over the labels and
relationship types the caller names, with holders of one phone or address linked as
:func:`graph.algorithms.projection.project` links them (each holder to the first holder of
the value in (label, key) order, values held by 2 to ``max_shared`` nodes only), so that
the in-database graph is the igraph one, edge for edge. Algorithms run there and write
their results to the nodes; only per-community counts cross the wire.

The ``graphdatascience`` client talks to GDS over the store's own driver (no second
connection, no Arrow server needed).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from graph import schema as sch
from graph.store.base import GraphStore

__all__ = ["InDatabase", "Numbered", "in_database"]

# What ``_pull.norm_value`` strips from a shared value before comparing (whitespace, '-').
_STRIP = (" ", "\t", "\n", "\r", "\u3000", "-")
_WRITE_BATCH = 10_000


@dataclass(frozen=True)
class Numbered:
    """What an in-database numbering wrote."""

    communities: int
    nodes: int
    written: int
    modularity: float
    # Seconds of each step: projection (where the caller timed it), leiden, order, write.
    seconds: dict[str, float] = field(default_factory=dict)


class InDatabase:
    """GDS procedures on one Neo4j database, through the ``graphdatascience`` client."""

    def __init__(self, client: Any) -> None:
        self.gds = client

    def cypher(
        self, query: str, params: dict[str, Any] | None = None, *, auto_commit: bool = False
    ) -> pd.DataFrame:
        """One statement; ``auto_commit`` for ``CALL … IN TRANSACTIONS``."""
        out: pd.DataFrame = self.gds.run_cypher(query, params or {}, auto_commit=auto_commit)
        return out

    @contextmanager
    def projected(
        self,
        labels: Sequence[str],
        rel_types: Sequence[str],
        shared: Sequence[str] = (),
        max_shared: int = 5,
    ) -> Iterator[str]:
        """Project ``labels`` linked by ``rel_types`` (undirected, parallel relationships
        kept) and by shared values of ``shared``; yield the graph's name, drop it after."""
        name = f"guanxi_{uuid.uuid4().hex[:12]}"
        self.cypher(_projection_query(labels, rel_types, shared), {"g": name, "max": max_shared})
        try:
            yield name
        finally:
            self.cypher("CALL gds.graph.drop($g, false) YIELD graphName RETURN 1", {"g": name})

    def number_leiden(
        self,
        graph: str,
        labels: Sequence[str],
        prop: str,
        *,
        seed: int,
        resolution: float = 1.0,
        theta: float = 0.01,
        max_levels: int = 10,
        tolerance: float = 1e-4,
    ) -> Numbered:
        """Leiden (modularity, ``resolution``) seeded, on one thread; the communities
        numbered by size (0 = largest; ties by GDS's id) and written as ``prop`` on the
        nodes whose number changed."""
        if not prop.isidentifier():
            raise ValueError(f"not a property name: {prop!r}")
        config = {
            "gamma": float(resolution),
            "theta": float(theta),
            "maxLevels": int(max_levels),
            "tolerance": float(tolerance),
            "randomSeed": int(seed),
            # GDS honours the seed only on one thread.
            "concurrency": 1,
            "consecutiveIds": True,
            "mutateProperty": "guanxi_raw",
        }
        clock = time.perf_counter()
        seconds: dict[str, float] = {}

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            seconds[step], clock = round(now - clock, 1), now

        stats = self.cypher(
            "CALL gds.leiden.mutate($g, $config) YIELD communityCount, modularity "
            "RETURN communityCount, modularity",
            {"g": graph, "config": config},
        )
        lap("leiden")
        order = self.cypher(
            "CALL gds.graph.nodeProperty.stream($g, 'guanxi_raw') YIELD propertyValue "
            "WITH toInteger(propertyValue) AS c, count(*) AS size "
            "ORDER BY size DESC, c RETURN collect(c) AS order, sum(size) AS nodes",
            {"g": graph},
        )
        lap("order")
        raw = np.asarray(order["order"][0], dtype=np.int64)
        perm = np.empty(int(raw.max(initial=-1)) + 1, dtype=np.int64)
        perm[raw] = np.arange(len(raw), dtype=np.int64)
        written = self.cypher(
            "CALL gds.graph.nodeProperty.stream($g, 'guanxi_raw') YIELD nodeId, propertyValue "
            "WITH gds.util.asNode(nodeId) AS n, $perm[toInteger(propertyValue)] AS c "
            f"WHERE n.{prop} IS NULL OR n.{prop} <> c "
            f"CALL (n, c) {{ SET n.{prop} = c }} IN TRANSACTIONS OF {_WRITE_BATCH} ROWS "
            "RETURN count(*) AS written",
            {"g": graph, "perm": perm.tolist()},
            auto_commit=True,
        )
        lap("write")
        return Numbered(
            communities=len(raw),
            nodes=int(order["nodes"][0]),
            written=int(written["written"][0]),
            modularity=float(stats["modularity"][0]),
            seconds=seconds,
        )

    def stream(
        self, graph: str, procedure: str, value: str, labels: Sequence[str], config: dict[str, Any]
    ) -> pd.DataFrame:
        """``procedure``'s per-node ``value`` with each node's label and key (for comparing
        with a pulled projection; the product paths write instead)."""
        if procedure not in ("gds.wcc.stream", "gds.pageRank.stream"):
            raise ValueError(f"not a streamed procedure here: {procedure}")
        return self.cypher(
            f"CALL {procedure}($g, $config) YIELD nodeId, {value} "
            f"WITH gds.util.asNode(nodeId) AS n, {value} "
            f"RETURN {_label_expr(labels)} AS label, {_key_expr(labels)} AS key, {value} AS value",
            {"g": graph, "config": config},
        )


def in_database(store: GraphStore) -> InDatabase | None:
    """The GDS client on ``store``'s database, or None (not Neo4j, or no GDS plugin)."""
    driver = getattr(store, "driver", None)
    if store.engine != "neo4j" or driver is None:
        return None
    from graphdatascience import GraphDataScience

    try:
        client = GraphDataScience(
            driver,
            database=getattr(store, "database", None),
            arrow=False,
            show_progress=False,
        )
    except Exception:
        return None
    return InDatabase(client)


def _label_set(labels: Sequence[str]) -> str:
    for lab in labels:
        if not lab.isidentifier():
            raise ValueError(f"not a label: {lab!r}")
    return "|".join(labels)


def _label_expr(labels: Sequence[str]) -> str:
    whens = " ".join(f"WHEN n:{lab} THEN '{lab}'" for lab in labels)
    return f"CASE {whens} END"


def _label_index(labels: Sequence[str]) -> str:
    whens = " ".join(f"WHEN n:{lab} THEN {i}" for i, lab in enumerate(labels))
    return f"CASE {whens} END"


def _key_expr(labels: Sequence[str]) -> str:
    whens = " ".join(f"WHEN n:{lab} THEN n.{sch.NODES[lab].key}" for lab in labels)
    return f"CASE {whens} END"


def _norm(expr: str) -> str:
    out = f"toString({expr})"
    for ch in _STRIP:
        out = f"replace({out}, '{ch}', '')"
    return out


def _projection_query(
    labels: Sequence[str], rel_types: Sequence[str], shared: Sequence[str]
) -> str:
    """One Cypher aggregation: every node of ``labels`` (alone if unlinked), every
    relationship of ``rel_types`` between two of them, and the shared-value stars."""
    nodes = _label_set(labels)
    for t in rel_types:
        if not t.isidentifier():
            raise ValueError(f"not a relationship type: {t!r}")
    parts = [
        f"MATCH (s:{nodes}) OPTIONAL MATCH (s)-[:{'|'.join(rel_types)}]->(t:{nodes}) RETURN s, t"
    ]
    for prop in shared:
        if not prop.isidentifier():
            raise ValueError(f"not a property name: {prop!r}")
        # Grouped first, then each small group ordered on its own: sorting every holder
        # by (label, key) before grouping took half the projection's time at 1 M persons.
        parts.append(
            f"MATCH (n:{nodes}) WHERE n.{prop} IS NOT NULL "
            f"WITH n, {_norm('n.' + prop)} AS v WHERE v <> '' "
            "WITH v, collect(n) AS ns WHERE 2 <= size(ns) <= $max "
            "CALL (ns) { UNWIND ns AS n "
            f"WITH n ORDER BY {_label_index(labels)}, toString({_key_expr(labels)}) "
            "RETURN collect(n) AS held } "
            "UNWIND held[1..] AS t RETURN held[0] AS s, t"
        )
    union = " UNION ALL ".join(parts)
    return (
        f"CALL () {{ {union} }} "
        "WITH gds.graph.project($g, s, t, {}, {undirectedRelationshipTypes: ['*']}) AS g "
        "RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships"
    )
