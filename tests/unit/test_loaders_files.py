"""Bad files and bad bytes, without an engine: each is one clear error or one rejected row.

The probes are those of issue 21 (items 8 and 9): a non-zip or truncated ``.xlsx``, a
zip without a workbook, a 50 MB line, a workbook inflating to 3 GiB, a symbolic link
loop, one bad byte in a UTF-8 file, a NUL in a phone number, and a reject's key.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_loaders_mini import RecordingStore

from graph.errors import LoadError, LoadFailed
from graph.loaders import load_folder, read
from graph.loaders.preflight import check_folder
from graph.loaders.read import check_csv, check_xlsx, find_all, map_header, open_register
from graph.loaders.registers import REGISTERS
from graph.loaders.validate import Record, validate_row

A = "430422198001011235"
DEATHS_HEADER = "公民身份号码,姓名,死亡日期\n"


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _deaths_xlsx(path: Path) -> Path:
    return _workbook(path, [["公民身份号码", "姓名", "死亡日期"], [A, "张三", "2023-03-01"]])


def _rewrite(path: Path, name: str, data: bytes) -> None:
    """The workbook at ``path`` with part ``name`` replaced by ``data``."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)


# ----------------------------------------------------------- workbooks that are not


def test_a_file_that_is_no_zip_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deaths.xlsx"
    path.write_text("公民身份号码,姓名\n", encoding="utf-8")  # a CSV named .xlsx
    with pytest.raises(LoadError, match=r"^deaths\.xlsx: is not an XLSX workbook") as e:
        check_xlsx(path)
    assert "\n" not in str(e.value)


def test_a_truncated_workbook_is_refused(tmp_path: Path) -> None:
    path = _deaths_xlsx(tmp_path / "deaths.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match="not a zip archive, or cut short"):
        check_xlsx(path)


def test_a_zip_without_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deaths.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    with pytest.raises(LoadError, match="is not a readable XLSX workbook") as e:
        check_xlsx(path)
    assert "\n" not in str(e.value)


def test_a_workbook_inflating_to_3_gib_is_refused_unread(tmp_path: Path) -> None:
    """The probe's bomb, as the zip's directory declares it: the check reads only the
    declared sizes (and zipfile never inflates a part past its declared size), so a
    directory entry saying 3 GiB is that bomb to the check, without 3 GiB of zeros to
    deflate in a test."""
    path = _deaths_xlsx(tmp_path / "deaths.xlsx")
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # the first central directory entry
    struct.pack_into("<I", data, entry + 24, 3 << 30)  # its uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(LoadError, match=r"inflates to 3\.0 GiB, over the limit of 1\.0 GiB"):
        check_xlsx(path)


def test_a_workbook_over_the_bound_when_really_inflated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "deaths.xlsx", [["公民身份号码"], *([[A]] * 20_000)])
    monkeypatch.setattr(read, "MAX_XLSX_INFLATED", 256 << 10)
    with pytest.raises(LoadError, match="inflates to"):
        check_xlsx(path)


def test_a_sheet_row_over_the_row_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "deaths.xlsx", [["公民身份号码", "姓名"], [A, "x" * 5000]])
    monkeypatch.setattr(read, "MAX_LINE_BYTES", 4096)
    with pytest.raises(LoadError, match=r"the sheet's row 2 holds [\d,]+ bytes"):
        check_xlsx(path)


def test_a_malformed_sheet_is_refused_before_loading(tmp_path: Path) -> None:
    path = _deaths_xlsx(tmp_path / "deaths.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    _rewrite(path, "xl/worksheets/sheet1.xml", sheet.replace(b"</sheetData>", b""))
    with pytest.raises(LoadError, match="not well-formed XML"):
        check_xlsx(path)


def test_a_row_number_past_excels_last_stops_reading_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "deaths.xlsx", [["公民身份号码"], [A], [A]])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<row r="3"', b'<row r="30"').replace(b'r="A3"', b'r="A30"')
    _rewrite(path, "xl/worksheets/sheet1.xml", sheet)
    monkeypatch.setattr(read, "MAX_XLSX_ROWS", 20)
    with open_register(path) as src, pytest.raises(LoadError, match="at most 20 rows"):
        list(src.rows)


