"""Complaint deadlines: 7 days to accept, 3 months to close, +1 month only with approval.

``detect`` stores ``accept_due`` and ``close_due`` on each Complaint (graph.queries.derive);
when they are absent (data loaded but not yet detected) they are computed here by the same
module, graph.deadlines, from ``received``, ``accepted`` and ``extension_approved``.

>>> deadline({"received": "2024-01-02", "accepted": "2024-01-05"}, "2024-03-01")
('2024-01-09', '2024-04-05', 'open', False, 0)
>>> deadline({"received": "2024-01-02"}, "2024-01-20")
('2024-01-09', None, 'acceptance_overdue', False, 11)
>>> deadline({"received": "2024-01-02", "accepted": "2024-01-03", "closed": "2024-05-01",
...           "extension_approved": True}, "2024-06-01")[2]
'closed_on_time'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.scope import Scope
from graph.deadlines import STATES, Dates, Rules, Status, days_between, status
from graph.queries import lookup
from graph.store import GraphStore, Node

STATUSES = STATES


def deadline(
    props: Mapping[str, Any], as_of: str, rules: Rules | None = None
) -> tuple[str | None, str | None, str, bool, int]:
    """``(accept_due, close_due, status, accepted_late, days_overdue)`` as of a day
    (graph.deadlines; the stored ``accept_due`` / ``close_due`` win when present)."""
    rules = rules or Rules()
    dates = Dates(
        received=props.get("received"),
        accepted=props.get("accepted"),
        closed=props.get("closed"),
        extensions=1 if props.get("extension_approved") else 0,
    )
    st = status(dates, as_of, rules)
    a_due = props.get("accept_due") or st.accept_due
    c_due = props.get("close_due") or st.close_due
    if a_due and (a_due, c_due) != (st.accept_due, st.close_due) and st.state != "unknown":
        # Deadlines stored by an earlier ``detect`` under other rule numbers: judge by them.
        st = _judge(dates, as_of, a_due, c_due)
    return st.accept_due, st.close_due, st.state, st.accepted_late, st.days_overdue


def _judge(d: Dates, as_of: str, a_due: str, c_due: str | None) -> Status:
    late = bool(d.accepted and d.accepted > a_due)
    if not d.accepted or c_due is None:
        if as_of > a_due:
            return Status(a_due, None, "acceptance_overdue", False, days_between(a_due, as_of))
        return Status(a_due, None, "awaiting_acceptance", False, 0)
    if d.closed:
        state = "closed_late" if d.closed > c_due else "closed_on_time"
        return Status(a_due, c_due, state, late, max(0, days_between(c_due, d.closed)))
    if as_of > c_due:
        return Status(a_due, c_due, "closure_overdue", late, days_between(c_due, as_of))
    return Status(a_due, c_due, "open", late, 0)


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
