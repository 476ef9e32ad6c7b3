"""Graph algorithms on projections of the store: communities, paths, centrality, risk.

The store holds the graph; algorithms run on a :class:`Projection` of it in igraph
(docs/architecture.md)::

    proj = risk_projection(store)
    part = leiden(proj, seed=0)
    write_communities(store, proj, part)
    ranked = rank_communities(store, top=10, proj=proj, partition=part)
"""

from graph.algorithms.centrality import betweenness, degree, pagerank, top
from graph.algorithms.communities import (
    Partition,
    compare,
    components,
    leiden,
    louvain,
    write_communities,
)
from graph.algorithms.facts import Facts, facts_from_projection, gather_facts
from graph.algorithms.gds import gds_available, gds_leiden
from graph.algorithms.paths import (
    GraphPath,
    Hop,
    describe_relationship,
    k_shortest_paths,
    shortest_path,
)
from graph.algorithms.projection import Projection, project
from graph.algorithms.risk import (
    COMMUNITY_WEIGHTS,
    RISK_LABELS,
    RISK_REL_TYPES,
    RISK_SHARED,
    CommunityRisk,
    EntityRisk,
    community_score,
    entity_risk,
    rank_communities,
    render,
    risk_projection,
    risk_scores,
)
from graph.algorithms.rng import seeded

__all__ = [
    "COMMUNITY_WEIGHTS",
    "RISK_LABELS",
    "RISK_REL_TYPES",
    "RISK_SHARED",
    "CommunityRisk",
    "EntityRisk",
    "Facts",
    "GraphPath",
    "Hop",
    "Partition",
    "Projection",
    "betweenness",
    "community_score",
    "compare",
    "components",
    "degree",
    "describe_relationship",
    "entity_risk",
    "facts_from_projection",
    "gather_facts",
    "gds_available",
    "gds_leiden",
    "k_shortest_paths",
    "leiden",
    "louvain",
    "pagerank",
    "project",
    "rank_communities",
    "render",
    "risk_projection",
    "risk_scores",
    "seeded",
    "shortest_path",
    "top",
    "write_communities",
]
