"""Turn a register row into a clean :class:`Record`, or into rejects with reasons.

Cleaning is :mod:`graph.ids`'s job; this module only says which cleaner a column's
:class:`~graph.loaders.registers.Kind` uses and what a failure means:

- a required value that is empty → reject ``missing``;
- a value that fails its type (required or not) → reject with the cleaner's reason
  (``bad_check_char``, ``bad_date``, ``bad_amount`` …); an enum outside a closed list
  → ``bad_enum``; a number that is not one → ``bad_number``;
- a row with cells beyond the header → ``too_many_fields``, fewer (CSV) →
  ``too_few_fields``; undecodable bytes → ``bad_encoding``; a NUL character in a cell
  → ``nul_character``; a required column the file lacks → ``missing_column`` on every
  row.

Every reject names the row's key (:attr:`Register.key`), so the department that sent
the file can find the record.

Every failing cell of a row is reported, so a clerk fixes the row once. Warnings
(an open enum's unexpected value, a 15-digit ID upgraded) are attached to the record,
which is loaded and flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
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
    key: str = ""  # the row's key columns (Register.key), "|"-joined: what the clerk looks up


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
    src: str = field(init=False)  # "register#row", the provenance of what the row writes

    def __post_init__(self) -> None:
        self.src = f"{self.register}#{self.row}"

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

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


_SPACES = re.compile(r"\s+")


def _code(value: str) -> str:
    return _SPACES.sub("", value).upper()


_PARSERS: dict[Kind, Callable[[str], Any]] = {
    Kind.CODE: _code,
    Kind.RESIDENT_ID: ids.parse_resident_id,
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
    Kind.ENUM: lambda v: header_key(v),
}


class _Failed(NamedTuple):
    reason: str
    message: str


_EMPTY = object()
# Entries per kind. Identifiers and codes get room for a city's recipients and their
# households and accounts (~210k, 115k and 140k at 3 million people), so a register
# sorted by month still finds last month's parse: an LRU cache smaller than one month's
# values loses many of them before they recur. Full, the two take about 300 MiB.
_ROOMY = {Kind.RESIDENT_ID: 1 << 19, Kind.PARTY: 1 << 16, Kind.CODE: 1 << 19}


def _parsed(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` over a raw cell; failures as reason and message, not as exceptions."""

    def run(raw: str) -> Any:
        text = ids.clean(raw)
        if not text:
            return _EMPTY
        try:
            return parse(text)
        except InvalidValue as e:
            return _Failed(e.reason, str(e))

    return run


# Parsing is most of a load's Python time, and the same ID number, date, amount or code
# recurs on many rows (a recipient every month): remembered per kind. A register's own
# key (a record id, the household register's ID number) is new on every row, and would
# only push the recurring values out: it is parsed without the cache.
_ONCE: dict[Kind, Callable[[str], Any]] = {k: _parsed(f) for k, f in _PARSERS.items()}
_CLEAN: dict[Kind, Callable[[str], Any]] = {
    k: lru_cache(maxsize=_ROOMY.get(k, 1 << 14))(f) for k, f in _ONCE.items()
}
_ONCE[Kind.TEXT] = _CLEAN[Kind.TEXT] = lambda raw: ids.clean(raw) or _EMPTY  # no cache
_LIST_SEP = re.compile(r"[;,、]")


