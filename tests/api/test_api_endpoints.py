"""Each endpoint does what docs/api.md says, on both engines."""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import quote

import networkx as nx
import pytest

from graph import schema as sch
from graph.ids import mask
from tests.api import graphdata as gd
from tests.api.harness import Api


def test_health_needs_no_key(api: Api) -> None:
    r = api.client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True
    assert body["engine"] in ("embedded", "neo4j")
    assert (body["load"], body["load_since"]) == ("complete", None)


def test_health_says_when_the_graph_is_partly_loaded(api: Api) -> None:
    api.store.set_load_mark({"state": "failed", "since": "2026-01-02T03:04:05+00:00"})
    try:
        body = api.client.get("/api/v1/health").json()
    finally:
        api.store.set_load_mark(None)
    assert (body["load"], body["load_since"]) == ("partial", "2026-01-02T03:04:05+00:00")
    assert "error" not in body
    assert "folder" not in body
    assert api.client.get("/api/v1/health").json()["load"] == "complete"


def test_schema_is_the_schema_module(api: Api) -> None:
    r = api.get("inv_a", "/schema")
    assert r.status_code == 200
    assert r.json() == sch.to_json()
    person = next(n for n in r.json()["nodes"] if n["label"] == "Person")
    assert {"name": "id_number", "type": "str", "privacy": "identifier", "zh": "公民身份号码"} in (
        person["properties"]
    )
    assert person["color"]
    assert person["icon"]


# -- search ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "label", "key"),
    [
        (gd.P_A1, "Person", gd.P_A1),
        (gd.P_A1.lower().replace("x", "x"), "Person", gd.P_A1),
        ("湘d·a1234", "Vehicle", gd.PLATE_A),  # plates are normalised
        (gd.E1.lower(), "Enterprise", gd.E1),
        (gd.CONTRACT, "Contract", gd.CONTRACT),
        (gd.ACCOUNT, "BankAccount", gd.ACCOUNT),
        ("13800138000", "Person", gd.P_A1),  # phone, an identifier that is not a key
        ("JB-A-1", "Complaint", "JB-A-1"),
    ],
)
def test_search_identifiers(api: Api, q: str, label: str, key: str) -> None:
    r = api.get("admin", "/search", q=q)
    assert r.status_code == 200, r.text
    top = r.json()["items"][0]
    assert (top["node"]["label"], top["node"]["key"]) == (label, key)
    assert top["match"] in ("exact_key", "exact_id")


def test_search_names_exact_prefix_pinyin(api: Api) -> None:
    exact = api.get("inv_a", "/search", q="张三").json()["items"]
    assert exact[0]["match"] == "exact_name"
    assert exact[0]["node"]["caption"] == "张三"
    prefix = api.get("inv_a", "/search", q="李").json()["items"]
    assert [h["node"]["caption"] for h in prefix] == ["李秀英"]
    assert prefix[0]["match"] == "prefix"
    pinyin = api.get("inv_a", "/search", q="zhaosi").json()["items"]
    assert pinyin[0]["node"]["caption"] == "赵四"
    assert pinyin[0]["match"] == "pinyin"
    initials = api.get("inv_a", "/search", q="lxy").json()["items"]
    assert initials[0]["node"]["caption"] == "李秀英"
    assert initials[0]["match"] == "initials"
    company = api.get("inv_a", "/search", q="衡南县恒通").json()["items"]
    assert company[0]["node"]["caption"] == "衡南县恒通建筑有限公司"


def test_search_company_by_any_part_of_its_name(api: Api) -> None:
    for q in ("恒通", "恒通建筑", "建筑有限"):
        hits = api.get("inv_a", "/search", q=q).json()["items"]
        captions = [h["node"]["caption"] for h in hits]
        assert "衡南县恒通建筑有限公司" in captions, q
        assert next(h for h in hits if h["node"]["label"] == "Enterprise")["match"] == "infix"
    # Within scope only: county B's company is not found by investigators of county A.
    assert api.get("inv_a", "/search", q="顺达").json()["items"] == []
    assert api.get("inv_b", "/search", q="顺达").json()["items"]
    # People are found by whole names and prefixes, not by any two characters.
    assert api.get("inv_a", "/search", q="秀英").json()["items"] == []


