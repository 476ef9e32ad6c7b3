"""Division scope holds everywhere: an investigator of county A never reaches county B's
people — not by search, expand, path, finding, community, export, dossier or query."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from api.users import add_user
from tests.api import graphdata as gd
from tests.api.harness import Api

B_SECRETS = (gd.P_B1, gd.P_B2, "王五", gd.PLATE_B, gd.E2, "顺达")


def _leaks(body: str) -> list[str]:
    return [s for s in B_SECRETS if s in body]


@pytest.mark.parametrize("q", [gd.P_B1, "王五", "wangwu", "ww", "王", "13700137000", gd.PLATE_B])
def test_search_stays_in_county(api: Api, q: str) -> None:
    r = api.get("inv_a", "/search", q=q)
    assert r.status_code == 200
    assert not _leaks(r.text)
    admin = api.get("admin", "/search", q=q)
    assert _leaks(admin.text), "the admin (all divisions) finds what inv_a may not"


def test_same_name_other_county(api: Api) -> None:
    a = api.get("inv_a", "/search", q="张三").json()["items"]
    b = api.get("inv_b", "/search", q="张三").json()["items"]
    assert [
        h["node"]["properties"]["village_code"] for h in a if h["node"]["label"] == "Person"
    ] == [gd.VA]
    assert [
        h["node"]["properties"]["village_code"] for h in b if h["node"]["label"] == "Person"
    ] == [gd.VB]


@pytest.mark.parametrize(
    ("ident", "label"),
    [(gd.P_B1, None), (gd.PLATE_B, None), (gd.E2, None), ("HB1", "Household"), ("JB-B-1", None)],
)
def test_entity_outside_scope_is_403(api: Api, ident: str, label: str | None) -> None:
    params = {"label": label} if label else {}
    r = api.get("inv_a", f"/entities/{quote(ident, safe='')}", **params)
    assert r.status_code == 403, r.text
    assert not _leaks(r.text)
    for sub in ("neighbours", "dossier"):
        r2 = api.get("inv_a", f"/entities/{quote(ident, safe='')}/{sub}", **params)
        assert r2.status_code == 403
        assert not _leaks(r2.text)


def test_refs_do_not_bypass_scope(api: Api) -> None:
    ref = api.ref("admin", "Person", gd.P_B1)
    assert api.get("inv_a", f"/entities/{ref}").status_code == 403
    assert api.get("inv_b", f"/entities/{ref}").status_code == 200


def test_unanchored_nodes_follow_their_links(api: Api) -> None:
    # The car of A's household is A's; the enterprise with people in both counties is both's;
    # B's own company is B's; a truck of A's secretary's company is A's (two hops).
    assert api.get("inv_a", f"/entities/{gd.PLATE_A}").status_code == 200
    assert api.get("inv_b", f"/entities/{gd.PLATE_A}").status_code == 403
    assert api.get("inv_a", f"/entities/{gd.E1}").status_code == 200
    assert api.get("inv_b", f"/entities/{gd.E1}").status_code == 200
    assert api.get("inv_a", f"/entities/{gd.E2}").status_code == 403
    assert api.get("inv_a", f"/entities/{gd.PLATE_E1}").status_code == 200
    # A village-level investigator sees their village, not the next one.
    assert api.get("inv_village", f"/entities/{gd.P_A1}").status_code == 200
    assert api.get("inv_village", f"/entities/{gd.P_A4}").status_code == 403


def test_expanding_a_shared_enterprise_hides_the_other_county(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{gd.E1}/neighbours", depth=2, limit=300)
    assert r.status_code == 200
    assert not _leaks(r.text)
    keys = {n["properties"].get("name") for n in r.json()["nodes"]}
    assert "赵四" in keys
    b = api.get("inv_b", f"/entities/{gd.E1}/neighbours", depth=1).json()
    assert "王五" in {n["properties"].get("name") for n in b["nodes"]}
    assert "赵四" not in {n["properties"].get("name") for n in b["nodes"]}


def test_shared_account_neighbours(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{gd.ACCOUNT}/neighbours", depth=2, limit=100)
    assert r.status_code == 200
    assert not _leaks(r.text)
    records = {n["key"] for n in r.json()["nodes"] if n["label"] == "Disbursement"}
    assert records == {"DA1", "DA4"}


def test_paths_never_cross_the_border(api: Api) -> None:
    # B's person as an end: refused.
    r = api.get("inv_a", "/paths", **{"from": gd.P_A3, "to": gd.P_B1})
    assert r.status_code == 403
    # The account links A1 and A4 directly; the path must not detour through B.
    ok = api.get("inv_a", "/paths", **{"from": gd.P_A1, "to": gd.P_A4, "max_hops": 4})
    assert ok.status_code == 200
    assert ok.json()["paths"]
    assert not _leaks(ok.text)
    # Admin can walk from A's secretary to B's shareholder through the shared enterprise.
    admin = api.get("admin", "/paths", **{"from": gd.P_A3, "to": gd.P_B1, "max_hops": 2}).json()
    assert admin["paths"][0]["length"] == 2


def test_findings_in_scope_only(api: Api) -> None:
    a = api.get("inv_a", "/findings").json()
    assert all(f["division_code"].startswith(gd.A) for f in a["items"])
    assert "manual:b1" not in {f["finding_id"] for f in a["items"]}
    assert api.get("inv_a", "/findings/manual:b1").status_code == 403
    assert api.patch("inv_a", "/findings/manual:b1", {"status": "dismissed"}).status_code == 403


def test_cross_county_finding_is_redacted(api: Api) -> None:
    """The shared account belongs to one county; the other county's people in it are cut."""
    f = next(
        f for f in api.get("admin", "/findings", pattern="shared_bank_account").json()["items"]
    )
    owner = "inv_a" if f["division_code"].startswith(gd.A) else "inv_b"
    other = "inv_b" if owner == "inv_a" else "inv_a"
    mine = api.get(owner, f"/findings/{f['finding_id']}")
    assert mine.status_code == 200
    body = mine.json()
    assert body["redacted"] > 0
    assert body["explanation"].startswith("（说明涉及辖区外")
    assert "（辖区外）" in body["subjects"]
    foreign = B_SECRETS if owner == "inv_a" else (gd.P_A1, gd.P_A4, "张三", "孙七")
    assert not [s for s in foreign if s in mine.text]
    assert api.get(other, f"/findings/{f['finding_id']}").status_code == 403


