"""Graph algorithms on projections built from records: known answers and invariants."""

from __future__ import annotations

import itertools
import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from graph.algorithms import (
    Partition,
    Projection,
    betweenness,
    compare,
    components,
    degree,
    entity_risk,
    k_shortest_paths,
    leiden,
    louvain,
    pagerank,
    rank_communities,
    render,
    risk_scores,
    shortest_path,
    top,
)
from graph.algorithms.communities import relabel
from graph.algorithms.facts import facts_from_projection
from graph.algorithms.rng import seeded
from graph.algorithms.toy import RING_KEYS, collusion_county
from graph.errors import NotFound

SEC, WIFE, BRO, CO1, CO2 = RING_KEYS[:5]


@pytest.fixture(scope="module")
def county() -> Projection:
    nodes, rels = collusion_county()
    return Projection.from_records(rels, nodes)


def _from_nx(g: nx.Graph, label: str = "Person") -> Projection:
    return Projection.from_records(
        [(f"{label}:{a}", "RELATIVE_OF", f"{label}:{b}") for a, b in g.edges()],
        nodes=[(label, str(v)) for v in g.nodes()],
    )


@pytest.fixture(scope="module")
def karate() -> Projection:
    return _from_nx(nx.karate_club_graph())


# -- projection ------------------------------------------------------------------------------
def test_projection_addresses_nodes_by_label_and_key(county: Projection) -> None:
    v = county.vertex(f"Person:{SEC}")
    assert county.vertex(SEC) == v == county.vertex(SEC, "Person")
    assert county.node_id(v) == f"Person:{SEC}"
    assert county.captions([v]) == ["周建国"]
    assert county.captions([county.vertex("Contract:HT-2023-R1")]) == ["项目合同 第1村水利工程1"]
    with pytest.raises(NotFound):
        county.vertex("nobody")
    assert county.vertices([SEC, "nobody"], "Person").tolist() == [v, -1]
    assert county.vertices([SEC], "Vehicle").tolist() == [-1]


def test_bare_key_of_two_labels_is_ambiguous() -> None:
    p = Projection.from_records([("Organisation:教育局", "POST_AT", "School:教育局")])
    with pytest.raises(ValueError, match="several labels"):
        p.vertex("教育局")
    assert p.label(p.vertex("School:教育局")) == "School"


def test_to_networkx_keeps_every_node_relationship_and_property(county: Projection) -> None:
    g = county.to_networkx()
    assert g.number_of_nodes() == county.n_nodes
    assert g.number_of_edges() == county.n_edges
    assert g.nodes[f"Person:{SEC}"]["name"] == "周建国"
    assert g.nodes[f"Person:{SEC}"]["label"] == "Person"
    rel = [d for _, _, d in g.edges(f"Person:{SEC}", data=True) if d["type"] == "RELATIVE_OF"]
    assert sorted(d["relation"] for d in rel) == ["配偶", "配偶的兄弟"]
    bare = county.to_networkx(with_properties=False)
    assert set(bare.nodes[f"Person:{SEC}"]) == {"label", "key"}


def test_empty_projection() -> None:
    p = Projection.from_records([])
    assert (p.n_nodes, p.n_edges) == (0, 0)
    assert leiden(p).n_communities == 0
    assert components(p).is_partition_of(0)


# -- communities -----------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", [leiden, louvain, components])
def test_partition_covers_every_node_exactly_once(county: Projection, algorithm: object) -> None:
    part = algorithm(county)  # type: ignore[operator]
    assert part.is_partition_of(county.n_nodes)
    sizes = part.sizes()
    assert sizes.sum() == county.n_nodes
    assert (np.diff(sizes) <= 0).all()  # numbered from the largest
    for c in range(part.n_communities):
        assert len(part.members(c)) == sizes[c]


def test_leiden_is_reproducible_with_a_seed(karate: Projection) -> None:
    a, b = leiden(karate, seed=3), leiden(karate, seed=3)
    assert (a.membership == b.membership).all()
    assert a.params["seed"] == 3
    results = {tuple(leiden(karate, seed=s, n_iterations=1).membership) for s in range(8)}
    assert len(results) > 1  # the seed does reach igraph


def test_seeding_restores_igraph_default_generator(karate: Projection) -> None:
    with seeded(1):
        pass
    random.seed(5)
    a = karate.undirected().community_leiden(objective_function="modularity").membership
    random.seed(5)
    b = karate.undirected().community_leiden(objective_function="modularity").membership
    assert a == b  # igraph draws from the `random` module again