def test_search_ranks_and_pages(api: Api) -> None:
    first = api.get("admin", "/search", q="张", size=1, page=1).json()
    second = api.get("admin", "/search", q="张", size=1, page=2).json()
    assert first["has_more"] is True
    assert first["total"] >= 2
    assert first["items"][0]["node"]["ref"] != second["items"][0]["node"]["ref"]
    scores = [h["score"] for h in api.get("admin", "/search", q="张").json()["items"]]
    assert scores == sorted(scores, reverse=True)


def test_search_label_filter(api: Api) -> None:
    r = api.get("admin", "/search", q=gd.VOUCHER, label="Income").json()
    assert [h["node"]["label"] for h in r["items"]] == ["Income"]
    assert api.get("admin", "/search", q="x", label="Nope").status_code == 400


# -- entities ----------------------------------------------------------------------------------
def test_entity_by_key_and_by_ref(api: Api) -> None:
    by_key = api.get("inv_a", f"/entities/{gd.P_A1}").json()
    ref = by_key["node"]["ref"]
    by_ref = api.get("inv_a", f"/entities/{ref}").json()
    assert by_ref == by_key
    assert by_key["node"]["label"] == "Person"
    assert by_key["provenance"] == [{"register": "persons", "row": 2, "source": "persons#2"}]
    # shared_bank_account belongs to A or B depending on evidence order: either is right.
    assert "recipient_vehicle" in {f["pattern"] for f in by_key["findings"]}
    assert by_key["risk"]["score"] > 0
    assert by_key["risk"]["components"][0]["kind"] == "finding"
    assert by_key["community"] is not None


def test_entity_key_collision_needs_label(api: Api) -> None:
    r = api.get("admin", f"/entities/{gd.VOUCHER}")
    assert r.status_code == 409
    assert "label" in r.json()["error"]
    ok = api.get("admin", f"/entities/{gd.VOUCHER}", label="Payment")
    assert ok.status_code == 200
    assert ok.json()["node"]["label"] == "Payment"


def test_entity_unknown(api: Api) -> None:
    assert api.get("admin", "/entities/NOPE-123").status_code == 404
    assert api.get("admin", "/entities/~AAAAforged").status_code == 404


