"""The public site end to end on a synthetic county: browsing to a village, what it shows
and never shows, the own-household look-up, a report through the workflow's intake and
its progress while a handler accepts and closes it through the investigators' API."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import func, select

from api.db import AuditEntry
from api.workflow.models import Intake, PublicReceipt
from graph import deadlines as dl
from public.policy import mask_name
from tests.public.conftest import PublicWorld
from tests.public.resident import receipt_of, solve


def identifiers(world: PublicWorld) -> set[str]:
    """Every identifier and confidential value of the published township's graph."""
    rows = world.store.read(
        "MATCH (p:Person) WHERE p.village_code STARTS WITH $t "
        "RETURN p.id_number AS a, p.phone AS b, p.address AS c "
        "UNION MATCH (d:Disbursement)-[:INTO_ACCOUNT]->(x:BankAccount) "
        "WHERE d.village_code STARTS WITH $t RETURN x.account_no AS a, d.household_id AS b, "
        "d.record_id AS c "
        "UNION MATCH (x:Payment)-[:PAID_TO]->(e:Enterprise) WHERE x.payer_code STARTS WITH $t "
        "RETURN e.uscc AS a, e.phone AS b, e.legal_rep_name AS c",
        {"t": world.township},
    )
    return {str(v) for r in rows for v in r.values() if v and len(str(v)) >= 5}


def test_browse_county_township_village(world: PublicWorld) -> None:
    r = world.resident
    county = world.truth["county"]["code"]
    home = r.get("/")
    assert home.status_code == 200
    assert f'href="/d/{county}"' in home.text
    county_page = r.get(f"/d/{county}").text
    townships = set(re.findall(r'href="/d/(\d{9})"', county_page))
    assert townships == {world.township}  # only the published one
    township_page = r.get(f"/d/{world.township}").text
    assert f'href="/d/{world.village}"' in township_page
    page = r.get(f"/d/{world.village}")  # a village answers with its page
    assert page.status_code == 200
    assert "惠民资金项目" in page.text
    assert "村级财务收支" in page.text
    assert "工程项目" in page.text
    programme = world.store.read(
        "MATCH (d:Disbursement {village_code: $v})-[:UNDER]->(p:Program) "
        "RETURN p.name AS name, d.period AS period, count(DISTINCT d.household_id) AS n, "
        "sum(d.amount) AS amount ORDER BY n DESC LIMIT 1",
        {"v": world.village},
    )[0]
    assert programme["name"] in page.text
    from public.views import yuan

    assert f"<td>{programme['period']}</a></td><td>{programme['n']}</td>" in page.text.replace(
        f'<a href="/v/{world.village}/list?period={programme["period"]}">', ""
    )
    assert yuan(programme["amount"]) in page.text
    contractor = world.store.read(
        "MATCH (c:Contract {village_code: $v})-[:AWARDED_TO]->(e:Enterprise) "
        "RETURN e.name AS name LIMIT 1",
        {"v": world.village},
    )
    if contractor:
        assert contractor[0]["name"] in page.text
    finance = r.get(f"/v/{world.village}/finance").text
    assert "支出" in finance
    assert "凭证号" in finance
    search = r.get("/search", q=page.text.split("<h1>")[1].split("</h1>")[0][-2:]).text
    assert f'href="/v/{world.village}"' in search


def test_nothing_outside_the_published_divisions(world: PublicWorld) -> None:
    r = world.resident
    for path in (
        f"/v/{world.hidden_village}",
        f"/d/{world.hidden_village}",
        f"/d/{world.hidden_village[:9]}",
        f"/v/{world.hidden_village}/list",
        f"/v/{world.hidden_village}/finance",
    ):
        assert r.get(path).status_code == 404, path
    page = r.get("/report", village=world.hidden_village).text
    assert world.hidden_village not in page


def test_anything_but_the_views_is_404_with_strict_headers(world: PublicWorld) -> None:
    c = world.resident.client
    for method, path in (
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/redoc"),
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/search?q=a"),
        ("GET", "/audit"),
        ("GET", "/static/../app.py"),
        ("POST", "/"),
        ("DELETE", f"/v/{world.village}"),
        ("PUT", "/report"),
        ("GET", "/v/abc"),
    ):
        resp = c.request(method, path)
        assert resp.status_code == 404, (method, path, resp.status_code)
        assert "default-src 'none'" in resp.headers["content-security-policy"]
    page = c.get(f"/v/{world.village}")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text
    assert "onclick" not in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # every asset is local