def test_karate_known_answer(karate: Projection) -> None:
    part = leiden(karate, seed=0, n_iterations=-1)
    # The best known modularity of Zachary's karate club is 0.4198 (four communities).
    assert part.modularity == pytest.approx(0.4198, abs=2e-3)
    assert part.n_communities == 4
    # The modularity reported is igraph's (and networkx's) for the same membership.
    comms = [set(karate.keys[part.members(c)]) for c in range(part.n_communities)]
    g = nx.relabel_nodes(nx.karate_club_graph(), str)
    assert nx.community.modularity(g, comms, weight=None) == pytest.approx(part.modularity)


@pytest.mark.parametrize("graph_seed", range(5))
def test_leiden_modularity_not_below_louvain(graph_seed: int) -> None:
    g = nx.planted_partition_graph(8, 30, 0.3, 0.02, seed=graph_seed)
    proj = _from_nx(g)
    for seed in range(3):
        assert leiden(proj, seed=seed).modularity >= louvain(proj, seed=seed).modularity - 0.01


def test_cpm_resolution_controls_granularity(karate: Projection) -> None:
    coarse = leiden(karate, objective="CPM", resolution=0.05, seed=1)
    fine = leiden(karate, objective="CPM", resolution=0.8, seed=1)
    assert coarse.n_communities < fine.n_communities
    assert coarse.quality is not None
    assert leiden(karate, objective="CPM", resolution=1.0).n_communities == karate.n_nodes


def test_type_weights_change_what_sticks_together() -> None:
    # A 4-cycle whose two kinds of tie weigh differently: the heavy ties win.
    p = Projection.from_records(
        [
            ("Person:a", "RELATIVE_OF", "Person:b"),
            ("Person:c", "RELATIVE_OF", "Person:d"),
            ("Person:b", "ROLE_IN", "Person:c"),
            ("Person:d", "ROLE_IN", "Person:a"),
        ]
    )
    heavy = leiden(p, type_weights={"RELATIVE_OF": 10.0}, seed=0).membership
    assert heavy[0] == heavy[1]
    assert heavy[2] == heavy[3]
    assert heavy[0] != heavy[2]
    other = leiden(p, type_weights={"ROLE_IN": 10.0}, seed=0).membership
    assert other[1] == other[2]
    assert other[0] == other[3]
    assert other[0] != other[1]


def _households(n_small: int, seed: int) -> tuple[nx.MultiGraph, list[list[int]]]:
    """Many small trees with parallel ties (households) beside one dense planted graph."""
    rnd = random.Random(seed)
    g = nx.MultiGraph(nx.planted_partition_graph(6, 40, 0.4, 0.01, seed=seed))
    small: list[list[int]] = []
    nxt = g.number_of_nodes()
    for _ in range(n_small):
        size = rnd.randint(1, 6)
        members = list(range(nxt, nxt + size))
        g.add_nodes_from(members)
        for i in range(1, size):
            for _ in range(rnd.randint(1, 2)):
                g.add_edge(members[i], members[rnd.randrange(i)])
        small.append(members)
        nxt += size
    return g, small


def test_small_components_are_best_left_whole() -> None:
    # The bound behind _open_components, checked by brute force: no split of a small
    # component (with the rest of the graph as Leiden leaves it) scores higher.
    g, small = _households(40, seed=1)
    rest = {v: 10_000 + c for c, members in enumerate(small) for v in members}
    base = leiden(_from_nx(nx.Graph(g)), seed=0)
    proj = _from_nx(nx.Graph(g))
    for members in small[:12]:
        if len(members) < 2:
            continue
        best = -1.0
        for split in _set_partitions(members):
            m = np.array(base.membership, dtype=np.int64)
            for v, c in rest.items():
                m[proj.vertex(str(v))] = c
            for i, block in enumerate(split):
                for v in block:
                    m[proj.vertex(str(v))] = 20_000 + i
            q = proj.undirected().modularity(m.tolist())
            if len(split) == 1:
                whole = q
            best = max(best, q)
        assert whole == pytest.approx(best, abs=1e-12)


def _set_partitions(items: list[int]) -> list[list[list[int]]]:
    if not items:
        return [[]]
    head, tail = items[0], items[1:]
    out: list[list[list[int]]] = []
    for part in _set_partitions(tail):
        out.append([[head], *part])
        for i in range(len(part)):
            out.append([*part[:i], [head, *part[i]], *part[i + 1 :]])
    return out


