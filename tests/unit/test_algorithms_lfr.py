"""Community quality on LFR benchmark graphs (Lancichinetti, Fortunato & Radicchi 2008).

n = 10,000, power-law degrees (tau1 = 3, average 20, at most 100) and community sizes
(tau2 = 1.5, 50-500); a fraction ``mu`` of each node's relationships leaves its community.
networkx generates each graph in about a second with these parameters (smaller minimum
communities often fail to converge); the graphs are built once per session.
"""

from __future__ import annotations

import time

import networkx as nx
import pytest
from networkx.generators.community import LFR_benchmark_graph

from graph.algorithms import Partition, Projection, compare, leiden, louvain

MUS = (0.1, 0.2, 0.3, 0.4)
# What the acceptance asks at mu = 0.3, and regression floors measured here (NMI 1.0, 1.0,
# 0.992, 0.936 with seed 0).
FLOOR = {0.1: 0.95, 0.2: 0.95, 0.3: 0.9, 0.4: 0.85}

_GRAPHS: dict[float, tuple[Projection, Partition]] = {}


def lfr(mu: float) -> tuple[Projection, Partition]:
    if mu not in _GRAPHS:
        g = LFR_benchmark_graph(
            10_000, 3, 1.5, mu, average_degree=20, max_degree=100,
            min_community=50, max_community=500, seed=42, max_iters=500,
        )  # fmt: skip
        g.remove_edges_from(nx.selfloop_edges(g))
        proj = Projection.from_records(
            [(f"Person:{a}", "RELATIVE_OF", f"Person:{b}") for a, b in g.edges()],
            nodes=[("Person", str(v)) for v in g.nodes()],
        )
        planted = {v: min(g.nodes[v]["community"]) for v in g.nodes()}
        truth = Partition.from_membership(proj, [planted[int(k)] for k in proj.keys], "planted")
        _GRAPHS[mu] = (proj, truth)
    return _GRAPHS[mu]


@pytest.mark.slow
@pytest.mark.parametrize("mu", MUS)
def test_leiden_recovers_planted_communities(
    mu: float, record_property: pytest.RecordProperty, capsys: pytest.CaptureFixture[str]
) -> None:
    proj, truth = lfr(mu)
    t0 = time.perf_counter()
    part = leiden(proj, seed=0)
    seconds = time.perf_counter() - t0
    nmi, ari = compare(part, truth), compare(part, truth, "ari")
    record_property("nmi", round(nmi, 4))
    record_property("ari", round(ari, 4))
    with capsys.disabled():
        print(
            f"\nLFR n=10000 mu={mu}: Leiden NMI {nmi:.3f} ARI {ari:.3f}, "
            f"{part.n_communities} communities (planted {truth.n_communities}), "
            f"modularity {part.modularity:.3f} (planted {truth.modularity:.3f}), {seconds:.2f} s"
        )
    assert nmi >= FLOOR[mu]
    assert part.is_partition_of(proj.n_nodes)


@pytest.mark.slow
@pytest.mark.parametrize("mu", MUS)
def test_leiden_modularity_at_least_louvain(mu: float) -> None:
    proj, _ = lfr(mu)
    for seed in range(2):
        assert leiden(proj, seed=seed).modularity >= louvain(proj, seed=seed).modularity - 0.005