def test_payment_list_masks_names_and_shows_no_identifier(world: PublicWorld) -> None:
    r = world.resident
    rows = world.store.read(
        "MATCH (p:Person)-[:RECEIVED]->(d:Disbursement {village_code: $v}) "
        "RETURN d.period AS period, p.name AS name ORDER BY period DESC LIMIT 5",
        {"v": world.village},
    )
    assert rows
    page = r.get(f"/v/{world.village}/list", period=rows[0]["period"]).text
    for row in rows:
        if row["period"] == rows[0]["period"]:
            assert f"<td>{mask_name(row['name'])}</td>" in page
            if len(row["name"]) > 1:
                assert f"<td>{row['name']}</td>" not in page
    secrets = identifiers(world)
    assert secrets
    for path in (
        f"/v/{world.village}",
        f"/v/{world.village}/list?period={rows[0]['period']}",
        f"/v/{world.village}/finance",
    ):
        text = r.client.get(path).text
        leaked = [s for s in secrets if s in text]
        assert not leaked, (path, leaked[:3])


def test_own_household_lookup_same_shape_found_or_not(world: PublicWorld) -> None:
    r = world.resident
    person = world.store.read(
        "MATCH (p:Person)-[:MEMBER_OF]->(h:Household)<-[:FOR_HOUSEHOLD]-(d:Disbursement) "
        "WHERE h.village_code STARTS WITH $t "
        "MATCH (d)-[:UNDER]->(g:Program) "
        "RETURN p.name AS name, p.id_number AS id, g.name AS programme LIMIT 1",
        {"t": world.township},
    )[0]
    found = r.post("/lookup", {"name": person["name"], "id_number": person["id"]})
    assert found.status_code == 200
    assert person["programme"] in found.text
    assert person["id"] not in found.text  # not even echoed back
    started = time.monotonic()
    wrong_name = r.post("/lookup", {"name": person["name"] + "甲", "id_number": person["id"]})
    assert time.monotonic() - started >= world.settings.public_lookup_seconds
    nobody = r.post("/lookup", {"name": person["name"], "id_number": "11010519491231002X"})
    assert wrong_name.status_code == nobody.status_code == 200
    assert wrong_name.text == nobody.text  # nothing tells who exists
    outside = world.store.read(
        "MATCH (p:Person)-[:MEMBER_OF]->(h:Household)<-[:FOR_HOUSEHOLD]-(:Disbursement) "
        "WHERE NOT h.village_code STARTS WITH $t RETURN p.name AS name, p.id_number AS id LIMIT 1",
        {"t": world.township},
    )[0]
    # A household outside the published divisions answers like nobody.
    assert r.post("/lookup", {"name": outside["name"], "id_number": outside["id"]}).text == (
        nobody.text
    )


def test_lookup_answers_a_students_aid_by_school_year(world: PublicWorld) -> None:
    student = world.store.read(
        "MATCH (p:Person)-[:AIDED]->(a:StudentAid) "
        "MATCH (p)-[:MEMBER_OF]->(h:Household) WHERE h.village_code STARTS WITH $t "
        "RETURN p.name AS name, p.id_number AS id, a.year AS year, a.amount AS amount LIMIT 1",
        {"t": world.township},
    )
    if not student:
        return
    page = world.resident.post(
        "/lookup", {"name": student[0]["name"], "id_number": student[0]["id"]}
    ).text
    assert "学生资助（按学年）" in page
    assert student[0]["year"] in page
    if student[0]["amount"]:
        from public.views import yuan

        assert f"<td>{yuan(student[0]['amount'])}</td>" in page


