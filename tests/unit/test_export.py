"""Every export format parses back, keeps Chinese text and never writes confidential data."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from typing import Any

import networkx as nx
import openpyxl
import pytest

from graph import schema as sch
from graph.export import (
    FORMATS,
    export,
    to_csv_zip,
    to_ftm,
    to_gexf,
    to_graphml,
    to_json,
    to_xlsx,
)
from graph.export.ftm_map import ENTITY_PROPS, NODE_SCHEMA, REQUIRED

WANG, LI, LIU = "430422199001011234", "430422199202021235", "430422196505051236"
USCC = "91430422MA4L123456"
REPORTER, REPORTER_PHONE = "赵举报人", "13900000009"


def node(label: str, key: str, **props: Any) -> dict[str, Any]:
    return {
        "_kind": "node",
        "labels": [label],
        "key": key,
        "properties": {sch.NODES[label].key: key, **props},
    }


def rel(type_: str, start: tuple[str, str], end: tuple[str, str], **props: Any) -> dict[str, Any]:
    return {
        "_kind": "relationship",
        "type": type_,
        "start": {"label": start[0], "key": start[1]},
        "end": {"label": end[0], "key": end[1]},
        "properties": props,
    }


P1, P2, P3 = ("Person", WANG), ("Person", LI), ("Person", LIU)
ENT, CON, POST = ("Enterprise", USCC), ("Contract", "HT2023-01"), ("Post", "P-书记")


def subgraph() -> dict[str, list[dict[str, Any]]]:
    """A small county scene touching most labels and relationship types."""
    nodes = [
        node("Person", WANG, name="王大山", gender="男", birth_date="1990-01-01",
             in_register=True, src=["population#3"], phone="13812341234"),
        node("Person", LI, name="李秀英", gender="女", reporter_phone=REPORTER_PHONE),
        node("Person", LIU, name="刘书记", gender="男"),
        node("Mention", "contracts#7#approver", name="张会计", context="城关村"),
        node("Household", "H1", village_code="430422101001", address="城关村3组"),
        node("Division", "430422101001", name="城关村", level="village"),
        node("Organisation", "县民政局", name="县民政局"),
        node("Post", POST[1], organisation="城关村党支部", position="书记", kind="village_cadre"),
        node("Enterprise", USCC, name="某某建筑有限公司", registered_capital=500_000_000,
             established="2019-03-01", kind="有限责任公司"),
        node("Enterprise", "93430422MA4L000001", name="城关果蔬专业合作社", kind="农民专业合作社"),
        node("RealEstate", "湘(2021)不动产权第0001号", address="城关镇幸福路8号",
             usage="住宅", area_m2=120.5),
        node("Vehicle", "湘DA1234", vehicle_type="小型轿车", brand="=HYPERLINK(\"x\")"),
        node("Program", "DB01", name="农村低保", department="县民政局"),
        node("Disbursement", "D1", amount=50_000, period="2023-01", program_code="DB01"),
        node("Disbursement", "D2", amount=50_050, period="2023-02", program_code="DB02"),
        node("BankAccount", "6217000000001234", account_no="6217000000001234"),
        node("Contract", CON[1], project_name="城关村道路硬化工程", amount=1_200_000_00,
             signed="2023-03-01", procurement="邀请招标"),
        node("Payment", "PZ-001", amount=60_000_00, paid_date="2023-04-01", purpose="工程进度款",
             booked=True),
        node("Income", "SR-001", amount=1_000_00, received_date="2023-05-01", source="租金"),
        node("Complaint", "TS2023001", summary="反映低保优亲厚友", reporter_name=REPORTER,
             reporter_phone=REPORTER_PHONE),
        node("Finding", "recipient_vehicle:abc", title="低保户家庭成员名下有车",
             severity="high", subjects=[WANG, LI, "湘DA1234"], status="new",
             explanation="王大山领取低保期间，其配偶李秀英名下有小型轿车湘DA1234。"),
        node("School", "城关小学", name="城关小学"),
    ]  # fmt: skip
    rels = [
        rel("MEMBER_OF", P1, ("Household", "H1"), relation_to_head="户主"),
        rel("MEMBER_OF", P2, ("Household", "H1"), relation_to_head="配偶"),
        rel("OWNS", P2, ("Vehicle", "湘DA1234"), valid_from="2022-06-01"),
        rel("OWNS", P1, ("RealEstate", "湘(2021)不动产权第0001号"), co_owner=True,
            valid_from="2021-05-01"),
        rel("ROLE_IN", P1, ENT, role="股东", share_ratio=0.6),
        rel("ROLE_IN", P1, ENT, role="执行董事"),
        rel("ROLE_IN", P2, ("Enterprise", "93430422MA4L000001"), role="成员"),
        rel("LEGAL_REP_OF", P1, ENT),
        rel("HOLDS", P3, POST, valid_from="2021-01-01"),
        rel("POST_AT", POST, ("Organisation", "县民政局")),
        rel("GOVERNS", POST, ("Division", "430422101001")),
        rel("RELATIVE_OF", P3, P1, relation="外甥", employer="某某建筑有限公司"),
        rel("RECEIVED", P1, ("Disbursement", "D1")),
        rel("RECEIVED", P1, ("Disbursement", "D2")),
        rel("UNDER", ("Disbursement", "D1"), ("Program", "DB01")),
        rel("INTO_ACCOUNT", ("Disbursement", "D1"), ("BankAccount", "6217000000001234")),
        rel("HANDLED_BY", ("Disbursement", "D1"), ("Mention", "contracts#7#approver")),
        rel("AWARDED_TO", CON, ENT),
        rel("APPROVED_BY", CON, P3),
        rel("SUPERVISED_BY", CON, ("Organisation", "县民政局")),
        rel("PAID_BY", ("Payment", "PZ-001"), ("Division", "430422101001")),
        rel("PAID_TO", ("Payment", "PZ-001"), ENT),
        rel("FOR_CONTRACT", ("Payment", "PZ-001"), CON),
        rel("RECEIVED_BY", ("Income", "SR-001"), ("Division", "430422101001")),
        rel("PAID_IN_BY", ("Income", "SR-001"), P1),
        rel("ABOUT", ("Complaint", "TS2023001"), P1),
        rel("RESOLVED_TO", ("Mention", "contracts#7#approver"), P3, score=0.93),
        rel("CONCERNS", ("Finding", "recipient_vehicle:abc"), P1),
        rel("CONCERNS", ("Finding", "recipient_vehicle:abc"), ("Vehicle", "湘DA1234")),
    ]  # fmt: skip
    return {"nodes": nodes, "relationships": rels}


def text_of(fmt: str, data: bytes) -> str:
    """Everything a format wrote, as text (zip-based formats unpacked)."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    return data.decode("utf-8")


