"""Register rows → graph rows, without an engine: the graph shape each loader writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph.errors import SchemaError
from graph.loaders.batch import Batch
from graph.loaders.common import Context
from graph.loaders.cypher import Slot, node_statement, rel_statement
from graph.loaders.pipeline import BUILDERS
from graph.loaders.read import map_header
from graph.loaders.registers import REGISTERS
from graph.loaders.validate import Record, validate_row

A, B = "430422198001011235", "430422198203041248"
F = "430421198508081623"  # born in another county
G = "430422199009091713"
E1 = "91430422MA4L00001X"
V1, V2 = "430422101201", "430422101202"

CTX = Context(
    divisions={"430422": "county", "430422101": "township", V1: "village", V2: "village"},
    programs={"DB01", "TK01"},
    contracts={"HT1"},
)


def build(
    register: str, row: dict[str, str], ctx: Context = CTX, number: int = 2
) -> tuple[Batch, Record]:
    reg = REGISTERS[register]
    rec = validate_row(reg, map_header(reg, list(row)), number, list(row.values()))
    assert isinstance(rec, Record), rec
    b = Batch(register)
    BUILDERS[register](rec, ctx, b)
    return b, rec


def nodes(b: Batch, label: str) -> dict[str, dict[str, Any]]:
    return dict(b.upserts.get(label, {}))


def refs(b: Batch, label: str) -> dict[str, dict[str, Any]]:
    return dict(b.refs.get(label, {}))


def rels(b: Batch, type_: str) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    out = [
        (r["start"][0], r["start"][1], r["end"][0], r["end"][1], r["props"])
        for r in b.relationships()
        if r["type"] == type_
    ]
    return sorted(out, key=str)


def rel_of(b: Batch, type_: str) -> dict[str, Any]:
    (found,) = [r for r in b.relationships() if r["type"] == type_]
    return found


def warned(row: dict[str, Any]) -> list[str]:
    return list(row.get("w", []))


PERSON = {
    "id_number": A,
    "name": "张三",
    "gender": "男",
    "birth_date": "1980-01-01",
    "household_id": "H001",
    "relation_to_head": "户主",
    "village_code": V1,
    "address": "甲村1组",
    "phone": "13800000001",
}


def test_person_household_and_village() -> None:
    b, _rec = build("persons", {**PERSON, "备注": "x"})
    p = nodes(b, "Person")[A]
    assert p["p"] == {
        "name": "张三",
        "gender": "男",
        "birth_date": "1980-01-01",
        "village_code": V1,
        "address": "甲村1组",
        "phone": "13800000001",
        "in_register": True,
        "x_备注": "x",
    }
    assert p["s"] == ["persons#2"]
    assert warned(p) == []
    assert nodes(b, "Household")["H001"]["p"] == {"village_code": V1, "address": "甲村1组"}
    assert rels(b, "MEMBER_OF") == [
        ("Person", A, "Household", "H001", {"relation_to_head": "户主"})
    ]
    assert rels(b, "LIVES_IN") == [("Household", "H001", "Division", V1, {})]
    assert "c" not in refs(b, "Division")[V1]


def test_person_gender_and_birth_come_from_the_id_when_blank() -> None:
    b, _ = build("persons", {**PERSON, "gender": "", "birth_date": ""})
    assert nodes(b, "Person")[A]["p"]["gender"] == "男"
    assert nodes(b, "Person")[A]["p"]["birth_date"] == "1980-01-01"


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"gender": "女"}, "persons#2 gender: gender_mismatch"),
        ({"birth_date": "1980-01-02"}, "persons#2 birth_date: birth_date_mismatch"),
        ({"village_code": "430422101299"}, "persons#2 village_code: unknown_division"),
        ({"village_code": "430422101"}, "persons#2 village_code: not_a_village"),
        ({"id_number": F}, "persons#2 id_number: id_division_outside_county"),
    ],
)
def test_person_warnings_are_flagged_on_the_person(change: dict[str, str], warning: str) -> None:
    b, _rec = build(
        "persons",
        {**PERSON, **change, **({"birth_date": "", "gender": ""} if "id_number" in change else {})},
    )
    key = change.get("id_number", A)
    assert warned(nodes(b, "Person")[key]) == [warning]


def test_no_reference_data_means_no_reference_warnings() -> None:
    _b, rec = build(
        "persons",
        {**PERSON, "village_code": "430422101299", "id_number": F, "birth_date": "", "gender": ""},
        ctx=Context(),
    )
    assert rec.warnings == []


def test_death_fills_in_without_overwriting_the_register() -> None:
    b, _ = build("deaths", {"id_number": A, "name": "张三丰", "death_date": "2023-03-01"})
    p = nodes(b, "Person")[A]
    assert p["p"] == {"death_date": "2023-03-01"}
    assert p["c"] == {
        "name": "张三丰",
        "gender": "男",
        "birth_date": "1980-01-01",
        "in_register": False,
    }
    b, _ = build("deaths", {"id_number": A, "name": "张三", "death_date": "1979-12-31"})
    assert warned(nodes(b, "Person")[A]) == ["deaths#2 death_date: death_before_birth"]


OFFICIAL = {
    "id_number": A,
    "name": "张三",
    "organisation": "甲村党支部",
    "position": "村党支部书记",
    "kind": "村干部",
    "jurisdiction_code": V1,
    "start_date": "2018-01-01",
    "end_date": "",
}


def test_official_post_term_jurisdiction_and_organisation() -> None:
    b, _ = build("officials", OFFICIAL)
    pid = f"甲村党支部|村党支部书记|{V1}"
    assert nodes(b, "Post")[pid]["p"] == {
        "organisation": "甲村党支部",
        "position": "村党支部书记",
        "kind": "village_cadre",
        "jurisdiction_code": V1,
    }
    assert refs(b, "Person")[A]["c"]["in_register"] is False
    assert rels(b, "HOLDS") == [("Person", A, "Post", pid, {"valid_from": "2018-01-01"})]
    assert rel_of(b, "HOLDS")["on"] == ("valid_from",)
    assert rels(b, "GOVERNS") == [("Post", pid, "Division", V1, {})]
    assert rels(b, "POST_AT") == [("Post", pid, "Organisation", "甲村党支部", {})]


def test_official_without_start_date_merges_without_it() -> None:
    b, _ = build("officials", {**OFFICIAL, "start_date": "", "jurisdiction_code": ""})
    assert rel_of(b, "HOLDS")["on"] == ()
    assert "甲村党支部|村党支部书记|" in nodes(b, "Post")
    assert rels(b, "GOVERNS") == []


def test_official_term_ending_before_it_starts_is_flagged() -> None:
    b, _ = build("officials", {**OFFICIAL, "end_date": "2017-01-01"})
    assert rel_of(b, "HOLDS")["warnings"] == ["officials#2 end_date: end_before_start"]


def test_declared_relative_with_and_without_id() -> None:
    b, _ = build(
        "declared_relations",
        {
            "official_id_number": A,
            "relative_id_number": B,
            "relative_name": "李梅",
            "relation": "配偶",
            "employer": "",
        },
    )
    assert rels(b, "RELATIVE_OF") == [("Person", A, "Person", B, {"relation": "配偶"})]
    assert refs(b, "Person")[B]["c"]["name"] == "李梅"
    b, _ = build(
        "declared_relations",
        {
            "official_id_number": A,
            "relative_id_number": "",
            "relative_name": "张小红",
            "relation": "子女",
            "employer": "某公司",
        },
        number=3,
    )
    mid = "declared_relations#3#relative_name"
    m = nodes(b, "Mention")[mid]["p"]
    assert m["name"] == "张小红"
    assert json.loads(m["context"]) == {"employer": "某公司", "relation": "子女"}
    assert rels(b, "RELATIVE_OF") == [
        ("Person", A, "Mention", mid, {"relation": "子女", "employer": "某公司"})
    ]


ENTERPRISE = {
    "uscc": E1,
    "name": "衡南县（某某）建筑 有限公司",
    "legal_rep_id_number": "",
    "legal_rep_name": "赵四",
    "address": "甲村3组",
    "phone": "139",
    "status": "注销",
    "established": "2015-06-01",
    "deregistered": "",
    "registered_capital": "0.5万元",
}


def test_enterprise_with_legal_rep_mention() -> None:
    b, _ = build("enterprises", ENTERPRISE)
    e = nodes(b, "Enterprise")[E1]
    assert e["p"]["name_norm"] == "衡南县(某某)建筑有限公司"
    assert e["p"]["registered_capital"] == 500000
    assert warned(e) == ["enterprises#2 deregistered: no_deregistration_date"]
    mid = "enterprises#2#legal_rep_name"
    assert json.loads(nodes(b, "Mention")[mid]["p"]["context"]) == {
        "employer": "衡南县(某某)建筑 有限公司",
        "address": "甲村3组",
        "phone": "139",
    }
    assert rels(b, "LEGAL_REP_OF") == [("Mention", mid, "Enterprise", E1, {})]


def test_enterprise_roles_one_relationship_per_role() -> None:
    row = {
        "uscc": E1,
        "person_id_number": A,
        "person_name": "张三",
        "role": "股东",
        "share_ratio": "60%",
    }
    b, _ = build("enterprise_roles", row)
    assert rels(b, "ROLE_IN") == [
        ("Person", A, "Enterprise", E1, {"role": "股东", "share_ratio": 0.6})
    ]
    assert rel_of(b, "ROLE_IN")["on"] == ("role",)


def test_enterprise_roles_dated_by_change_records() -> None:
    row = {
        "uscc": E1,
        "person_id_number": A,
        "person_name": "张三",
        "role": "股东",
        "share_ratio": "0.3",
        "起始日期": "2017/03/01",
        "终止日期": "2022年1月20日",
    }
    b, _ = build("enterprise_roles", row)
    props = {
        "role": "股东",
        "share_ratio": 0.3,
        "valid_from": "2017-03-01",
        "valid_to": "2022-01-20",
    }
    assert rels(b, "ROLE_IN") == [("Person", A, "Enterprise", E1, props)]
    # two terms in one role are two relationships, told apart by their start
    assert rel_of(b, "ROLE_IN")["on"] == ("role", "valid_from")


def test_a_former_legal_representative_row_is_a_dated_legal_rep() -> None:
    row = {
        "uscc": E1,
        "person_id_number": A,
        "person_name": "张三",
        "role": "法定代表人",
        "start": "2016-04-01",
        "end": "2020-12-31",
    }
    b, _ = build("enterprise_roles", row)
    assert rels(b, "ROLE_IN") == []
    assert rels(b, "LEGAL_REP_OF") == [
        ("Person", A, "Enterprise", E1, {"valid_from": "2016-04-01", "valid_to": "2020-12-31"})
    ]


def test_a_role_ending_before_it_starts_is_flagged() -> None:
    row = {
        "uscc": E1,
        "person_id_number": A,
        "person_name": "张三",
        "role": "监事",
        "start": "2021-01-01",
        "end": "2020-01-01",
    }
    _, rec = build("enterprise_roles", row)
    assert [w.code for w in rec.warnings] == ["role_ended_before_it_started"]


def test_property_owner_kind_and_co_owners() -> None:
    b, _ = build(
        "properties",
        {
            "cert_no": "湘(2019)衡南县不动产权第1号",
            "owner_id_number": E1,
            "owner_name": "某公司",
            "co_owner_id_numbers": f"{A};{E1}",
            "registered": "2019-05-01",
            "area_m2": "1,120.5",
        },
    )
    cert = "湘（2019）衡南县不动产权第1号"
    assert nodes(b, "RealEstate")[cert]["p"] == {"area_m2": 1120.5, "registered": "2019-05-01"}
    assert rels(b, "OWNS") == [
        ("Enterprise", E1, "RealEstate", cert, {"valid_from": "2019-05-01", "co_owner": False}),
        ("Person", A, "RealEstate", cert, {"valid_from": "2019-05-01", "co_owner": True}),
    ]
    assert refs(b, "Enterprise")[E1]["c"] == {"name": "某公司", "name_norm": "某公司"}


def test_vehicle_ownership_period() -> None:
    b, _ = build(
        "vehicles",
        {
            "plate": "湘d·a1234",
            "owner_id_number": A,
            "owner_name": "张三",
            "registered": "2020-01-01",
            "status": "注销",
            "deregistered": "2022-01-01",
        },
    )
    assert rels(b, "OWNS") == [
        (
            "Person",
            A,
            "Vehicle",
            "湘DA1234",
            {"valid_from": "2020-01-01", "valid_to": "2022-01-01", "co_owner": False},
        )
    ]


def test_program_exclusions() -> None:
    b, _ = build(
        "programs",
        {"program_code": "DB01", "name": "农村低保", "kind": "低保", "exclusive_with": "TK01;DB01"},
    )
    assert nodes(b, "Program")["DB01"]["p"]["kind"] == "subsistence"
    assert rels(b, "EXCLUDES") == [("Program", "DB01", "Program", "TK01", {})]


DISBURSEMENT = {
    "record_id": "R1",
    "program_code": "DB01",
    "recipient_id_number": A,
    "recipient_name": "张三",
    "household_id": "H001",
    "village_code": V1,
    "amount": "450",
    "period": "2023年1月",
    "paid_date": "2023-01-15",
    "bank_account": "6217 0000 0001",
    "handler_id_number": G,
}


def test_disbursement_and_everything_it_points_at() -> None:
    b, _ = build("disbursements", DISBURSEMENT)
    d = nodes(b, "Disbursement")["R1"]["p"]
    assert d == {
        "program_code": "DB01",
        "amount": 45000,
        "period": "2023-01",
        "paid_date": "2023-01-15",
        "household_id": "H001",
        "village_code": V1,
    }
    assert {
        t: rels(b, t)
        for t in ("RECEIVED", "UNDER", "INTO_ACCOUNT", "FOR_HOUSEHOLD", "HANDLED_BY", "IN_DIVISION")
    } == {
        "RECEIVED": [("Person", A, "Disbursement", "R1", {})],
        "UNDER": [("Disbursement", "R1", "Program", "DB01", {})],
        "INTO_ACCOUNT": [("Disbursement", "R1", "BankAccount", "621700000001", {})],
        "FOR_HOUSEHOLD": [("Disbursement", "R1", "Household", "H001", {})],
        "HANDLED_BY": [("Disbursement", "R1", "Person", G, {})],
        "IN_DIVISION": [("Disbursement", "R1", "Division", V1, {})],
    }


def test_disbursement_cross_register_problems_are_warnings() -> None:
    b, _rec = build(
        "disbursements", {**DISBURSEMENT, "program_code": "XX99", "village_code": "430422101299"}
    )
    assert sorted(warned(nodes(b, "Disbursement")["R1"])) == [
        "disbursements#2 program_code: unknown_program",
        "disbursements#2 village_code: unknown_division",
    ]
    assert "XX99" in refs(b, "Program")


def test_student_aid() -> None:
    b, _ = build(
        "students",
        {
            "id_number": A,
            "name": "张三",
            "school": "一中",
            "grade": "高一",
            "policies": "DB01;JY09",
            "year": "2022",
        },
    )
    aid = f"{A}|2022"
    assert nodes(b, "StudentAid")[aid]["p"] == {
        "year": "2022",
        "grade": "高一",
        "policies": ["DB01", "JY09"],
    }
    assert warned(nodes(b, "StudentAid")[aid]) == ["students#2 policies: unknown_program"]
    assert rels(b, "AIDED") == [("Person", A, "StudentAid", aid, {})]
    assert rels(b, "AT_SCHOOL") == [("StudentAid", aid, "School", "一中", {})]
    assert [r[3] for r in rels(b, "UNDER")] == ["DB01", "JY09"]


def test_contract_awarded_to_a_person_or_an_enterprise() -> None:
    row = {
        "contract_id": "HT1",
        "project_name": "安全饮水工程",
        "village_code": V1,
        "department": "县水利局",
        "contractor_id": A,
        "contractor_name": "张三",
        "amount": "13万元",
        "approver_id_number": G,
        "quantity": "13",
        "delivered_quantity": "12",
    }
    b, _ = build("contracts", row)
    c = nodes(b, "Contract")["HT1"]["p"]
    assert c["amount"] == 13_000_000
    assert c["quantity"] == 13.0
    assert rels(b, "AWARDED_TO") == [("Contract", "HT1", "Person", A, {})]
    assert rels(b, "SUPERVISED_BY") == [("Contract", "HT1", "Organisation", "县水利局", {})]
    assert rels(b, "APPROVED_BY") == [("Contract", "HT1", "Person", G, {})]
    b, _ = build("contracts", {**row, "contractor_id": E1})
    assert rels(b, "AWARDED_TO") == [("Contract", "HT1", "Enterprise", E1, {})]


def test_payment_payer_is_a_division_or_an_organisation() -> None:
    row = {
        "voucher_no": "PZ1",
        "payer_code": V1,
        "payee_id": E1,
        "payee_name": "某公司",
        "amount": "1,000",
        "paid_date": "2023-07-01",
        "contract_id": "HT9",
        "booked": "否",
    }
    b, _ = build("payments", row)
    assert rels(b, "PAID_BY") == [("Payment", "PZ1", "Division", V1, {})]
    assert warned(nodes(b, "Payment")["PZ1"]) == ["payments#2 contract_id: unknown_contract"]
    assert nodes(b, "Payment")["PZ1"]["p"]["booked"] is False
    b, _ = build("payments", {**row, "payer_code": "县水利局", "contract_id": "HT1"})
    assert rels(b, "PAID_BY") == [("Payment", "PZ1", "Organisation", "县水利局", {})]
    assert rels(b, "FOR_CONTRACT") == [("Payment", "PZ1", "Contract", "HT1", {})]
    assert warned(nodes(b, "Payment")["PZ1"]) == []


def test_income() -> None:
    b, _ = build(
        "incomes",
        {
            "voucher_no": "SR1",
            "village_code": V1,
            "payer_id": A,
            "amount": "200",
            "received_date": "2023-02-01",
        },
    )
    assert rels(b, "RECEIVED_BY") == [("Income", "SR1", "Division", V1, {})]
    assert rels(b, "IN_DIVISION") == [("Income", "SR1", "Division", V1, {})]
    assert rels(b, "PAID_IN_BY") == [("Income", "SR1", "Person", A, {})]


def test_complaint_subjects_by_kind() -> None:
    b, _ = build(
        "complaints",
        {
            "complaint_id": "TS1",
            "received": "2023-05-01",
            "summary": "反映问题",
            "reporter_name": "王某",
            "subject_ids": f"{A};{E1};HT1;HT404;430422198001011234",
            "village_code": V1,
            "accepted": "2023-04-01",
        },
    )
    assert [(r[2], r[3]) for r in rels(b, "ABOUT")] == [
        ("Contract", "HT1"),
        ("Contract", "HT404"),
        ("Enterprise", E1),
        ("Person", A),
    ]
    assert sorted(warned(nodes(b, "Complaint")["TS1"])) == [
        "complaints#2 accepted: accepted_before_received",
        "complaints#2 subject_ids: bad_subject_id",
        "complaints#2 subject_ids: unknown_subject",
    ]
    # Confidential: set aside for the sealed store, never a graph property.
    assert "reporter_name" not in nodes(b, "Complaint")["TS1"]["p"]
    assert b.sealed == {("Complaint", "TS1"): {"reporter_name": "王某"}}


# ---------------------------------------------------------------------------- Batch


def test_batch_merges_rows_for_one_key_in_order() -> None:
    b = Batch("persons")
    b.upsert("Person", A, {"name": "甲", "phone": "1"}, src="persons#2", warnings=["w1"])
    b.upsert("Person", A, {"name": "乙"}, src="persons#9", warnings=["w1", "w2"])
    row = b.upserts["Person"][A]
    assert row == {
        "k": A,
        "p": {"name": "乙", "phone": "1"},
        "s": ["persons#2", "persons#9"],
        "w": ["w1", "w2"],
    }
    b.ref("Division", V1, src="persons#2")
    b.ref("Division", V1, src="persons#9")
    assert b.refs["Division"][V1]["s"] == ["persons#2"]


def test_batch_refuses_what_the_schema_does_not_declare() -> None:
    b = Batch("persons")
    with pytest.raises(SchemaError, match="no property 'nickname'"):
        b.upsert("Person", A, {"nickname": "x"}, src="persons#2")
    b.upsert("Person", A, {"x_nickname": "x"}, src="persons#2")  # extras are allowed
    with pytest.raises(SchemaError, match="was not written"):
        b.rel("MEMBER_OF", ("Person", A), ("Household", "H1"), src="persons#2")
    b.ref("Vehicle", "湘DA1234", src="persons#2")
    with pytest.raises(SchemaError, match="cannot go from"):
        b.rel("MEMBER_OF", ("Person", A), ("Vehicle", "湘DA1234"), src="persons#2")


def test_generated_cypher_is_in_the_subset() -> None:
    slot = Slot("MEMBER_OF", True, "Household", (), props=True, warnings=False)
    up = node_statement("Person", create=True, props=True, warnings=True, slots=(slot,))
    assert up.startswith("UNWIND $rows AS row MERGE (n:Person {id_number: row.k})")
    assert "ON CREATE SET n += coalesce(row.c, {})" in up
    assert (
        "WITH n, row MATCH (o0:Household {household_id: row.o0}) MERGE (n)-[r0:MEMBER_OF]->(o0)"
        in up
    )
    rel = rel_statement("HOLDS", "Person", "Post", ("valid_from",), props=True, warnings=False)
    assert "MATCH (a:Person {id_number: row.a}) MATCH (b:Post {post_id: row.b})" in rel
    assert "MERGE (a)-[r:HOLDS {valid_from: row.m0}]->(b)" in rel
    for text in (up, rel):
        assert "EXISTS" not in text
        assert "=~" not in text


def _plan_of(b: Batch) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(st.cypher, st.rows) for st in b.plan()]


def test_plan_writes_refs_then_nodes_with_their_own_relationships() -> None:
    b, _ = build("disbursements", DISBURSEMENT)
    plan = _plan_of(b)
    kinds = [c.split("MERGE (n:")[1].split(" ")[0] for c, _ in plan]
    assert kinds == ["Person", "Program", "BankAccount", "Household", "Division", "Disbursement"]
    cypher, (row,) = plan[-1]
    for t in ("RECEIVED", "UNDER", "INTO_ACCOUNT", "FOR_HOUSEHOLD", "HANDLED_BY", "IN_DIVISION"):
        assert f":{t}]" in cypher
    assert row["k"] == "R1"
    assert "c" not in row  # nothing to set on create: the clause and the key are left out
    assert "w" not in row


def test_plan_folds_member_of_into_the_person_and_keeps_shared_ones_apart() -> None:
    b = Batch("persons")
    for i, (pid, hh) in enumerate([(A, "H1"), (B, "H1")]):
        build_into = BUILDERS["persons"]
        reg = REGISTERS["persons"]
        row = {**PERSON, "id_number": pid, "household_id": hh, "gender": "", "birth_date": ""}
        rec = validate_row(reg, map_header(reg, list(row)), i + 2, list(row.values()))
        assert isinstance(rec, Record)
        build_into(rec, CTX, b)
    plan = _plan_of(b)
    person = next(rows for c, rows in plan if c.startswith("UNWIND $rows AS row MERGE (n:Person"))
    # MEMBER_OF is written with each person: their rows carry the household's key.
    assert [[v for k, v in r.items() if k.startswith("o")] for r in person] == [["H1"], ["H1"]]
    household = next(
        (c, rows) for c, rows in plan if c.startswith("UNWIND $rows AS row MERGE (n:Household")
    )
    assert ":LIVES_IN]" in household[0]
    assert household[1][0]["s"] == ["persons#2", "persons#3"]
    assert not [c for c, _ in plan if "MATCH (a:" in c]  # no relationship left over


def test_plan_skips_what_earlier_chunks_referenced() -> None:
    seen: set[tuple[str, str]] = set()
    b = Batch("disbursements", seen)
    BUILDERS["disbursements"](_record("disbursements", DISBURSEMENT), CTX, b)
    b.write(_NullStore())
    assert ("Program", "DB01") in seen
    b2 = Batch("disbursements", seen)
    BUILDERS["disbursements"](
        _record("disbursements", {**DISBURSEMENT, "record_id": "R2"}), CTX, b2
    )
    assert b2.refs == {}
    assert [c.split("MERGE (n:")[1].split(" ")[0] for c, _ in _plan_of(b2)] == ["Disbursement"]


def _record(register: str, row: dict[str, str]) -> Record:
    reg = REGISTERS[register]
    rec = validate_row(reg, map_header(reg, list(row)), 2, list(row.values()))
    assert isinstance(rec, Record)
    return rec


class _NullStore:
    def write_batches(self, *args: Any, **kwargs: Any) -> Any:
        from graph.store.base import WriteSummary

        return WriteSummary()


def test_a_chunk_is_planned_once() -> None:
    b, _ = build(
        "properties",
        {
            "cert_no": "湘(2019)衡南县不动产权第1号",
            "owner_id_number": A,
            "owner_name": "张三",
            "co_owner_id_numbers": B,
            "registered": "2019-05-01",
        },
    )
    first = _plan_of(b)
    assert _plan_of(b) == first
    # The owner's OWNS rides on the certificate's statement; the co-owner's, a second
    # one of that slot, is a statement of its own.
    assert [c.split(" MERGE ")[1][:18] for c, _ in first] == [
        "(n:Person {id_numb",
        "(n:RealEstate {cer",
        "(a)-[r:OWNS]->(b) ",
    ]
    assert sorted((r["start"][1], r["props"]["co_owner"]) for r in b.relationships()) == [
        (A, False),
        (B, True),
    ]
