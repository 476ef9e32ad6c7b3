"""The one numbering of risk communities: found when detect runs, stored, read everywhere.

Leiden's numbers depend on the projection, the seed and the objective, so two callers
that each ran it (the demo with one seed, the API with another) showed the same people
as different communities. Instead, ``guanxi detect`` finds the communities once
(:func:`store_communities`) and writes each node's number as its ``community``
property; the CLI, the API, the explorer and exports read that numbering back
(:func:`stored_partition`). Numbers are Leiden's, relabelled by size (0 = largest).

A node added after the last detect has no number yet: it stands alone until the next
detect numbers it.

>>> from graph.algorithms.projection import Projection
>>> proj = Projection.from_records([("Person:1", "RELATIVE_OF", "Person:2")])
>>> proj.node_props["community"] = np.array([4, None], dtype=object)
>>> stored_partition(proj).membership.tolist()
[4, 5]
"""

from __future__ import annotations

import numpy as np

from graph.algorithms.communities import Partition, _modularity, leiden, write_communities
from graph.algorithms.projection import Projection
from graph.algorithms.risk import RISK_LABELS, risk_projection
from graph.store.base import GraphStore

__all__ = [
    "PROP",
    "SEED",
    "number_communities",
    "numbered_projection",
    "store_communities",
    "stored_partition",
]

PROP = "community"
#: Leiden's seed for the stored numbering (same seed, same communities).
SEED = 0


def numbered_projection(
    store: GraphStore,
    *,
    division: str | None = None,
    at: str | None = None,
    extra: dict[str, list[str]] | None = None,
) -> Projection:
    """The risk projection with each node's stored community number (``node_props``).

    ``extra`` names more node properties to pull, label by label.
    """
    props = {lb: [PROP, *(extra or {}).get(lb, [])] for lb in RISK_LABELS}
    return risk_projection(store, division=division, at=at, node_properties=props)


def store_communities(store: GraphStore, proj: Projection | None = None) -> Partition:
    """Find the risk communities (Leiden, modularity, :data:`SEED`) and store their numbers.

    ``proj`` must be the whole risk projection (no division, no date): the stored
    numbering is the county's, not one view of it.
    """
    proj = proj if proj is not None else numbered_projection(store)
    if proj.division is not None or proj.at is not None:
        raise ValueError("store communities found on the whole risk projection only")
    part = leiden(proj, seed=SEED)
    # A detect over an unchanged graph finds the same numbers: write only what changed
    # (measured: 2.6 s to write all 34k numbers of a 20,000-person county).
    before = proj.node_props.get(PROP)
    changed = (
        None
        if before is None
        else np.array(
            [
                not isinstance(b, int | np.integer) or int(b) != int(m)
                for b, m in zip(before, part.membership, strict=True)
            ],
            dtype=bool,
        )
    )
    write_communities(store, proj, part, PROP, only=changed)
    return part


def number_communities(store: GraphStore, algorithms: str = "auto") -> int:
    """Number the risk communities and store them; return how many there are.

    ``algorithms`` (``GUANXI_ALGORITHMS``): ``gds`` runs Leiden inside Neo4j with the
    Graph Data Science library (:func:`~graph.algorithms.gds.gds_number_communities`: no
    projection pulled over Bolt), ``igraph`` pulls the projection and runs
    :func:`store_communities`, ``auto`` takes GDS when the store has it. Both optimise
    modularity with seed :data:`SEED` and number by size, but they are different Leiden
    implementations: on a county they agree closely, not vertex for vertex
    (tests/integration/test_gds_risk.py).
    """
    if algorithms not in ("auto", "gds", "igraph"):
        raise ValueError(f"algorithms must be auto, gds or igraph, not {algorithms!r}")
    if algorithms != "igraph":
        from graph.algorithms.gds import gds_available, gds_number_communities

        if algorithms == "gds" or (store.engine == "neo4j" and gds_available(store)):
            return gds_number_communities(store, PROP, SEED).communities
    return store_communities(store).n_communities


def stored_partition(proj: Projection) -> Partition | None:
    """The numbering the last detect stored, or None when no node of ``proj`` has one.

    A vertex without a number gets a new one of its own, after the highest stored.
    """
    raw = proj.node_props.get(PROP)
    if raw is None:
        return None
    have = np.array([isinstance(x, int | np.integer) and x >= 0 for x in raw], dtype=bool)
    if not have.any():
        return None
    m = np.empty(len(raw), dtype=np.int64)
    m[have] = [int(x) for x in raw[have]]
    m[~have] = int(m[have].max()) + 1 + np.arange(int((~have).sum()), dtype=np.int64)
    return Partition(m, _modularity(proj, m, None), "stored", {"property": PROP})
