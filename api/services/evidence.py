"""Finding evidence that survives restarts.

``guanxi detect`` writes each finding to the graph as a ``Finding`` node linked to its
subjects, but not the evidence subgraph. The API keeps evidence in its database
(``finding_evidence``): the first time a finding's evidence is asked for, its pattern is
re-run once (with its default parameters, as of the finding's ``detected_at``) and the
evidence of *every* finding that run yields is stored, so one run serves the whole
pattern. A row is reused while the Finding's ``detected_at`` is unchanged; a later
``detect`` makes it stale and it is re-derived. ``POST /patterns/{id}/run`` stores the
evidence of what it finds too. Confidential properties are dropped before storing.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import bindparam, select

from api.db import Database, EvidenceRecord, now
from api.present import CONFIDENTIAL_NAMES
from graph.errors import GuanxiError, NotFound
from graph.queries import Finding, run_pattern
from graph.queries import triage as stored
from graph.store import GraphStore

Evidence = dict[str, list[dict[str, Any]]]
log = logging.getLogger("guanxi.api")
_MEMO_SIZE = 2000
_records = EvidenceRecord.__table__.c
_STAMPS = select(_records.detected_at, _records.computed_at).where(
    _records.finding_id == bindparam("fid")
)
_EVIDENCE = select(_records.evidence).where(_records.finding_id == bindparam("fid"))


def _strip(evidence: Evidence) -> Evidence:
    def clean(item: dict[str, Any]) -> dict[str, Any]:
        props = {
            k: v for k, v in (item.get("properties") or {}).items() if k not in CONFIDENTIAL_NAMES
        }
        return {**item, "properties": props}

    return {
        "nodes": [clean(n) for n in evidence.get("nodes", [])],
        "relationships": [clean(r) for r in evidence.get("relationships", [])],
    }


class EvidenceCache:
    def __init__(self, db: Database, store: GraphStore, timeout: float = 60.0) -> None:
        self.db = db
        self.store = store
        self.timeout = timeout
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # finding_id -> ((detected_at, computed_at), evidence) as last read from the row.
        self._memo: OrderedDict[str, tuple[tuple[Any, Any], Evidence]] = OrderedDict()

    def _lock(self, pattern: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(pattern, threading.Lock())

    def stored(self, finding_id: str, detected_at: str | None) -> Evidence | None:
        # The row's stamps are read each time (a cheap Core look-up), the evidence itself
        # (a JSON document) only when they changed since this process last read it: a
        # row rewritten by another API process is seen at once.
        with self.db.engine.connect() as conn:
            stamp = conn.execute(_STAMPS, {"fid": finding_id}).first()
            if stamp is None or (detected_at is not None and stamp.detected_at != detected_at):
                return None
            key = (stamp.detected_at, stamp.computed_at)
            with self._guard:
                hit = self._memo.get(finding_id)
            if hit is None or hit[0] != key:
                ev = conn.execute(_EVIDENCE, {"fid": finding_id}).scalar_one()
                hit = (key, ev)
                with self._guard:
                    self._memo[finding_id] = hit
                    while len(self._memo) > _MEMO_SIZE:
                        self._memo.popitem(last=False)
            return dict(hit[1])

    def keep(self, findings: list[Finding], detected_at: dict[str, str | None]) -> None:
        """Store the evidence of ``findings``; ``detected_at`` maps ids to their stamp."""
        if not findings:
            return
        with self.db.session() as s:
            existing = {
                r.finding_id: r
                for r in s.scalars(
                    select(EvidenceRecord).where(
                        EvidenceRecord.finding_id.in_([f.finding_id for f in findings])
                    )
                )
            }
            for f in findings:
                ev = _strip(f.evidence)
                row = existing.get(f.finding_id)
                if row is None:
                    s.add(
                        EvidenceRecord(
                            finding_id=f.finding_id,
                            pattern=f.pattern,
                            detected_at=detected_at.get(f.finding_id),
                            evidence=ev,
                        )
                    )
                else:
                    row.evidence = ev
                    row.detected_at = detected_at.get(f.finding_id)
                    row.computed_at = now()

    def get(self, finding: dict[str, Any]) -> tuple[Evidence | None, str]:
        """Evidence of a Finding node's properties: ``(evidence, how)``."""
        fid = str(finding["finding_id"])
        detected = finding.get("detected_at")
        ev = self.stored(fid, detected)
        if ev is not None:
            return ev, "stored"
        pattern = str(finding.get("pattern") or "")
        with self._lock(pattern):
            ev = self.stored(fid, detected)  # another request may have just derived it
            if ev is not None:
                return ev, "stored"
            try:
                found = run_pattern(self.store, pattern, as_of=detected, timeout=self.timeout)
            except NotFound:
                return None, "not_reproduced"
            except GuanxiError:
                raise
            stamps = self._stamps([f.finding_id for f in found])
            self.keep(found, stamps)
        for f in found:
            if f.finding_id == fid:
                return _strip(f.evidence), "computed"
        return None, "not_reproduced"

    def warm(self) -> dict[str, str]:
        """Derive the evidence of every pattern whose findings lack it (at start-up, in a
        thread), so that the first look at a finding does not wait for its pattern."""
        done: dict[str, str] = {}
        by_pattern: dict[str, list[tuple[str, Any]]] = {}
        for pattern, fid, detected in stored.pattern_findings(self.store):
            by_pattern.setdefault(pattern, []).append((fid, detected))
        for pattern, items in sorted(by_pattern.items()):
            fid, detected = items[0]
            if self.stored(fid, detected) is not None:
                done[pattern] = "stored"
                continue
            try:
                _, how = self.get({"finding_id": fid, "pattern": pattern, "detected_at": detected})
            except GuanxiError as e:
                log.warning("evidence of %s not derived: %s", pattern, type(e).__name__)
                how = "failed"
            done[pattern] = how
        return done

    def warm_in_background(self) -> threading.Thread:
        t = threading.Thread(target=self.warm, name="evidence-warm", daemon=True)
        t.start()
        return t

    def remember(self, pattern: str, findings: list[Finding]) -> None:
        """Store the evidence of a pattern run (``POST /patterns/{id}/run``)."""
        with self._lock(pattern):
            self.keep(findings, self._stamps([f.finding_id for f in findings]))

    def _stamps(self, finding_ids: list[str]) -> dict[str, str | None]:
        return stored.detected_at(self.store, finding_ids)
