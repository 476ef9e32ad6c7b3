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
import errno
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from graph.errors import LoadError
from graph.ids import clean
from graph.loaders.registers import Column, Register, extra_property, header_key

SUFFIXES = (".csv", ".xlsx")
_BLOCK = 1 << 20
# Bounds on what one file may ask of memory; a register within them streams in a few MB.
MAX_LINE_BYTES = 1 << 20  # a CSV line or an XLSX row: a register's row is a few hundred
MAX_XLSX_INFLATED = 1 << 30  # a workbook's parts, inflated: bigger registers come as CSV
MAX_SHARED_STRINGS = 256 << 20  # openpyxl holds a workbook's shared strings in memory
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit: a higher row number is not a real sheet

csv.field_size_limit(1 << 24)


def find_register(folder: Path, stem: str) -> Path | None:
    """The register's file in ``folder`` (``persons.csv`` or ``persons.xlsx``, any case).

    When both exist the CSV wins; :func:`find_all` reports the other as ignored.
    """
    found = find_all(folder, stem)
    return found[0] if found else None


def find_all(folder: Path, stem: str) -> list[Path]:
    """The register's files in ``folder``, the one to load first.

    A name that is the register's but not a readable file (a symbolic link loop, a
    link to nothing, a folder) is an error, not an absent register: the department
    sent something, and loading without it would look complete.
    """
    if not folder.is_dir():
        return []
    by_suffix: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        if p.stem.lower() != stem or p.suffix.lower() not in SUFFIXES:
            continue
        _check_readable(p)
        by_suffix[p.suffix.lower()] = p
    return [by_suffix[s] for s in SUFFIXES if s in by_suffix]


def _check_readable(path: Path) -> None:
    try:
        st = path.stat()
    except OSError as e:
        why = {errno.ELOOP: "a symbolic link loop", errno.ENOENT: "a link to nothing"}.get(
            e.errno or 0, e.strerror or str(e)
        )
        raise LoadError(path.name, None, None, f"cannot be read: {why}") from None
    if not stat.S_ISREG(st.st_mode):
        raise LoadError(path.name, None, None, "is not a regular file")


