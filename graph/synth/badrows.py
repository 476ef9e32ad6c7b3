"""Deliberately bad rows: what a loader must reject, each with the reason it must give.

Reason codes are those of :mod:`graph.ids` and the loaders: ``bad_check_char``,
``bad_birth_date``, ``bad_date``, ``bad_amount``, ``bad_format`` and ``missing`` (a
required value that is empty). A bad row is an extra row with fresh keys copied from a
real row of the same register, so rejecting it loses nothing else. Rows that are to be
loaded with a warning (an unknown programme code) are listed apart, as ``warn_rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from graph.ids import resident_id_check_char
from graph.synth import people
from graph.synth.common import COUNTY_CODE, COUNTY_NAME, County, at_str
from graph.synth.economy import USCC_CHARS, plate, uscc
from graph.synth.funds import record_id
from graph.synth.works import contract_id, voucher_no

Row = dict[str, str]
Spec = tuple[str, str, Callable[[County, Row], None]]


def _wrong_check(valid: str, charset: str) -> str:
    i = charset.index(valid[-1])
    return valid[:-1] + charset[(i + 7) % len(charset)]


def _fresh_id(ctx: County) -> str:
    birth = int(ctx.rng.integers(-3_000, 12_000))
    return people.new_id_number(ctx, birth, bool(ctx.rng.random() < 0.5))


def _bad_id(ctx: County) -> str:
    return _wrong_check(_fresh_id(ctx), "0123456789X")


def _fresh_uscc(ctx: County) -> str:
    return uscc("91", 500_000 + ctx.take("bad_uscc")[0])


def _set(col: str, value: Callable[[County], str]) -> Callable[[County, Row], None]:
    def apply(ctx: County, row: Row) -> None:
        row[col] = value(ctx)

    return apply


def _both(*fs: Callable[[County, Row], None]) -> Callable[[County, Row], None]:
    def apply(ctx: County, row: Row) -> None:
        for f in fs:
            f(ctx, row)

    return apply


def _impossible_birth(ctx: County) -> str:
    body = f"{COUNTY_CODE}20230230{901 + 2 * ctx.take('bad_birth')[0]:03d}"
    return body + resident_id_check_char(body)


def _empty(ctx: County) -> str:
    return ""


def _record(ctx: County) -> str:
    return record_id(ctx, 2024 * 12)


def _contract(ctx: County) -> str:
    return contract_id(ctx, 2024)


def _voucher(ctx: County) -> str:
    return voucher_no(ctx, 19_800)


def _complaint(ctx: County) -> str:
    return f"JB2024{90_000 + ctx.take('bad_complaint')[0]:05d}"


def _plate(ctx: County) -> str:
    return plate(700_000 + ctx.take("bad_plate")[0])


def _cert(ctx: County) -> str:
    return f"湘(2020){COUNTY_NAME}不动产权第{9_900_000 + ctx.take('bad_cert')[0]:07d}号"


def _village(ctx: County) -> str:
    return f"{at_str(ctx.frames['_towns'], 0, 'code')}{480 + ctx.take('bad_village')[0]:03d}"


def _allocation(ctx: County) -> str:
    return f"{COUNTY_NAME[0]}财社〔2024〕9{ctx.take('bad_allocation')[0]:03d}号"


def _cert_no(ctx: County) -> str:
    return f"4304289{ctx.take('bad_cert')[0]:013d}"


def _c(v: str) -> Callable[[County], str]:
    return lambda ctx: v


_ID = _set("id_number", _fresh_id)
SPECS: dict[str, list[Spec]] = {
    "divisions": [
        (
            "name",
            "missing",
            _both(
                _set("code", _village),
                _set("name", _empty),
                _set("level", _c("village")),
                _set("parent_code", lambda ctx: _village(ctx)[:9]),
            ),
        )
    ],
    "persons": [
        ("id_number", "bad_check_char", _set("id_number", _bad_id)),
        ("id_number", "bad_birth_date", _set("id_number", _impossible_birth)),
        ("name", "missing", _both(_ID, _set("name", _empty))),
    ],
    "deaths": [
        ("death_date", "bad_date", _both(_ID, _set("death_date", _c("2023-02-30")))),
        ("id_number", "bad_check_char", _set("id_number", _bad_id)),
    ],
    "officials": [
        ("id_number", "bad_check_char", _set("id_number", _bad_id)),
        ("organisation", "missing", _both(_ID, _set("organisation", _empty))),
    ],
    "declared_relations": [
        ("official_id_number", "bad_check_char", _set("official_id_number", _bad_id)),
    ],
    "enterprises": [
        (
            "uscc",
            "bad_check_char",
            _set("uscc", lambda ctx: _wrong_check(_fresh_uscc(ctx), USCC_CHARS)),
        ),
        ("name", "missing", _both(_set("uscc", _fresh_uscc), _set("name", _empty))),
    ],
    "enterprise_roles": [
        (
            "uscc",
            "bad_check_char",
            _set("uscc", lambda ctx: _wrong_check(_fresh_uscc(ctx), USCC_CHARS)),
        ),
        (
            "person_name",
            "missing",
            _both(_set("person_id_number", _empty), _set("person_name", _empty)),
        ),
    ],
    "properties": [
        ("cert_no", "missing", _set("cert_no", _empty)),
        (
            "owner_id_number",
            "bad_check_char",
            _both(_set("cert_no", _cert), _set("owner_id_number", _bad_id)),
        ),
    ],
    "vehicles": [
        ("plate", "bad_format", _set("plate", _c("湘D12"))),
        (
            "owner_id_number",
            "bad_check_char",
            _both(_set("plate", _plate), _set("owner_id_number", _bad_id)),
        ),
    ],
    "programs": [
        ("name", "missing", _both(_set("program_code", _c("QT99")), _set("name", _empty)))
    ],
    "disbursements": [
        ("amount", "bad_amount", _both(_set("record_id", _record), _set("amount", _c("约430元")))),
        ("period", "bad_date", _both(_set("record_id", _record), _set("period", _c("2024-13")))),
        (
            "recipient_id_number",
            "bad_check_char",
            _both(_set("record_id", _record), _set("recipient_id_number", _bad_id)),
        ),
        (
            "program_code",
            "missing",
            _both(_set("record_id", _record), _set("program_code", _empty)),
        ),
    ],
    "students": [
        ("id_number", "bad_check_char", _set("id_number", _bad_id)),
        ("year", "missing", _both(_ID, _set("year", _empty))),
    ],
    "contracts": [
        (
            "amount",
            "bad_amount",
            _both(_set("contract_id", _contract), _set("amount", _c("十万元"))),
        ),
        (
            "contractor_id",
            "missing",
            _both(_set("contract_id", _contract), _set("contractor_id", _empty)),
        ),
    ],
    "payments": [
        (
            "amount",
            "bad_amount",
            _both(_set("voucher_no", _voucher), _set("amount", _c("12,34.5"))),
        ),
        (
            "paid_date",
            "bad_date",
            _both(_set("voucher_no", _voucher), _set("paid_date", _c("2024-02-30"))),
        ),
    ],
    "incomes": [
        ("amount", "bad_amount", _both(_set("voucher_no", _voucher), _set("amount", _c("壹万元")))),
        (
            "received_date",
            "bad_date",
            _both(_set("voucher_no", _voucher), _set("received_date", _c("2023-11-31"))),
        ),
    ],
    "complaints": [
        ("summary", "missing", _both(_set("complaint_id", _complaint), _set("summary", _empty))),
        (
            "received",
            "bad_date",
            _both(_set("complaint_id", _complaint), _set("received", _c("2024-04-31"))),
        ),
    ],
    "allocations": [
        (
            "amount",
            "bad_amount",
            _both(_set("allocation_id", _allocation), _set("amount", _c("八万"))),
        ),
        (
            "division_code",
            "missing",
            _both(_set("allocation_id", _allocation), _set("division_code", _empty)),
        ),
    ],
    "poverty_households": [("year", "missing", _set("year", _empty))],
    "disability_certificates": [
        (
            "id_number",
            "bad_check_char",
            _both(_set("cert_no", _cert_no), _set("id_number", _bad_id)),
        ),
    ],
}
WARN_SPECS: dict[str, list[Spec]] = {
    "disbursements": [
        (
            "program_code",
            "unknown_program",
            _both(_set("record_id", _record), _set("program_code", _c("DB09"))),
        ),
    ],
}


def inject(
    ctx: County, register: str, text: pd.DataFrame
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Insert the register's bad (and warning) rows at random places.

    Returns the new frame and the truth entries (``row`` = spreadsheet row: header on
    row 1, first data row 2), bad rows first tagged ``kind``.
    """
    rng = ctx.rng
    specs = [("bad", s) for s in SPECS.get(register, [])]
    specs += [("warn", s) for s in WARN_SPECS.get(register, [])]
    if not specs or len(text) == 0:
        return text, []
    new_rows: list[dict[str, Any]] = []
    for kind, (column, reason, mutate) in specs:
        template = text.iloc[int(rng.integers(len(text)))].to_dict()
        row: Row = {
            str(k): ("" if pd.isna(v) else str(v))
            for k, v in template.items()
            if not str(k).startswith("_")
        }
        mutate(ctx, row)
        new_rows.append(
            {
                **row,
                "_bad": len(new_rows),
                "_bad_kind": kind,
                "_bad_col": column,
                "_bad_reason": reason,
            }
        )
    extra = pd.DataFrame(new_rows)
    pos = rng.integers(0, len(text) + 1, len(extra))
    key = np.concatenate([np.arange(len(text)) + 0.5, pos.astype(float)])
    merged = pd.concat([text.assign(_bad=-1), extra], ignore_index=True)
    merged = merged.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    entries = []
    flagged = merged.index[merged["_bad"].to_numpy() >= 0]
    for i in flagged:
        col = at_str(merged, i, "_bad_col")
        entries.append(
            {
                "register": register,
                "row": int(i) + 2,
                "column": col,
                "reason": at_str(merged, i, "_bad_reason"),
                "value": at_str(merged, i, col),
                "_kind": at_str(merged, i, "_bad_kind"),
            }
        )
    merged = merged.drop(columns=["_bad", "_bad_kind", "_bad_col", "_bad_reason"])
    return merged, entries