def test_json_round_trips_and_is_stable() -> None:
    sub = subgraph()
    doc = json.loads(to_json(sub))
    assert len(doc["nodes"]) == len(sub["nodes"])
    assert len(doc["relationships"]) == len(sub["relationships"])
    wang = next(n for n in doc["nodes"] if n["key"] == WANG)
    assert wang["properties"]["name"] == "王大山"
    shuffled = {k: random.Random(7).sample(v, len(v)) for k, v in sub.items()}
    assert to_json(shuffled) == to_json(sub)


def test_graphml_reads_back_with_types_labels_and_colours() -> None:
    g = nx.read_graphml(io.BytesIO(to_graphml(subgraph())), force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(subgraph()["nodes"]) + 0  # every end is a node given
    assert g.number_of_edges() == len(subgraph()["relationships"])
    wang = g.nodes[f"Person:{WANG}"]
    assert wang["label"] == "王大山"
    assert wang["gx_label_zh"] == "人员"
    assert wang["color"] == sch.NODES["Person"].color
    assert wang["in_register"] is True
    assert json.loads(wang["src"]) == ["population#3"]
    assert g.nodes["Disbursement:D1"]["amount"] == 50_000
    assert g.nodes["Contract:HT2023-01"]["amount"] == 120_000_000
    assert isinstance(g.nodes["RealEstate:湘(2021)不动产权第0001号"]["area_m2"], float)
    shares = [d for _, _, d in g.edges(data=True) if d.get("share_ratio") is not None]
    assert shares[0]["share_ratio"] == pytest.approx(0.6)
    assert {d["label"] for _, _, d in g.edges(data=True)} >= {"户成员", "所有", "任职"}
    xml = to_graphml(subgraph()).decode()
    assert 'attr.name="amount" attr.type="long"' in xml


def test_gexf_reads_back_with_viz_colour_and_labels() -> None:
    data = to_gexf(subgraph())
    g = nx.read_gexf(io.BytesIO(data))
    assert g.number_of_edges() == len(subgraph()["relationships"])
    veh = g.nodes["Vehicle:湘DA1234"]
    assert veh["label"] == "湘DA1234"
    r, gr, b = (int(sch.NODES["Vehicle"].color[i : i + 2], 16) for i in (1, 3, 5))
    assert (veh["viz"]["color"]["r"], veh["viz"]["color"]["g"], veh["viz"]["color"]["b"]) == (
        r,
        gr,
        b,
    )
    assert b"viz:color" in data
    assert {d["label"] for _, _, d in g.edges(data=True)} >= {"领取", "承包方"}


def test_csv_zip_has_a_bom_file_per_label_and_chinese_headers() -> None:
    data = to_csv_zip(subgraph())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"nodes_Person.csv", "nodes_Enterprise.csv", "relationships.csv"} <= names
        raw = {n: zf.read(n) for n in names}
    assert all(b.startswith(b"\xef\xbb\xbf") for b in raw.values()), "Excel needs the BOM"
    people = list(csv.DictReader(io.StringIO(raw["nodes_Person.csv"].decode("utf-8-sig"))))
    by_id = {p["节点编号 (id)"]: p for p in people}
    assert by_id[f"Person:{WANG}"]["姓名 (name)"] == "王大山"
    assert by_id[f"Person:{WANG}"]["公民身份号码 (id_number)"] == WANG
    assert json.loads(by_id[f"Person:{WANG}"]["来源 (src)"]) == ["population#3"]
    rels = list(csv.DictReader(io.StringIO(raw["relationships.csv"].decode("utf-8-sig"))))
    assert len(rels) == len(subgraph()["relationships"])
    assert {"关系类型 (type)", "起点 (start_key)", "终点 (end_key)"} <= set(rels[0])
    vehicles = list(csv.DictReader(io.StringIO(raw["nodes_Vehicle.csv"].decode("utf-8-sig"))))
    assert vehicles[0]["品牌 (brand)"] == '\'=HYPERLINK("x")', "formula text must stay text"


