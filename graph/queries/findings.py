"""Findings: what a pattern row becomes, how it reads, and how it is kept in the graph."""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass, field
from typing import Any

from graph.queries.pattern import Pattern
from graph.store import GraphStore

STATUSES = ("new", "confirmed", "dismissed")
# A lead's open findings are those not dismissed (a finding without a status is new).
OPEN_CYPHER = "coalesce({f}.status, 'new') <> 'dismissed'"


def is_open(status: str | None) -> bool:
    """The Python twin of :data:`OPEN_CYPHER`."""
    return (status or "new") != "dismissed"


@dataclass
class Finding:
    pattern: str
    severity: str
    title: str
    explanation: str
    subjects: list[str]
    evidence: dict[str, list[dict[str, Any]]]
    score: float
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def finding_id(self) -> str:
        """Stable across runs: the same pattern over the same subjects is the same finding."""
        h = hashlib.sha1("|".join([self.pattern, *sorted(self.subjects)]).encode())
        return f"{self.pattern}:{h.hexdigest()[:16]}"

    @property
    def subject_labels(self) -> list[str]:
        """Each subject's label, in order ("" when no evidence node has its key).

        It is what tells a subject that is an identifier (an ID number, masked for most
        roles) from one that is not (a voucher number). A key that two labels share
        counts as the stricter one.
        """
        from graph import schema

        strict = {p: i for i, p in enumerate(schema.Privacy)}
        subjects = set(self.subjects)
        found: dict[str, str] = {}
        for n in self.evidence["nodes"]:
            label = n["labels"][0] if n.get("labels") else ""
            key = str(n.get("key"))
            if key not in subjects or label not in schema.NODES:
                continue
            before = found.get(key)
            if (
                before is None
                or strict[schema.key_privacy(label)] > strict[schema.key_privacy(before)]
            ):
                found[key] = label
        return [found.get(s, "") for s in self.subjects]

    def to_json(self) -> dict[str, Any]:
        return {
            "finding_id": self.finding_id,
            "pattern": self.pattern,
            "severity": self.severity,
            "title": self.title,
            "explanation": self.explanation,
            "subjects": self.subjects,
            "evidence": self.evidence,
            "score": self.score,
        }


class _Explainer(string.Formatter):
    """``str.format`` with domain specs: ``{amount:yuan}`` (fen → 元), ``{amount:and_yuan}``
    ("，共…元", or nothing when there is no amount) and ``{xs:list}``."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "yuan":
            return yuan(value)
        if format_spec == "and_yuan":
            return "" if value is None else f"，共{yuan(value)}"
        if format_spec == "list":
            items = [str(v) for v in (value or []) if v is not None]
            return "、".join(items)
        if value is None:
            return "（未知）"
        return str(super().format_field(value, format_spec))


def yuan(fen: Any) -> str:
    """Integer fen as Chinese-style yuan text.

    >>> yuan(9600000), yuan(12350), yuan(None)
    ('96,000元', '123.50元', '（未知）')
    """
    if fen is None:
        return "（未知）"
    whole, cents = divmod(int(fen), 100)
    return f"{whole:,}元" if cents == 0 else f"{whole:,}.{cents:02d}元"


def explain(template: str, facts: dict[str, Any]) -> str:
    return _Explainer().vformat(template, (), _Missing(facts))


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return None


def from_row(pattern: Pattern, row: dict[str, Any]) -> Finding:
    facts = dict(row.get("facts") or {})
    subjects = sorted({str(s) for s in row.get("subjects") or [] if s not in (None, "")})
    severity = row.get("severity") or pattern.severity
    score = float(row["score"]) if row.get("score") is not None else _default_score(severity)
    return Finding(
        pattern=pattern.id,
        severity=severity,
        title=pattern.title_zh,
        explanation=explain(pattern.explanation, facts),
        subjects=subjects,
        evidence=evidence_of(row.get("evidence") or []),
        score=score,
        facts=facts,
    )


def _default_score(severity: str) -> float:
    return {"high": 0.9, "medium": 0.6, "low": 0.3}.get(severity, 0.5)


def evidence_of(items: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """Flatten paths, nodes and relationships into one deduplicated subgraph."""
    nodes: dict[tuple[str, Any], dict[str, Any]] = {}
    rels: dict[tuple[Any, ...], dict[str, Any]] = {}

    def add(v: Any) -> None:
        if v is None:
            return
        if isinstance(v, list):
            for x in v:
                add(x)
            return
        kind = v.get("_kind") if isinstance(v, dict) else None
        if kind == "node":
            nodes.setdefault((v["labels"][0] if v["labels"] else "", v["key"]), v)
        elif kind == "relationship":
            s, e = v.get("start") or {}, v.get("end") or {}
            k = (v["type"], s.get("label"), s.get("key"), e.get("label"), e.get("key"))
            rels.setdefault(k, v)
        elif kind == "path":
            add(v["nodes"])
            add(v["relationships"])

    add(items)
    return {"nodes": list(nodes.values()), "relationships": list(rels.values())}


def division_of(f: Finding) -> str | None:
    """The most specific division code among the evidence (for scope filtering)."""
    codes = []
    for n in f.evidence["nodes"]:
        p = n["properties"]
        code = (
            p.get("village_code")
            or p.get("jurisdiction_code")
            or (p.get("code") if "Division" in n["labels"] else None)
        )
        if code:
            codes.append(str(code))
    return max(codes, key=len) if codes else None


WRITE_FINDINGS = """
UNWIND $rows AS row
MERGE (f:Finding {finding_id: row.finding_id})
ON CREATE SET f.status = 'new', f.note = null, f.first_detected = row.detected_at
SET f.pattern = row.pattern, f.severity = row.severity, f.title = row.title,
    f.explanation = row.explanation, f.subjects = row.subjects,
    f.subject_labels = row.subject_labels, f.score = row.score,
    f.detected_at = row.detected_at, f.division_code = row.division_code,
    f.src = ['detect#' + row.pattern]
