"""Findings: listing, one finding with its evidence, triage, and how a finding is shown.

A finding is in a caller's scope when its ``division_code`` is (a finding without one is
seen only with every division in scope). Within a visible finding, subjects and evidence
nodes outside the caller's divisions are left out (and counted in ``redacted``), and the
Chinese explanation, which names them, is withheld when any is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from api.db import Database, TriageEntry
from api.errors import Forbidden, NotFoundError
from api.present import Presenter, identifier_subjects
from api.scope import NodeId, Scope, ScopeResolver, node_id
from graph.queries import triage as stored
from graph.queries.findings import STATUSES
from graph.store import GraphStore, Node

OUTSIDE = "（辖区外）"
WITHHELD_EXPLANATION = "（说明涉及辖区外的人员或对象，已隐去）"


def list_findings(
    store: GraphStore,
    scope: Scope,
    *,
    pattern: str | None,
    severity: str | None,
    division: str | None,
    status: str | None,
    offset: int,
    size: int,
    timeout: float,
) -> tuple[list[tuple[Node, list[Node]]], int]:
    return stored.list_findings(
        store,
        scope.anchored_predicate,
        pattern=pattern,
        severity=severity,
        division=division,
        status=status,
        offset=offset,
        size=size,
        timeout=timeout,
    )


def get_finding(store: GraphStore, finding_id: str) -> tuple[Node, list[Node]]:
    found = stored.get_finding(store, finding_id)
    if found is None:
        raise NotFoundError(f"no finding {finding_id}")
    return found


def ensure_visible(scope: Scope, finding: Node) -> None:
    code = finding["properties"].get("division_code")
    if not (scope.unrestricted or (code is not None and scope.covers(str(code)))):
        raise Forbidden("this finding lies outside your divisions")


def _links(finding: Node, concerns: list[Node]) -> list[tuple[NodeId, NodeId]]:
    return [(node_id(finding), node_id(x)) for x in concerns]


def summary(
    p: Presenter,
    resolver: ScopeResolver,
    scope: Scope,
    finding: Node,
    concerns: Sequence[Mapping[str, Any]],
    *,
    hidden: bool = False,
) -> dict[str, Any]:
    """A finding as this caller may see it; ``hidden`` withholds the explanation."""
    props = finding["properties"]
    visible = resolver.allowed(scope, concerns)
    shown = [x for x in concerns if node_id(x) in visible]
    out_keys = {str(x["key"]) for x in concerns if node_id(x) not in visible}
    hidden = hidden or bool(out_keys)
    shown_props, _, _ = p.properties("Finding", props)
    identifiers = [*identifier_subjects(props), *_identifier_values(shown)]
    subjects = [
        OUTSIDE if str(s) in out_keys else shown_s
        for s, shown_s in zip(props.get("subjects") or [], p.subjects(props), strict=True)
    ]
    explanation = shown_props.get("explanation")
    return {
        "finding_id": str(props.get("finding_id")),
        "ref": p.ref("Finding", props.get("finding_id")),
        "pattern": str(props.get("pattern") or ""),
        "severity": str(props.get("severity") or ""),
        "title": props.get("title"),
        "explanation": WITHHELD_EXPLANATION
        if hidden and explanation is not None
        else p.text(explanation, identifiers),
        "subjects": subjects,
        "score": props.get("score"),
        "status": str(props.get("status") or "new"),
        "note": p.text(shown_props.get("note")),
        "division_code": props.get("division_code"),
        "division_name": None,  # filled by the routers from the graph's division names
        "lead_id": props.get("lead_id"),
        "detected_at": props.get("detected_at"),
        "concerns": [p.node(x) for x in shown],
    }


def screen(
    store: GraphStore,
    resolver: ScopeResolver,
    scope: Scope,
    p: Presenter,
    nodes: Iterable[Mapping[str, Any]],
) -> None:
    """Mark Finding nodes among ``nodes`` that concern anything outside the scope, so that
    the presenter leaves out their explanation, note and subjects."""
    if scope.unrestricted:
        return
    ids = [n.get("key") for n in nodes if (n.get("labels") or [""])[0] == "Finding"]
    if not ids:
        return
    for fid, xs in stored.concerns_of(store, ids).items():
        ok = resolver.allowed(scope, xs)
        if any(node_id(x) not in ok for x in xs):
            p.opaque_findings.add(fid)


def with_concerns(store: GraphStore, findings: list[Node]) -> list[tuple[Node, list[Node]]]:
    """Findings with the nodes they concern, in the order given."""
    xs = stored.concerns_of(store, [f["key"] for f in findings])
    return [(f, xs.get(f["key"], [])) for f in findings]


def _identifier_values(nodes: Iterable[Mapping[str, Any]]) -> list[str]:
    from graph import schema as sch

    out = []
    for n in nodes:
        label = str((n.get("labels") or [""])[0])
        nt = sch.NODES.get(label)
        if nt is None:
            continue
        for prop in nt.props:
            v = (n.get("properties") or {}).get(prop.name)
            if prop.privacy is sch.Privacy.IDENTIFIER and isinstance(v, str):
                out.append(v)
    return out


def evidence_in_scope(
    resolver: ScopeResolver, scope: Scope, evidence: Mapping[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    nodes = list(evidence.get("nodes", []))
    rels = list(evidence.get("relationships", []))

    def end(r: Mapping[str, Any], which: str) -> NodeId:
        e = r.get(which) or {}
        return (str(e.get("label")), e.get("key"))

    ok = resolver.allowed(scope, nodes, [(end(r, "start"), end(r, "end")) for r in rels])
    kept = [n for n in nodes if node_id(n) in ok]
    kept_rels = [r for r in rels if end(r, "start") in ok and end(r, "end") in ok]
    return kept, kept_rels, len(nodes) - len(kept)


def history(db: Database, finding_id: str) -> list[dict[str, Any]]:
    """A finding's triage history, oldest first (a Core read: every finding view asks)."""
    from sqlalchemy import select

    t = TriageEntry.__table__.c
    q = select(t.at, t.user_name, t.old_status, t.new_status, t.note)
    with db.engine.connect() as conn:
        rows = conn.execute(q.where(t.finding_id == finding_id).order_by(t.id)).all()
    return [
        {
            "at": r.at,
            "user": r.user_name,
            "old_status": r.old_status,
            "new_status": r.new_status,
            "note": r.note,
        }
        for r in rows
    ]


def triage(
    store: GraphStore,
    db: Database,
    finding: Node,
    user: str,
    status: str,
    note: str | None,
) -> None:
    """Record the decision in the history, then mirror it on the graph's Finding node.

    The history row is written in a transaction that commits only after the graph write
    succeeded, so the two cannot disagree about a decision that was reported as made.
    """
    if status not in STATUSES:
        raise ValueError(status)
    fid = finding["properties"]["finding_id"]
    with db.session() as s:
        s.add(
            TriageEntry(
                finding_id=fid,
                user_name=user,
                old_status=finding["properties"].get("status"),
                new_status=status,
                note=note,
            )
        )
        s.flush()
        stored.set_status(store, fid, status, note)
