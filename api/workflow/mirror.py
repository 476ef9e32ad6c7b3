"""Cases and registered complaints mirrored into the graph, so Cypher and the explorer
see them: ``(:Case)-[:OPENED_FROM]->(:Lead|:Finding|:Complaint)``,
``(:Case)-[:DISPOSED {kind, measure}]->(:Person)``, and a registered complaint as a
``Complaint`` node (never its reporter) with ``ABOUT`` links the handler confirmed.

The graph side is :mod:`graph.queries.cases`; each write sets the whole state, so a
mirror that fell behind is healed by the next change, or by :func:`mirror_all`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Database
from api.workflow.models import Case, CaseLink, Disposition, Intake, Suggestion
from graph import deadlines as dl
from graph.queries import cases as gc
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
        gc.write_case(self.store, c.case_no, case_props(c))
        links = s.scalars(select(CaseLink).where(CaseLink.case_id == c.id)).all()
        by_label: dict[str, list[str]] = {}
        for ln in links:
            label = _LINK_LABEL.get(ln.kind)
            if label is not None:
                by_label.setdefault(label, []).append(ln.ref)
        for label, refs in by_label.items():
            gc.link_sources(self.store, c.case_no, label, refs)
        ds = s.scalars(select(Disposition).where(Disposition.case_id == c.id)).all()
        if ds:
            rows = [
                {"p": d.person_id, "kind": d.kind, "measure": d.measure or "", "decided": d.decided}
                for d in ds
            ]
            gc.write_dispositions(self.store, c.case_no, rows)
        intakes = s.scalars(select(Intake).where(Intake.case_id == c.id)).all()
        for i in intakes:
            gc.set_complaint_outcome(
                self.store,
                i.complaint_id,
                accepted=c.accepted,
                closed=c.closed,
                extension_approved=c.extensions > 0,
                substantiated=None if c.outcome is None else c.outcome != "不属实",
                amount_involved=c.amount_involved,
            )

    def complaint(self, s: Session, i: Intake, accept_due: str) -> None:
        """The registered complaint as a Complaint node, without its reporter."""
        gc.write_complaint(
            self.store,
            i.complaint_id,
            {
                "received": i.received,
                "channel": i.channel,
                "village_code": i.division_code,
                "summary": i.summary,
                "accept_due": accept_due,
            },
            i.division_code,
        )
        for decision in ("confirmed", "rejected"):
            for sg in s.scalars(
                select(Suggestion).where(
                    Suggestion.intake_id == i.id, Suggestion.decision == decision
                )
            ).all():
                gc.link_complaint(
                    self.store, i.complaint_id, sg.label, sg.key, decision == "confirmed"
                )


def mirror_all(db: Database, store: GraphStore, rules: dl.Rules | None = None) -> int:
    """Write every registered complaint and every case to the graph again (after
    restoring the graph, say, or after a complaint's mirror failed); returns how many."""
    m = GraphMirror(store)
    rules = rules or dl.Rules()
    n = 0
    with db.session() as s:
        for i in s.scalars(select(Intake).order_by(Intake.id)):
            m.complaint(s, i, dl.accept_due(i.received, rules))
            n += 1
        for c in s.scalars(select(Case).order_by(Case.id)):
            m(s, c)
            n += 1
    return n
