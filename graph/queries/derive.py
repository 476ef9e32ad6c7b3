"""Derived properties the patterns compare, computed in Python.

Neither engine shares date arithmetic with the other (CYPHER_SUBSET.md), so day numbers
and deadlines are computed here from the ISO strings and stored beside them. Idempotent;
``detect`` runs it first, so data loaded by any tool gets them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from graph.store import GraphStore

_EPOCH = dt.date(1970, 1, 1)


def day_number(iso: str | None) -> int | None:
    """Days since 1970-01-01.

    >>> day_number("1970-01-02"), day_number(None)
    (1, None)
    """
    if not iso:
        return None
    try:
        return (dt.date.fromisoformat(iso[:10]) - _EPOCH).days
    except ValueError:
        return None


def add_months(iso: str, months: int) -> str:
    """Calendar months later, clamped to the month's end (01-31 + 1 month = 02-28/29).

    >>> add_months("2024-01-31", 1), add_months("2023-11-15", 3)
    ('2024-02-29', '2024-02-15')
    """
    d = dt.date.fromisoformat(iso[:10])
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day).isoformat()


def add_days(iso: str, days: int) -> str:
    return (dt.date.fromisoformat(iso[:10]) + dt.timedelta(days=days)).isoformat()


def _day_numbers(store: GraphStore, label: str, key: str, prop: str) -> int:
    rows = store.read(
        f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL RETURN n.{key} AS k, n.{prop} AS d"
    )
    out = [{"k": r["k"], "v": day_number(r["d"])} for r in rows]
    store.write_batches(
        f"UNWIND $rows AS row MATCH (n:{label} {{{key}: row.k}}) SET n.{prop}_day = row.v", out
    )
    return len(out)


def _complaint_deadlines(store: GraphStore) -> int:
    rows = store.read(
        "MATCH (c:Complaint) RETURN c.complaint_id AS k, c.received AS received, "
        "c.accepted AS accepted, c.extension_approved AS ext"
    )
    out: list[dict[str, Any]] = []
    for r in rows:
        accept_due = add_days(r["received"], 7) if r["received"] else None
        close_due = add_months(r["accepted"], 4 if r["ext"] else 3) if r["accepted"] else None
        out.append({"k": r["k"], "a": accept_due, "c": close_due})
    store.write_batches(
        "UNWIND $rows AS row MATCH (c:Complaint {complaint_id: row.k}) "
        "SET c.accept_due = row.a, c.close_due = row.c",
        out,
    )
    return len(out)


def derive_all(store: GraphStore) -> dict[str, int]:
    return {
        "Contract.signed_day": _day_numbers(store, "Contract", "contract_id", "signed"),
        "Enterprise.established_day": _day_numbers(store, "Enterprise", "uscc", "established"),
        "Contract.accepted_day": _day_numbers(store, "Contract", "contract_id", "accepted"),
        "Allocation.allocated_day": _day_numbers(store, "Allocation", "allocation_id", "allocated"),
        "Complaint deadlines": _complaint_deadlines(store),
    }
