"""A triage keeps its lead's count of findings not dismissed (``Lead.open_count``, which
the findings tab shows), on both engines."""

from __future__ import annotations

from graph.queries.triage import set_status
from graph.store import GraphStore


def _open_count(store: GraphStore, lead: str) -> int:
    rows = store.read("MATCH (l:Lead {lead_id: $id}) RETURN l.open_count AS n", {"id": lead})
    return int(rows[0]["n"])


def test_triage_recounts_the_open_findings_of_the_lead(store: GraphStore) -> None:
    store.write(
        "CREATE (:Lead {lead_id: 'lead:1', finding_count: 3, open_count: 3}), "
        "(:Lead {lead_id: 'lead:2', finding_count: 1, open_count: 1}), "
        "(:Finding {finding_id: 'F1', lead_id: 'lead:1', status: 'new'}), "
        "(:Finding {finding_id: 'F2', lead_id: 'lead:1', status: 'confirmed'}), "
        "(:Finding {finding_id: 'F3', lead_id: 'lead:1'}), "
        "(:Finding {finding_id: 'F4', lead_id: 'lead:2', status: 'new'}), "
        "(:Finding {finding_id: 'F5', status: 'new'})"
    )
    set_status(store, "F1", "dismissed", "重复")
    assert (_open_count(store, "lead:1"), _open_count(store, "lead:2")) == (2, 1)
    set_status(store, "F2", "dismissed", None)
    assert _open_count(store, "lead:1") == 1
    set_status(store, "F1", "new", None)
    assert _open_count(store, "lead:1") == 2
    set_status(store, "F5", "dismissed", None)  # in no lead: nothing else changes
    assert (_open_count(store, "lead:1"), _open_count(store, "lead:2")) == (2, 1)
