"""Complaints registered by staff: letters, visits and calls entered by a complaint handler.

Registering one stores it (reporter included) in the workflow database, mirrors it to the
graph as a Complaint node without the reporter, and suggests what it is about: names of
the division's villages, works projects, persons and enterprises found in the summary
(:mod:`graph.queries.suggest`), and a category by keywords. The handler confirms or
rejects each suggested ABOUT link. A complaint naming a subject of an open case received
in the last 90 days is offered as a duplicate to merge into that case.

Residents' reports from the public site (``guanxi public``, docs/public.md) take the same
path through :meth:`IntakeService.register_online`, the one seam the ``public`` package may
import from ``api`` (an import-linter contract): channel 网络, no actor, no audit row, a
hashed receipt code, and :meth:`IntakeService.progress` for what the code may learn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import AuditEntry, Database, now
from api.errors import Conflict, Forbidden, NotFoundError, Unprocessable
from api.workflow import rules as R
from api.workflow.mirror import GraphMirror
from api.workflow.models import Case, CaseEvent, CaseLink, Intake, PublicReceipt, Suggestion
from graph import deadlines as dl
from graph.errors import GuanxiError
from graph.queries import cases as gc
from graph.queries.suggest import Dictionary, category, names_in_division
from graph.store import GraphStore

log = logging.getLogger("guanxi.api")

CHANNELS = ("来信", "来访", "电话", "网络", "其他")
DUPLICATE_DAYS = 90
MAX_TARGETS_PER_NAME = 5  # a common name borne by many residents: the first few, by key
SUGGESTED_LABELS = ("Division", "Contract", "Person", "Enterprise")
# registered_by of a report from the public site (public/): no staff member entered it.
ONLINE = "网络举报"


class Dictionaries:
    """One dictionary per division, rebuilt after ``ttl`` seconds (names change on load)."""

    def __init__(self, store: GraphStore, ttl: float = 600.0, max_entries: int = 32) -> None:
        self.store = store
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, Dictionary]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, division: str) -> Dictionary:
        t = time.monotonic()
        with self._lock:
            hit = self._cache.get(division)
            if hit is not None and t - hit[0] < self.ttl:
                return hit[1]
        d = Dictionary(names_in_division(self.store, division))
        with self._lock:
            self._cache[division] = (t, d)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return d


@dataclass
class IntakeService:
    db: Database
    store: GraphStore
    rules: dl.Rules
    dictionaries: Dictionaries

    def register(
        self,
        actor: R.Actor,
        *,
        division_code: str,
        channel: str,
        received: str,
        summary: str,
        reporter_name: str | None,
        reporter_phone: str | None,
        reporter_address: str | None,
        anonymous: bool,
    ) -> str:
        if not actor.scope.covers(division_code):
            raise Forbidden(f"division {division_code} lies outside your divisions")
        if channel not in CHANNELS:
            raise Unprocessable(f"channel must be one of {', '.join(CHANNELS)}")
        if not summary.strip():
            raise Unprocessable("the summary is empty")
        return self._insert(
            division_code=division_code,
            channel=channel,
            received=received,
            summary=summary,
            reporter=(reporter_name, reporter_phone, reporter_address),
            anonymous=anonymous,
            registered_by=actor.name,
            audit=actor,
        )

    # -- the seam the public process uses (public/, DESIGN.md decision 13) ------------------
    def register_online(
        self,
        *,
        division_code: str,
        received: str,
        summary: str,
        reporter_name: str | None,
        reporter_phone: str | None,
        code_hash: str,
        text_hash: str,
        collapse_since: str,
    ) -> tuple[str, bool]:
        """A resident's report from the public site: channel 网络, same path as staff intake
        (suggestions, category, graph mirror, 7-day acceptance clock from ``received``).

        The caller (the public process) has checked the division is published; it has no
        actor and writes no audit-log row (it cannot reach the audit log). A report whose
        ``text_hash`` matches one received since ``collapse_since`` joins that complaint
        instead of making another. Returns the complaint id and whether it was collapsed;
        the receipt ``code_hash`` points at it either way.
        """
        with self.db.session() as s:
            same = s.scalar(
                select(PublicReceipt.complaint_id)
                .where(
                    PublicReceipt.text_hash == text_hash,
                    PublicReceipt.created_at >= collapse_since,
                )
                .limit(1)
            )
            if same is not None:
                s.add(PublicReceipt(code_hash=code_hash, complaint_id=same, text_hash=text_hash))
                return same, True
        anonymous = not (reporter_name or reporter_phone)
        cid = self._insert(
            division_code=division_code,
            channel="网络",
            received=received,
            summary=summary,
            reporter=(reporter_name, reporter_phone, None),
            anonymous=anonymous,
            registered_by=ONLINE,
            audit=None,
        )
        with self.db.session() as s:
            s.add(PublicReceipt(code_hash=code_hash, complaint_id=cid, text_hash=text_hash))
        return cid, False

    def progress(self, code_hash: str) -> dict[str, str | None] | None:
        """What a receipt code may learn: received, accepted, closed (or rejected) dates and
        the outcome sentence the handler chose to publish. Nothing else."""
        with self.db.session() as s:
            cid = s.scalar(
                select(PublicReceipt.complaint_id).where(PublicReceipt.code_hash == code_hash)
            )
            if cid is None:
                return None
            i = s.scalars(select(Intake).where(Intake.complaint_id == cid)).first()
            if i is None:
                return None
            out: dict[str, str | None] = {
                "state": "received",
                "received": i.received,
                "accepted": None,
                "closed": None,
                "public_outcome": None,
            }
            c = s.get(Case, i.case_id) if i.case_id is not None else None
            if c is not None:
                out["accepted"] = c.accepted
                if c.state == "rejected":
                    out["state"], out["closed"] = "rejected", c.closed
                elif c.state == "closed":
                    out["state"], out["closed"] = "closed", c.closed
                    out["public_outcome"] = c.public_outcome
                elif c.accepted:
                    out["state"] = "accepted"
            return out

    def _insert(
        self,
        *,
        division_code: str,
        channel: str,
        received: str,
        summary: str,
        reporter: tuple[str | None, str | None, str | None],
        anonymous: bool,
        registered_by: str,
        audit: R.Actor | None,
    ) -> str:
        matches = self.dictionaries.get(division_code).find(summary)
        mirror = GraphMirror(self.store)
        name, phone, address = (None, None, None) if anonymous else reporter
        for attempt in range(8):
            try:
                with self.db.session() as s:
                    stem = f"JB-{division_code}-{received[:4]}-"
                    last = s.scalar(
                        select(func.max(Intake.complaint_id)).where(
                            Intake.complaint_id.startswith(stem, autoescape=True)
                        )
                    )
                    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
                    i = Intake(
                        complaint_id=f"{stem}{n:04d}",
                        division_code=division_code,
                        channel=channel,
                        received=received,
                        summary=summary.strip(),
                        category=category(summary),
                        reporter_name=name,
                        reporter_phone=phone,
                        reporter_address=address,
                        anonymous=anonymous,
                        registered_by=registered_by,
                    )
                    s.add(i)
                    s.flush()
                    seen: set[tuple[str, str]] = set()
                    for m in matches:
                        for label, key in sorted(m.targets)[:MAX_TARGETS_PER_NAME]:
                            if (label, key) in seen:
                                continue
                            seen.add((label, key))
                            s.add(
                                Suggestion(
                                    intake_id=i.id,
                                    label=label,
                                    key=key,
                                    name=m.text,
                                    matched=m.text,
                                )
                            )
                    if audit is not None:
                        _audit(s, audit, "intake:register", i.complaint_id, {"channel": channel})
                    s.flush()
                    cid, iid = i.complaint_id, i.id
                break
            except IntegrityError:
                if attempt == 7:
                    raise
        # The graph is written after the commit: on SQLite a write transaction holds the
        # database's one write lock, and a graph write waits behind the engine's readers.
        # Measured with 5 public reports a second on the 1M county: reports queued for the
        # lock past its 30 s timeout. The record is the database's; the graph is a mirror.
        try:
            with self.db.session() as s:
                stored = s.get(Intake, iid)
                assert stored is not None
                mirror.complaint(s, stored, dl.accept_due(received, self.rules))
        except GuanxiError as e:
            log.error(
                "complaint %s registered; its graph mirror failed (%s): "
                "`guanxi cases mirror` writes it again",
                cid,
                e,
            )
        return cid

    def load(self, s: Session, actor: R.Actor, complaint_id: str) -> Intake:
        i = s.scalars(select(Intake).where(Intake.complaint_id == complaint_id)).first()
        if i is None:
            raise NotFoundError(f"no registered complaint {complaint_id}")
        if not actor.scope.covers(i.division_code):
            raise Forbidden("this complaint lies outside your divisions")
        return i

    def decide(self, actor: R.Actor, complaint_id: str, suggestion_id: int, decision: str) -> None:
        if decision not in ("confirmed", "rejected"):
            raise Unprocessable("decision must be confirmed or rejected")
        with self.db.session() as s:
            i = self.load(s, actor, complaint_id)
            sg = s.get(Suggestion, suggestion_id)
            if sg is None or sg.intake_id != i.id:
                raise NotFoundError(f"no suggestion {suggestion_id} on {complaint_id}")
            sg.decision = decision
            sg.decided_by = actor.name
            sg.decided_at = now()
            _audit(s, actor, f"intake:{decision}", complaint_id, {"label": sg.label, "key": sg.key})
            s.flush()
            GraphMirror(self.store).complaint(s, i, dl.accept_due(i.received, self.rules))

    def duplicates(self, s: Session, actor: R.Actor, i: Intake) -> list[dict[str, Any]]:
        """Open cases in scope, received within 90 days before or after this complaint,
        about a subject this complaint names (a suggestion not rejected)."""
        keys = sorted(
            {
                f"{sg.label}:{sg.key}"
                for sg in s.scalars(select(Suggestion).where(Suggestion.intake_id == i.id))
                if sg.decision != "rejected" and sg.label in ("Person", "Enterprise", "Contract")
            }
        )
        if not keys:
            return []
        lo, hi = dl.add_days(i.received, -DUPLICATE_DAYS), dl.add_days(i.received, DUPLICATE_DAYS)
        rows = gc.cases_sharing_subjects(self.store, lo, hi, keys)
        out = []
        for case_no, names in rows:
            c = s.scalars(select(Case).where(Case.case_no == case_no)).first()
            if c is None or not actor.scope.covers(c.division_code) or c.id == i.case_id:
                continue
            out.append(
                {
                    "case_no": c.case_no,
                    "title": c.title,
                    "received": c.received,
                    "state": c.state,
                    "shared_subjects": sorted(names),
                }
            )
        return sorted(out, key=lambda d: d["case_no"])

    def merge(self, actor: R.Actor, complaint_id: str, case_no: str, reason: str | None) -> None:
        """Attach the complaint to an open case instead of opening a new one."""
        from api.policy import Cap, allowed

        if not allowed(actor.role, Cap.HANDLE_CASES):
            raise Forbidden(f"role {actor.role.value} may not handle cases")
        with self.db.session() as s:
            i = self.load(s, actor, complaint_id)
            if i.case_id is not None:
                raise Conflict(f"{complaint_id} already belongs to a case")
            c = s.scalars(select(Case).where(Case.case_no == case_no)).first()
            if c is None:
                raise NotFoundError(f"no case {case_no}")
            if not actor.scope.covers(c.division_code):
                raise Forbidden("this case lies outside your divisions")
            if c.state not in R.OPEN_STATES:
                raise Conflict(f"case {case_no} is {c.state}; only an open case takes a merge")
            i.case_id = c.id
            i.merged_at = now()
            s.add(CaseLink(case_id=c.id, kind="complaint", ref=complaint_id, added_by=actor.name))
            s.add(
                CaseEvent(
                    case_id=c.id,
                    user_name=actor.name,
                    role=actor.role.value,
                    action="merge",
                    from_state=c.state,
                    to_state=c.state,
                    reason=reason,
                    on=now()[:10],
                    details={"complaint": complaint_id},
                )
            )
            _audit(s, actor, "case:merge", complaint_id, {"case": case_no})
            s.flush()
            GraphMirror(self.store)(s, c)


def _audit(s: Session, actor: R.Actor, action: str, ref: str, params: dict[str, Any]) -> None:
    s.add(
        AuditEntry(
            user_name=actor.name,
            role=actor.role.value,
            method="EVENT",
            endpoint=action,
            path=f"/api/v1/intake/{ref}",
            params={"complaint": ref, **params},
            purpose=None,
            status=200,
            returned_keys=[f"Complaint:{ref}"],
        )
    )
