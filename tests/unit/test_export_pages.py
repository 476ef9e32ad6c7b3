"""Exported pages (the standalone graph and the dossier) work offline and leak nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from graph import schema as sch
from graph.errors import NotFound
from graph.export import (
    DisbursementLine,
    FindingLine,
    Holding,
    Member,
    Profile,
    Role,
    build_profile,
    dossier_html,
    to_html,
)
from graph.export.markup import vis_js
from graph.export.svg import neighbourhood_svg
from graph.store import GraphStore

OUTSIDE = ("http://", "https://", "//cdn", 'src="//', "src='//", "@import url(", "url(//")
HOSTILE = '</script><script>alert(1)</script><img src="https://evil.example/x.png">'


def node(label: str, key: str, **props: Any) -> dict[str, Any]:
    props = {sch.NODES[label].key: key, **props}
    return {"_kind": "node", "labels": [label], "key": key, "properties": props}


def rel(type_: str, start: dict[str, Any], end: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "_kind": "relationship",
        "type": type_,
        "start": {"label": start["labels"][0], "key": start["key"]},
        "end": {"label": end["labels"][0], "key": end["key"]},
        "properties": props,
    }


WANG = node("Person", "430422********1234", name="王大山", gender="男")
LI = node("Person", "430422********1235", name="李秀英")
CAR = node("Vehicle", "湘DA1234", vehicle_type="小型轿车", brand="比亚迪")
COMPLAINT = node("Complaint", "TS1", summary="反映问题", reporter_name="赵举报人",
                 reporter_phone="13900000009")  # fmt: skip
EVIL = node("Enterprise", "91430422MA4L123456", name=HOSTILE)


def scene() -> dict[str, list[dict[str, Any]]]:
    pays = [
        node("Disbursement", f"D{i}", amount=50_000, period=f"2023-{i:02d}") for i in range(1, 13)
    ]
    return {
        "nodes": [WANG, LI, CAR, COMPLAINT, EVIL, *pays],
        "relationships": [
            rel("OWNS", LI, CAR, valid_from="2022-06-01"),
            rel("RELATIVE_OF", WANG, LI, relation="配偶"),
            rel("ABOUT", COMPLAINT, WANG),
            rel("ROLE_IN", WANG, EVIL, role="股东"),
            *(rel("RECEIVED", WANG, d) for d in pays),
        ],
    }


def assert_offline(page: str) -> None:
    low = page.lower()
    for pattern in OUTSIDE:
        assert pattern not in low, f"page refers outside: {pattern}"
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)\s*=", low)
    assert "bootstrap" not in low


def test_html_inlines_vis_network_and_refers_to_nothing_outside() -> None:
    page = to_html(scene(), title="城关村 关系图")
    assert_offline(page)
    assert "* vis-network" in page, "vis-network must be inlined"
    assert "@version 9.1.2" in page
    assert "new vis.Network(" in page
    assert ".vis-network" in page, "its stylesheet too"
    assert len(page) > 400_000


def test_html_escapes_hostile_text() -> None:
    page = to_html(scene(), title=HOSTILE)
    assert_offline(page)
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == 2, "only the library's and the page's own"
    assert "&lt;&#x2F;script&gt;&lt;script&gt;alert(1)" in page


def test_html_draws_from_the_schema_and_stops_physics_once_stable() -> None:
    page = to_html(scene())
    assert sch.NODES["Person"].color in page
    assert "人员 Person" in page, "legend, Chinese first"
    assert "机动车 Vehicle" in page
    assert "所有 OWNS" in page
    assert '"label": "所有"' in page, "edges carry the relationship's Chinese name"
    assert "stabilizationIterationsDone" in page
    assert "physics: {enabled: false}" in page


def test_html_never_shows_confidential_properties() -> None:
    page = to_html(scene())
    assert "赵举报人" not in page
    assert "13900000009" not in page
    assert "reporter" not in page


def test_inlined_vis_differs_from_pyvis_copy_only_in_escaped_slashes() -> None:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates/lib/vis-9.1.2/vis-network.min.js"
    original = lib.read_text(encoding="utf-8")
    assert vis_js().replace(":\\/\\/", "://") == original
    assert "://" not in vis_js()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="no chromium on this machine")
def test_html_draws_in_a_browser_with_the_network_cut_off(tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    page.write_text(to_html(scene()), encoding="utf-8")
    cmd = [str(_chromium()), "--headless=new", "--no-sandbox", "--disable-gpu",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--virtual-time-budget=8000", "--dump-dom", page.as_uri()]  # fmt: skip
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    assert '<div class="vis-network"' in dom
    assert "<canvas" in dom


def profile() -> Profile:
    lines = [
        DisbursementLine("DB01", "农村低保", "2023", "2023-01", "2023-12", 12, 600_000),
        DisbursementLine("DB02", "特困供养", "2024", "2024-01", "2024-03", 3, 150_050),
    ]
    return Profile(
        entity={**WANG, "properties": {**WANG["properties"], "reporter_name": "赵举报人"}},
        household=node("Household", "H1", address="城关村3组"),
        members=[Member(WANG, "户主"), Member(LI, "配偶")],
        assets=[Holding(CAR, LI, "2022-06-01")],
        roles=[
            Role("ROLE_IN", WANG, EVIL, "股东", share_ratio=0.6),
            Role(
                "HOLDS",
                WANG,
                node("Post", "P1", organisation="城关村委会", position="主任"),
                valid_from="2021-01-01",
            ),
        ],
        disbursements=lines,
        findings=[
            FindingLine(
                "低保户家庭成员名下有车",
                "high",
                "王大山领取低保期间，其配偶李秀英名下有小型轿车湘DA1234。",
            )
        ],
        neighbourhood=scene(),
    )


def test_dossier_is_one_printable_page_with_every_section() -> None:
    page = dossier_html(profile(), generated="2024-05-01 调查员甲")
    assert_offline(page)
    assert "@page { size: A4" in page
    for section in ("基本信息", "户籍及家庭成员", "资产", "任职及企业关系", "领取民生资金", "疑点"):
        assert section in page, section
    assert "430422********1234" in page, "identifiers shown as masked by the caller"
    assert "湘DA1234" in page
    assert "李秀英" in page
    assert "配偶" in page
    assert "7,500.50" in page, "total in yuan: 6,000.00 + 1,500.50"
    assert "城关村委会 主任" in page
    assert "60%" in page
    assert "王大山领取低保期间" in page
    assert "<svg" in page
    assert "xmlns" not in page, "inline SVG needs no namespace URL"
    assert "赵举报人" not in page
    assert "13900000009" not in page


def test_dossier_escapes_hostile_text() -> None:
    page = dossier_html(profile())
    assert "<script" not in page
    assert "<img" not in page
    assert_offline(page)


def test_neighbourhood_svg_is_deterministic_and_groups_many_payments() -> None:
    svg = neighbourhood_svg(scene(), WANG)
    assert svg == neighbourhood_svg(scene(), WANG)
    assert "资金发放 ×12" in svg
    assert "李秀英" in svg
    assert "赵举报人" not in svg


SETUP = """
CREATE (h:Household {household_id: 'H1', address: '城关村3组'}),
  (w:Person {id_number: '430422199001011234', name: '王大山', gender: '男'}),
  (l:Person {id_number: '430422199202021235', name: '李秀英'}),
  (w)-[:MEMBER_OF {relation_to_head: '户主'}]->(h),
  (l)-[:MEMBER_OF {relation_to_head: '配偶'}]->(h),
  (l)-[:OWNS {valid_from: '2022-06-01'}]->(:Vehicle {plate: '湘DA1234', vehicle_type: '小型轿车'}),
  (w)-[:HOLDS {valid_from: '2021-01-01'}]->(:Post {post_id: 'P1', organisation: '城关村委会',
      position: '主任'}),
  (e:Enterprise {uscc: '91430422MA4L123456', name: '某某建筑有限公司'}),
  (w)-[:ROLE_IN {role: '股东', share_ratio: 0.6}]->(e),
  (c:Contract {contract_id: 'HT1', project_name: '道路硬化', amount: 12000000,
      signed: '2023-03-01'}),
  (c)-[:APPROVED_BY]->(w), (c)-[:AWARDED_TO]->(e),
  (:Payment {voucher_no: 'PZ1', amount: 6000000})-[:FOR_CONTRACT]->(c),
  (:Payment {voucher_no: 'PZ2', amount: 1000000})-[:FOR_CONTRACT]->(c),
  (pg:Program {program_code: 'DB01', name: '农村低保'}),
  (w)-[:RECEIVED]->(:Disbursement {record_id: 'D1', program_code: 'DB01', period: '2023-01',
      amount: 50000})-[:UNDER]->(pg),
  (w)-[:RECEIVED]->(:Disbursement {record_id: 'D2', program_code: 'DB01', period: '2023-02',
      amount: 50050})-[:UNDER]->(pg),
  (:Complaint {complaint_id: 'TS1', reporter_name: '赵举报人'})-[:ABOUT]->(w),
  (:Finding {finding_id: 'f1', title: '低保户家庭成员名下有车', severity: 'high',
      explanation: '王大山领取低保期间，其配偶名下有车。', subjects: ['430422199001011234']})
    -[:CONCERNS]->(w)
