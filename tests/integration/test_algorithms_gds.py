"""igraph Leiden against Neo4j GDS Leiden on the same LFR graph (n = 10,000, mu = 0.3)."""

from __future__ import annotations

import networkx as nx
import pytest
from networkx.generators.community import LFR_benchmark_graph

from graph.algorithms import Partition, compare, gds_available, gds_leiden, leiden, project
from graph.errors import Unsupported
from graph.store import GraphStore


@pytest.mark.slow
def test_gds_and_igraph_leiden_agree_on_lfr(
    store: GraphStore, capsys: pytest.CaptureFixture[str]
) -> None:
    g = LFR_benchmark_graph(
        10_000, 3, 1.5, 0.3, average_degree=20, max_degree=100,
        min_community=50, max_community=500, seed=42, max_iters=500,
    )  # fmt: skip
    g.remove_edges_from(nx.selfloop_edges(g))
    store.write_batches(
        "UNWIND $rows AS row CREATE (:Person {id_number: row.k})",
        [{"k": str(v)} for v in g.nodes()],
        batch_size=10_000,
    )
    store.write_batches(
        "UNWIND $rows AS row MATCH (a:Person {id_number: row.a}) "
        "MATCH (b:Person {id_number: row.b}) CREATE (a)-[:RELATIVE_OF]->(b)",
        [{"a": str(a), "b": str(b)} for a, b in g.edges()],
        batch_size=10_000,
    )
    proj = project(store, ["Person"], ["RELATIVE_OF"])
    assert (proj.n_nodes, proj.n_edges) == (g.number_of_nodes(), g.number_of_edges())
    if not gds_available(store):
        with pytest.raises(Unsupported):
            gds_leiden(store, proj)
        return
    truth = Partition.from_membership(
        proj, [min(g.nodes[int(k)]["community"]) for k in proj.keys], "planted"
    )
    ours = leiden(proj, seed=0)
    theirs = gds_leiden(store, proj, seed=0)
    with capsys.disabled():
        print(
            f"\nLFR mu=0.3 NMI vs planted: igraph {compare(ours, truth):.3f}, "
            f"GDS {compare(theirs, truth):.3f}; igraph vs GDS NMI {compare(ours, theirs):.3f} "
            f"ARI {compare(ours, theirs, 'ari'):.3f}; modularity {ours.modularity:.4f} / "
            f"{theirs.modularity:.4f}"
        )
    assert compare(theirs, truth) >= 0.9
    assert compare(ours, theirs) >= 0.9
    assert compare(ours, theirs, "ari") >= 0.85
    assert abs(ours.modularity - theirs.modularity) <= 0.01