def test_exports_stay_in_scope(api: Api) -> None:
    r = api.get("inv_a", "/export", entity=gd.E1, depth=2, format="json")
    assert r.status_code == 200
    assert not _leaks(r.content.decode())
    assert api.get("inv_a", "/export", entity=gd.P_B1, format="json").status_code == 403
    doc = json.loads(r.content)
    assert doc["nodes"]


def test_dossier_stays_in_scope(api: Api) -> None:
    page = api.get("inv_a", f"/entities/{gd.E1}/dossier").text
    assert "赵四" in page
    assert not _leaks(page)


def test_query_needs_a_scope_covering_the_graph(api: Api) -> None:
    body = {"cypher": "MATCH (p:Person {name: '王五'}) RETURN p"}
    assert api.post("inv_a", "/query", body).status_code == 403  # role
    r = api.post("analyst_a", "/query", body)
    assert r.status_code == 403  # scope: county A does not cover B
    assert not _leaks(r.text)
    ok = api.post("analyst_city", "/query", body)
    assert ok.status_code == 200
    assert ok.json()["rows"][0]["p"]["properties"]["name"] == "王五"


def test_communities_in_scope(api: Api) -> None:
    for c in api.get("inv_a", "/communities", size=100).json()["items"]:
        d = api.get("inv_a", f"/communities/{c['id']}")
        assert d.status_code == 200
        assert not _leaks(d.text)


def test_complaints_in_scope(api: Api) -> None:
    r = api.get("handler_a", "/complaints", as_of=gd.AS_OF)
    assert {c["node"]["key"] for c in r.json()["items"]} == {"JB-A-1", "JB-A-2"}


def test_communities_beyond_scope_show_no_global_totals(api: Api) -> None:
    """Issue 21, item 10: a scoped user saw the community's global finding count and risk,
    and /entities its global size."""
    # Village A2 only: 孙七's community holds the shared-account finding, which is
    # anchored in another village (which one differs by engine), so it crosses the border.
    if "inv_a2" not in api.keys:
        api.keys["inv_a2"] = add_user(api.db, "inv_a2", "investigator", [gd.VA2])
    mine = {c["id"]: c for c in api.get("inv_a2", "/communities", size=100).json()["items"]}
    every = {c["id"]: c for c in api.get("admin", "/communities", size=100).json()["items"]}
    # A member out of scope may be a finding, which ``size`` does not count (it counts
    # entities, as the CLI does): compare every label's count.
    partial = [i for i, c in mine.items() if c["by_label"] != every[i]["by_label"]]
    assert partial, "the graph has communities reaching beyond the village"
    assert any(every[i]["findings"] > mine[i]["findings"] for i in partial)
    for i in partial:
        c = mine[i]
        assert c["risk"] is None, c
        assert c["explanation"] is None, c
        assert c["findings"] == c["by_label"].get("Finding", 0), c
    brief = api.get("inv_a2", f"/entities/{gd.P_A4}").json()["community"]
    assert brief["id"] in partial
    assert brief["size"] == mine[brief["id"]]["size"] <= every[brief["id"]]["size"]