"""

DROP_STALE = """
MATCH (f:Finding {pattern: $pattern})
WHERE f.status = 'new' AND NOT f.finding_id IN $keep
DETACH DELETE f
"""


def save(store: GraphStore, pattern: str, findings: list[Finding], today: str | None = None) -> int:
    """Write findings as ``(:Finding)-[:CONCERNS]->(subject)``.

    Open findings of the pattern that no longer recur are removed; confirmed and dismissed
    ones stay with their triage decision, and a finding that recurs keeps its status.
    """
    from graph import schema

    today = today or dt.date.today().isoformat()
    rows = [
        {
            "finding_id": f.finding_id,
            "pattern": f.pattern,
            "severity": f.severity,
            "title": f.title,
            "explanation": f.explanation,
            "subjects": f.subjects,
            "subject_labels": f.subject_labels,
            "score": f.score,
            "detected_at": today,
            "division_code": division_of(f),
        }
        for f in findings
    ]
    store.write_batches(WRITE_FINDINGS, rows, batch_size=2000)
    links = []
    for f in findings:
        subj = set(f.subjects)
        for n in f.evidence["nodes"]:
            label = n["labels"][0] if n["labels"] else ""
            if n["key"] is not None and str(n["key"]) in subj and label in schema.NODES:
                links.append(
                    {
                        "finding_id": f.finding_id,
                        "label": label,
                        "key_prop": schema.NODES[label].key,
                        "key": n["key"],
                    }
                )
    _link(store, links)
    store.write(DROP_STALE, {"pattern": pattern, "keep": [f.finding_id for f in findings]})
    return len(findings)


def _link(store: GraphStore, links: list[dict[str, Any]]) -> None:
    # One statement per label so that the key lookup can use the label's index.
    from graph import schema

    by_label: dict[str, list[dict[str, Any]]] = {}
    for ln in links:
        by_label.setdefault(ln["label"], []).append(ln)
    for label, rows in by_label.items():
        key = schema.NODES[label].key
        q = (
            "UNWIND $rows AS row MATCH (f:Finding {finding_id: row.finding_id}) "
            f"MATCH (x:{label} {{{key}: row.key}}) MERGE (f)-[:CONCERNS]->(x)"
        )
        store.write_batches(q, rows, batch_size=2000)