def test_neighbours_depth_one(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{gd.P_A2}/neighbours").json()
    labels = sorted(n["label"] for n in r["nodes"])
    assert labels == ["Finding", "Household", "Person", "Vehicle"]
    assert r["truncated"] is False
    assert r["more"] == {}
    assert {x["type"] for x in r["relationships"]} == {"MEMBER_OF", "OWNS", "CONCERNS"}
    refs = {n["ref"] for n in r["nodes"]}
    assert all(x["start"] in refs and x["end"] in refs for x in r["relationships"])


@pytest.mark.parametrize("limit", [1, 5, 50, 300])
def test_neighbours_never_exceed_the_limit(api: Api, limit: int) -> None:
    r = api.get("admin", f"/entities/{gd.P_A1}/neighbours", depth=2, limit=limit).json()
    assert len(r["nodes"]) <= limit
    assert r["truncated"] is True
    assert r["more"].get("Disbursement", 0) > 0


def test_supernode_answers_with_counts(api: Api) -> None:
    r = api.get("admin", "/entities/GL01/neighbours", label="Program", limit=20).json()
    assert len(r["nodes"]) == 20
    assert r["more"] == {"Disbursement": gd.SUPERNODE_DISBURSEMENTS - 19}


def test_supernode_paged_through(api: Api) -> None:
    """Pages of a supernode's neighbours: disjoint, in a stable order, covering them all."""
    pages: list[set[str]] = []
    offset = 0
    while True:
        r = api.get(
            "admin",
            "/entities/GL01/neighbours",
            label="Program",
            labels="Disbursement",
            offset=offset,
            limit=50,
        ).json()
        page = {n["ref"] for n in r["nodes"] if n["label"] == "Disbursement"}
        assert len(r["nodes"]) <= 50
        left = gd.SUPERNODE_DISBURSEMENTS - offset - len(page)
        assert r["more"] == ({"Disbursement": left} if left else {})
        assert r["truncated"] is bool(left)
        if not page:
            break
        pages.append(page)
        offset += len(page)
    seen = set().union(*pages)
    assert len(seen) == sum(map(len, pages)) == gd.SUPERNODE_DISBURSEMENTS
    # The same offset gives the same neighbours: 49 is where the second page began.
    again = api.get(
        "admin",
        "/entities/GL01/neighbours",
        label="Program",
        labels="Disbursement",
        offset=49,
        limit=3,
    ).json()
    assert {n["ref"] for n in again["nodes"] if n["label"] == "Disbursement"} <= pages[1]


def test_neighbours_label_filter_and_bad_paging(api: Api) -> None:
    r = api.get("admin", f"/entities/{gd.P_A1}/neighbours", labels="Household").json()
    assert {n["label"] for n in r["nodes"]} == {"Person", "Household"}
    assert api.get("admin", f"/entities/{gd.P_A1}/neighbours", labels="Nope").status_code == 400
    bad = api.get("admin", f"/entities/{gd.P_A1}/neighbours", depth=2, offset=5)
    assert bad.status_code == 400
    assert "depth=1" in bad.json()["error"]


def test_neighbours_type_filter(api: Api) -> None:
    r = api.get("admin", f"/entities/{gd.P_A1}/neighbours", types="MEMBER_OF").json()
    assert {n["label"] for n in r["nodes"]} == {"Person", "Household"}
    assert api.get("admin", f"/entities/{gd.P_A1}/neighbours", types="NOPE").status_code == 400


# -- paths ----------------------------------------------------------------------------------
def test_path_between_secretary_and_contractor(api: Api) -> None:
    r = api.get("inv_a", "/paths", **{"from": gd.P_A3, "to": gd.E1, "max_hops": 3})
    assert r.status_code == 200, r.text
    paths = r.json()["paths"]
    assert paths
    assert paths[0]["length"] == 1
    assert paths[0]["hops"][0]["text"] == "赵四 是法定代表人，企业 衡南县恒通建筑有限公司"


def test_path_hops_are_worded_with_relation(api: Api) -> None:
    r = api.get("inv_a", "/paths", **{"from": gd.P_A1, "to": gd.PLATE_A, "max_hops": 4}).json()
    p = r["paths"][0]
    assert p["length"] == 3
    texts = [h["text"] for h in p["hops"]]
    assert texts[0] == "张三 是该户成员，属 HA1"
    assert texts[-1].startswith("李秀英 拥有")
    assert len(p["nodes"]) == 4


def test_no_path_within_hops(api: Api) -> None:
    r = api.get("admin", "/paths", **{"from": gd.P_A4, "to": gd.PLATE_E1, "max_hops": 1})
    assert r.status_code == 200
    assert r.json()["paths"] == []


# -- findings ----------------------------------------------------------------------------------
def _vehicle_finding(api: Api, user: str = "inv_a") -> dict[str, object]:
    items = api.get(user, "/findings", pattern="recipient_vehicle").json()["items"]
    return next(
        f
        for f in items
        if gd.PLATE_A
        in str(api.get("admin", "/findings/" + str(f["finding_id"])).json()["subjects"])
    )


def test_findings_list_filters(api: Api) -> None:
    all_ = api.get("admin", "/findings").json()
    assert all_["total"] == 4
    high = api.get("admin", "/findings", severity="high").json()
    assert all(f["severity"] == "high" for f in high["items"])
    mine = api.get("admin", "/findings", division=gd.A).json()
    assert {f["division_code"][:6] for f in mine["items"]} == {gd.A}
    scores = [f["score"] for f in all_["items"]]
    assert scores == sorted(scores, reverse=True)


def test_finding_detail_with_evidence_survives_restart(api: Api) -> None:
    f = _vehicle_finding(api)
    r = api.get("inv_a", f"/findings/{f['finding_id']}").json()
    assert r["evidence_status"] in ("computed", "stored")
    labels = {n["label"] for n in r["evidence"]["nodes"]}
    assert {"Person", "Vehicle", "Household", "Disbursement", "Program"} <= labels
    assert r["redacted"] == 0
    again = api.get("inv_a", f"/findings/{f['finding_id']}").json()
    assert again["evidence_status"] == "stored"  # kept in the database, not recomputed


def test_unreproducible_evidence_is_said(api: Api) -> None:
    r = api.get("inv_b", "/findings/manual:b1").json()
    assert r["evidence"] is None
    assert r["evidence_status"] == "not_reproduced"
    assert r["concerns"][0]["label"] == "Person"


def test_triage_is_recorded_and_mirrored(api: Api) -> None:
    fid = str(_vehicle_finding(api)["finding_id"])
    r = api.patch("inv_a", f"/findings/{fid}", {"status": "confirmed", "note": "已核实"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed"
    on_graph = api.store.read(
        "MATCH (f:Finding {finding_id: $id}) RETURN f.status AS s, f.note AS n", {"id": fid}
    )
    assert on_graph == [{"s": "confirmed", "n": "已核实"}]
    detail = api.get("inv_a", f"/findings/{fid}").json()
    assert detail["history"][-1]["new_status"] == "confirmed"
    assert detail["history"][-1]["user"] == "inv_a"
    assert api.patch("inv_a", f"/findings/{fid}", {"status": "maybe"}).status_code == 422
    api.patch("inv_a", f"/findings/{fid}", {"status": "new", "note": None})


# -- communities, patterns, query --------------------------------------------------------------
def test_communities_ranked(api: Api) -> None:
    r = api.get("admin", "/communities", order="risk").json()
    assert r["items"], r
    risks = [c["risk"] for c in r["items"]]
    assert risks == sorted(risks, reverse=True)
    top = r["items"][0]
    detail = api.get("admin", f"/communities/{top['id']}").json()
    assert detail["id"] == top["id"]
    assert detail["subgraph"]["nodes"]
    assert api.get("admin", "/communities/999999").status_code == 404


def test_communities_keep_the_numbers_detect_stored(api: Api) -> None:
    """One numbering: the API shows the community numbers detect wrote on the nodes
    (here deliberately not Leiden's own), in /communities, /entities and explanations."""
    from graph.algorithms import Partition, rank_communities, write_communities
    from graph.algorithms.numbering import numbered_projection, stored_partition

    proj = numbered_projection(api.store)
    found = stored_partition(proj)
    assert found is None  # nothing stored yet: the model ran Leiden itself
    from graph.algorithms import leiden

    own = leiden(proj, seed=0).membership
    stored = Partition(1000 - own, 0.0, "test")  # another numbering of the same communities
    write_communities(api.store, proj, stored)
    risk = api.services.risk
    try:
        risk.build(api.store)
        again = stored_partition(numbered_projection(api.store))
        assert again is not None
        assert again.membership.tolist() == stored.membership.tolist()
        mine = api.store.read(
            "MATCH (p:Person {id_number: $k}) RETURN p.community AS c", {"k": gd.P_A1}
        )[0]["c"]
        entity = api.get("admin", f"/entities/{gd.P_A1}").json()
        assert entity["community"]["id"] == mine
        assert entity["node"]["properties"]["community"] == mine
        items = api.get("admin", "/communities").json()["items"]
        assert items
        ranked = rank_communities(api.store, 500, proj=proj, partition=stored)
        assert [c["id"] for c in items] == [r.community for r in ranked][: len(items)]
        assert [c["size"] for c in items] == [r.entities for r in ranked][: len(items)]
        assert [c["risk"] for c in items] == [r.score for r in ranked][: len(items)]
        assert all(c["id"] >= 1000 - int(own.max()) for c in items)
        for c in items:
            assert c["explanation"].startswith(f"社区{c['id']}（")
    finally:
        api.store.write("MATCH (n) WHERE n.community IS NOT NULL REMOVE n.community")
        risk.build(api.store)


def test_patterns_listed_and_run(api: Api) -> None:
    listed = api.get("analyst_city", "/patterns").json()
    assert "recipient_vehicle" in {p["id"] for p in listed}
    r = api.post("analyst_city", "/patterns/shared_bank_account/run", {"params": {"min_groups": 3}})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1
    assert r.json()["params"]["min_groups"] == 3
    none = api.post(
        "analyst_city", "/patterns/shared_bank_account/run", {"params": {"min_groups": 4}}
    ).json()
    assert none["count"] == 0


@pytest.mark.parametrize(
    ("params", "words"),
    [({"min_groups": "many"}, "expects int"), ({"nope": 1}, "no parameter")],
)
def test_pattern_parameters_validated(api: Api, params: dict[str, object], words: str) -> None:
    r = api.post("analyst_city", "/patterns/shared_bank_account/run", {"params": params})
    assert r.status_code == 422
    assert words in r.json()["error"]
    assert api.post("analyst_city", "/patterns/nope/run", {}).status_code == 404


def test_query_runs_read_only_with_limit(api: Api) -> None:
    r = api.post(
        "analyst_city",
        "/query",
        {"cypher": "MATCH (p:Person) RETURN p.name AS name ORDER BY name", "limit": 2},
    )
    assert r.status_code == 200, r.text
    assert r.json()["columns"] == ["name"]
    assert len(r.json()["rows"]) == 2
    assert r.json()["truncated"] is True


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (:Person {id_number: 'x'})",
        "MATCH (p:Person) SET p.name = 'x'",
        "MATCH (p:Person) DETACH DELETE p",
        "MERGE (x:Division {code: '1'}) RETURN x",
    ],
)
def test_query_refuses_writes(api: Api, cypher: str) -> None:
    before = api.store.count()
    r = api.post("analyst_city", "/query", {"cypher": cypher})
    assert r.status_code == 403, r.text
    assert api.store.count() == before


def test_query_syntax_error_is_400(api: Api) -> None:
    r = api.post("analyst_city", "/query", {"cypher": "MATCH (n RETURN"})
    assert r.status_code == 400
    assert r.json()["ok"] is False


# -- complaints, exports, dossier, mentions ------------------------------------------------------
def test_complaint_deadlines(api: Api) -> None:
    r = api.get("handler_a", "/complaints", as_of="2024-06-30").json()
    by_id = {c["node"]["key"]: c for c in r["items"]}
    assert set(by_id) == {"JB-A-1", "JB-A-2"}
    assert by_id["JB-A-1"]["deadline_status"] == "acceptance_overdue"
    assert by_id["JB-A-1"]["accept_due"] == "2024-01-09"
    assert by_id["JB-A-2"]["deadline_status"] == "closed_on_time"
    assert by_id["JB-A-2"]["close_due"] == "2024-04-05"
    overdue = api.get(
        "handler_a", "/complaints", as_of="2024-06-30", status="acceptance_overdue"
    ).json()
    assert [c["node"]["key"] for c in overdue["items"]] == ["JB-A-1"]


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "csv", "xlsx", "ftm", "html"])
def test_export_formats(api: Api, fmt: str) -> None:
    r = api.get("inv_a", "/export", entity=gd.P_A1, depth=1, format=fmt)
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    data = r.content
    if fmt == "json":
        doc = json.loads(data)
        assert any(n["labels"] == ["Household"] for n in doc["nodes"])
    elif fmt in ("graphml", "gexf"):
        g = (
            nx.read_graphml(io.BytesIO(data))
            if fmt == "graphml"
            else nx.read_gexf(io.BytesIO(data))
        )
        assert g.number_of_nodes() > 1
    elif fmt in ("csv", "xlsx"):
        assert zipfile.is_zipfile(io.BytesIO(data))
    elif fmt == "ftm":
        assert all(json.loads(line)["schema"] for line in data.decode().splitlines())
    else:
        assert b"<html" in data
        assert b"://" not in data


