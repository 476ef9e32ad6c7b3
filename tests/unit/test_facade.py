"""The notebook entry point ``Guanxi`` over a real store, on both engines.

The graph is the hand-built collusion county of ``graph.algorithms.toy``: six villages and
a planted ring (a secretary, his wife and brother-in-law, two front companies), with
findings and a complaint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import networkx as nx
import pandas as pd
import pytest

from graph import Guanxi
from graph.algorithms.toy import RING_KEYS, collusion_county, load_records
from graph.errors import NotFound, ReadOnlyViolation
from graph.export import to_networkx as export_networkx
from graph.notebook.graphs import to_networkx, to_subgraph
from graph.queries.subgraph import find_node, induced, neighbour_page, neighbourhood, parse_ref
from graph.settings import Settings
from graph.store import GraphStore
from tests.shapes import OpenEngine

SEC, WIFE, BRO, CO1, CO2 = RING_KEYS[:5]
VILLAGE = "430422101201"

BIG_CONTRACTS = """
// ---
// id: big_contract
// title_zh: 大额合同
// title_en: Large contract
// severity: low
// params:
//   min_amount: {type: money, default: 50000000, help: smallest amount (fen)}
// explanation: "合同{contract}金额{amount:yuan}，承包方{contractor}。"
// ---
MATCH p = (c:Contract)-[:AWARDED_TO]->(k:Enterprise)
WHERE c.amount >= $min_amount
RETURN [c.contract_id, k.uscc] AS subjects, [p] AS evidence,
       {contract: c.contract_id, amount: c.amount, contractor: k.name} AS facts
