"""What the parts of the file-level audit share: findings, cell parsers, pattern parameters.

The audit takes each rule's thresholds, windows and word lists from the pattern's own
declared defaults, so a changed default changes the oracle with it; the rule itself is
re-derived in plain Python over the registers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from graph import ids
from graph.errors import InvalidValue
from graph.queries.pattern import get

Findings = dict[str, set[frozenset[str]]]
Frames = dict[str, pd.DataFrame]


def date(v: Any) -> str:
    return ids.parse_date(v) if str(v).strip() else ""


def fen(v: Any) -> int:
    return ids.parse_money_fen(v) if str(v).strip() else 0


def flag(v: Any) -> bool | None:
    """A yes/no cell: ``None`` when empty or unreadable (the loader stores no value)."""
    try:
        return ids.parse_bool(v) if str(v).strip() else None
    except InvalidValue:
        return None


def party_kind(v: Any) -> str:
    """``person`` or ``enterprise`` for a payee/owner/contractor number ('' if neither)."""
    try:
        return ids.normalise_party_id(v)[1] if str(v).strip() else ""
    except InvalidValue:
        return ""


def params(pattern_id: str, as_of: str) -> dict[str, Any]:
    """The pattern's parameters at their declared defaults, judged as of ``as_of``."""
    return get(pattern_id).bind(as_of=as_of)


def days_between(a: str, b: str) -> int:
    return int((pd.Timestamp(b) - pd.Timestamp(a)).days)


def add_days(d: str, n: int) -> str:
    return (pd.Timestamp(d) + pd.Timedelta(days=n)).date().isoformat()


def vehicles(v: pd.DataFrame) -> Iterator[tuple[str, str, str, str, str, str]]:
    """Each vehicle row: (normalised plate, owner, type, status, registered, deregistered),
    the dates parsed ('' when blank)."""
    cols = (v["plate"], v["owner_id_number"], v["vehicle_type"], v["status"])
    for plate, owner, vt, status, a, b in zip(
        *cols, v["registered"], v["deregistered"], strict=True
    ):
        yield ids.normalise_plate(plate), owner, vt, status, date(a), date(b)


def holders(p: pd.DataFrame) -> Iterator[tuple[str, str, str, str]]:
    """Each holder of each property, owner then co-owners: (certificate, holder, usage,
    registered)."""
    cols = (p["cert_no"], p["owner_id_number"], p["co_owner_id_numbers"], p["usage"])
    for cert, owner, co, usage, a in zip(*cols, p["registered"], strict=True):
        for who in [owner, *[c for c in co.split(";") if c]]:
            yield cert, who, usage, date(a)