def test_export_of_evidence_and_community(api: Api) -> None:
    fid = str(_vehicle_finding(api)["finding_id"])
    r = api.get("inv_a", "/export", finding=fid, format="json")
    assert r.status_code == 200
    assert any(n["labels"] == ["Vehicle"] for n in json.loads(r.content)["nodes"])
    cid = api.get("admin", "/communities").json()["items"][0]["id"]
    assert api.get("admin", "/export", community=cid, format="graphml").status_code == 200
    assert api.get("inv_a", "/export", format="json").status_code == 400
    assert api.get("inv_a", "/export", entity=gd.P_A1, format="pdf").status_code == 422


def test_dossier(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{gd.P_A1}/dossier")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "张三" in page
    assert "李秀英" in page
    assert "://" not in page
    assert gd.P_A1 not in page  # masked for an investigator...
    assert mask(gd.P_A1) in page  # ...and shown masked, not as an opaque ref
    assert "~" not in re.sub(r"<[^>]*>", "", page)
    assert api.get("consumer", f"/entities/{gd.P_A1}/dossier").status_code == 403


def test_mentions_confirm_and_reject(api: Api) -> None:
    m = quote(gd.MENTION, safe="")
    r = api.post("inv_a", f"/mentions/{m}/confirm", {"note": "同一人"})
    assert r.status_code == 200, r.text
    assert r.json()["judgement"] == "confirmed"
    rows = api.store.read(
        "MATCH (:Mention {mention_id: $m})-[r:RESOLVED_TO]->(p:Person) "
        "RETURN r.judgement AS j, r.judged_by AS who, p.id_number AS p",
        {"m": gd.MENTION},
    )
    assert rows == [{"j": "confirmed", "who": "inv_a", "p": gd.P_A1}]
    rej = api.post("inv_a", f"/mentions/{m}/reject", {"person": gd.P_A1})
    assert rej.status_code == 200
    assert rej.json()["judgement"] == "rejected"
    assert api.post("consumer", f"/mentions/{m}/confirm", {}).status_code == 403


def test_me(api: Api) -> None:
    r = api.get("inv_a", "/me").json()
    assert r["name"] == "inv_a"
    assert r["role"] == "investigator"
    assert r["divisions"] == [gd.A]
    assert "triage" in r["capabilities"]
    assert "query" not in r["capabilities"]
    assert r["privacy"]["identifier"] == "mask"
    assert api.get("admin", "/me").json()["divisions"] == [""]


def test_vis_network_served_from_pyvis(api: Api) -> None:
    r = api.client.get("/vendor/vis-network/vis-network.min.js")
    assert r.status_code == 200
    assert b"vis" in r.content[:2000]


def test_evidence_warmed_for_every_pattern(api: Api) -> None:
    done = api.services.evidence.warm()
    assert done["recipient_vehicle"] in ("stored", "computed")
    assert done["shared_bank_account"] in ("stored", "computed")
    assert done["deceased_recipient"] == "not_reproduced"  # the hand-made finding
    again = api.services.evidence.warm()
    assert again["recipient_vehicle"] == "stored"


def test_export_on_screen_nodes(api: Api) -> None:
    """POST /export: the nodes the explorer shows, the relationships among them, masked."""
    nb = api.get("inv_a", f"/entities/{gd.P_A2}/neighbours").json()
    refs = [n["ref"] for n in nb["nodes"]]
    r = api.post("inv_a", "/export", {"nodes": refs, "format": "json"})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    doc = json.loads(r.content)
    assert len(doc["nodes"]) == len(refs)
    assert {x["type"] for x in doc["relationships"]} >= {"MEMBER_OF", "OWNS"}
    assert gd.PLATE_A not in r.text
    assert gd.P_A2 not in r.text
    g = nx.read_graphml(
        io.BytesIO(api.post("inv_a", "/export", {"nodes": refs, "format": "graphml"}).content)
    )
    assert g.number_of_nodes() == len(refs)


def test_export_on_screen_keeps_to_scope(api: Api) -> None:
    mine = api.ref("admin", "Person", gd.P_A1)
    theirs = api.ref("admin", "Person", gd.P_B1)
    r = api.post("inv_a", "/export", {"nodes": [mine, theirs], "format": "json"})
    assert r.status_code == 200, r.text
    assert len(json.loads(r.content)["nodes"]) == 1  # county B's person is left out
    bad = api.post("inv_a", "/export", {"nodes": ["~forged"], "format": "json"})
    assert bad.status_code == 400
    assert api.post("inv_a", "/export", {"nodes": [], "format": "json"}).status_code == 422