@pytest.mark.parametrize("algorithm", [leiden, louvain])
def test_settled_components_match_a_run_on_the_whole_graph(algorithm: object) -> None:
    g, small = _households(300, seed=2)
    proj = Projection.from_records(
        [(f"Person:{a}", "RELATIVE_OF", f"Person:{b}") for a, b, _ in g.edges(keys=True)],
        nodes=[("Person", str(v)) for v in g.nodes()],
    )
    part = algorithm(proj, seed=0)  # type: ignore[operator]
    for members in small:
        ids = {int(part.membership[proj.vertex(str(v))]) for v in members}
        assert len(ids) == 1  # each household is one community...
        (c,) = ids
        assert len(part.members(c)) == len(members)  # ...and nothing else
    with seeded(0):
        plain = proj.undirected().community_leiden(objective_function="modularity")
    whole = Partition.from_membership(proj, plain.membership)
    assert part.modularity >= whole.modularity - 0.01
    assert compare(part, whole) > 0.9


def test_quality_is_igraphs_for_the_same_membership(karate: Projection) -> None:
    g = karate.undirected()
    edges = np.array(g.get_edgelist())

    def cpm(membership: object, resolution: float) -> float:
        m = np.asarray(membership)
        inside = (m[edges[:, 0]] == m[edges[:, 1]]).sum()
        return float(inside - resolution * (np.bincount(m) ** 2).sum() / 2) / len(edges)

    with seeded(2):
        theirs = g.community_leiden(objective_function="CPM", resolution=0.1)
    assert theirs.quality == pytest.approx(cpm(theirs.membership, 0.1))  # igraph's formula
    part = leiden(karate, objective="CPM", resolution=0.1, seed=2)
    assert part.quality == pytest.approx(cpm(part.membership, 0.1))
    for resolution in (1.0, 0.5):
        part = leiden(karate, resolution=resolution, seed=2)
        expected = g.modularity(part.membership.tolist(), resolution=resolution)
        assert part.quality == pytest.approx(expected)


def test_components_known_answer() -> None:
    p = Projection.from_records(
        [("Person:1", "RELATIVE_OF", "Person:2"), ("Person:4", "RELATIVE_OF", "Person:3")],
        nodes=[("Person", "5")],
    )
    part = components(p)
    got = dict(zip(p.keys, part.membership.tolist(), strict=True))
    assert got == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2}


def test_relabel_and_compare() -> None:
    assert relabel(np.array([7, 7, 3, 3, 3, 1])).tolist() == [1, 1, 0, 0, 0, 2]
    p = Projection.from_records([("Person:1", "RELATIVE_OF", "Person:2")], nodes=[("Person", "3")])
    a = Partition.from_membership(p, [0, 0, 1])
    b = Partition.from_membership(p, ["x", "x", "y"])
    c = Partition.from_membership(p, [0, 1, 2])
    assert compare(a, b) == pytest.approx(1.0)
    assert compare(a, b, "ari") == pytest.approx(1.0)
    assert compare(a, c, "ari") == pytest.approx(0.0)
    assert compare(a, c, "vi") > 0


# -- centrality ------------------------------------------------------------------------------
def test_centrality_agrees_with_networkx(karate: Projection) -> None:
    g = nx.karate_club_graph()
    order = [int(k) for k in karate.keys]
    assert degree(karate).tolist() == [g.degree(v) for v in order]
    pr = nx.pagerank(g, alpha=0.85, weight=None)
    # networkx iterates to a tolerance; igraph's PRPACK solves exactly.
    assert pagerank(karate) == pytest.approx([pr[v] for v in order], abs=2e-5)
    bc = nx.betweenness_centrality(g, normalized=False)
    assert betweenness(karate) == pytest.approx([bc[v] for v in order])


def test_personalised_pagerank_restarts_at_the_seed(karate: Projection) -> None:
    v = karate.vertex("0")
    ppr = pagerank(karate, reset={v: 1.0})
    assert ppr.sum() == pytest.approx(1.0)
    assert int(np.argmax(ppr)) == v


def test_sampled_betweenness_estimates_exact() -> None:
    g = nx.barabasi_albert_graph(400, 3, seed=1)
    proj = _from_nx(g)
    exact = betweenness(proj)
    est = betweenness(proj, samples=200, seed=4)
    assert (est == betweenness(proj, samples=200, seed=4)).all()
    assert est.sum() == pytest.approx(exact.sum(), rel=0.15)
    assert np.corrcoef(exact, est)[0, 1] > 0.95
    local = betweenness(proj, cutoff=2)
    assert (local <= exact + 1e-9).all()


def test_top_lists_leaders_with_captions(county: Projection) -> None:
    t = top(county, degree(county), 3, labels=["Enterprise"])
    assert list(t.columns) == ["label", "key", "caption", "score"]
    assert set(t["label"]) == {"Enterprise"}
    assert t["score"].is_monotonic_decreasing