"""


def mask(n: dict[str, Any]) -> dict[str, Any]:
    """What the API does for a role that may not see ID numbers."""

    def m(v: Any) -> Any:
        return v[:6] + "********" + v[-4:] if isinstance(v, str) and len(v) == 18 else v

    props = {k: m(v) for k, v in n["properties"].items()}
    return {**n, "key": m(n["key"]), "properties": props}


def test_build_profile_reads_everything_and_masks_through_redact(store: GraphStore) -> None:
    store.write(SETUP)
    p = build_profile(store, "Person", "430422199001011234", redact=mask)
    assert p.entity["key"] == "430422********1234"
    assert p.household is not None
    assert p.household["key"] == "H1"
    assert [(m.person["properties"]["name"], m.relation) for m in p.members] == [
        ("王大山", "户主"),
        ("李秀英", "配偶"),
    ]
    assert [(h.asset["key"], h.owner["properties"]["name"]) for h in p.assets] == [
        ("湘DA1234", "李秀英")
    ]
    assert {(r.type, r.role) for r in p.roles} == {("HOLDS", None), ("ROLE_IN", "股东")}
    assert p.disbursements == [
        DisbursementLine("DB01", "农村低保", "2023", "2023-01", "2023-02", 2, 100_050)
    ]
    assert [(c.contract["key"], c.role, c.payments, c.paid_fen) for c in p.contracts] == [
        ("HT1", "审批人", 2, 7_000_000)
    ]
    assert [f.title for f in p.findings] == ["低保户家庭成员名下有车"]
    keys = {n["key"] for n in p.neighbourhood["nodes"]}
    assert "430422199001011234" not in keys
    assert "430422********1234" in keys
    ends = {r["start"]["key"] for r in p.neighbourhood["relationships"]}
    ends |= {r["end"]["key"] for r in p.neighbourhood["relationships"]}
    assert ends <= keys, "relationships name the masked keys"
    page = dossier_html(p)
    assert_offline(page)
    assert "赵举报人" not in page
    assert "430422199001011234" not in page
    assert "1,000.50" in page
    ent = build_profile(store, "Enterprise", "91430422MA4L123456", redact=mask)
    assert [(r.holder["key"], r.role) for r in ent.roles] == [("430422********1234", "股东")]
    assert [(c.role, c.paid_fen) for c in ent.contracts] == [("承包方", 7_000_000)]
    assert ent.household is None
    assert "某某建筑有限公司" in dossier_html(ent)
    with pytest.raises(NotFound):
        build_profile(store, "Person", "nobody")


STUDENT = """
CREATE (s:Person {id_number: '430422200806071313', name: '张小明'}),
  (f:Person {id_number: '430422198001011235', name: '张三'}),
  (h:Household {household_id: 'H7'}),
  (s)-[:MEMBER_OF {relation_to_head: '子'}]->(h), (f)-[:MEMBER_OF {relation_to_head: '户主'}]->(h),
  (h)-[:REGISTERED_POOR]->(:PovertyRecord {record_id: 'H7|2023', year: '2023', status: '贫困户'}),
  (db:Program {program_code: 'DB01', name: '农村低保', kind: 'subsistence'}),
  (f)-[:RECEIVED]->(:Disbursement {record_id: 'D9', program_code: 'DB01', period: '2024-03',
      amount: 36000})-[:UNDER]->(db),
  (a1:StudentAid {aid_id: 'S1', year: '2023-2024', category: '建档立卡经济困难学生',
      amount: 100000}),
  (a2:StudentAid {aid_id: 'S2', year: '2024-2025', category: '农村低保家庭学生', amount: 360000}),
  (s)-[:AIDED]->(a1), (s)-[:AIDED]->(a2),
  (a1)-[:AT_SCHOOL]->(:School {name: '云集镇中学'}),
  (a2)-[:AT_SCHOOL]->(:School {name: '衡南县第一中学'}),
  (a1)-[:UNDER]->(:Program {program_code: 'JY01', name: '义务教育生活补助'}),
  (a2)-[:UNDER]->(:Program {program_code: 'JY02', name: '普通高中国家助学金'}),
  (a2)-[:UNDER]->(:Program {program_code: 'JY04', name: '普通高中免学杂费'})
"""


def test_the_dossier_of_a_student_has_the_one_key_view(store: GraphStore) -> None:
    store.write(STUDENT)
    p = build_profile(store, "Person", "430422200806071313", redact=mask)
    assert [
        (a.year, a.schools, a.policies, a.amount_fen, a.poverty, a.support) for a in p.student_aid
    ] == [
        ("2023-2024", ["云集镇中学"], ["义务教育生活补助"], 100_000, ["贫困户"], []),
        (
            "2024-2025",
            ["衡南县第一中学"],
            ["普通高中免学杂费", "普通高中国家助学金"],
            360_000,
            [],
            ["农村低保"],
        ),
    ]
    page = dossier_html(p)
    assert "教育资助" in page
    assert "建档立卡：贫困户；当年未领低保或特困" in page
    assert "不在建档立卡名单；领取农村低保" in page
    assert "3,600.00" in page
