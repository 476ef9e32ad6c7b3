"""Every register file of a folder checked before anything is written.

A load is all-or-nothing for what can be known from the files: a workbook that is no zip,
is cut short, has no workbook or sheet, or inflates past its bounds; a line or row past
its bound; a register's name on a link loop or a link to nothing; a folder holding no
register at all. Each is found here, before ``--fresh`` empties the graph and before a
merge writes a register, and the load is refused with every problem listed. What only
writing can reveal (the engine going away, a disk filling up) is covered by the
partial-load mark instead (:mod:`graph.loaders.pipeline`).

Rows that fail validation are not problems of the file: they are rejected one by one
with their reason and key, and the rest load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graph.errors import LoadError
from graph.loaders.read import check_csv, check_xlsx, find_all
from graph.loaders.registers import REGISTERS, Register


@dataclass(frozen=True)
class RegisterFile:
    """A register's file, checked: the one to load, the ones ignored, its encoding."""

    register: Register
    path: Path
    ignored: tuple[str, ...]
    encoding: str  # a CSV's as read.scan_csv decided it; "xlsx" for a workbook


@dataclass
class Checked:
    files: dict[str, RegisterFile]
    problems: list[str]


def check_folder(folder: Path) -> Checked:
    """Find and check every register's file in ``folder``; problems in words, one each."""
    if not folder.is_dir():
        return Checked({}, [f"{folder} is not a folder"])
    files: dict[str, RegisterFile] = {}
    problems: list[str] = []
    for register in REGISTERS.values():
        try:
            found = check_register(folder, register)
        except LoadError as e:
            problems.append(str(e))
            continue
        if found is not None:
            files[register.stem] = found
    if not files and not problems:
        problems.append(
            f"{folder} holds no register file (persons.csv, disbursements.xlsx … named "
            "as the data contract names them)"
        )
    return Checked(files, problems)


def check_register(folder: Path, register: Register) -> RegisterFile | None:
    """The register's file in ``folder``, checked (None when there is none); a file that
    fails its checks raises :class:`~graph.errors.LoadError`."""
    found = find_all(folder, register.stem)
    if not found:
        return None
    path = found[0]
    try:
        if path.suffix.lower() == ".xlsx":
            check_xlsx(path)
            encoding = "xlsx"
        else:
            encoding = check_csv(path).encoding
    except OSError as e:
        raise LoadError(path.name, None, None, f"cannot be read: {e.strerror or e}") from None
    return RegisterFile(register, path, tuple(p.name for p in found[1:]), encoding)