def test_rows_are_as_wide_as_their_cells_not_the_dimension(tmp_path: Path) -> None:
    path = _deaths_xlsx(tmp_path / "deaths.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        sheet.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    with open_register(path) as src:
        assert list(src.rows) == [(2, [A, "张三", "2023-03-01"])]


# ------------------------------------------------------------------------ CSV files


def test_a_50_mb_line_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(DEATHS_HEADER + f"{A},张三,2023-03-01\n")
        f.write(f"{A}," + "x" * (50 << 20) + ",2023-03-01\n")
    with pytest.raises(LoadError, match=r"line 3 is 52,428,\d+ bytes long, over the limit"):
        check_csv(path)


def test_an_open_quote_that_swallows_the_file_stops_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    body = f'{A},"张三,2023-03-01\n' + f"{A},李四,2023-03-01\n" * 200
    path.write_text(DEATHS_HEADER + body, encoding="utf-8")
    csv.field_size_limit(1000)
    try:
        with open_register(path) as src, pytest.raises(LoadError, match="row 2: cannot be read"):
            list(src.rows)
    finally:
        csv.field_size_limit(1 << 24)


def _utf8_register(path: Path, bad: bytes, rows: int = 3000) -> Path:
    """``rows`` good UTF-8 rows of deaths, and one more whose name holds ``bad``."""
    good = "".join(f"{A},张{i},2023-03-01\n" for i in range(rows))
    path.write_bytes(
        (DEATHS_HEADER + good).encode("utf-8") + f"{A},".encode() + bad + b",2023-03-01\n"
    )
    return path


@pytest.mark.parametrize(
    "bad", [b"\xff", "王".encode()[:2], b"\xe5\xbc"], ids=["0xFF", "truncated", "cut"]
)
def test_one_bad_byte_in_utf8_rejects_only_its_row(tmp_path: Path, bad: bytes) -> None:
    path = _utf8_register(tmp_path / "deaths.csv", bad)
    scan = check_csv(path)
    assert scan.encoding == "utf-8-replace"
    assert 1 <= scan.undecodable <= 2
    register = REGISTERS["deaths"]
    with open_register(path, scan.encoding) as src:
        hmap = map_header(register, src.header)
        results = [
            (n, validate_row(register, hmap, n, cells, replaced=True)) for n, cells in src.rows
        ]
    good = [n for n, r in results if isinstance(r, Record)]
    rejected = [(n, r) for n, r in results if isinstance(r, list)]
    assert len(good) == 3000
    assert [n for n, _ in rejected] == [3002]
    (reject,) = rejected[0][1]
    assert (reject.reason, reject.key) == ("bad_encoding", A)


def test_a_gb18030_file_is_still_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "deaths.csv"
    good = "".join(f"{A},张{i},2023-03-01\n" for i in range(100))
    path.write_bytes((DEATHS_HEADER + good).encode("gb18030") + b"\xff\n")
    assert check_csv(path).encoding == "gb18030-replace"
    path.write_bytes((DEATHS_HEADER + good).encode("gb18030"))
    assert check_csv(path).encoding == "gb18030"


# ------------------------------------------------------------------------- folders


def test_a_symlink_loop_is_an_error_not_absent(tmp_path: Path) -> None:
    os.symlink(tmp_path / "persons.csv", tmp_path / "persons.csv")
    with pytest.raises(LoadError, match=r"persons\.csv: cannot be read: a symbolic link loop"):
        find_all(tmp_path, "persons")
    os.symlink(tmp_path / "nowhere.csv", tmp_path / "deaths.csv")
    problems = check_folder(tmp_path).problems
    assert problems == [
        "persons.csv: cannot be read: a symbolic link loop",
        "deaths.csv: cannot be read: a link to nothing",
    ]


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    store = RecordingStore()
    with pytest.raises(LoadFailed, match="holds no register file") as e:
        load_folder(store, tmp_path, progress=False, fresh=True)
    assert (e.value.partial, e.value.exit_code) == (False, 2)
    assert store.writes == []  # not even the wipe
    report = json.loads((tmp_path / "_load" / "load_report.json").read_text(encoding="utf-8"))
    assert report["status"] == "refused"


def test_every_bad_file_is_listed_and_nothing_written(tmp_path: Path) -> None:
    (tmp_path / "deaths.csv").write_text(DEATHS_HEADER + f"{A},张三,2023-03-01\n", "utf-8")
    (tmp_path / "persons.xlsx").write_bytes(b"PK\x03\x04 cut short")
    (tmp_path / "vehicles.xlsx").write_bytes(b"")
    store = RecordingStore()
    with pytest.raises(LoadFailed) as e:
        load_folder(store, tmp_path, progress=False, fresh=True)
    assert str(e.value).startswith("load refused, nothing written: persons.xlsx: ")
    assert "(and 1 more problem(s): see load_report.json)" in str(e.value)
    assert store.writes == []
    report = json.loads((tmp_path / "_load" / "load_report.json").read_text(encoding="utf-8"))
    assert [p.split(":")[0] for p in report["problems"]] == ["persons.xlsx", "vehicles.xlsx"]


def test_the_cycle_collector_is_back_on_after_a_failed_load(tmp_path: Path) -> None:
    assert gc.isenabled()
    with pytest.raises(LoadFailed):
        load_folder(RecordingStore(), tmp_path, progress=False)
    assert gc.isenabled()


# ---------------------------------------------------------------------- rejected rows


def test_a_nul_in_a_phone_number_rejects_that_row_only() -> None:
    register = REGISTERS["persons"]
    header = ["id_number", "name", "household_id", "relation_to_head", "village_code", "phone"]
    hmap = map_header(register, header)
    cells = [A, "张三", "H1", "户主", "430422101201", "1390000\x000000"]
    (reject,) = validate_row(register, hmap, 7, cells)  # type: ignore[misc]
    assert (reject.row, reject.key, reject.column) == (7, A, "phone")
    assert (reject.reason, reject.value) == ("nul_character", "1390000\\00000")
    cells[-1] = "13900000000"
    assert isinstance(validate_row(register, hmap, 8, cells), Record)


def test_a_reject_names_the_records_key(tmp_path: Path) -> None:
    header = "record_id,program_code,recipient_id_number,recipient_name,village_code,amount,period"
    row = f"FFBAD0001,DB01,{A},张三,430422101201,not money,2023-01"
    (tmp_path / "disbursements.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    report = load_folder(RecordingStore(), tmp_path, progress=False)
    assert report.totals["rejected"] == 1
    with (tmp_path / "_load" / "rejects.csv").open(encoding="utf-8-sig", newline="") as f:
        (reject,) = csv.DictReader(f)
    assert (reject["register"], reject["row"], reject["key"]) == ("disbursements", "2", "FFBAD0001")
    assert reject["reason"] == "bad_amount"


def test_a_two_column_key_is_joined() -> None:
    register = REGISTERS["students"]
    hmap = map_header(register, ["id_number", "name", "year"])
    (reject,) = validate_row(register, hmap, 2, [A, "", "2023"])  # type: ignore[misc]
    assert reject.key == f"{A}|2023"


def test_the_outcome_line_counts_rejects(tmp_path: Path) -> None:
    path = _utf8_register(tmp_path / "deaths.csv", b"\xff", rows=10)
    report = load_folder(RecordingStore(), path.parent, progress=False)
    assert report.outcome() == (
        f"load complete: 10 of 11 rows loaded, 1 rejected (see {report.rejects_file})"
    )
    assert report.register("deaths").encoding == "utf-8-replace"
