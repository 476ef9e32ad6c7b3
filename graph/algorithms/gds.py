"""Leiden inside Neo4j with the Graph Data Science plugin, comparable with :func:`leiden`.

The same labels and relationship types as a projection are projected natively into GDS
(undirected, parallel relationships kept, as :func:`~graph.algorithms.leiden` sees them),
Leiden runs there and the result comes back aligned with the projection's vertices, so the
two partitions compare vertex by vertex and their modularity is computed the same way.
GDS support is detected by calling ``gds.version()``: on an engine without it (the
embedded FalkorDB) every function here raises :class:`~graph.errors.Unsupported`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from graph import schema as sch
from graph.algorithms.communities import Partition
from graph.algorithms.projection import Projection
from graph.algorithms.risk import RISK_LABELS, RISK_REL_TYPES, RISK_SHARED
from graph.errors import QueryError, Unsupported
from graph.store.base import GraphStore
from graph.store.neo4j_gds import InDatabase, Numbered, in_database

__all__ = [
    "gds_available",
    "gds_components",
    "gds_leiden",
    "gds_number_communities",
    "gds_pagerank",
]


def gds_available(store: GraphStore) -> bool:
    """Whether the store answers GDS procedures (Neo4j with the GDS plugin)."""
    try:
        store.read("RETURN gds.version() AS v")
    except QueryError:
        return False
    return True


def gds_leiden(
    store: GraphStore,
    proj: Projection,
    *,
    resolution: float = 1.0,
    max_levels: int = 10,
    tolerance: float = 1e-4,
    seed: int = 0,
    write_property: str | None = None,
) -> Partition:
    """Run ``gds.leiden`` on the projection's labels and types, in the database.

    The result is a :class:`Partition` of ``proj``'s vertices whose modularity igraph
    computes on ``proj``, as for :func:`~graph.algorithms.leiden`. GDS takes its seed only
    with ``concurrency: 1``, so that is used. With ``write_property`` the communities are
    also written to the nodes (``gds.leiden.write``).

    Raises
    ------
    Unsupported
        On an engine without GDS, or for a projection that filtered by division or date
        or derived relationships: a native GDS projection cannot express those.
    """
    if not gds_available(store):
        raise Unsupported("in-database Leiden needs Neo4j with the Graph Data Science plugin")
    if proj.division is not None or proj.at is not None or proj.derived:
        raise Unsupported("GDS projects labels and types only: no division, date or SAME_* links")
    config = {
        "gamma": float(resolution),
        "maxLevels": int(max_levels),
        "tolerance": float(tolerance),
        "randomSeed": int(seed),
        "concurrency": 1,
    }
    with _projected(store, proj) as name:
        rows = store.read(
            "CALL gds.leiden.stream($g, $config) YIELD nodeId, communityId "
            "WITH gds.util.asNode(nodeId) AS n, communityId "
            f"RETURN labels(n) AS labels, {_key_expr(proj)} AS key, communityId AS c",
            {"g": name, "config": config},
        )
        if write_property is not None:
            if not write_property.isidentifier():
                raise ValueError(f"not a property name: {write_property!r}")
            store.write(
                "CALL gds.leiden.write($g, $config) YIELD communityCount RETURN communityCount",
                {"g": name, "config": {**config, "writeProperty": write_property}},
            )
    membership = _align(proj, rows)
    params = {**config, "engine": "gds"}
    return Partition.from_membership(proj, membership, "gds.leiden", params)


@contextmanager
def _projected(store: GraphStore, proj: Projection) -> Iterator[str]:
    counts = np.bincount(proj.label_codes, minlength=len(proj.label_names))
    labels = [lab for lab, c in zip(proj.label_names, counts, strict=True) if c]
    tcounts = np.bincount(proj.type_codes, minlength=len(proj.type_names))
    types = [t for t, c in zip(proj.type_names, tcounts, strict=True) if c]
    if not labels:
        raise Unsupported("nothing to project: the projection is empty")
    name = f"guanxi_{uuid.uuid4().hex[:12]}"
    rel_spec = {t: {"type": t, "orientation": "UNDIRECTED"} for t in types}
    if not rel_spec:
        # GDS needs a relationship projection; '*' over nodes with no relationships is empty.
        rel_spec = {"ALL": {"type": "*", "orientation": "UNDIRECTED"}}
    store.read(
        "CALL gds.graph.project($g, $labels, $rels) YIELD nodeCount RETURN nodeCount",
        {"g": name, "labels": labels, "rels": rel_spec},
    )
    try:
        yield name
    finally:
        store.read("CALL gds.graph.drop($g, false) YIELD graphName RETURN graphName", {"g": name})


def _key_expr(proj: Projection) -> str:
    """The natural key of ``n`` whatever its label (each label has its own key property)."""
    whens = " ".join(
        f"WHEN n:{lab} THEN n.{sch.NODES[lab].key}" for lab in proj.label_names if lab in sch.NODES
    )
    return f"CASE {whens} END"


def _align(proj: Projection, rows: list[dict[str, Any]]) -> Any:
    """GDS communities in vertex order; a vertex GDS did not return is a community alone."""
    membership = np.full(proj.n_nodes, -1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "label": [
                next((lab for lab in r["labels"] if lab in proj.label_names), None) for r in rows
            ],
            "key": [r["key"] for r in rows],
            "c": [int(r["c"]) for r in rows],
        }
    )
    for label, group in frame.groupby("label"):
        vids = proj.vertices(group["key"].to_numpy(), str(label))
        ok = vids >= 0
        membership[vids[ok]] = group["c"].to_numpy()[ok]
    lonely = np.flatnonzero(membership < 0)
    membership[lonely] = membership.max(initial=-1) + 1 + np.arange(len(lonely))
    return membership


# -- the risk projection made inside the database (graph.store.neo4j_gds) ---------------------
def gds_number_communities(store: GraphStore, prop: str, seed: int) -> Numbered:
    """Number the risk communities inside Neo4j: Leiden (modularity) on the risk
    projection projected in the database, numbered by size and written as ``prop``.

    Raises
    ------
    Unsupported
        On an engine without GDS.
    """
    db = _client(store)
    store.bump_graph_version()
    began = time.perf_counter()
    with db.projected(RISK_LABELS, RISK_REL_TYPES, RISK_SHARED) as g:
        projected = round(time.perf_counter() - began, 1)
        done = db.number_leiden(g, RISK_LABELS, prop, seed=seed)
    return replace(done, seconds={"projection": projected, **done.seconds})


def gds_components(store: GraphStore, proj: Projection) -> Partition:
    """Weakly connected components of the risk projection, found in the database and
    aligned with ``proj`` (which must be the whole risk projection) vertex by vertex."""
    db = _client(store)
    with db.projected(RISK_LABELS, RISK_REL_TYPES, RISK_SHARED) as g:
        rows = db.stream(g, "gds.wcc.stream", "componentId", RISK_LABELS, {"concurrency": 1})
    return Partition.from_membership(proj, _aligned(proj, rows).astype(np.int64), "gds.wcc")


def gds_pagerank(store: GraphStore, proj: Projection, damping: float = 0.85) -> Any:
    """PageRank of the undirected risk projection, computed in the database, aligned with
    ``proj``; scaled to sum to 1 as igraph's (GDS's scores sum to the node count)."""
    db = _client(store)
    config = {"dampingFactor": damping, "maxIterations": 100, "tolerance": 1e-10, "concurrency": 1}
    with db.projected(RISK_LABELS, RISK_REL_TYPES, RISK_SHARED) as g:
        rows = db.stream(g, "gds.pageRank.stream", "score", RISK_LABELS, config)
    scores = _aligned(proj, rows).astype(float)
    return scores / scores.sum()


def _client(store: GraphStore) -> InDatabase:
    db = in_database(store)
    if db is None:
        raise Unsupported("in-database algorithms need Neo4j with the Graph Data Science plugin")
    return db


def _aligned(proj: Projection, rows: pd.DataFrame) -> Any:
    out = np.full(proj.n_nodes, np.nan)
    for label, group in rows.groupby("label"):
        vids = proj.vertices(group["key"].to_numpy(), str(label))
        ok = vids >= 0
        out[vids[ok]] = group["value"].to_numpy(dtype=float)[ok]
    if np.isnan(out).any():
        raise ValueError("the in-database projection misses vertices of the pulled one")
    return out
