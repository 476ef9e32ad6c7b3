"""Derived properties the patterns compare, computed in Python.

Neither engine shares date arithmetic with the other (docs/engines.md, the Cypher both
run), so day numbers and deadlines are computed here from the ISO strings and stored beside
them. Idempotent; ``detect`` runs it first, so data loaded by any tool gets them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.deadlines import Rules, accept_due, add_days, add_months, close_due
from graph.store import GraphStore

__all__ = ["add_days", "add_months", "day_number", "derive_all"]

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


def _day_numbers(store: GraphStore, label: str, key: str, prop: str) -> int:
    rows = store.read(
        f"MATCH (n:{label}) WHERE n.{prop} IS NOT NULL RETURN n.{key} AS k, n.{prop} AS d"
    )
    out = [{"k": r["k"], "v": day_number(r["d"])} for r in rows]
    store.write_batches(
        f"UNWIND $rows AS row MATCH (n:{label} {{{key}: row.k}}) SET n.{prop}_day = row.v", out
    )
    return len(out)


def _complaint_deadlines(store: GraphStore, rules: Rules) -> int:
    rows = store.read(
        "MATCH (c:Complaint) RETURN c.complaint_id AS k, c.received AS received, "
        "c.accepted AS accepted, c.extension_approved AS ext"
    )
    out: list[dict[str, Any]] = []
    for r in rows:
        a = accept_due(r["received"], rules) if r["received"] else None
        c = close_due(r["accepted"], rules, bool(r["ext"])) if r["accepted"] else None
        out.append({"k": r["k"], "a": a, "c": c})
    store.write_batches(
        "UNWIND $rows AS row MATCH (c:Complaint {complaint_id: row.k}) "
        "SET c.accept_due = row.a, c.close_due = row.c",
        out,
    )
    return len(out)


def derive_all(store: GraphStore, rules: Rules | None = None) -> dict[str, int]:
    if rules is None:  # the numbers from GUANXI_* settings (graph.settings)
        from graph.settings import Settings

        rules = Settings().rules
    return {
        "Contract.signed_day": _day_numbers(store, "Contract", "contract_id", "signed"),
        "Enterprise.established_day": _day_numbers(store, "Enterprise", "uscc", "established"),
        "Contract.accepted_day": _day_numbers(store, "Contract", "contract_id", "accepted"),
        "Allocation.allocated_day": _day_numbers(store, "Allocation", "allocation_id", "allocated"),
        "Complaint deadlines": _complaint_deadlines(store, rules),
    }
