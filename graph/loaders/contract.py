"""docs/data-contract.md's tables, generated from the code that enforces the contract.

The registers and columns come from :mod:`graph.loaders.registers`; the rejection reasons
and warnings are read out of the code that raises them (:mod:`graph.ids` and
:mod:`graph.loaders`), and a code found there without a sentence below, or a sentence
whose code is no longer raised, is an error. The document's prose is written by hand
around blocks marked ``<!-- contract:NAME:begin -->`` … ``<!-- contract:NAME:end -->``;
``python -m graph.loaders.contract`` rewrites the blocks in place, and a test checks the
committed file is what this module renders.

>>> "| `id_number` |" in registers_markdown()
True
>>> sorted(raised_codes().reasons)[:3]
['bad_amount', 'bad_authority', 'bad_birth_date']
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from graph.errors import SchemaError
from graph.loaders.registers import REGISTERS, Column, Kind

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "data-contract.md"
_GRAPH = Path(__file__).resolve().parents[1]
_SOURCES = (_GRAPH / "ids.py", *sorted((_GRAPH / "loaders").glob("*.py")))

KINDS: dict[Kind, str] = {
    Kind.TEXT: "text, trimmed, full-width letters and digits made half-width",
    Kind.CODE: "a code (record id, account number, phone): text without inner spaces, upper-cased",
    Kind.RESIDENT_ID: "resident ID number (GB 11643): 18 characters, or 15 upgraded to 18",
    Kind.USCC: "unified social credit code (GB 32100): 18 characters",
    Kind.PARTY: "a resident ID number or a USCC; a value valid as both is read as an ID",
    Kind.DIVISION: "division code: 6 (county), 9 (township) or 12 (village) digits",
    Kind.PLATE: "licence plate (GA 36), separators removed",
    Kind.CERT: "property certificate number, normalised text",
    Kind.DATE: "date: `2019-01-05`, `2019/1/5`, `2019.1.5`, `20190105`, `2019年1月5日`",
    Kind.MONTH: "month: `2019-03`, `2019/3`, `201903`, `2019年3月`, or a full date",
    Kind.MONEY: "amount in yuan, stored as integer fen: `1,234.50`, `1234.5元`, `¥-12`, `0.12万元`",
    Kind.NUMBER: "a number (`1,234.5`)",
    Kind.RATIO: "a share: `0.35`, `35%` or `35` (a bare number above 1 is a percentage)",
    Kind.BOOL: "yes/no: 是/否, 已/未, Y/N, yes/no, true/false, 1/0",
    Kind.ENUM: "one of the listed values (spellings in either language are accepted)",
}

REASONS: dict[str, str] = {
    "missing": "a required cell is empty",
    "missing_column": "the file has no column for a required field (every row is rejected)",
    "too_many_fields": "the row has more cells than the header (a shifted row)",
    "too_few_fields": "a CSV row has fewer cells than the header",
    "bad_encoding": "the row holds bytes that are neither UTF-8 nor GB18030",
    "nul_character": "a cell holds a NUL character (0x00), which no engine can store",
    "empty": "an identifier or value cleaned to nothing (the loaders report an empty "
    "required cell as `missing`)",
    "bad_length": "an identifier or division code of the wrong length",
    "bad_chars": "an identifier with characters its standard does not allow",
    "bad_division": "a resident ID or division code whose province (or a village code "
    "whose township) does not exist",
    "bad_birth_date": "a resident ID whose birth date is not a calendar date from 1900 to today",
    "bad_check_char": "an identifier whose check character does not match (a typo)",
    "bad_authority": "a USCC whose first character is no registration authority",
    "bad_category": "a USCC whose second character is no entity category",
    "bad_format": "a date, month, plate or ratio in none of the accepted forms",
    "bad_date": "a date or month that is not on the calendar (2019-02-30)",
    "bad_amount": "an amount that is not a number of yuan, or has too many digits",
    "bad_precision": "an amount finer than one fen",
    "bad_number": "a quantity or area that is not a finite number",
    "bad_ratio": "a share outside 0–100 %",
    "bad_bool": "a yes/no cell with another value",
    "bad_enum": "a value outside a closed list (level, gender, official kind, programme kind)",
}

WARNINGS: dict[str, str] = {
    "unexpected_value": "a value outside an open list: kept as written",
    "id_upgraded_from_15": "a 15-digit resident ID upgraded to 18 digits",
    "id_division_unusual": "a resident ID from a residence permit (81–83) or naming a "
    "province, not a county",
    "id_division_outside_county": "a person whose ID number was issued outside the loaded county",
    "gender_mismatch": "the gender column disagrees with the ID number",
    "birth_date_mismatch": "the birth date column disagrees with the ID number",
    "death_before_birth": "a death date before the ID number's birth date",
    "level_mismatch": "a division whose level column disagrees with its code's length",
    "parent_mismatch": "a division whose parent column is not the division its code lies in",
    "unknown_division": "a division code that the divisions register does not hold",
    "not_a_village": "a village column holding a township or county code",
    "unknown_program": "a programme code that the programs register does not hold",
    "unknown_contract": "a payment for a contract the contracts register does not hold",
    "unknown_subject": "a complaint subject that is no ID number, USCC or contract id",
    "bad_subject_id": "a complaint subject that looks like an identifier but fails its check",
    "relative_is_official": "a declared relative whose ID number is the official's own",
    "no_deregistration_date": "an enterprise 注销 or 吊销 without the date",
    "deregistered_but_active": "an enterprise 存续 with a deregistration date",
    "deregistered_before_established": "an enterprise deregistered before it was established",
    "deregistered_before_registered": "a vehicle deregistered before it was registered",
    "end_before_start": "a term of office that ends before it starts",
    "accepted_before_signed": "a contract accepted (delivered) before it was signed",
    "accepted_before_received": "a complaint accepted before it was received",
    "closed_before_received": "a complaint closed before it was received",
    "booked_before_received": "an income booked before the date it was received",
    "booked_date_but_not_booked": "an income with a booking date whose booked column says no",
    "revoked_before_issued": "a disability certificate revoked before it was issued",
    "role_ended_before_it_started": "an enterprise role whose end date is before its start",
}

# Where a call's literal argument is a code: function or method name → argument position.
REASON_ARGS = {"InvalidValue": 0, "_exact_decimal": 2, "reject": 2, "Reject": 4}
WARNING_ARGS = {"warn": 0, "check_order": 3}


@dataclass(frozen=True)
class Raised:
    reasons: frozenset[str]
    warnings: frozenset[str]


def literal_codes(tree: ast.AST, positions: dict[str, int]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        at = positions.get(name)
        if at is not None and len(node.args) > at:
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def raised_codes() -> Raised:
    """Every reject reason and warning code written as a literal where it is raised."""
    reasons: set[str] = set()
    warnings: set[str] = set()
    for path in _SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reasons |= literal_codes(tree, REASON_ARGS)
        warnings |= literal_codes(tree, WARNING_ARGS)
    return Raised(frozenset(reasons), frozenset(warnings))


def _same_codes(what: str, raised: frozenset[str], described: dict[str, str]) -> None:
    undescribed = raised - described.keys()
    stale = described.keys() - raised
    if undescribed or stale:
        raise SchemaError(
            f"{what}: raised but not described {sorted(undescribed)}, "
            f"described but never raised {sorted(stale)} (graph/loaders/contract.py)"
        )


def _values(col: Column) -> str:
    if not col.choices:
        return ""
    stored = list(dict.fromkeys(col.choices.values()))
    spelled: dict[str, list[str]] = {s: [] for s in stored}
    for key, value in col.choices.items():
        if key != value.lower():
            spelled[value].append(key)
    shown = [f"{s} ({'、'.join(spelled[s])})" if spelled[s] else s for s in stored]
    return ("only " if col.closed else "") + ", ".join(shown)


def _column_row(col: Column) -> str:
    headers = " / ".join([col.zh, *col.aliases])
    kind = f"{col.kind.value}, `;`-separated" if col.many else col.kind.value
    notes = [n for n in (_values(col), "**confidential**" if col.confidential else "") if n]
    feeds = ", ".join(f"`{f}`" for f in col.feeds)
    return (
        f"| `{col.name}` | {headers} | {kind} | {'yes' if col.required else ''} | "
        f"{'; '.join(notes)} | {feeds} |"
    )


def registers_markdown() -> str:
    """One section per register, in load order, with every column."""
    out: list[str] = []
    for stem, reg in REGISTERS.items():
        out += [
            f"### `{stem}` — {reg.zh}",
            "",
            "| column | Chinese headers | kind | required | values | feeds |",
            "|---|---|---|---|---|---|",
            *(_column_row(c) for c in reg.columns),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def kinds_markdown() -> str:
    missing = set(Kind) - KINDS.keys()
    if missing:
        raise SchemaError(f"value kinds without a description: {sorted(missing)}")
    rows = [f"| `{k.value}` | {KINDS[k]} |" for k in Kind]
    return "\n".join(["| kind | what a cell must hold |", "|---|---|", *rows]) + "\n"


def reasons_markdown() -> str:
    _same_codes("reject reasons", raised_codes().reasons, REASONS)
    rows = [f"| `{code}` | {text} |" for code, text in REASONS.items()]
    return "\n".join(["| reason | the row is rejected because |", "|---|---|", *rows]) + "\n"


def warnings_markdown() -> str:
    _same_codes("warnings", raised_codes().warnings, WARNINGS)
    rows = [f"| `{code}` | {text} |" for code, text in WARNINGS.items()]
    return "\n".join(["| warning | the row is loaded and flagged because |", "|---|---|", *rows])


BLOCKS = {
    "kinds": kinds_markdown,
    "registers": registers_markdown,
    "reasons": reasons_markdown,
    "warnings": warnings_markdown,
}


def render(document: str) -> str:
    """``document`` with every generated block rewritten from the code."""
    for name, make in BLOCKS.items():
        begin, end = f"<!-- contract:{name}:begin -->", f"<!-- contract:{name}:end -->"
        head, found, rest = document.partition(begin)
        if not found or end not in rest:
            raise SchemaError(f"{DOC.name} has no {begin} … {end} block")
        document = f"{head}{begin}\n{make().strip()}\n{end}{rest.split(end, 1)[1]}"
    return document


def main() -> None:
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
