"""Cases and registered complaints mirrored into the graph, so Cypher and the explorer
see them: ``(:Case)-[:OPENED_FROM]->(:Lead|:Finding|:Complaint)``,
``(:Case)-[:DISPOSED {kind, measure}]->(:Person)``, and a registered complaint as a
``Complaint`` node (never its reporter) with ``ABOUT`` links the handler confirmed.

Each write sets the whole state (idempotent ``MERGE`` / ``SET``), so a mirror that fell
behind is healed by the next change, or by :func:`mirror_all`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Database
from api.workflow.models import Case, CaseLink, Disposition, Intake, Suggestion
from graph import schema as sch
from graph.store import GraphStore

_LINK_LABEL = {"lead": "Lead", "finding": "Finding", "complaint": "Complaint"}


def case_props(c: Case) -> dict[str, Any]:
    return {
        "case_no": c.case_no,
        "title": c.title,
        "division_code": c.division_code,
        "state": c.state,
        "source": c.source,
        "received": c.received,
        "accepted": c.accepted,
        "closed": c.closed,
        "accept_due": c.accept_due,
        "close_due": c.close_due,
        "extensions": c.extensions,
        "outcome": c.outcome,
        "amount_involved": c.amount_involved,
        "amount_recovered": c.amount_recovered,
    }


class GraphMirror:
    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def __call__(self, s: Session, c: Case) -> None:
        self.store.write(
            "MERGE (c:Case {case_no: $no}) SET c += $props, c.src = ['workflow#cases']",
            {"no": c.case_no, "props": case_props(c)},
        )
        links = s.scalars(select(CaseLink).where(CaseLink.case_id == c.id)).all()
        by_label: dict[str, list[str]] = {}
        for ln in links:
            label = _LINK_LABEL.get(ln.kind)
            if label is not None:
                by_label.setdefault(label, []).append(ln.ref)
        for label, refs in by_label.items():
            key = sch.NODES[label].key
            self.store.write(
                f"MATCH (c:Case {{case_no: $no}}) UNWIND $refs AS r MATCH (x:{label} {{{key}: r}}) "
                "MERGE (c)-[:OPENED_FROM]->(x)",
                {"no": c.case_no, "refs": refs},
            )
        ds = s.scalars(select(Disposition).where(Disposition.case_id == c.id)).all()
        if ds:
            rows = [
                {"p": d.person_id, "kind": d.kind, "measure": d.measure or "", "decided": d.decided}
                for d in ds
            ]
            self.store.write(
                "MATCH (c:Case {case_no: $no}) UNWIND $rows AS row "
                "MATCH (p:Person {id_number: row.p}) "
                "MERGE (c)-[d:DISPOSED {kind: row.kind, measure: row.measure}]->(p) "
                "SET d.decided = row.decided",
                {"no": c.case_no, "rows": rows},
            )
        # A registered complaint follows its case's dates (the deadline pattern reads them).
        intakes = s.scalars(select(Intake).where(Intake.case_id == c.id)).all()
        for i in intakes:
            self.store.write(
                "MATCH (k:Complaint {complaint_id: $id}) "
                "SET k.accepted = $acc, k.closed = $closed, "
                "k.extension_approved = $ext, k.substantiated = $sub, k.amount_involved = $amount",
                {
                    "id": i.complaint_id,
                    "acc": c.accepted,
                    "closed": c.closed,
                    "ext": c.extensions > 0,
                    "sub": None if c.outcome is None else c.outcome != "不属实",
                    "amount": c.amount_involved,
                },
            )

    def complaint(self, s: Session, i: Intake, accept_due: str) -> None:
        """The registered complaint as a Complaint node, without its reporter."""
        self.store.write(
            "MERGE (k:Complaint {complaint_id: $id}) SET k += $props, k.src = ['intake#' + $id]",
            {
                "id": i.complaint_id,
                "props": {
                    "received": i.received,
                    "channel": i.channel,
                    "village_code": i.division_code,
                    "summary": i.summary,
                    "accept_due": accept_due,
                },
            },
        )
        self.store.write(
            "MATCH (k:Complaint {complaint_id: $id}) MATCH (d:Division {code: $code}) "
            "MERGE (k)-[:IN_DIVISION]->(d)",
            {"id": i.complaint_id, "code": i.division_code},
        )
        confirmed = s.scalars(
            select(Suggestion).where(
                Suggestion.intake_id == i.id, Suggestion.decision == "confirmed"
            )
        ).all()
        rejected = s.scalars(
            select(Suggestion).where(
                Suggestion.intake_id == i.id, Suggestion.decision == "rejected"
            )
        ).all()
        for sg in confirmed:
            if sg.label not in sch.RELATIONSHIPS["ABOUT"].targets:
                continue
            key = sch.NODES[sg.label].key
            self.store.write(
                f"MATCH (k:Complaint {{complaint_id: $id}}) MATCH (x:{sg.label} {{{key}: $key}}) "
                "MERGE (k)-[:ABOUT]->(x)",
                {"id": i.complaint_id, "key": sg.key},
            )
        for sg in rejected:
            if sg.label not in sch.RELATIONSHIPS["ABOUT"].targets:
                continue
            key = sch.NODES[sg.label].key
            self.store.write(
                "MATCH (k:Complaint {complaint_id: $id})"
                f"-[r:ABOUT]->(x:{sg.label} {{{key}: $key}}) "
                "DELETE r",
                {"id": i.complaint_id, "key": sg.key},
            )


def mirror_all(db: Database, store: GraphStore) -> int:
    """Write every case to the graph again (after restoring the graph, say)."""
    m = GraphMirror(store)
    n = 0
    with db.session() as s:
        for c in s.scalars(select(Case).order_by(Case.id)):
            m(s, c)
            n += 1
    return n
