"""Turn the internal registers into files the way departments hand them over.

Each register has a file name, an encoding and a header style (canonical English,
the Chinese of the data contract, or full-width English padded with spaces); a few
percent of dates and amounts are written in the other formats the contract allows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook

from graph.synth.common import NO_DATE, zfill_int

# register -> (file name, encoding, header style)
FILES: dict[str, tuple[str, str, str]] = {
    "divisions": ("divisions.csv", "utf-8", "en"),
    "persons": ("persons.csv", "utf-8", "zh"),
    "deaths": ("deaths.csv", "gb18030", "zh"),
    "officials": ("officials.csv", "utf-8", "en"),
    "declared_relations": ("declared_relations.csv", "utf-8", "zh"),
    "enterprises": ("enterprises.csv", "utf-8", "fullwidth"),
    "enterprise_roles": ("enterprise_roles.csv", "utf-8", "en"),
    "properties": ("properties.csv", "utf-8", "zh"),
    "vehicles": ("vehicles.csv", "utf-8-sig", "en"),
    "programs": ("programs.csv", "utf-8", "zh"),
    "disbursements": ("disbursements.csv", "utf-8", "en"),
    "students": ("students.csv", "utf-8", "zh"),
    "contracts": ("contracts.csv", "utf-8", "zh"),
    "payments": ("payments.csv", "utf-8", "en"),
    "incomes": ("incomes.csv", "utf-8", "zh"),
    "complaints": ("complaints.xlsx", "xlsx", "en"),
    "allocations": ("allocations.csv", "gb18030", "zh"),
    "poverty_households": ("poverty_households.csv", "gb18030", "zh"),
    "disability_certificates": ("disability_certificates.xlsx", "xlsx", "zh"),
}

# register -> [(column, Chinese header)], in the order of the data contract
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "divisions": [
        ("code", "区划代码"),
        ("name", "名称"),
        ("level", "级别"),
        ("parent_code", "上级代码"),
    ],
    "persons": [
        ("id_number", "公民身份号码"),
        ("name", "姓名"),
        ("gender", "性别"),
        ("birth_date", "出生日期"),
        ("household_id", "户号"),
        ("relation_to_head", "与户主关系"),
        ("village_code", "村社区代码"),
        ("address", "住址"),
        ("phone", "联系电话"),
    ],
    "deaths": [("id_number", "公民身份号码"), ("name", "姓名"), ("death_date", "死亡日期")],
    "officials": [
        ("id_number", "公民身份号码"),
        ("name", "姓名"),
        ("organisation", "工作单位"),
        ("position", "职务"),
        ("kind", "类别"),
        ("jurisdiction_code", "管辖区划代码"),
        ("start_date", "任职开始日期"),
        ("end_date", "任职结束日期"),
    ],
    "declared_relations": [
        ("official_id_number", "干部身份号码"),
        ("relative_id_number", "亲属身份号码"),
        ("relative_name", "亲属姓名"),
        ("relation", "关系"),
        ("employer", "工作单位"),
    ],
    "enterprises": [
        ("uscc", "统一社会信用代码"),
        ("name", "企业名称"),
        ("legal_rep_id_number", "法定代表人身份号码"),
        ("legal_rep_name", "法定代表人"),
        ("kind", "类型"),
        ("industry", "行业"),
        ("address", "住所"),
        ("phone", "联系电话"),
        ("established", "成立日期"),
        ("status", "登记状态"),
        ("deregistered", "注销/吊销日期"),
        ("registered_capital", "注册资本"),
    ],
    "enterprise_roles": [
        ("uscc", "统一社会信用代码"),
        ("person_id_number", "身份号码"),
        ("person_name", "姓名"),
        ("role", "角色"),
        ("share_ratio", "持股比例"),
        ("start", "起始日期"),
        ("end", "终止日期"),
    ],
    "properties": [
        ("cert_no", "不动产权证号"),
        ("owner_id_number", "权利人证件号"),
        ("owner_name", "权利人"),
        ("co_owner_id_numbers", "共有人证件号"),
        ("address", "坐落"),
        ("usage", "用途"),
        ("area_m2", "面积"),
        ("registered", "登记日期"),
    ],
    "vehicles": [
        ("plate", "号牌号码"),
        ("owner_id_number", "所有人证件号"),
        ("owner_name", "所有人"),
        ("vehicle_type", "车辆类型"),
        ("brand", "品牌"),
        ("registered", "注册日期"),
        ("status", "状态"),
        ("deregistered", "注销日期"),
    ],
    "programs": [
        ("program_code", "项目编码"),
        ("name", "项目名称"),
        ("department", "主管部门"),
        ("kind", "类别"),
        ("exclusive_with", "互斥项目"),
    ],
    "disbursements": [
        ("record_id", "发放流水号"),
        ("program_code", "项目编码"),
        ("recipient_id_number", "领取人身份号码"),
        ("recipient_name", "领取人姓名"),
        ("household_id", "户号"),
        ("village_code", "村社区代码"),
        ("amount", "金额"),
        ("period", "发放期间"),
        ("paid_date", "发放日期"),
        ("bank_account", "收款账号"),
        ("handler_id_number", "经办人身份号码"),
    ],
    "students": [
        ("id_number", "学生身份号码"),
        ("name", "姓名"),
        ("school", "学校"),
        ("grade", "年级"),
        ("category", "资助类别"),
        ("household_id", "户号"),
        ("policies", "享受政策"),
        ("year", "学年"),
        ("school_type", "学段"),
        ("status", "学籍状态"),
        ("amount", "资助金额"),
    ],
    "contracts": [
        ("contract_id", "合同编号"),
        ("project_name", "项目名称"),
        ("village_code", "实施村代码"),
        ("department", "主管部门"),
        ("contractor_id", "承包方证件号"),
        ("contractor_name", "承包方"),
        ("amount", "合同金额"),
        ("signed", "签订日期"),
        ("approver_id_number", "审批人身份号码"),
        ("procurement", "采购方式"),
        ("quantity", "合同工程量"),
        ("unit", "单位"),
        ("delivered_quantity", "验收工程量"),
        ("accepted", "验收日期"),
    ],
    "payments": [
        ("voucher_no", "凭证号"),
        ("payer_code", "付款单位代码"),
        ("payee_id", "收款方证件号"),
        ("payee_name", "收款方"),
        ("amount", "金额"),
        ("paid_date", "支付日期"),
        ("contract_id", "合同编号"),
        ("purpose", "用途"),
        ("approver_id_number", "审批人身份号码"),
        ("handler_id_number", "经办人身份号码"),
        ("booked", "是否入账"),
        ("program_code", "项目编码"),
    ],
    "incomes": [
        ("voucher_no", "凭证号"),
        ("village_code", "村社区代码"),
        ("source", "来源"),
        ("payer_id", "付款方证件号"),
        ("amount", "金额"),
        ("received_date", "收款日期"),
        ("booked", "是否入账"),
        ("booked_date", "入账日期"),
    ],
    "complaints": [
        ("complaint_id", "举报编号"),
        ("received", "收到日期"),
        ("channel", "渠道"),
        ("village_code", "涉及村社区代码"),
        ("subject_ids", "被举报对象证件号"),
        ("summary", "举报内容摘要"),
        ("reporter_name", "举报人"),
        ("reporter_phone", "举报人电话"),
        ("accepted", "受理日期"),
        ("closed", "办结日期"),
        ("extension_approved", "延期批准"),
        ("substantiated", "是否查实"),
        ("amount_involved", "涉及金额"),
    ],
    "allocations": [
        ("allocation_id", "指标文号"),
        ("program_code", "项目编码"),
        ("division_code", "下达区划代码"),
        ("amount", "金额"),
        ("allocated", "下达日期"),
        ("purpose", "用途"),
    ],
    "poverty_households": [
        ("household_id", "户号"),
        ("village_code", "村社区代码"),
        ("year", "年度"),
        ("status", "状态"),
    ],
    "disability_certificates": [
        ("cert_no", "残疾人证号"),
        ("id_number", "身份号码"),
        ("name", "姓名"),
        ("kind", "残疾类别"),
        ("grade", "等级"),
        ("issued", "发证日期"),
        ("revoked", "注销日期"),
    ],
}
DATES = {
    "birth_date",
    "death_date",
    "start_date",
    "end_date",
    "established",
    "deregistered",
    "registered",
    "paid_date",
    "signed",
    "accepted",
    "received_date",
    "received",
    "closed",
    "start",
    "end",
    "booked_date",
    "allocated",
    "issued",
    "revoked",
}
MONEY = {"amount", "registered_capital", "amount_involved"}
ALT_SHARE = 0.03  # share of rows written in a non-canonical date or money format


def header(register: str, style: str) -> list[str]:
    cols = COLUMNS[register]
    if style == "en":
        return [c for c, _ in cols]
    if style == "zh":
        return [z for _, z in cols]
    # full-width ASCII, padded with ASCII or ideographic spaces
    out = []
    for i, (c, _) in enumerate(cols):
        wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in c)
        out.append((" " + wide + " ") if i % 2 else ("\u3000" + wide + "  "))
    return out


def fmt_dates(days: Any, rng: np.random.Generator) -> np.ndarray:
    """ISO dates, a few in YYYY/MM/DD, YYYYMMDD or YYYY年M月D日; NO_DATE → ''."""
    d = np.asarray(pd.to_numeric(pd.Series(days), errors="coerce").fillna(NO_DATE), dtype=np.int64)
    missing = d == NO_DATE
    iso = np.datetime_as_string(np.where(missing, 0, d).astype("datetime64[D]")).astype(object)
    pick = rng.random(len(d))
    for i in np.flatnonzero((pick < ALT_SHARE) & ~missing):
        s = str(iso[i])
        y, m, dd = s[:4], s[5:7], s[8:10]
        alt = int(pick[i] * 3 / ALT_SHARE)
        iso[i] = (f"{y}/{m}/{dd}", f"{y}{m}{dd}", f"{y}年{int(m)}月{int(dd)}日")[min(alt, 2)]
    iso[missing] = ""
    return np.asarray(iso, dtype=object)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def fmt_money(values: Any, rng: np.random.Generator) -> np.ndarray:
    """Yuan with two decimals; a few as 1,234.50, 1234.5元 or 0.1234万元."""
    s = pd.Series(values)
    missing = s.isna().to_numpy()
    fen = np.asarray(s.fillna(0), dtype=np.int64)
    y = fen // 100
    c = fen % 100
    out = np.strings.add(np.strings.add(y.astype("U20"), "."), zfill_int(c, 2)).astype(object)
    pick = rng.random(len(fen))
    for i in np.flatnonzero((pick < ALT_SHARE) & ~missing):
        f = int(fen[i])
        alt = min(int(pick[i] * 3 / ALT_SHARE), 2)
        if alt == 0:
            out[i] = f"{f // 100:,}.{f % 100:02d}"
        elif alt == 1 or f % 100:
            out[i] = (f"{f // 100}.{f % 100:02d}".rstrip("0").rstrip(".")) + "元"
        else:
            wan = f"{f // 1_000_000}.{f // 100 % 10_000:04d}".rstrip("0").rstrip(".")
            out[i] = wan + "万元"
    out[missing] = ""
    return out


def _number(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def fmt_ratio(values: Any, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    pct = rng.random(len(values)) < 0.3
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = ""
        else:
            out[i] = f"{round(float(v) * 100, 2):g}%" if pct[i] else f"{float(v):g}"
    return out


def as_text(values: pd.Series) -> np.ndarray:
    """A column as an object array of ``str`` ('' for missing)."""
    arr = values.to_numpy(dtype=object, na_value="")
    if not isinstance(values.dtype, pd.StringDtype):
        arr = np.array([v if isinstance(v, str) else str(v) for v in arr], dtype=object)
    return arr


def format_frame(register: str, df: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """All cells as text in the register's columns (row markers ``_mention``, ``_legacy`` kept)."""
    out: dict[str, Any] = {}
    n = len(df)
    for col, _ in COLUMNS[register]:
        src = "_period" if col == "period" and "_period" in df else col
        if src not in df:
            out[col] = np.full(n, "", dtype=object)
        elif col == "period":
            mc = np.asarray(df[src], dtype=np.int64)
            text = np.strings.add(
                np.strings.add((mc // 12).astype("U4"), "-"), zfill_int(mc % 12 + 1, 2).astype("U2")
            )
            out[col] = text.astype(object)
        elif col in DATES:
            out[col] = fmt_dates(df[src].to_numpy(), rng)
        elif col in MONEY:
            out[col] = fmt_money(df[src].to_numpy(), rng)
        elif col == "share_ratio":
            out[col] = fmt_ratio(df[src].to_numpy(dtype=object), rng)
        elif col in ("quantity", "delivered_quantity", "area_m2"):
            out[col] = np.array([_number(v) for v in df[src].to_numpy(dtype=object)], dtype=object)
        elif col == "plate":  # the dot after the prefix is optional (湘D·A1234)
            text = as_text(df[src])
            dotted = rng.random(n) < 0.3
            text[dotted] = [s[:2] + "·" + s[2:] for s in text[dotted]]
            out[col] = text
        else:
            out[col] = as_text(df[src])
    for col in df.columns:
        if col in ("_mention", "_legacy"):
            out[col] = df[col].to_numpy()
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def _quote(col: np.ndarray) -> np.ndarray:
    joined = "\x1f".join(col)
    if "," not in joined and '"' not in joined and "\n" not in joined:
        return col
    return np.array(
        [
            ('"' + v.replace('"', '""') + '"') if ("," in v or '"' in v or "\n" in v) else v
            for v in col
        ],
        dtype=object,
    )


def write(register: str, text: pd.DataFrame, out: Path) -> Path:
    """Write one formatted register (internal columns dropped) and return its path."""
    name, encoding, style = FILES[register]
    cols = [c for c, _ in COLUMNS[register]]
    path = out / name
    heads = header(register, style)
    if encoding == "xlsx":
        _write_xlsx(text[cols], heads, path)
        return path
    arrays = [_quote(as_text(text[c])) for c in cols]
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(",".join(heads) + "\n")
        for start in range(0, len(text), 250_000):
            chunk = [a[start : start + 250_000] for a in arrays]
            f.write("\n".join(map(",".join, zip(*chunk, strict=True))) + "\n")
    return path


def _write_xlsx(body: pd.DataFrame, heads: list[str], path: Path) -> None:
    """First sheet; date columns mostly as real Excel dates. Zip times fixed: same bytes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(heads)
    date_cols = [i for i, c in enumerate(body.columns) if c in DATES]
    for n, row in enumerate(body.itertuples(index=False)):
        cells: list[Any] = list(row)
        for i in date_cols:
            s = str(cells[i])
            # every seventh row keeps its dates as text, as hand-kept sheets do
            if n % 7 and len(s) == 10 and s[4] == "-" and s[7] == "-":
                with contextlib.suppress(ValueError):  # an impossible date stays text
                    cells[i] = dt.datetime(int(s[:4]), int(s[5:7]), int(s[8:10]))
        ws.append(cells)
    fixed = dt.datetime(2025, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    raw = io.BytesIO()
    wb.save(raw)
    raw.seek(0)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
