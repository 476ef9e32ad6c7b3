"""Find a register in a folder, detect its encoding and stream its rows.

Rows come out as ``(row_number, cells)`` where the header is row 1 and the first data
row is 2, as a spreadsheet shows them, so a rejects file points at the cell a clerk
can open. Nothing is held beyond the row being read: a million-row register streams.

CSV is read with the standard ``csv`` module rather than pandas: pandas either stops at
a row with too many fields or drops it (``on_bad_lines="skip"``), and the contract says
bad input never disappears, so ragged rows must reach the validator to be rejected.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graph.ids import clean
from graph.loaders.registers import Column, Register, extra_property, header_key

SUFFIXES = (".csv", ".xlsx")
_BLOCK = 1 << 20

csv.field_size_limit(1 << 24)


def find_register(folder: Path, stem: str) -> Path | None:
    """The register's file in ``folder`` (``persons.csv`` or ``persons.xlsx``, any case).

    When both exist the CSV wins; :func:`find_all` reports the other as ignored.
    """
    found = find_all(folder, stem)
    return found[0] if found else None


def find_all(folder: Path, stem: str) -> list[Path]:
    if not folder.is_dir():
        return []
    by_suffix = {
        p.suffix.lower(): p
        for p in sorted(folder.iterdir())
        if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in SUFFIXES
    }
    return [by_suffix[s] for s in SUFFIXES if s in by_suffix]


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, ``gb18030``, or ``gb18030-replace`` if neither
    decodes the whole file (its undecodable rows are then rejected as ``bad_encoding``).

    The whole file is checked, block by block, because a GB18030 file can look like
    ASCII for its first megabyte (a column of codes and dates) and fail later.
    """
    with path.open("rb") as f:
        head = f.read(3)
    if head == codecs.BOM_UTF8:
        return "utf-8-sig" if _decodes(path, "utf-8-sig") else "gb18030-replace"
    for enc in ("utf-8", "gb18030"):
        if _decodes(path, enc):
            return enc
    return "gb18030-replace"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            while block := f.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes handed out, for a progress bar over bytes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.raw.readinto(b)  # type: ignore[attr-defined]
        self.consumed += n or 0
        return int(n or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class Source:
    """An open register file: its header, its rows, and how far reading has got."""

    path: Path
    encoding: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    size: int  # progress total: bytes for CSV, rows for XLSX
    _position: Any = field(default=None, repr=False)
    _close: Any = field(default=None, repr=False)

    @property
    def position(self) -> int:
        return int(self._position()) if self._position else 0

    def close(self) -> None:
        if self._close:
            self._close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_register(path: Path) -> Source:
    """Open a CSV or XLSX register; the first row is the header."""
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path)
    return _open_csv(path)


def _open_csv(path: Path) -> Source:
    encoding = detect_encoding(path)
    codec, errors = (
        ("gb18030", "replace") if encoding == "gb18030-replace" else (encoding, "strict")
    )
    counting = _CountingReader(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counting, _BLOCK), codec, errors, newline="")
    reader = csv.reader(text)
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, list[str]]]:
        # The row number is the record's number, as a spreadsheet counts it (quoted
        # newlines inside a cell do not start a new row).
        yield from enumerate(reader, start=2)

    return Source(
        path, encoding, header, rows(), path.stat().st_size, lambda: counting.consumed, text.close
    )


def _cell(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return clean(value)


def _open_xlsx(path: Path) -> Source:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    first = next(it, ())
    header = [_cell(v) for v in first]
    while header and not header[-1]:
        header.pop()
    done = 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal done
        for number, values in enumerate(it, start=2):
            done = number
            cells = [_cell(v) for v in values]
            while cells and not cells[-1]:  # a sheet's used range runs past short rows
                cells.pop()
            yield number, cells

    def close() -> None:
        # The sheet's XML stream stays open while its row generator is suspended, and
        # keeps the file open after wb.close(); left to the cycle collector, it is
        # closed late, with a ResourceWarning (a worker may have read the rows instead).
        it.close()
        wb.close()

    return Source(path, "xlsx", header, rows(), int(ws.max_row or 0), lambda: done, close)


# -------------------------------------------------------------------- header mapping


@dataclass(frozen=True)
class HeaderMap:
    """Which cell feeds which column: ``columns[i]`` or ``extras[i]`` for cell ``i``."""

    columns: dict[int, Column]
    extras: dict[int, str]  # cell index → property name (``x_...``)
    missing: tuple[Column, ...]  # contract columns the file lacks
    width: int

    @property
    def extra_names(self) -> list[str]:
        return list(self.extras.values())


def map_header(register: Register, header: list[str]) -> HeaderMap:
    """Match a file's header to the register's columns.

    A header matches a column by its English name or Chinese header (or a known
    alias), after :func:`header_key` normalisation. A column named twice keeps the
    first cell; the second is kept as an extra, like any unknown header.
    """
    lookup = {header_key(h): c for c in register.columns for h in c.headers()}
    columns: dict[int, Column] = {}
    extras: dict[int, str] = {}
    taken: set[str] = set()
    names = {c.name for c in register.columns}
    for i, raw in enumerate(header):
        col = lookup.get(header_key(raw))
        if col is not None and col.name not in taken:
            columns[i] = col
            taken.add(col.name)
            continue
        name = extra_property(raw) if raw.strip() else f"x_column_{i + 1}"
        base, n = name, 2
        while name in extras.values() or name in names:
            name, n = f"{base}_{n}", n + 1
        extras[i] = name
    missing = tuple(c for c in register.columns if c.name not in taken)
    return HeaderMap(columns, extras, missing, len(header))