@dataclass(frozen=True)
class CsvScan:
    """What a pass over a CSV file's bytes found (see :func:`scan_csv`)."""

    encoding: str  # utf-8, utf-8-sig or gb18030; "-replace" when some bytes do not decode
    undecodable: int  # bytes that do not decode in that encoding
    longest_line: int  # bytes
    longest_at: int  # its line number, 1 = the header


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``gb18030``, with ``-replace`` when some bytes do
    not decode in it (their rows are then rejected as ``bad_encoding``); see
    :func:`scan_csv`."""
    return scan_csv(path).encoding


def scan_csv(path: Path) -> CsvScan:
    """Decide a CSV file's encoding on the evidence of all its bytes, and measure its lines.

    A BOM says UTF-8. Otherwise a file that decodes as UTF-8 is UTF-8; one that does not
    is read in whichever of UTF-8 and GB18030 leaves fewer bytes undecodable (a tie goes
    to UTF-8). So one truncated character or stray 0xFF byte in a UTF-8 file costs its
    row, not the whole file: as GB18030 every multibyte character of the file would be
    wrong, and far more bytes fail. The whole file is read because a GB18030 file can
    look like ASCII for its first megabyte (a column of codes and dates) and fail later.
    """
    with path.open("rb") as f:
        bom = f.read(3) == codecs.BOM_UTF8
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    utf8 = True
    lines = _LineMeter()
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            lines.feed(block)
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False  # the file ends inside a character
    longest, at = lines.longest()
    if utf8:
        return CsvScan("utf-8-sig" if bom else "utf-8", 0, longest, at)
    bad_utf8 = _undecodable(path, "utf-8")
    if bom:
        return CsvScan("utf-8-sig-replace", bad_utf8, longest, at)
    bad_gb = _undecodable(path, "gb18030")
    if bad_gb < bad_utf8:
        return CsvScan("gb18030" + ("-replace" if bad_gb else ""), bad_gb, longest, at)
    return CsvScan("utf-8-replace", bad_utf8, longest, at)


_ESCAPED = re.compile("[\udc80-\udcff]")  # an undecodable byte, under surrogateescape


def _undecodable(path: Path, encoding: str) -> int:
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    bad = 0
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            bad += len(_ESCAPED.findall(decoder.decode(block)))
    return bad + len(_ESCAPED.findall(decoder.decode(b"", final=True)))


class _LineMeter:
    """The longest run of bytes between two separators, fed block by block."""

    def __init__(self, separator: bytes | re.Pattern[bytes] = b"\n") -> None:
        self.separator = separator
        self.run = 0  # bytes of the line still open at the end of the last block
        self.lines = 0  # separators seen
        self.max, self.max_at = 0, 0

    def feed(self, block: bytes) -> None:
        sep = self.separator
        parts = block.split(sep) if isinstance(sep, bytes) else sep.split(block)
        if len(parts) == 1:
            self.run += len(block)
            return
        self._see(self.run + len(parts[0]), self.lines)
        for i, part in enumerate(parts[1:-1], start=1):
            if len(part) > self.max:
                self._see(len(part), self.lines + i)
        self.lines += len(parts) - 1
        self.run = len(parts[-1])

    def _see(self, length: int, index: int) -> None:
        if length > self.max:
            self.max, self.max_at = length, index + 1

    def longest(self) -> tuple[int, int]:
        self._see(self.run, self.lines)
        return self.max, self.max_at


def check_csv(path: Path) -> CsvScan:
    """Scan a CSV file (:func:`scan_csv`), refusing one whose lines break the bound."""
    scan = scan_csv(path)
    if scan.longest_line > MAX_LINE_BYTES:
        raise LoadError(
            path.name,
            None,
            None,
            f"line {scan.longest_at:,} is {scan.longest_line:,} bytes long, over the limit "
            f"of {MAX_LINE_BYTES:,} bytes a line: not a register a department exported",
        )
    return scan


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


def open_register(path: Path, encoding: str | None = None) -> Source:
    """Open a CSV or XLSX register; the first row is the header.

    ``encoding``: a CSV file's, as :func:`scan_csv` found it (scanned here if not given).
    A file that cannot be read, or stops being readable part way, raises
    :class:`~graph.errors.LoadError` naming the file (and the row, when it is known).
    """
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path)
    return _open_csv(path, encoding or check_csv(path).encoding)


def _open_csv(path: Path, encoding: str) -> Source:
    codec = encoding.removesuffix("-replace")
    errors = "replace" if encoding.endswith("-replace") else "strict"
    counting = _CountingReader(path.open("rb"))
    text = io.TextIOWrapper(io.BufferedReader(counting, _BLOCK), codec, errors, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, [])
    except (csv.Error, UnicodeDecodeError) as e:
        text.close()
        raise LoadError(path.name, 1, None, f"cannot be read as CSV: {e}") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        # The row number is the record's number, as a spreadsheet counts it (quoted
        # newlines inside a cell do not start a new row).
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                yield number, cells
        except (csv.Error, UnicodeDecodeError) as e:
            # A quoted cell left open runs on to the end of the file: the file is not
            # a table from here on.
            raise LoadError(path.name, number + 1, None, f"cannot be read as CSV: {e}") from None

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


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def _why(e: BaseException) -> str:
    if isinstance(e, KeyError):
        return f"the archive holds no workbook part ({e.args[0] if e.args else e})"
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def check_xlsx(path: Path) -> None:
    """Refuse a workbook before anything is loaded: not a zip, cut short, without a
    workbook or sheet, inflating past the bounds, a damaged or malformed first sheet, or
    a row of more than ``MAX_LINE_BYTES`` of XML. Reads the first sheet once through."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise LoadError(
            name, None, None, f"is not an XLSX workbook (not a zip archive, or cut short: {e})"
        ) from None
    inflated = sum(i.file_size for i in infos)
    if inflated > MAX_XLSX_INFLATED:
        raise LoadError(
            name,
            None,
            None,
            f"inflates to {_size(inflated)}, over the limit of {_size(MAX_XLSX_INFLATED)} "
            "for a workbook: send the register as CSV",
        )
    shared = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if shared > MAX_SHARED_STRINGS:
        raise LoadError(
            name,
            None,
            None,
            f"its shared strings inflate to {_size(shared)}, over the limit of "
            f"{_size(MAX_SHARED_STRINGS)}: send the register as CSV",
        )
    wb, ws = _workbook(path)
    try:
        sheet = str(ws._worksheet_path)
    finally:
        wb.close()
    rows = _LineMeter(_ROW_TAG)
    parser = expat.ParserCreate()
    try:
        with zipfile.ZipFile(path) as z, z.open(sheet) as f:
            while block := f.read(_BLOCK):
                rows.feed(block)
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except expat.ExpatError as e:
        raise LoadError(name, None, None, f"its first sheet is not well-formed XML ({e})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise LoadError(name, None, None, f"its first sheet is damaged ({_why(e)})") from None
    longest, at = rows.longest()
    if longest > MAX_LINE_BYTES:
        raise LoadError(
            name,
            None,
            None,
            f"the sheet's row {at - 1:,} holds {longest:,} bytes, over the limit of "
            f"{MAX_LINE_BYTES:,} bytes a row",
        )


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _workbook(path: Path) -> tuple[Any, Any]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        # Whatever a damaged or foreign file makes the parser raise (zip, XML, KeyError
        # for a missing part, MemoryError), it is this file's fault, said in one line.
        raise LoadError(
            path.name, None, None, f"is not a readable XLSX workbook: {_why(e)}"
        ) from None
    if not wb.worksheets:
        wb.close()
        raise LoadError(path.name, None, None, "is a workbook without a worksheet")
    return wb, wb.worksheets[0]


def _open_xlsx(path: Path) -> Source:
    wb, ws = _workbook(path)
    size = int(ws.max_row or 0)
    # Rows as wide as their cells, not as wide as the sheet's dimension claims (a
    # dimension of A1:XFD1048576 would pad every row to 16,384 cells).
    ws.reset_dimensions()
    it = ws.iter_rows(values_only=True)
    try:
        first = next(it, ())
    except Exception as e:
        wb.close()
        raise LoadError(path.name, 1, None, f"the sheet cannot be read: {_why(e)}") from None
    header = [_cell(v) for v in first]
    while header and not header[-1]:
        header.pop()
    done = 0

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal done
        try:
            for number, values in enumerate(it, start=2):
                if number > MAX_XLSX_ROWS:
                    raise LoadError(
                        path.name, number, None, f"a sheet has at most {MAX_XLSX_ROWS:,} rows"
                    )
                done = number
                cells = [_cell(v) for v in values]
                while cells and not cells[-1]:  # a sheet's used range runs past short rows
                    cells.pop()
                yield number, cells
        except LoadError:
            raise
        except Exception as e:
            raise LoadError(
                path.name, done + 1, None, f"the sheet cannot be read further: {_why(e)}"
            ) from None

    def close() -> None:
        # The sheet's XML stream stays open while its row generator is suspended, and
        # keeps the file open after wb.close(); left to the cycle collector, it is
        # closed late, with a ResourceWarning (a worker may have read the rows instead).
        it.close()
        wb.close()

    return Source(path, "xlsx", header, rows(), size, lambda: done, close)


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