# -- paths -----------------------------------------------------------------------------------
def test_shortest_path_reads_as_chinese_sentences(county: Projection) -> None:
    p = shortest_path(county, f"Person:{SEC}", f"Enterprise:{CO2}", max_degree=None)
    assert p is not None
    assert p.length == 2
    assert (
        p.text
        == "周建国 申报的亲属是（配偶的兄弟） 吴志强；吴志强 是法定代表人，企业 鑫盛劳务有限公司"
    )
    assert p.nodes == (f"Person:{SEC}", f"Person:{BRO}", f"Enterprise:{CO2}")
    assert p.hops[0].forward == (True,)
    back = shortest_path(county, f"Enterprise:{CO2}", f"Person:{SEC}")
    assert back is not None
    # Walked backwards, each relationship is still told in its own direction.
    assert back.hops[0].forward == (False,)
    assert back.hops[0].text == "吴志强 是法定代表人，企业 鑫盛劳务有限公司"
    assert back.to_json()["length"] == 2


def test_parallel_relationships_make_one_hop() -> None:
    p = Projection.from_records(
        [
            ("Person:1", "LEGAL_REP_OF", "Enterprise:e"),
            ("Person:1", "ROLE_IN", "Enterprise:e", {"role": "股东"}),
        ],
        nodes=[("Person", "1", {"name": "张三"}), ("Enterprise", "e", {"name": "某某公司"})],
    )
    (path,) = k_shortest_paths(p, "Person:1", "Enterprise:e", k=5)
    assert path.hops[0].types == ("LEGAL_REP_OF", "ROLE_IN")
    assert path.text == "张三 是法定代表人，企业 某某公司，张三 任职/持股于（股东） 某某公司"


def test_k_shortest_paths_match_brute_force() -> None:
    rnd = random.Random(2)
    g = nx.gnm_random_graph(40, 70, seed=2)
    proj = _from_nx(g)
    for _ in range(10):
        a, b = rnd.sample(list(g.nodes()), 2)
        want = sorted(len(p) - 1 for p in nx.all_simple_paths(g, a, b, cutoff=5))[:6]
        got = k_shortest_paths(proj, f"Person:{a}", f"Person:{b}", k=6, max_hops=5, max_degree=None)
        assert [p.length for p in got] == want
        for p in got:
            assert len(set(p.vertices)) == len(p.vertices)  # simple
            assert (p.nodes[0], p.nodes[-1]) == (f"Person:{a}", f"Person:{b}")
        assert len({p.vertices for p in got}) == len(got)


def test_hub_exclusion_hop_limit_and_types() -> None:
    rels = [(f"Person:{i}", "MEMBER_OF", "Household:big") for i in range(50)]
    rels += [
        ("Person:0", "RELATIVE_OF", "Person:x"),
        ("Person:x", "RELATIVE_OF", "Person:y"),
        ("Person:y", "RELATIVE_OF", "Person:9"),
    ]
    p = Projection.from_records(rels)
    via_hub = shortest_path(p, "Person:0", "Person:9", max_degree=None)
    assert via_hub is not None
    assert via_hub.length == 2
    around = shortest_path(p, "Person:0", "Person:9", max_degree=10)
    assert around is not None
    assert around.nodes[1:3] == ("Person:x", "Person:y")
    assert shortest_path(p, "Person:0", "Person:9", max_degree=10, max_hops=2) is None
    only_kin = k_shortest_paths(p, "Person:0", "Person:9", rel_types=["RELATIVE_OF"])
    assert [q.length for q in only_kin] == [3]
    # A hub may still be an end of the path.
    assert shortest_path(p, "Household:big", "Person:x", max_degree=10) is not None
    with pytest.raises(NotFound):
        shortest_path(p, "Person:0", "Person:9", rel_types=["NO_SUCH"])
    assert k_shortest_paths(p, "Person:0", "Person:0") == []


def test_directed_paths_follow_relationships() -> None:
    p = Projection.from_records(
        [("Payment:v1", "PAID_TO", "Enterprise:e"), ("Payment:v1", "FOR_CONTRACT", "Contract:c")]
    )
    assert shortest_path(p, "Contract:c", "Enterprise:e") is not None
    assert shortest_path(p, "Contract:c", "Enterprise:e", directed=True) is None
    assert shortest_path(p, "Payment:v1", "Enterprise:e", directed=True) is not None


