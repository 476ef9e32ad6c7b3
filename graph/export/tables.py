"""A subgraph as data files: JSON, a zip of CSV files, an Excel workbook.

CSV and XLSX are for people working in Excel on Chinese Windows: UTF-8 with a BOM (Excel
otherwise reads the bytes as GBK), headers Chinese first (``姓名 (name)``), money in
integer fen as stored (the header says 分). Text that Excel would take for a formula
(``=…``, ``+…``, ``-…``, ``@…``) is written so it stays text: prefixed with ``'`` in CSV
(OWASP's advice; the prefix is visible in the file), stored as a string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from graph import schema as sch
from graph.export._subgraph import (
    Prepared,
    Subgraph,
    XNode,
    XRel,
    columns,
    header,
    prepare,
    scalar,
)

__all__ = ["to_csv_zip", "to_json", "to_xlsx"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_REL_FIXED = (
    ("关系类型", "type"),
    ("关系", "type_zh"),
    ("起点类型", "start_label"),
    ("起点", "start_key"),
    ("起点名称", "start_caption"),
    ("终点类型", "end_label"),
    ("终点", "end_key"),
    ("终点名称", "end_caption"),
)


def to_json(sub: Subgraph) -> str:
    """The cleaned subgraph as JSON in the store's shapes, sorted so equal input gives
    equal bytes.

    >>> print(to_json({"nodes": [], "relationships": []}))
    {
      "nodes": [],
      "relationships": []
    }
    """
    p = prepare(sub)
    by_id = p.by_id()
    doc = {
        "nodes": [
            {"_kind": "node", "labels": list(n.labels), "key": n.key, "properties": n.props}
            for n in p.nodes
            if not n.stub
        ],
        "relationships": [
            {
                "_kind": "relationship",
                "type": r.type,
                "start": _ref(by_id[r.start]),
                "end": _ref(by_id[r.end]),
                "properties": r.props,
            }
            for r in p.rels
        ],
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2, default=str)


def _ref(n: XNode) -> dict[str, Any]:
    return {"label": n.label, "key": n.key}


def to_csv_zip(sub: Subgraph) -> bytes:
    """A zip of ``nodes_<Label>.csv`` (one per label) and ``relationships.csv``.

    The first node column is the node id (``Label:key``), which the relationship file's
    start and end refer to by label and key. Lists are written as JSON arrays.
    """
    p = prepare(sub)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for label, head, rows in _node_tables(p):
            zf.writestr(f"nodes_{label}.csv", _csv(head, rows))
        head, rows = _rel_table(p)
        zf.writestr("relationships.csv", _csv(head, rows))
    return buf.getvalue()


def _csv(head: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(head)
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    v = scalar(v)
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def to_xlsx(sub: Subgraph) -> bytes:
    """An Excel workbook: one sheet per label (``人员 Person``) and one of relationships.

    Lists are joined with ``; ``; characters Excel cannot hold (control codes) are dropped.
    """
    p = prepare(sub)
    wb = Workbook()
    first = wb.active
    if first is not None:
        wb.remove(first)
    for label, head, rows in _node_tables(p):
        _sheet(wb, f"{_zh(label)} {label}", head, rows)
    head, rows = _rel_table(p)
    _sheet(wb, "关系 relationships", head, rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb: Workbook, title: str, head: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(_BAD_SHEET_CHARS.sub("_", title)[:31])
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            _put(ws.cell(row=r, column=c), value)
    ws.freeze_panes = "A2"
    for c, h in enumerate(head, start=1):
        width = max([_width(h), *(_width(row[c - 1]) for row in rows[:200])])
        ws.column_dimensions[get_column_letter(c)].width = min(60, width + 2)


def _put(cell: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    else:
        cell.value = value


def _width(v: Any) -> int:
    text = "" if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK takes two columns


def _zh(label: str) -> str:
    nt = sch.NODES.get(label)
    return nt.zh if nt else label


def _node_tables(p: Prepared) -> list[tuple[str, list[str], list[list[Any]]]]:
    out = []
    for label in p.labels():
        nodes = [n for n in p.nodes if n.label == label and not n.stub]
        if not nodes:
            continue
        cols = columns(label, (n.props for n in nodes))
        head = ["节点编号 (id)", *(header(label, c) for c in cols)]
        rows = [[n.id, *(n.props.get(c) for c in cols)] for n in nodes]
        out.append((label, head, rows))
    return out


def _rel_table(p: Prepared) -> tuple[list[str], list[list[Any]]]:
    by_id = p.by_id()
    cols = _rel_columns(p.rels)
    head = [f"{zh} ({en})" for zh, en in _REL_FIXED] + [_rel_header(c) for c in cols]
    rows = []
    for r in p.rels:
        s, e = by_id[r.start], by_id[r.end]
        fixed = [r.type, r.zh, s.label, s.key, s.caption, e.label, e.key, e.caption]
        rows.append(fixed + [r.props.get(c) for c in cols])
    return head, rows


def _rel_columns(rels: list[XRel]) -> list[str]:
    seen: dict[str, None] = {}
    for t in dict.fromkeys(r.type for r in rels):
        for c in columns(t, (r.props for r in rels if r.type == t)):
            seen.setdefault(c, None)
    trailing = [p.name for p in sch.COMMON_PROPS]
    return [c for c in seen if c not in trailing] + [c for c in trailing if c in seen]


def _rel_header(prop: str) -> str:
    for rt in sch.RELATIONSHIPS.values():
        for p in rt.props:
            if p.name == prop and p.zh:
                return f"{p.zh} ({prop})"
    return prop
