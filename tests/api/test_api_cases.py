"""Leads, cases, registered complaints and statistics through the API, on each engine:
scope (a county sees, opens and approves nothing of another; a city approves a county's
extension), roles, the `can` block, reporters kept from everyone but complaint handlers,
the report page, the board, the XLSX export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from api.db import AuditEntry
from api.users import add_user
from api.workflow.models import Case, Intake
from tests.api import graphdata as gd
from tests.api.harness import Api

TODAY_SAFE = "2024-06-01"  # in the past whenever this runs: transitions may be dated then


@pytest.fixture(scope="module")
def cases_api(api: Api) -> Iterator[Api]:
    for name, role, divs in (
        ("inv_city", "investigator", ["4304"]),
        ("inv_city2", "investigator", ["4304"]),
        ("handler_b", "complaint_handler", [gd.B]),
    ):
        if name not in api.keys:
            api.keys[name] = add_user(api.db, name, role, divs)
    yield api
    # Other modules share nothing of this one's graph, but put the graph back as found.
    api.store.write("MATCH (c:Case) DETACH DELETE c")
    api.store.write("MATCH (k:Complaint) WHERE k.complaint_id STARTS WITH 'JB-4' DETACH DELETE k")


def lead_of(api: Api, user: str, pattern: str) -> dict[str, Any]:
    items = api.get(user, "/leads", pattern=pattern).json()["items"]
    assert items, f"no {pattern} lead for {user}"
    return dict(items[0])


def open_case(api: Api, user: str, kind: str, ident: str, **extra: Any) -> Any:
    """Open a case; dated TODAY_SAFE unless it comes from a complaint (its own date)."""
    body = {"source": {"kind": kind, "id": ident}, **extra}
    if kind != "complaint":
        body.setdefault("received", TODAY_SAFE)
    return api.post(user, "/cases", body)


def test_leads_in_scope_and_masked(cases_api: Api) -> None:
    api = cases_api
    # Regression: a shared account's lead was titled with the full account number.
    for user in ("inv_a", "inv_b", "consumer"):
        assert gd.ACCOUNT not in api.get(user, "/leads").text
    titles = [i["title"] or "" for i in api.get("admin", "/leads").json()["items"]]
    assert any(t.startswith(f"银行账户（尾号{gd.ACCOUNT[-4:]}）") for t in titles), titles
    a = api.get("inv_a", "/leads").json()
    assert a["total"] >= 1
    assert all(i["division_code"].startswith(gd.A) for i in a["items"])
    vehicle = lead_of(api, "inv_a", "recipient_vehicle")
    assert vehicle["principal"]["label"] == "Household"
    assert vehicle["title"].startswith("张三户")  # the head's name, not a code
    assert vehicle["division_name"] == "车江镇大山村"
    assert vehicle["amount"] > 0
    b = api.get("inv_b", "/leads").json()
    assert vehicle["lead_id"] not in {i["lead_id"] for i in b["items"]}
    assert api.get("inv_b", f"/leads/{vehicle['lead_id']}").status_code == 403
    detail = api.get("inv_a", f"/leads/{vehicle['lead_id']}").json()
    assert {f["pattern"] for f in detail["findings"]} == {"recipient_vehicle"}
    consumer = api.get("consumer", f"/leads/{vehicle['lead_id']}").json()
    assert consumer["title"] is None
    assert consumer["principal"]["name"] is None


def test_a_case_from_a_lead_to_closure_with_an_approved_extension(cases_api: Api) -> None:
    api = cases_api
    lead = lead_of(api, "inv_a", "recipient_vehicle")
    r = open_case(api, "inv_a", "lead", lead["lead_id"], assignee="inv_a")
    assert r.status_code == 201, r.text
    case = r.json()
    no = case["case_no"]
    assert case["state"] == "received"
    assert case["due"]["accept_due"] == "2024-06-08"
    assert {ln["kind"] for ln in case["links"]} == {"lead", "finding"}
    assert case["can"]["accept"]
    assert not case["can"]["approve_extension"]
    # Another county can neither see nor touch it.
    assert api.get("inv_b", f"/cases/{no}").status_code == 403
    assert api.post("inv_b", f"/cases/{no}/accept", {}).status_code == 403
    assert no not in {c["case_no"] for c in api.get("inv_b", "/cases").json()["items"]}
    assert open_case(api, "inv_b", "lead", lead["lead_id"]).status_code == 403
    # Analysts read cases but do not handle them.
    assert api.get("analyst_city", f"/cases/{no}").status_code == 200
    assert api.post("analyst_city", f"/cases/{no}/accept", {}).status_code == 403

    r = api.post("inv_a", f"/cases/{no}/close", {"outcome": "查实"})
    assert r.status_code == 409
    assert "received" in r.json()["error"]
    for action in ("accept", "start"):
        r = api.post("inv_a", f"/cases/{no}/{action}", {"on": TODAY_SAFE, "reason": "依规办理"})
        assert r.status_code == 200, r.text
    assert r.json()["due"]["close_due"] == "2024-09-01"
    r = api.post("inv_a", f"/cases/{no}/request-extension", {"reason": "涉及多个部门，需调取资料"})
    assert r.status_code == 200
    assert r.json()["extension_pending"]
    assert api.post("inv_a", f"/cases/{no}/approve-extension", {}).status_code == 403
    assert api.post("inv_b", f"/cases/{no}/approve-extension", {}).status_code == 403
    city_view = api.get("inv_city", f"/cases/{no}").json()
    assert city_view["can"]["approve_extension"]
    assert city_view["approver_division"] == "4304"
    r = api.post("inv_city", f"/cases/{no}/approve-extension", {"reason": "同意延期一个月"})
    assert r.status_code == 200, r.text
    assert r.json()["due"]["close_due"] == "2024-10-01"
    assert r.json()["extensions"] == 1
    r = api.post("inv_a", f"/cases/{no}/request-extension", {"reason": "再延"})
    assert r.status_code == 409
    assert "second" in r.json()["error"]
    assert api.post("inv_a", f"/cases/{no}/close", {}).status_code == 422
    body = {
        "outcome": "查实",
        "amount_involved": 3_744_000,
        "amount_recovered": 3_744_000,
        "dispositions": [
            {"person": gd.P_A1, "kind": "党纪处分", "measure": "警告"},
            {"person": api.ref("inv_a", "Person", gd.P_A2), "kind": "诫勉谈话"},
        ],
    }
    bad = {**body, "dispositions": [{"person": gd.P_B1, "kind": "批评教育"}]}
    assert api.post("inv_a", f"/cases/{no}/close", bad).status_code == 403  # B's person
    r = api.post("inv_a", f"/cases/{no}/close", body)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["state"] == "closed"
    assert closed["due"]["flag"] == "done"
    assert [d["kind"] for d in closed["dispositions"]] == ["党纪处分", "诫勉谈话"]
    assert closed["dispositions"][0]["person"] != gd.P_A1  # masked for investigators
    assert [e["action"] for e in closed["timeline"]] == [
        "open",
        "accept",
        "start",
        "request_extension",
        "approve_extension",
        "close",
    ]
    assert not any(closed["can"].values()) or closed["can"] == {
        **dict.fromkeys(closed["can"], False),
        "dispose": True,
    }
    # Mirrored into the graph for Cypher and the explorer.
    rows = api.store.read(
        "MATCH (c:Case {case_no: $no})-[d:DISPOSED]->(p:Person) RETURN c.state AS s, "
        "c.outcome AS o, d.kind AS k, p.id_number AS p ORDER BY k",
        {"no": no},
    )
    assert [(r["s"], r["o"], r["k"]) for r in rows] == [
        ("closed", "查实", "党纪处分"),
        ("closed", "查实", "诫勉谈话"),
    ]
    assert (
        api.store.read(
            "MATCH (c:Case {case_no: $no})-[:OPENED_FROM]->(l:Lead) RETURN count(l) AS n",
            {"no": no},
        )[0]["n"]
        == 1
    )
    # Every transition is in the audit log, with who and why.
    with api.db.session() as s:
        audited = s.scalars(
            select(AuditEntry).where(
                AuditEntry.path == f"/api/v1/cases/{no}", AuditEntry.method == "EVENT"
            )
        ).all()
        assert [a.endpoint for a in audited][-1] == "case:close"
        assert ("inv_city", "同意延期一个月") in {(a.user_name, a.purpose) for a in audited}


def test_report_graph_and_board(cases_api: Api) -> None:
    api = cases_api
    r = open_case(api, "inv_a", "complaint", "JB-A-1")
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    assert r.json()["received"] == "2024-01-02"  # the complaint's own receipt
    page = api.client.get(f"/api/v1/cases/{no}/report", headers=api.headers("inv_a"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert no in html
    assert "<svg" in html
    assert "办理过程" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert gd.REPORTER_NAME not in html
    g = api.get("inv_a", f"/cases/{no}/graph").json()
    assert {n["label"] for n in g["nodes"]} >= {"Case", "Complaint", "Person"}
    board = api.get("inv_a", "/cases", as_of="2024-06-30").json()
    assert no in {c["case_no"] for c in board["items"]}
    row = next(c for c in board["items"] if c["case_no"] == no)
    assert row["due"]["flag"] == "overdue"
    assert row["due"]["days_left"] < 0
    assert board["counts"]["overdue"] >= 1
    overdue = api.get("inv_a", "/cases", as_of="2024-06-30", flag="overdue").json()["items"]
    assert [c["case_no"] for c in overdue] == [
        c["case_no"] for c in board["items"] if c["due"]["flag"] == "overdue"
    ]
    assert api.get("inv_b", "/cases/overdue", as_of="2024-06-30").json()["items"] == []
    assert no in {
        c["case_no"] for c in api.get("inv_a", "/cases/overdue", as_of="2024-06-30").json()["items"]
    }


def test_registered_complaint_suggestions_duplicates_and_reporter(cases_api: Api) -> None:
    api = cases_api
    # An open case about 赵四 (the loaded complaint JB-A-1 is ABOUT him).
    existing = [
        c
        for c in api.get("inv_a", "/cases", state="all").json()["items"]
        if c["source"] == "complaint"
    ]
    if not existing:
        assert open_case(api, "inv_a", "complaint", "JB-A-1").status_code == 201
    body = {
        "division_code": gd.A,
        "channel": "来信",
        "received": "2024-02-20",
        "summary": (
            "反映大山村村支书赵四在大山村安全饮水工程中虚报工程量，衡南县恒通建筑有限公司多收工程款"
        ),
        "reporter_name": "写信人甲",
        "reporter_phone": "13911112222",
    }
    assert api.post("handler_b", "/intake", body).status_code == 403  # not their county
    r = api.post("handler_a", "/intake", body)
    assert r.status_code == 201, r.text
    got = r.json()
    cid = got["complaint_id"]
    assert got["category"] == "工程项目"
    assert got["reporter_name"] == "写信人甲"
    found = {(s["label"], s["name"]) for s in got["suggestions"]}
    assert {
        ("Person", "赵四"),
        ("Division", "大山村"),
        ("Contract", "大山村安全饮水工程"),
        ("Enterprise", "衡南县恒通建筑有限公司"),
    } <= found
    assert not any(s["name"] == "王五" for s in got["suggestions"])  # county B's
    assert got["duplicates"]
    assert "赵四" in got["duplicates"][0]["shared_subjects"]
    # Reporters: complaint handlers only; never in the graph or the audit log.
    seen = api.get("inv_a", f"/intake/{cid}").json()
    assert seen["reporter_name"] is None
    assert seen["reporter_phone"] is None
    assert api.get("admin", f"/intake/{cid}").json()["reporter_name"] is None
    node = api.store.read("MATCH (k:Complaint {complaint_id: $id}) RETURN k", {"id": cid})[0]["k"]
    assert not {"reporter_name", "reporter_phone"} & set(node["properties"])
    with api.db.session() as s:
        texts = [str(a.params) + str(a.purpose) for a in s.scalars(select(AuditEntry)).all()]
    assert not any("写信人甲" in t or "13911112222" in t for t in texts)
    # Confirming a suggestion writes ABOUT; rejecting removes it.
    person = next(s for s in got["suggestions"] if s["label"] == "Person")
    r = api.post(
        "handler_a", f"/intake/{cid}/suggestions/{person['id']}", {"decision": "confirmed"}
    )
    assert r.status_code == 200
    about = "MATCH (:Complaint {complaint_id: $id})-[:ABOUT]->(p:Person) RETURN count(p) AS n"
    assert api.store.read(about, {"id": cid})[0]["n"] == 1
    api.post("handler_a", f"/intake/{cid}/suggestions/{person['id']}", {"decision": "rejected"})
    assert api.store.read(about, {"id": cid})[0]["n"] == 0
    # Merge into the open case.
    target = got["duplicates"][0]["case_no"]
    r = api.post("handler_a", f"/intake/{cid}/merge", {"case_no": target, "reason": "同一事项"})
    assert r.status_code == 200
    assert r.json()["case_no"] == target
    case = api.get("inv_a", f"/cases/{target}").json()
    assert cid in {ln["id"] for ln in case["links"] if ln["kind"] == "complaint"}
    assert case["timeline"][-1]["action"] == "merge"


def test_statistics_and_xlsx(cases_api: Api) -> None:
    api = cases_api
    r = api.get("inv_a", "/cases/stats", division=gd.A, **{"from": "2024-01-01"})
    assert r.status_code == 200, r.text
    totals = r.json()["totals"]
    with api.db.session() as s:
        mine = s.scalars(select(Case).where(Case.division_code.startswith(gd.A))).all()
        waiting = s.scalars(select(Intake).where(Intake.case_id.is_(None))).all()
    assert totals["received"] == len(mine) + len(waiting)
    assert totals["closed"] == sum(c.state == "closed" for c in mine)
    assert api.get("inv_b", "/cases/stats", division=gd.A).status_code == 403
    assert api.get("consumer", "/cases/stats", division="4304").status_code == 200
    x = api.client.get(
        "/api/v1/cases/stats.xlsx", params={"division": gd.A}, headers=api.headers("inv_a")
    )
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    assert wb["办理情况统计"].cell(row=2, column=2).value == gd.A


def test_links_roles_and_bad_input(cases_api: Api) -> None:
    api = cases_api
    r = open_case(api, "handler_a", "complaint", "JB-A-2")
    assert r.status_code == 201, r.text
    case = r.json()
    # A complaint handler accepts or declines; approving extensions is not theirs.
    assert case["can"]["accept"]
    assert case["can"]["reject"]
    assert not case["can"]["approve_extension"]
    no = case["case_no"]
    assert api.get("inv_village", f"/cases/{no}").status_code == 403  # a county's case
    finding = api.get("inv_a", "/findings", pattern="recipient_vehicle").json()["items"][0]
    r = api.post("inv_a", f"/cases/{no}/links", {"kind": "finding", "id": finding["finding_id"]})
    assert r.status_code == 200, r.text
    kinds = {(ln["kind"], ln["id"]) for ln in r.json()["links"]}
    assert ("finding", finding["finding_id"]) in kinds
    assert any(k == "lead" for k, _ in kinds)  # the finding's lead comes along
    b_finding = "manual:b1"
    r = api.post("inv_a", f"/cases/{no}/links", {"kind": "finding", "id": b_finding})
    assert r.status_code == 403
    body = {
        "division_code": "430499",
        "channel": "电话",
        "received": "2024-02-01",
        "summary": "反映问题",
    }
    assert api.post("handler_a", "/intake", body).status_code in (403, 422)
    body["division_code"] = gd.VA2
    body["received"] = "2024-02-30"
    assert api.post("handler_a", "/intake", body).status_code == 422
    r = api.post("inv_a", f"/cases/{no}/reject", {"reason": ""})
    assert r.status_code == 422
    r = api.post("inv_a", f"/cases/{no}/reject", {"reason": "不属于受理范围"})
    assert r.status_code == 200
    assert r.json()["state"] == "rejected"
    assert r.json()["due"]["flag"] == "done"
    assert (
        api.post(
            "inv_a", f"/cases/{no}/links", {"kind": "finding", "id": finding["finding_id"]}
        ).status_code
        == 409
    )


def test_impossible_days_are_422_not_500(cases_api: Api) -> None:
    # Regression: schemathesis sent as_of=0000-01-01, and adding days to it raised in the
    # deadline arithmetic (a 500).
    for bad in ("0000-01-01", "2024-02-30", "9999-12-31"):
        assert cases_api.get("inv_a", "/cases", as_of=bad).status_code == 422
        assert cases_api.get("inv_a", "/cases/stats", **{"from": bad}).status_code == 422


def test_findings_carry_division_names_and_leads(cases_api: Api) -> None:
    items = cases_api.get("inv_a", "/findings", pattern="recipient_vehicle").json()["items"]
    assert items[0]["division_name"] == "车江镇大山村"
    assert items[0]["lead_id"].startswith("lead:")
    one = cases_api.get("inv_a", f"/findings/{items[0]['ref']}").json()
    assert one["division_name"] == "车江镇大山村"


def test_vocabulary_for_the_forms(cases_api: Api) -> None:
    v = cases_api.get("inv_a", "/cases/vocabulary").json()
    kinds = {k["kind"]: k["measures"] for k in v["disposition_kinds"]}
    assert kinds["党纪处分"] == ["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"]
    assert kinds["诫勉谈话"] == []
    assert v["rules"]["accept_days"] == 7
    assert v["outcomes"] == ["查实", "部分属实", "不属实"]