"""


@pytest.fixture
def g(store: GraphStore) -> Guanxi:
    nodes, rels = collusion_county()
    load_records(store, nodes, rels)
    return Guanxi(store, Settings(engine="neo4j" if store.engine == "neo4j" else "embedded"))


def test_query_spreads_nodes_and_relationships(g: Guanxi) -> None:
    df = g.query(
        "MATCH (p:Person {id_number: $id})-[r:RELATIVE_OF]->(q:Person) "
        "RETURN p, r, q.name AS name ORDER BY name",
        id=SEC,
    )
    assert list(df.columns[:3]) == ["p", "p.id_number", "p.name"]
    assert {"r", "r.start", "r.end", "r.relation", "name"} <= set(df.columns)
    assert set(df["p"]) == {f"Person:{SEC}"}
    assert set(df["r"]) == {"RELATIVE_OF"}
    assert set(df["r.start"]) == {f"Person:{SEC}"}
    assert "配偶" in set(df["r.relation"])


def test_query_scalars_and_empty(g: Guanxi) -> None:
    assert g.query("MATCH (c:Contract) RETURN count(c) AS n")["n"][0] == g.count("Contract")
    assert g.query("MATCH (c:Contract {contract_id: 'none'}) RETURN c").empty


def test_query_is_read_only(g: Guanxi) -> None:
    with pytest.raises(ReadOnlyViolation):
        g.query("CREATE (:Person {id_number: 'x'})")


def test_findings_from_the_graph(g: Guanxi) -> None:
    every = g.findings()
    assert len(every) == g.count("Finding")
    high = g.findings(severity="high")
    assert len(high) >= 1
    assert set(high["severity"]) == {"high"}
    ring = high[high["finding_id"] == "F-ring-1"].iloc[0]
    assert f"Person:{SEC}" in ring["concerns"] or any(
        CO1 in c or CO2 in c for c in ring["concerns"]
    )
    assert g.findings(status="dismissed").empty
    assert list(g.findings(pattern="no_such_pattern").columns)[:3] == [
        "finding_id",
        "pattern",
        "title",
    ]


def test_detect_returns_a_frame_and_keeps_findings(g: Guanxi) -> None:
    df = g.detect(["official_relative_contract"])
    assert list(df.columns[:7]) == [
        "finding_id",
        "pattern",
        "title",
        "severity",
        "score",
        "explanation",
        "subjects",
    ]
    stored = g.findings(pattern="official_relative_contract")
    assert set(stored["finding_id"]) == set(df["finding_id"])


def test_ad_hoc_pattern_and_its_evidence(g: Guanxi) -> None:
    df = g.pattern(BIG_CONTRACTS)
    assert len(df) >= 1
    assert df["explanation"].str.contains("金额").all()
    fewer = g.pattern(BIG_CONTRACTS, {"min_amount": 10**12})
    assert fewer.empty
    ev = g.evidence(df["finding_id"].iloc[0])
    assert isinstance(ev, nx.MultiDiGraph)
    assert {d["label"] for _, d in ev.nodes(data=True)} == {"Contract", "Enterprise"}
    assert [d["type"] for _, _, d in ev.edges(data=True)] == ["AWARDED_TO"]


def test_subgraph_depth_and_captions(g: Guanxi) -> None:
    sub = g.subgraph(f"Person:{SEC}", depth=1)
    assert f"Person:{SEC}" in sub
    assert sub.graph["start"] == f"Person:{SEC}"
    assert sub.nodes[f"Person:{SEC}"]["caption"] == "周建国"
    assert sub.nodes[f"Person:{SEC}"]["label"] == "Person"
    assert f"Person:{WIFE}" in sub  # the declared wife is one hop away
    # A bare key works when it names one node; the label narrows it.
    assert set(g.subgraph(SEC, depth=1)) == set(sub)
    assert set(g.subgraph(SEC, depth=1, label="Person")) == set(sub)


def test_subgraph_never_exceeds_its_limit(g: Guanxi) -> None:
    full = g.subgraph(VILLAGE, depth=1, limit=1000)
    assert not full.graph["truncated"]
    capped = g.subgraph(VILLAGE, depth=1, limit=5)
    assert capped.number_of_nodes() <= 5
    assert capped.graph["truncated"]
    left = sum(capped.graph["more"].values())
    assert left == full.number_of_nodes() - capped.number_of_nodes()


def test_neighbours_paged_in_a_stable_order(g: Guanxi, store: GraphStore) -> None:
    village = find_node(store, VILLAGE, "Division")
    whole = neighbourhood(store, village, depth=1, limit=1000)
    expected = sorted(n for n in whole.nodes if n != ("Division", VILLAGE))
    by_label: dict[str, list[tuple[str, str]]] = {}
    for n in expected:
        by_label.setdefault(n[0], []).append(n)
    assert len(by_label) > 1
    # The first page shares the limit among labels: every label shows.
    first = neighbour_page(store, village, limit=len(by_label) + 1)
    assert {n[0] for n in first.nodes} == {"Division", *by_label}
    assert sum(first.more.values()) == len(expected) - len(by_label)
    # A label's pages, one after the other, give each of its neighbours once, in key order.
    for lbl, members in by_label.items():
        pages: list[tuple[str, str]] = []
        while True:
            page = neighbour_page(store, village, labels=[lbl], offset=len(pages), limit=3)
            got = [n for n in page.nodes if n != ("Division", VILLAGE)]
            assert len(page.nodes) <= 3
            assert page.more.get(lbl, 0) == len(members) - len(pages) - len(got)
            if not got:
                break
            pages += got
        assert pages == members


def test_subgraph_of_nothing(g: Guanxi) -> None:
    with pytest.raises(NotFound):
        g.subgraph("Person:000000000000000000")


def test_paths_are_told_in_chinese(g: Guanxi) -> None:
    paths = g.paths(f"Person:{SEC}", f"Enterprise:{CO2}", max_hops=3, k=3)
    assert paths
    assert paths[0].length == 2
    assert "周建国" in paths[0].text
    assert "鑫盛劳务有限公司" in paths[0].text
    # Findings concerning both ends are not a route unless asked for.
    assert all("Finding" not in n for p in paths for n in p.nodes)


def test_communities_ranked_with_the_ring_first(g: Guanxi) -> None:
    ranked = g.communities(top=3)
    assert list(ranked["rank"]) == [1, 2, 3]
    first = set(ranked["nodes"].iloc[0])
    assert {f"Person:{SEC}", f"Enterprise:{CO1}", f"Enterprise:{CO2}"} <= first
    assert ranked["explanation"].iloc[0].startswith("社区")


def test_induced_subgraph(g: Guanxi) -> None:
    ids = [f"Person:{SEC}", f"Person:{WIFE}", f"Enterprise:{CO1}"]
    sub = g.induced(ids)
    assert set(sub) == set(ids)
    assert all(a in ids and b in ids for a, b in sub.edges())
    assert sub.number_of_edges() >= 1


def test_show_is_offline_and_accepts_every_kind_of_graph(g: Guanxi) -> None:
    sub = g.subgraph(f"Person:{SEC}", depth=1)
    path = g.paths(f"Person:{SEC}", f"Enterprise:{CO2}", max_hops=3, k=1)[0]
    found = g.pattern(BIG_CONTRACTS)
    for obj in (sub, to_subgraph(sub), path, found["finding_id"].iloc[0]):
        html = g.show(obj, height=300)._repr_html_()
        assert html.startswith("<iframe srcdoc=")
        assert "height: 300px" in html
        assert "vis.Network" in html
        assert "://" not in html
    with pytest.raises(TypeError):
        g.show(42)


def test_frames_and_graphs_round_trip(store: GraphStore, g: Guanxi) -> None:
    start = find_node(store, f"Contract:{'HT-2023-R1'}")
    exp = neighbourhood(store, start, depth=1, limit=50)
    plain = exp.to_subgraph()
    back = to_subgraph(to_networkx(plain))
    assert {(n["labels"][0], n["key"]) for n in back["nodes"]} == set(exp.nodes)
    assert len(back["relationships"]) == len(plain["relationships"])
    # The exporters' networkx graph (label = caption, gx_label = label) reads back too.
    exported = to_subgraph(export_networkx(plain))
    assert {(n["labels"][0], str(n["key"])) for n in exported["nodes"]} == {
        (lbl, str(k)) for lbl, k in exp.nodes
    }
    assert {r["type"] for r in exported["relationships"]} == {
        r["type"] for r in plain["relationships"]
    }
    ind = induced(store, [f"Contract:{'HT-2023-R1'}", ("Enterprise", CO1)])
    assert len(ind["nodes"]) == 2


def test_confidential_properties_stay_out_of_graphs(g: Guanxi) -> None:
    complaint = g.query("MATCH (c:Complaint) RETURN c.complaint_id AS id")["id"][0]
    sub = g.subgraph(f"Complaint:{complaint}", depth=1)
    for _, d in sub.nodes(data=True):
        assert "reporter_name" not in d
        assert "reporter_phone" not in d


def test_parse_ref() -> None:
    assert parse_ref("Person:1") == ("Person", "1")
    assert parse_ref("湘D:1") == (None, "湘D:1")
    assert parse_ref("1", "Vehicle") == ("Vehicle", "1")


# -- two engines at once -----------------------------------------------------------------------
@pytest.fixture
def both(open_engine: OpenEngine) -> Iterator[tuple[Guanxi, Guanxi]]:
    if not os.environ.get("GUANXI_NEO4J_URI"):
        reason = os.environ.get("GUANXI_NEO4J_SKIP_REASON") or "GUANXI_NEO4J_URI is unset"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    emb = Guanxi(open_engine("embedded", "facade_compare"))
    neo = Guanxi.connect("neo4j")
    nodes, rels = collusion_county()
    for x in (emb, neo):
        x.store.clear()
        x.store.ensure_schema()
        load_records(x.store, nodes, rels)
    yield emb, neo
    emb.close()
    neo.close()


@pytest.mark.neo4j
def test_compare_engines(both: tuple[Guanxi, Guanxi]) -> None:
    emb, neo = both
    cmp = emb.compare_engines(BIG_CONTRACTS, other=neo)
    assert cmp.same, cmp.summary()
    assert set(cmp.findings) == {"embedded", "neo4j"}
    assert len(cmp.findings["embedded"]) >= 1
    assert re.search(r"embedded: \d+, neo4j: \d+ — same findings", repr(cmp))
    summary = cmp.summary()
    assert isinstance(summary, pd.DataFrame)
    assert list(summary["engine"]) == ["embedded", "neo4j"]
    library = emb.compare_engines("official_relative_contract", other=neo)
    assert library.same
