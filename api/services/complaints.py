"""Complaint deadlines: 7 days to accept, 3 months to close, +1 month only with approval.

``detect`` stores ``accept_due`` and ``close_due`` on each Complaint (graph.queries.derive);
when they are absent (data loaded but not yet detected) they are computed here the same
way, from ``received``, ``accepted`` and ``extension_approved``.

>>> deadline({"received": "2024-01-02", "accepted": "2024-01-05"}, "2024-03-01")
('2024-01-09', '2024-04-05', 'open', False, 0)
>>> deadline({"received": "2024-01-02"}, "2024-01-20")
('2024-01-09', None, 'acceptance_overdue', False, 11)
>>> deadline({"received": "2024-01-02", "accepted": "2024-01-03", "closed": "2024-05-01",
...           "extension_approved": True}, "2024-06-01")[2]
'closed_on_time'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from api.scope import Scope
from graph.queries import lookup
from graph.queries.derive import add_days, add_months
from graph.store import GraphStore, Node

STATUSES = (
    "awaiting_acceptance",
    "acceptance_overdue",
    "open",
    "closure_overdue",
    "closed_on_time",
    "closed_late",
    "unknown",
)


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days


def deadline(props: Mapping[str, Any], as_of: str) -> tuple[str | None, str | None, str, bool, int]:
    """``(accept_due, close_due, status, accepted_late, days_overdue)`` as of a day."""
    received, accepted, closed = props.get("received"), props.get("accepted"), props.get("closed")
    try:
        accept_due = props.get("accept_due") or (add_days(received, 7) if received else None)
        close_due = props.get("close_due") or (
            add_months(accepted, 4 if props.get("extension_approved") else 3) if accepted else None
        )
    except ValueError:
        return None, None, "unknown", False, 0
    if accept_due is None:
        return None, close_due, "unknown", False, 0
    late = bool(accepted and accepted > accept_due)
    if not accepted:
        if as_of > accept_due:
            return accept_due, None, "acceptance_overdue", False, _days(accept_due, as_of)
        return accept_due, None, "awaiting_acceptance", False, 0
    assert close_due is not None
    if closed:
        status = "closed_late" if closed > close_due else "closed_on_time"
        return accept_due, close_due, status, late, max(0, _days(close_due, closed))
    if as_of > close_due:
        return accept_due, close_due, "closure_overdue", late, _days(close_due, as_of)
    return accept_due, close_due, "open", late, 0


def complaints(
    store: GraphStore,
    scope: Scope,
    *,
    as_of: str,
    status: str | None,
    offset: int,
    size: int,
    timeout: float,
) -> tuple[list[tuple[Node, tuple[str | None, str | None, str, bool, int]]], bool]:
    """Complaints in scope, newest first, with their deadline status; ``(rows, has_more)``.

    A complaint is in scope by its own ``village_code``; one without a village is in
    scope when a subject it is about is (checked by the caller's resolver), so such
    complaints come back here for that check.
    """
    out = []
    for c in lookup.complaints(store, scope.predicate, timeout=timeout):
        d = deadline(c["properties"], as_of)
        if status is None or d[2] == status:
            out.append((c, d))
    page = out[offset : offset + size + 1]
    return page[:size], len(page) > size