def test_shared_value_links_are_described() -> None:
    p = Projection.from_records(
        [("Person:1", "SAME_PHONE", "Enterprise:e")],
        nodes=[("Person", "1", {"name": "张三"}), ("Enterprise", "e", {"name": "某某公司"})],
    )
    p.derived["SAME_PHONE"] = "phone"
    assert shortest_path(p, "Person:1", "Enterprise:e").text == "张三 与 某某公司 联系电话相同"  # type: ignore[union-attr]


# -- risk ------------------------------------------------------------------------------------
def test_planted_ring_ranks_first(county: Projection) -> None:
    ranked = rank_communities(None, 5, proj=county)
    best = ranked[0]
    assert set(RING_KEYS) <= set(county.keys[best.members])
    assert best.findings == {"high": 2, "medium": 1}
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in itertools.pairwise(ranked))
    # The score is the sum of its components' contributions, each weight × log1p(value) / size.
    total = sum(c.contribution for c in best.components)
    assert best.score == pytest.approx(total)
    for c in best.components:
        x = c.value if c.name == "official_and_contractor" else np.log1p(c.value)
        assert c.contribution == pytest.approx(c.weight * x / best.size_factor)
    assert "周建国" in best.explanation
    assert "疑点3条（高2、中1）" in best.explanation
    assert best.leading[0] == f"Person:{SEC}"
    assert best.to_json()["rank"] == 1


def test_ring_stays_first_whatever_the_seed(county: Projection) -> None:
    for seed in range(5):
        best = rank_communities(None, 1, proj=county, seed=seed)[0]
        assert set(RING_KEYS) <= set(county.keys[best.members])


def test_weights_are_honoured(county: Projection) -> None:
    zero = (
        "officials",
        "contractors",
        "official_and_contractor",
        "contract_value",
        "findings",
        "complaints",
    )
    only_recipients = dict.fromkeys(zero, 0.0)
    best = rank_communities(None, 1, proj=county, weights=only_recipients)[0]
    assert best.component("recipients").value > 0
    assert CO1 not in set(county.keys[best.members])


def test_render_makes_a_table(county: Projection) -> None:
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(render(rank_communities(None, 3, proj=county)))
    text = console.export_text()
    assert "风险社区排名" in text
    assert "周建国" in text


def test_entity_exposure_is_the_truncated_walk(county: Projection) -> None:
    facts = facts_from_projection(county)
    own = facts.severity_points()
    a = np.zeros((county.n_nodes, county.n_nodes))
    for s, t in county.graph.get_edgelist():
        a[s, t] += 1
        a[t, s] += 1
    deg = a.sum(axis=1)
    p = np.divide(a, deg[:, None], out=np.zeros_like(a), where=deg[:, None] > 0)
    want = sum(0.5**k * np.linalg.matrix_power(p, k) @ own for k in range(1, 5))
    scores = risk_scores(county, facts)
    got = dict(zip(scores["key"], scores["exposure"], strict=True))
    for v in range(county.n_nodes):
        if county.label(v) not in ("Finding", "Complaint"):
            assert got[county.keys[v]] == pytest.approx(want[v])
    r = entity_risk(county, ("Person", WIFE), facts)
    assert r.own == 0
    assert r.exposure == pytest.approx(want[county.vertex(WIFE)])
    assert r.exposure == pytest.approx(sum(r.by_hop))
    assert r.nearest[0] == (f"Person:{SEC}", "周建国", 1)
    assert r.explanation.startswith("吴秀英：无自身疑点；网络暴露")


def test_entity_with_own_findings(county: Projection) -> None:
    r = entity_risk(county, f"Enterprise:{CO1}")
    assert r.own == 5.0  # one high (3) and one medium (2) finding
    assert {f["finding_id"] for f in r.findings} == {"F-ring-1", "F-ring-3"}
    assert r.score == pytest.approx(r.own + r.exposure)
    assert "自身涉及疑点2条" in r.explanation
    ring = set(risk_scores(county).head(5)["key"])
    assert {CO1, CO2, SEC, BRO} <= ring


def test_dismissed_findings_do_not_count() -> None:
    p = Projection.from_records(
        [("Finding:f", "CONCERNS", "Person:1"), ("Finding:g", "CONCERNS", "Person:1")],
        nodes=[
            ("Finding", "f", {"severity": "high", "status": "dismissed"}),
            ("Finding", "g", {"severity": "low"}),
        ],
    )
    assert facts_from_projection(p).severity_points()[p.vertex("Person:1")] == 1.0


def test_igraph_graph_is_plain(county: Projection) -> None:
    assert isinstance(county.graph, ig.Graph)
    assert county.graph.is_directed()
    assert county.undirected().ecount() == county.n_edges