def _api(world: PublicWorld, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {world.handler_key}", "X-Purpose": "handling"}
    return world.api.request(method, f"/api/v1{path}", json=body, headers=headers)


def test_report_becomes_a_complaint_and_its_progress_follows_the_case(world: PublicWorld) -> None:
    r = world.resident
    village_page = r.get(f"/v/{world.village}").text
    item = re.search(r'item=(c%3A[0-9a-f]+|c:[0-9a-f]+)"', village_page)
    assert item, "no project to pick on the village page"
    item_value = item.group(1).replace("%3A", ":")
    with world.db.session() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
    resp = r.report(
        world.village,
        "村里的工程没有按合同完工，请核查。",
        item=item_value,
        name="王五",
        phone="13900001111",
    )
    assert resp.status_code == 200, resp.text
    code = receipt_of(resp.text)
    assert len(code) >= 20
    with world.db.session() as s:
        intake = s.scalars(select(Intake).order_by(Intake.id.desc())).first()
        assert intake is not None
        assert intake.channel == "网络"
        assert intake.division_code == world.village
        assert intake.reporter_name == "王五"
        assert intake.reporter_phone == "13900001111"
        assert "【所涉事项】工程项目：" in intake.summary
        stored = s.scalars(select(PublicReceipt.code_hash)).all()
        assert code not in stored
        assert all(len(h) == 64 for h in stored)
        # The public side writes no audit row: it cannot reach the audit log.
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
        complaint_id = intake.complaint_id
    node = world.store.read(
        "MATCH (k:Complaint {complaint_id: $id})-[:IN_DIVISION]->(d:Division) "
        "RETURN properties(k) AS p, d.code AS code",
        {"id": complaint_id},
    )[0]
    assert node["code"] == world.village
    assert node["p"]["accept_due"] == dl.accept_due(node["p"]["received"], dl.Rules())
    assert "王五" not in str(node["p"])
    assert "13900001111" not in str(node["p"])

    def progress() -> str:
        page = r.post("/progress", {"code": code})
        assert page.status_code == 200
        return str(page.text)

    assert "已收到，待受理" in progress()
    assert (
        "没有找到这个受理码"
        in r.post("/progress", {"code": code[:-1] + ("x" if code[-1] != "x" else "y")}).text
    )
    opened = _api(world, "POST", "/cases", {"source": {"kind": "complaint", "id": complaint_id}})
    assert opened.status_code == 201, opened.text
    case_no = opened.json()["case_no"]
    received = opened.json()["received"]
    assert _api(world, "POST", f"/cases/{case_no}/accept", {"on": received}).status_code == 200
    assert "已受理，正在办理" in progress()
    assert _api(world, "POST", f"/cases/{case_no}/start", {"on": received}).status_code == 200
    closed = _api(
        world,
        "POST",
        f"/cases/{case_no}/close",
        {
            "on": received,
            "outcome": "部分属实",
            "summary": "内部结论：村支书张三负有责任",
            "public_outcome": "经核查，反映的工程未按合同完工问题部分属实，已责令整改。",
        },
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["public_outcome"].startswith("经核查")
    page = progress()
    assert "已办结" in page
    assert "已责令整改" in page
    assert "张三" not in page
    assert "部分属实</" not in page
    assert case_no not in page


def test_identical_reports_collapse_into_one_complaint(world: PublicWorld) -> None:
    r = world.resident
    text = "低保名单里有已经去世的人还在领钱。"
    first = receipt_of(r.report(world.village, text).text)
    again = r.report(world.village, "  低保名单里有已经去世的人还在领钱。 ")
    second = receipt_of(again.text)
    assert first != second
    assert "并入" in again.text
    with world.db.session() as s:
        ids = {
            s.scalar(select(PublicReceipt.complaint_id).where(PublicReceipt.code_hash == h))
            for h in [world.app.state.site.reports._hash(c) for c in (first, second)]
        }
        assert len(ids) == 1
        n = s.scalar(select(func.count()).select_from(Intake).where(Intake.summary == text))
        assert n == 1


def test_challenge_is_required_and_single_use(world: PublicWorld) -> None:
    r = world.resident
    page = r.get("/report", village=world.village).text
    answer, token = solve(page)
    text = "验证题测试：这条不应被受理登记。"
    form = {"village": world.village, "text": text, "token": token}
    assert r.post("/report", {**form, "answer": str(int(answer) + 1)}).status_code == 400
    assert r.post("/report", {**form, "answer": answer}).status_code == 400  # spent
    assert r.post("/report", {**form, "answer": answer, "token": "x.1.y"}).status_code == 400
    too_long = r.report(world.village, "长" * (world.settings.public_report_max_chars + 1))
    assert too_long.status_code == 400
    assert r.post("/report", {"text": "x" * 30_000}).status_code == 404  # body too big
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Intake).where(Intake.summary == text)) == 0


def test_report_without_a_village_finds_one_by_name(world: PublicWorld) -> None:
    r = world.resident
    name = world.store.read(
        "MATCH (d:Division {code: $c}) RETURN d.name AS n", {"c": world.village}
    )
    page = r.get("/report", q=name[0]["n"]).text
    assert f'href="/report?village={world.village}"' in page
    hidden = world.store.read(
        "MATCH (d:Division {code: $c}) RETURN d.name AS n", {"c": world.hidden_village}
    )[0]["n"]
    assert world.hidden_village not in r.get("/report", q=hidden).text
