"""Loaders without an engine: the contract as data, reading files, validating rows."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from graph import schema as sch
from graph.loaders.read import detect_encoding, find_register, map_header, open_register
from graph.loaders.registers import REGISTERS, Kind, extra_property, header_key
from graph.loaders.validate import CONFIDENTIAL, Record, Reject, validate_row

A = "430422198001011235"  # valid resident ID: male, born 1980-01-01
V1 = "430422101201"

CONTRACT_REGISTERS = [
    "divisions",
    "persons",
    "deaths",
    "officials",
    "declared_relations",
    "enterprises",
    "enterprise_roles",
    "properties",
    "vehicles",
    "programs",
    "disbursements",
    "students",
    "contracts",
    "payments",
    "incomes",
    "complaints",
    "poverty_households",
    "disability_certificates",
    "allocations",
]


# ----------------------------------------------------------------- the contract as data


def test_every_register_of_the_contract_is_declared_in_load_order() -> None:
    assert list(REGISTERS) == CONTRACT_REGISTERS


@pytest.mark.parametrize("register", CONTRACT_REGISTERS)
def test_every_column_feeds_something_the_schema_declares(register: str) -> None:
    for col in REGISTERS[register].columns:
        assert col.feeds, f"{register}.{col.name} feeds nothing"
        for feed in col.feeds:
            owner, _, prop = feed.partition(".")
            if owner in sch.NODES:
                assert sch.NODES[owner].has(prop), feed
            else:
                rel = sch.relationship(owner)
                if prop:
                    rel.prop(prop)


def test_confidential_columns_are_confidential_in_the_schema() -> None:
    for col in REGISTERS["complaints"].columns:
        privacy = sch.privacy_of("Complaint", col.name)
        assert col.confidential == (privacy is sch.Privacy.CONFIDENTIAL), col.name


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("id_number", "idnumber"),
        (" ID Number ", "idnumber"),
        ("ＩＤ＿ＮＵＭＢＥＲ", "idnumber"),
        ("\u3000姓名\u3000", "姓名"),
        ("公民 身份号码", "公民身份号码"),
        ("Id-Number", "idnumber"),
    ],
)
def test_header_key_normalises_width_space_and_case(header: str, key: str) -> None:
    assert header_key(header) == key


def test_extra_property_is_prefixed_and_identifier_safe() -> None:
    assert extra_property("备注") == "x_备注"
    assert extra_property(" Remark (free text) ") == "x_remark_free_text"
    assert extra_property("ＡＢ－ｃ") == "x_ab_c"


# -------------------------------------------------------------------------- headers


def test_map_header_accepts_english_chinese_aliases_and_variants() -> None:
    persons = REGISTERS["persons"]
    header = [
        " 公民身份号码 ",
        "\u3000姓名",
        "GENDER",
        "birth date",
        "户号",
        "与户主关系",
        "village_code",
        "住址",
        "联系电话",
    ]
    hmap = map_header(persons, header)
    assert [hmap.columns[i].name for i in range(len(header))] == [c.name for c in persons.columns]
    assert hmap.missing == ()
    assert hmap.extras == {}
    alias = map_header(persons, ["身份证号码"])
    assert alias.columns[0].name == "id_number"


def test_map_header_keeps_unknown_and_duplicate_columns_as_extras() -> None:
    hmap = map_header(REGISTERS["deaths"], ["id_number", "name", "死亡日期", "备注", "姓名", ""])
    assert hmap.extras == {3: "x_备注", 4: "x_姓名", 5: "x_column_6"}
    assert hmap.missing == ()


def test_map_header_reports_missing_columns() -> None:
    hmap = map_header(REGISTERS["deaths"], ["id_number", "name"])
    assert [c.name for c in hmap.missing] == ["death_date"]


# ------------------------------------------------------------------------- reading

DEATHS = "公民身份号码,姓名,死亡日期\r\n" + f"{A},张三,2023-03-01\r\n"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")],
)
def test_encodings_are_detected_and_read(tmp_path: Path, encoding: str, detected: str) -> None:
    path = tmp_path / "deaths.csv"
    path.write_bytes(DEATHS.encode(encoding))
    assert detect_encoding(path) == detected
    with open_register(path) as src:
        assert src.header == ["公民身份号码", "姓名", "死亡日期"]
        assert list(src.rows) == [(2, [A, "张三", "2023-03-01"])]


def test_gb18030_is_found_even_after_a_long_ascii_start(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    ascii_rows = f"{A},x,2023-01-01\n" * 80_000  # > 1 MiB of ASCII before the first 汉字
    path.write_bytes(
        ("id_number,name,death_date\n" + ascii_rows + f"{A},张三,2023-01-01\n").encode("gb18030")
    )
    assert detect_encoding(path) == "gb18030"


def test_undecodable_bytes_reject_only_their_row(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    good = f"{A},张三,2023-03-01\r\n".encode("gb18030")
    path.write_bytes(b"id_number,name,death_date\r\n" + good + b"\xff\xff,\x80,1\r\n")
    assert detect_encoding(path) == "gb18030-replace"
    register = REGISTERS["deaths"]
    with open_register(path) as src:
        hmap = map_header(register, src.header)
        results = [validate_row(register, hmap, n, cells, replaced=True) for n, cells in src.rows]
    assert isinstance(results[0], Record)
    assert isinstance(results[1], list)
    assert "bad_encoding" in {r.reason for r in results[1]}


def test_row_numbers_count_records_not_lines(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text(
        f'id_number,name,death_date\n{A},"张\n三",2023-03-01\n\n{A},李四,2023-03-02\n',
        encoding="utf-8",
    )
    with open_register(path) as src:
        rows = list(src.rows)
    assert [n for n, _ in rows] == [2, 3, 4]
    assert rows[0][1][1] == "张\n三"
    assert rows[1][1] == []


def test_xlsx_first_sheet_with_typed_cells(tmp_path: Path) -> None:
    import datetime

    path = tmp_path / "deaths.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["身份证号码", "姓名", "死亡日期", None])
    ws.append([A, "张三", datetime.datetime(2023, 3, 1)])
    ws.append([None, None, None])
    ws.append([A, "李四", 20230302])
    wb.create_sheet("second").append(["ignored"])
    wb.save(path)
    with open_register(path) as src:
        assert src.encoding == "xlsx"
        assert src.header == ["身份证号码", "姓名", "死亡日期"]
        rows = list(src.rows)
    assert rows[0] == (2, [A, "张三", "2023-03-01"])
    assert rows[2] == (4, [A, "李四", "20230302"])


def test_find_register_prefers_csv_and_ignores_case(tmp_path: Path) -> None:
    assert find_register(tmp_path, "persons") is None
    (tmp_path / "Persons.XLSX").write_bytes(b"")
    assert find_register(tmp_path, "persons") == tmp_path / "Persons.XLSX"
    (tmp_path / "persons.csv").write_text("", encoding="utf-8")
    assert find_register(tmp_path, "persons") == tmp_path / "persons.csv"


# ------------------------------------------------------------------------ validation


def _validate(
    register: str, row: dict[str, str], *, strict: bool = True
) -> Record | list[Reject] | None:
    reg = REGISTERS[register]
    header = list(row)
    hmap = map_header(reg, header)
    return validate_row(reg, hmap, 2, list(row.values()), strict_width=strict)


def _reasons(result: Record | list[Reject] | None) -> set[tuple[str, str]]:
    assert isinstance(result, list), result
    return {(r.column, r.reason) for r in result}


PERSON = {
    "id_number": A,
    "name": "张三",
    "gender": "男",
    "birth_date": "1980-01-01",
    "household_id": "H001",
    "relation_to_head": "户主",
    "village_code": V1,
    "address": "",
    "phone": "",
}


def test_a_good_row_is_cleaned() -> None:
    rec = _validate(
        "persons",
        {
            **PERSON,
            "id_number": "４３０４２２１９８００１０１１２３５ ",
            "birth_date": "1980年1月1日",
            "household_id": " h 001",
        },
    )
    assert isinstance(rec, Record)
    assert rec["id_number"] == A
    assert rec["birth_date"] == "1980-01-01"
    assert rec["household_id"] == "H001"
    assert rec["address"] is None
    assert rec.src == "persons#2"
    assert rec.warnings == []


@pytest.mark.parametrize(
    ("register", "column", "value", "reason"),
    [
        ("persons", "id_number", "430422198001011234", "bad_check_char"),
        ("persons", "id_number", "43042219800101123", "bad_length"),
        ("persons", "id_number", "430422198013011235", "bad_birth_date"),
        ("persons", "name", "", "missing"),
        ("persons", "gender", "未知", "bad_enum"),
        ("persons", "birth_date", "1980-02-30", "bad_date"),
        ("persons", "birth_date", "01/02/1980", "bad_format"),
        ("persons", "village_code", "4304221012", "bad_length"),
        ("persons", "village_code", "43042210120A", "bad_chars"),
        ("enterprises", "uscc", "91430422MA4L00001Y", "bad_check_char"),
        ("enterprises", "registered_capital", "很多", "bad_amount"),
        ("disbursements", "amount", "12.345", "bad_precision"),
        ("disbursements", "period", "2023-13", "bad_date"),
        ("vehicles", "plate", "湘DZZ", "bad_format"),
        ("properties", "area_m2", "abc", "bad_number"),
        ("properties", "owner_id_number", "12345", "bad_length"),
        ("enterprise_roles", "share_ratio", "150%", "bad_ratio"),
        ("payments", "booked", "也许", "bad_bool"),
        ("officials", "kind", "临时工", "bad_enum"),
        ("divisions", "level", "省", "bad_enum"),
        ("programs", "kind", "红包", "bad_enum"),
        ("complaints", "subject_ids", "", None),
    ],
)
def test_each_bad_value_is_rejected_with_its_reason(
    register: str, column: str, value: str, reason: str | None
) -> None:
    reg = REGISTERS[register]
    row = {c.name: "" for c in reg.columns} | _GOOD[register]
    result = _validate(register, {**row, column: value})
    if reason is None:
        assert isinstance(result, Record)
    else:
        assert _reasons(result) == {(column, reason)}


# One valid row per register used above (every required column filled).
_GOOD: dict[str, dict[str, str]] = {
    "persons": PERSON,
    "enterprises": {"uscc": "91430422MA4L00001X", "name": "某公司", "legal_rep_name": "赵四"},
    "disbursements": {
        "record_id": "R1",
        "program_code": "DB01",
        "recipient_id_number": A,
        "recipient_name": "张三",
        "village_code": V1,
        "amount": "450",
        "period": "2023-01",
    },
    "vehicles": {"plate": "湘DA1234", "owner_id_number": A, "owner_name": "张三"},
    "properties": {
        "cert_no": "湘(2019)衡南县不动产权第1号",
        "owner_id_number": A,
        "owner_name": "张三",
    },
    "enterprise_roles": {"uscc": "91430422MA4L00001X", "person_name": "赵四", "role": "股东"},
    "payments": {
        "voucher_no": "PZ1",
        "payer_code": V1,
        "payee_id": A,
        "payee_name": "张三",
        "amount": "1",
        "paid_date": "2023-01-01",
    },
    "officials": {
        "id_number": A,
        "name": "张三",
        "organisation": "甲村党支部",
        "position": "村党支部书记",
        "kind": "村干部",
    },
    "divisions": {"code": V1, "name": "甲村", "level": "村"},
    "programs": {"program_code": "DB01", "name": "农村低保"},
    "complaints": {"complaint_id": "TS1", "received": "2023-05-01", "summary": "反映问题"},
}


def test_every_failing_cell_of_a_row_is_reported() -> None:
    result = _validate("persons", {**PERSON, "id_number": "1", "name": "", "gender": "?"})
    assert _reasons(result) == {
        ("id_number", "bad_length"),
        ("name", "missing"),
        ("gender", "bad_enum"),
    }


def test_a_missing_required_column_rejects_every_row() -> None:
    row = {k: v for k, v in PERSON.items() if k != "household_id"}
    assert _reasons(_validate("persons", row)) == {("household_id", "missing_column")}
    row = {k: v for k, v in PERSON.items() if k != "phone"}  # optional: fine
    assert isinstance(_validate("persons", row), Record)


def test_ragged_rows() -> None:
    reg = REGISTERS["deaths"]
    hmap = map_header(reg, ["id_number", "name", "death_date"])
    too_many = validate_row(reg, hmap, 5, [A, "张三", "2023-01-01", "x"])
    assert _reasons(too_many) == {("", "too_many_fields")}
    trailing_commas = validate_row(reg, hmap, 5, [A, "张三", "2023-01-01", "", ""])
    assert isinstance(trailing_commas, Record)
    too_few = validate_row(reg, hmap, 5, [A, "张三"])
    assert ("", "too_few_fields") in _reasons(too_few)
    # XLSX rows end at their last filled cell: short is not ragged there.
    assert _reasons(validate_row(reg, hmap, 5, [A, "张三"], strict_width=False)) == {
        ("death_date", "missing")
    }
    assert validate_row(reg, hmap, 5, ["", " ", ""]) is None


def test_confidential_values_never_reach_a_reject() -> None:
    reg = REGISTERS["complaints"]
    col = reg.column("reporter_phone")
    assert col.confidential
    hmap = map_header(reg, [*_GOOD["complaints"], "reporter_name", "reporter_phone"])
    # Force a failure on a confidential cell: pretend the column were a date.
    from dataclasses import replace

    hmap.columns[4] = replace(col, kind=Kind.DATE)
    result = validate_row(reg, hmap, 7, [*_GOOD["complaints"].values(), "王某", "13600000000"])
    assert isinstance(result, list)
    (rej,) = result
    assert rej.value == CONFIDENTIAL
    assert "13600000000" not in rej.message


def test_extra_columns_are_kept_and_open_enums_warn() -> None:
    rec = _validate(
        "declared_relations",
        {"official_id_number": A, "relative_name": "张小红", "relation": "表兄弟", "备注": "自述"},
    )
    assert isinstance(rec, Record)
    assert rec.extra == {"x_备注": "自述"}
    assert rec["relation"] == "表兄弟"
    assert rec.warning_texts() == ["declared_relations#2 relation: unexpected_value"]


def test_enum_spellings_map_to_the_stored_value() -> None:
    rec = _validate("officials", {**_GOOD["officials"], "kind": "Village_Cadre"})
    assert isinstance(rec, Record)
    assert rec["kind"] == "village_cadre"
    rec = _validate("divisions", {**_GOOD["divisions"], "level": "乡镇"})
    assert isinstance(rec, Record)
    assert rec["level"] == "township"


def test_list_columns_split_clean_and_dedupe() -> None:
    rec = _validate("programs", {**_GOOD["programs"], "exclusive_with": "tk01；db02, TK01"})
    assert isinstance(rec, Record)
    assert rec["exclusive_with"] == ["TK01", "DB02"]
    bad = _validate("properties", {**_GOOD["properties"], "co_owner_id_numbers": f"{A};1"})
    assert _reasons(bad) == {("co_owner_id_numbers", "bad_length")}


def test_a_15_digit_id_is_upgraded_and_flagged() -> None:
    rec = _validate("persons", {**PERSON, "id_number": "430422800101123", "birth_date": ""})
    assert isinstance(rec, Record)
    assert rec["id_number"] == "430422198001011235"
    assert rec.warning_texts() == ["persons#2 id_number: id_upgraded_from_15"]


def test_rejects_file_round_trips(tmp_path: Path) -> None:
    from graph.loaders.report import IssueFiles, RegisterReport

    rep = RegisterReport("persons", "户籍人口")
    with IssueFiles(tmp_path / "_load") as files:
        files.reject([Reject("persons", 3, "name", "", "missing", "name is required", A)], rep)
    with (tmp_path / "_load" / "rejects.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows == [
        {
            "register": "persons",
            "row": "3",
            "key": A,
            "column": "name",
            "value": "",
            "reason": "missing",
            "message": "name is required",
        }
    ]
    assert rep.reject_reasons == {"missing": 1}