def test_xlsx_has_a_sheet_per_label_and_never_a_formula() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(subgraph())))
    assert "人员 Person" in wb.sheetnames
    assert "关系 relationships" in wb.sheetnames
    ws = wb["人员 Person"]
    head = [c.value for c in ws[1]]
    assert head[0] == "节点编号 (id)"
    assert "姓名 (name)" in head
    names = {row[head.index("姓名 (name)")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert names == {"王大山", "李秀英", "刘书记"}
    veh = wb["机动车 Vehicle"]
    brand = veh.cell(row=2, column=[c.value for c in veh[1]].index("品牌 (brand)") + 1)
    assert brand.value == '=HYPERLINK("x")'
    assert brand.data_type == "s"
    money = wb["项目合同 Contract"]
    amount_col = [c.value for c in money[1]].index("合同金额(分) (amount)") + 1
    assert money.cell(row=2, column=amount_col).value == 120_000_000


def ftm_entities() -> list[dict[str, Any]]:
    return [json.loads(line) for line in to_ftm(subgraph()).splitlines()]


def test_ftm_lines_are_entities_with_stable_ids_and_resolved_references() -> None:
    ents = ftm_entities()
    ids = [e["id"] for e in ents]
    assert len(ids) == len(set(ids))
    for e in ents:
        assert set(e) == {"id", "schema", "properties"}
        assert all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                   for v in e["properties"].values())  # fmt: skip
        for prop in ENTITY_PROPS & e["properties"].keys():
            assert set(e["properties"][prop]) <= set(ids), (e, prop)
    schemata = {e["schema"] for e in ents}
    assert schemata >= {
        "Person", "Company", "PublicBody", "Organization", "Position", "RealEstate", "Vehicle",
        "BankAccount", "Contract", "Payment", "Note", "Ownership", "Directorship", "Membership",
        "Family", "Occupancy", "ContractAward", "UnknownLink",
    }  # fmt: skip
    d1 = next(e for e in ents if e["properties"].get("transactionNumber") == ["D1"])
    assert d1["properties"]["amount"] == ["500"]
    assert d1["properties"]["currency"] == ["CNY"]
    assert d1["properties"]["programme"] == ["农村低保"]
    assert "经办人：张会计" in d1["properties"]["description"]
    d2 = next(e for e in ents if e["properties"].get("transactionNumber") == ["D2"])
    assert d2["properties"]["amount"] == ["500.50"]
    family = [e for e in ents if e["schema"] == "Family"]
    assert {tuple(e["properties"]["relationship"]) for e in family} == {("配偶",), ("外甥",)}
    own = next(e for e in ents if e["schema"] == "Ownership" and "percentage" in e["properties"])
    assert own["properties"]["percentage"] == ["60"]
    shuffled = {k: random.Random(3).sample(v, len(v)) for k, v in subgraph().items()}
    assert to_ftm(shuffled) == to_ftm(subgraph())


def test_ftm_entities_validate_against_the_followthemoney_model() -> None:
    ftm = pytest.importorskip("followthemoney")
    model = ftm.model
    ents = ftm_entities()
    by_id = {e["id"]: e for e in ents}
    for e in ents:
        schema = model.get(e["schema"])
        assert schema is not None, e["schema"]
        assert not schema.abstract
        for name, values in e["properties"].items():
            prop = schema.get(name)
            assert prop is not None, f"{e['schema']} has no property {name}"
            for v in values:
                assert prop.type.clean(v) is not None, (e["schema"], name, v)
                if prop.type.name == "entity":
                    assert model.get(by_id[v]["schema"]).is_a(prop.range), (e["schema"], name)
        for req in schema.required:
            assert e["properties"].get(req), f"{e['schema']} lacks required {req}"
        schema.validate(e)
    for name, required in REQUIRED.items():
        assert set(required) == set(model.get(name).required), name
    for name in set(NODE_SCHEMA.values()) | set(REQUIRED):
        for prop in model.get(name).properties.values():
            if prop.type.name == "entity" and prop.name in ENTITY_PROPS:
                continue
            assert prop.name not in ENTITY_PROPS or prop.type.name == "entity", prop


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_confidential_properties_never_appear(fmt: str) -> None:
    text = text_of(fmt, export(subgraph(), fmt))
    for secret in (REPORTER, REPORTER_PHONE, "reporter_name", "reporter_phone", "举报人电话"):
        assert secret not in text, f"{fmt} wrote {secret}"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_chinese_text_survives(fmt: str) -> None:
    text = text_of(fmt, export(subgraph(), fmt, title="城关村关系图"))
    for word in ("王大山", "某某建筑有限公司", "城关村道路硬化工程"):
        assert word in text, f"{fmt} lost {word}"


def test_relationship_to_a_node_outside_the_subgraph_gets_a_stub() -> None:
    dangling = {"_kind": "relationship", "type": "OWNS", "start": None,
                "end": {"label": "Vehicle", "key": "X"}, "properties": {}}  # fmt: skip
    sub = {
        "nodes": [node("Person", WANG, name="王大山")],
        "relationships": [rel("OWNS", P1, ("Vehicle", "湘DB0001")), dangling],
    }
    g = nx.read_graphml(io.BytesIO(to_graphml(sub)))
    assert set(g.nodes) == {f"Person:{WANG}", "Vehicle:湘DB0001"}
    assert len(json.loads(to_json(sub))["nodes"]) == 1, "JSON keeps only the nodes given"
    assert [json.loads(x)["schema"] for x in to_ftm(sub).splitlines()].count("Ownership") == 1


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(subgraph(), "pdf")