class _Cell:
    """Cleans one cell of one column, collecting rejects and warnings on the way."""

    def __init__(
        self,
        register: str,
        row: int,
        rec: Record,
        rejects: list[Reject],
        own_key: str | None = None,
    ) -> None:
        self.register, self.row, self.rec, self.rejects = register, row, rec, rejects
        self.own_key = own_key  # the column that is new on every row: parsed uncached

    def reject(self, col: Column, value: str, reason: str, message: str) -> None:
        shown = CONFIDENTIAL if col.confidential else value
        if col.confidential:
            message = f"{col.name}: {reason}"
        self.rejects.append(Reject(self.register, self.row, col.name, shown, reason, message))

    def value(self, col: Column, raw: str, result: Any) -> Any:
        """The stored value for a parsed cell, or raise its failure."""
        if isinstance(result, _Failed):
            raise InvalidValue(result.reason, result.message, raw)
        if col.kind is Kind.ENUM:
            stored = col.choices.get(result)
            if stored is not None:
                return stored
            text = ids.clean(raw)
            if col.closed:
                allowed = "、".join(sorted(set(col.choices.values())))
                raise InvalidValue("bad_enum", f"{text!r} is not one of {allowed}", raw)
            self.rec.warn("unexpected_value", col.name, f"{text!r} is not a listed value")
            return text
        if col.kind is Kind.RESIDENT_ID:
            self.rec.resident_ids.setdefault(col.name, result)
            if result.upgraded_from_15:
                self.rec.warn("id_upgraded_from_15", col.name)
            for note in result.warnings:
                self.rec.warn("id_division_unusual", col.name, note)
            return result.number
        return result

    def clean(self, col: Column, raw: str) -> Any:
        parse = (_ONCE if col.name == self.own_key else _CLEAN)[col.kind]
        try:
            if col.many:
                text = ids.clean(raw)
                parts = [p for p in _LIST_SEP.split(text) if p.strip()]
                values = [self.value(col, p, parse(p)) for p in parts]
                return list(dict.fromkeys(v for v in values if v is not _EMPTY))
            result = parse(raw)
            if result is _EMPTY:
                if col.required:
                    self.reject(col, raw, "missing", f"{col.name} ({col.zh}) is required")
                return None
            return self.value(col, raw, result)
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
    joined = "".join(cells)
    if not joined.strip():
        return None
    rec = Record(register.stem, row, {})
    rejects: list[Reject] = []
    cell = _Cell(
        register.stem, row, rec, rejects, register.key[0] if len(register.key) == 1 else None
    )
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
    if "\x00" in joined:
        _nul(register, hmap, row, cells, cell, rejects)
    values = rec.values
    for col in hmap.missing:
        if col.required:
            cell.reject(col, "", "missing_column", f"the file has no column {col.name} ({col.zh})")
        values[col.name] = [] if col.many else None
    for i, name, parse, col in _plan(hmap, cell.own_key):
        raw = cells[i]
        if parse is not None:
            # A plain value that parsed: what cell.clean would store, without its calls.
            result = parse(raw)
            if result.__class__ is not _Failed and result is not _EMPTY:
                values[name] = result
                continue
        values[name] = cell.clean(col, raw)
    for i, name in hmap.extras.items():
        text = ids.clean(cells[i])
        if text:
            rec.extra[name] = text
    if rejects:
        key = row_key(register, hmap, cells)
        return [replace(r, key=key) for r in rejects]
    return rec


# Per header map: each mapped cell's index, column name, the parser whose result is
# stored as it is (None for an enum, a resident ID or a list, which cell.clean
# translates) and the column. A register's rows share one map, so it is worked out once.
_Plan = tuple[tuple[int, str, Callable[[str], Any] | None, Column], ...]
_PLANS: dict[int, tuple[HeaderMap, str | None, _Plan]] = {}


def _plan(hmap: HeaderMap, own_key: str | None) -> _Plan:
    hit = _PLANS.get(id(hmap))
    if hit is not None and hit[0] is hmap and hit[1] == own_key:
        return hit[2]
    plan = tuple((i, col.name, _plain_parser(col, own_key), col) for i, col in hmap.columns.items())
    if len(_PLANS) >= 64:  # maps of registers loaded long ago
        _PLANS.clear()
    _PLANS[id(hmap)] = (hmap, own_key, plan)
    return plan


def _plain_parser(col: Column, own_key: str | None) -> Callable[[str], Any] | None:
    if col.many or col.kind in (Kind.ENUM, Kind.RESIDENT_ID):
        return None
    return (_ONCE if col.name == own_key else _CLEAN)[col.kind]


def _shown(text: str) -> str:
    return text.replace("\x00", "\\0")


def _nul(
    register: Register,
    hmap: HeaderMap,
    row: int,
    cells: list[str],
    cell: _Cell,
    rejects: list[Reject],
) -> None:
    """Reject each cell holding a NUL: a broken export's byte, which no register value
    means, and which the engine's bulk format ends a string at."""
    for i, text in enumerate(cells):
        if "\x00" not in text:
            continue
        message = "the cell holds a NUL character"
        col = hmap.columns.get(i)
        if col is not None:
            cell.reject(col, _shown(text), "nul_character", message)
            continue
        name = hmap.extras.get(i, "")
        # In a register with confidential columns an unknown cell may hold one, shifted.
        shown = CONFIDENTIAL if register.confidential else _shown(text)
        rejects.append(Reject(register.stem, row, name, shown, "nul_character", message))


def row_key(register: Register, hmap: HeaderMap, cells: list[str]) -> str:
    """The row's key columns as written (trimmed), ``|``-joined; a confidential key
    column is masked.

    >>> from graph.loaders.registers import REGISTERS
    >>> from graph.loaders.read import map_header
    >>> reg = REGISTERS["students"]
    >>> hmap = map_header(reg, ["year", "name", "id_number"])
    >>> row_key(reg, hmap, ["2023", "张三", " 430422198001011235"])
    '430422198001011235|2023'
    """
    where = {col.name: i for i, col in hmap.columns.items()}
    parts = []
    for name in register.key:
        i = where.get(name)
        if i is None or i >= len(cells):
            parts.append("")
        elif register.column(name).confidential:
            parts.append(CONFIDENTIAL)
        else:
            parts.append(_shown(ids.clean(cells[i])))
    return "|".join(parts)
