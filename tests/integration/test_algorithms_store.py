"""Projections pulled from a real store, on both engines, and results written back."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from graph.algorithms import (
    Projection,
    compare,
    entity_risk,
    facts_from_projection,
    gather_facts,
    gds_available,
    gds_leiden,
    leiden,
    project,
    rank_communities,
    shortest_path,
    write_communities,
)
from graph.algorithms.toy import RING_KEYS, collusion_county, load_records
from graph.errors import Unsupported
from graph.store import GraphStore

SEC, WIFE, BRO, CO1, CO2 = RING_KEYS[:5]


@pytest.fixture
def county(store: GraphStore) -> tuple[GraphStore, Projection]:
    nodes, rels = collusion_county()
    load_records(store, nodes, rels)
    return store, Projection.from_records(rels, nodes)


def _edges(p: Projection) -> Counter[tuple[str, str, str]]:
    types = p.edge_types
    return Counter(
        (p.node_id(a), str(types[e]), p.node_id(b))
        for e, (a, b) in enumerate(p.graph.get_edgelist())
    )


def test_projection_equals_the_records(county: tuple[GraphStore, Projection]) -> None:
    store, want = county
    got = project(store)
    assert sorted(got.node_id(v) for v in range(got.n_nodes)) == sorted(
        want.node_id(v) for v in range(want.n_nodes)
    )
    assert _edges(got) == _edges(want)
    # Tiny pages (ordered key pages for nodes, key batches for relationships): same graph.
    small = project(store, batch=7)
    assert _edges(small) == _edges(got)
    assert sorted(small.node_id(v) for v in range(small.n_nodes)) == sorted(
        got.node_id(v) for v in range(got.n_nodes)
    )


def test_labels_types_and_properties(county: tuple[GraphStore, Projection]) -> None:
    store, _ = county
    p = project(
        store,
        ["Person", "Enterprise", "Contract"],
        ["RELATIVE_OF", "AWARDED_TO", "LEGAL_REP_OF"],
        node_properties={"Contract": ["amount"], "Person": ["name"]},
        rel_properties=["relation"],
    )
    assert set(p.labels) == {"Person", "Enterprise", "Contract"}
    assert set(p.edge_types) == {"RELATIVE_OF", "AWARDED_TO", "LEGAL_REP_OF"}
    assert p.node_props["amount"][p.vertex("Contract:HT-2023-R1")] == 98_000_000
    assert p.node_props["amount"][p.vertex(f"Person:{SEC}")] is None
    rel = p.rel_props["relation"][p.edge_types == "RELATIVE_OF"]
    assert "配偶" in set(rel)
    path = shortest_path(p, f"Person:{SEC}", f"Enterprise:{CO2}")
    assert path is not None
    assert (
        path.text
        == "周建国 申报的亲属是（配偶的兄弟） 吴志强；吴志强 是法定代表人，企业 鑫盛劳务有限公司"
    )


def test_shared_phones_and_addresses_link_nodes(county: tuple[GraphStore, Projection]) -> None:
    store, _ = county
    p = project(store, ["Person", "Enterprise"], [], link_shared=["phone", "address"])
    pairs = {
        (str(p.edge_types[e]), frozenset((p.keys[a], p.keys[b])))
        for e, (a, b) in enumerate(p.graph.get_edgelist())
    }
    # The brother-in-law and both front companies share one mobile; the companies one address.
    assert pairs == {
        ("SAME_PHONE", frozenset((BRO, CO1))),
        ("SAME_PHONE", frozenset((BRO, CO2))),
        ("SAME_ADDRESS", frozenset((CO1, CO2))),
    }
    # Six village companies share the county switchboard: more than max_shared, so no link.
    assert p.derived == {"SAME_PHONE": "phone", "SAME_ADDRESS": "address"}


def test_division_filter(county: tuple[GraphStore, Projection]) -> None:
    store, full = county
    p = project(store, division="430422101202")
    own = {p.node_id(v) for v in range(p.n_nodes)}
    villages = {
        str(full.node_props["village_code"][v])
        for v in range(full.n_nodes)
        if full.node_props["village_code"][v] is not None and full.node_id(v) in own
    }
    assert villages == {"430422101202"}
    assert "Division:430422101202" in own
    assert "Division:430422101201" not in own
    # Nodes without a division of their own come along when linked: the village's company.
    assert "Enterprise:91430422000000001X" in own
    assert f"Enterprise:{CO1}" not in own
    assert all(p.node_id(a) in own and p.node_id(b) in own for a, b in p.graph.get_edgelist())


def test_time_window(store: GraphStore) -> None:
    load_records(
        store,
        [("Person", "p1", {}), ("Post", "a", {}), ("Post", "b", {})],
        [
            (
                "Person:p1",
                "HOLDS",
                "Post:a",
                {"valid_from": "2015-01-01", "valid_to": "2019-12-31"},
            ),
            ("Person:p1", "HOLDS", "Post:b", {"valid_from": "2020-01-01"}),
        ],
    )

    def held(at: str | None) -> set[str]:
        p = project(store, ["Person", "Post"], ["HOLDS"], at=at)
        return {p.keys[b] for _, b in p.graph.get_edgelist()}

    assert held(None) == {"a", "b"}
    assert held("2016-06-01") == {"a"}
    assert held("2019-12-31") == {"a"}
    assert held("2024-01-01") == {"b"}
    assert held("2010-01-01") == set()


def test_write_communities_round_trip(county: tuple[GraphStore, Projection]) -> None:
    store, _ = county
    p = project(store, ["Person", "Enterprise", "Contract"])
    part = leiden(p, seed=0)
    summary = write_communities(store, p, part, prop="community")
    assert summary.rows == p.n_nodes
    rows = store.read("MATCH (n:Person) RETURN n.id_number AS k, n.community AS c")
    got = {r["k"]: r["c"] for r in rows}
    for v in np.flatnonzero(p.labels == "Person"):
        assert got[p.keys[v]] == part.membership[v]
    with pytest.raises(ValueError, match="property name"):
        write_communities(store, p, part, prop="x} DETACH DELETE n //")


def test_facts_from_store_match_the_records(county: tuple[GraphStore, Projection]) -> None:
    store, records = county
    p = project(store)
    from_store = gather_facts(store, p)
    want = facts_from_projection(records)
    order = records.vertices(p.keys, "Person")  # same node, both projections
    persons = np.flatnonzero(p.labels == "Person")
    assert (from_store.official[persons] == want.official[order[persons]]).all()
    assert from_store.contractor.sum() == want.contractor.sum()
    assert from_store.received.sum() == want.received.sum()
    assert from_store.contract_amount.sum() == want.contract_amount.sum()
    assert sorted(from_store.findings["finding_id"]) == sorted(want.findings["finding_id"])
    assert len(from_store.complaints) == len(want.complaints) == 1


def test_planted_ring_ranks_first_from_the_store(county: tuple[GraphStore, Projection]) -> None:
    store, _ = county
    ranked = rank_communities(store, 3)
    best = ranked[0]
    proj_keys = {k for r in ranked[:1] for k in best.leading}
    assert f"Person:{SEC}" in proj_keys
    assert "周建国 村党支部书记" in best.explanation
    assert best.findings == {"high": 2, "medium": 1}
    risk = entity_risk(project(store), f"Person:{WIFE}")
    assert risk.caption == "吴秀英"
    assert risk.nearest[0][1:] == ("周建国", 1)


def test_gds_leiden_matches_igraph(county: tuple[GraphStore, Projection]) -> None:
    store, _ = county
    labels = ["Person", "Household", "Enterprise", "Contract", "Finding", "Complaint"]
    p = project(store, labels)
    if not gds_available(store):
        with pytest.raises(Unsupported):
            gds_leiden(store, p)
        return
    ours = leiden(p, seed=0, n_iterations=10)
    theirs = gds_leiden(store, p, seed=0)
    assert theirs.is_partition_of(p.n_nodes)
    assert compare(ours, theirs) >= 0.8
    assert compare(ours, theirs, "ari") >= 0.6
    assert abs(ours.modularity - theirs.modularity) <= 0.03
    with pytest.raises(Unsupported):
        gds_leiden(store, project(store, labels, division="430422"))
