"""Turn a register row into a clean :class:`Record`, or into rejects with reasons.

Cleaning is :mod:`graph.ids`'s job; this module only says which cleaner a column's
:class:`~graph.loaders.registers.Kind` uses and what a failure means:

- a required value that is empty → reject ``missing``;
- a value that fails its type (required or not) → reject with the cleaner's reason
  (``bad_check_char``, ``bad_date``, ``bad_amount`` …); an enum outside a closed list
  → ``bad_enum``; a number that is not one → ``bad_number``;
- a row with cells beyond the header → ``too_many_fields``, fewer (CSV) →
  ``too_few_fields``; undecodable bytes → ``bad_encoding``; a required column the file
  lacks → ``missing_column`` on every row.

Every failing cell of a row is reported, so a clerk fixes the row once. Warnings
(an open enum's unexpected value, a 15-digit ID upgraded) are attached to the record,
which is loaded and flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph import ids
from graph.errors import InvalidValue
from graph.loaders.read import HeaderMap
from graph.loaders.registers import Column, Kind, Register, header_key

CONFIDENTIAL = "<confidential>"


class Party(NamedTuple):
    """A cleaned owner/payee number and what it names: ``person`` or ``enterprise``."""

    key: str
    kind: str


@dataclass(frozen=True)
class Reject:
    register: str
    row: int
    column: str
    value: str
    reason: str
    message: str


@dataclass(frozen=True)
class Warn:
    code: str
    column: str = ""
    message: str = ""


@dataclass
class Record:
    """A validated row: cleaned values by canonical column name (None when empty)."""

    register: str
    row: int
    values: dict[str, Any]
    extra: dict[str, str] = field(default_factory=dict)
    resident_ids: dict[str, ids.ResidentId] = field(default_factory=dict)
    warnings: list[Warn] = field(default_factory=list)

    @property
    def src(self) -> str:
        return f"{self.register}#{self.row}"

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def warn(self, code: str, column: str = "", message: str = "") -> None:
        w = Warn(code, column, message)
        if w not in self.warnings:
            self.warnings.append(w)

    def warning_texts(self) -> list[str]:
        """Warnings as stored on the graph: ``persons#12 gender: gender_mismatch``."""
        return [f"{self.src}{' ' + w.column if w.column else ''}: {w.code}" for w in self.warnings]


def _number(value: str) -> float:
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        raise InvalidValue("bad_number", f"{value!r} is not a number", value) from None
    if not math.isfinite(number):
        raise InvalidValue("bad_number", f"{value!r} is not a finite number", value)
    return number


def _code(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


_CLEANERS: dict[Kind, Callable[[str], Any]] = {
    Kind.TEXT: lambda v: v,
    Kind.CODE: _code,
    Kind.USCC: ids.normalise_uscc,
    Kind.PARTY: lambda v: Party(*ids.normalise_party_id(v)),
    Kind.DIVISION: ids.normalise_division_code,
    Kind.PLATE: ids.normalise_plate,
    Kind.CERT: ids.normalise_cert_no,
    Kind.DATE: ids.parse_date,
    Kind.MONTH: ids.parse_month,
    Kind.MONEY: ids.parse_money_fen,
    Kind.NUMBER: _number,
    Kind.RATIO: ids.parse_ratio,
    Kind.BOOL: ids.parse_bool,
}

_LIST_SEP = re.compile(r"[;,、]")


class _Cell:
    """Cleans one cell of one column, collecting rejects and warnings on the way."""

    def __init__(self, register: str, row: int, rec: Record, rejects: list[Reject]) -> None:
        self.register, self.row, self.rec, self.rejects = register, row, rec, rejects

    def reject(self, col: Column, value: str, reason: str, message: str) -> None:
        shown = CONFIDENTIAL if col.confidential else value
        if col.confidential:
            message = f"{col.name}: {reason}"
        self.rejects.append(Reject(self.register, self.row, col.name, shown, reason, message))

    def one(self, col: Column, text: str) -> Any:
        if col.kind is Kind.ENUM:
            stored = col.choices.get(header_key(text))
            if stored is not None:
                return stored
            if col.closed:
                allowed = "、".join(sorted(set(col.choices.values())))
                raise InvalidValue("bad_enum", f"{text!r} is not one of {allowed}", text)
            self.rec.warn("unexpected_value", col.name, f"{text!r} is not a listed value")
            return text
        if col.kind is Kind.RESIDENT_ID:
            parsed = ids.parse_resident_id(text)
            self.rec.resident_ids.setdefault(col.name, parsed)
            if parsed.upgraded_from_15:
                self.rec.warn("id_upgraded_from_15", col.name)
            for note in parsed.warnings:
                self.rec.warn("id_division_unusual", col.name, note)
            return parsed.number
        return _CLEANERS[col.kind](text)

    def clean(self, col: Column, raw: str) -> Any:
        text = ids.clean(raw)
        if not text:
            if col.required:
                self.reject(col, raw, "missing", f"{col.name} ({col.zh}) is required")
            return [] if col.many else None
        try:
            if col.many:
                parts = [p.strip() for p in _LIST_SEP.split(text)]
                return list(dict.fromkeys(self.one(col, p) for p in parts if p))
            return self.one(col, text)
        except InvalidValue as e:
            self.reject(col, raw, e.reason, str(e))
            return None


def validate_row(
    register: Register,
    hmap: HeaderMap,
    row: int,
    cells: list[str],
    *,
    strict_width: bool = True,
    replaced: bool = False,
) -> Record | list[Reject] | None:
    """Validate one row; ``None`` for a blank row (no cell has text)."""
    if not any(c.strip() for c in cells):
        return None
    rec = Record(register.stem, row, {})
    rejects: list[Reject] = []
    cell = _Cell(register.stem, row, rec, rejects)
    if len(cells) > hmap.width and any(c.strip() for c in cells[hmap.width :]):
        # Cells beyond the header may be a confidential value shifted out of its column.
        extra = CONFIDENTIAL if register.confidential else ",".join(cells[hmap.width :])
        rejects.append(
            Reject(
                register.stem,
                row,
                "",
                extra,
                "too_many_fields",
                f"{len(cells)} cells, the header has {hmap.width}",
            )
        )
    elif len(cells) < hmap.width:
        if strict_width:
            rejects.append(
                Reject(
                    register.stem,
                    row,
                    "",
                    "",
                    "too_few_fields",
                    f"{len(cells)} cells, the header has {hmap.width}",
                )
            )
        cells = cells + [""] * (hmap.width - len(cells))
    if replaced and any("\ufffd" in c for c in cells):
        rejects.append(
            Reject(
                register.stem,
                row,
                "",
                "",
                "bad_encoding",
                "bytes that are neither UTF-8 nor GB18030",
            )
        )
    for col in hmap.missing:
        if col.required:
            cell.reject(col, "", "missing_column", f"the file has no column {col.name} ({col.zh})")
        rec.values[col.name] = [] if col.many else None
    for i, col in hmap.columns.items():
        rec.values[col.name] = cell.clean(col, cells[i])
    for i, name in hmap.extras.items():
        text = ids.clean(cells[i])
        if text:
            rec.extra[name] = text
    return rejects if rejects else rec
