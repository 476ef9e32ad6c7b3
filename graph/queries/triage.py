"""Findings as stored in the graph: listed, read with what they concern, triaged.

:func:`graph.queries.findings.save` writes ``(:Finding)-[:CONCERNS]->(x)``; this module
reads them back for callers that page, filter and restrict them (the API), and sets the
triage status an investigator decided. A caller's division scope comes in as ``in_scope``,
a ``Where`` hook given the finding's ``division_code`` expression (``f.division_code``):
it returns a Cypher predicate and adds its parameters, as the neighbourhood hooks do
(:mod:`graph.queries.subgraph`). Without it every finding is listed.

Nodes are in the store's plain shapes (``graph.store.base``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph import schema as sch
from graph.queries.findings import OPEN_CYPHER, STATUSES
from graph.queries.subgraph import Where, everywhere
from graph.store import GraphStore, Node

__all__ = [
    "concerns_of",
    "detected_at",
    "findings_by_id",
    "findings_concerning",
    "get_finding",
    "list_findings",
    "pattern_findings",
    "set_status",
]

WithConcerns = tuple[Node, list[Node]]


def _pairs(rows: list[dict[str, Any]]) -> list[WithConcerns]:
    return [(r["f"], [x for x in r["xs"] if x]) for r in rows]


def list_findings(
    store: GraphStore,
    in_scope: Where | None = None,
    *,
    pattern: str | None = None,
    severity: str | None = None,
    division: str | None = None,
    status: str | None = None,
    offset: int = 0,
    size: int = 50,
    timeout: float | None = None,
) -> tuple[list[WithConcerns], int]:
    """A page of findings, highest score first, with the nodes each concerns; and how
    many findings match in all."""
    params: dict[str, Any] = {"offset": offset, "size": size}
    where = [(in_scope or everywhere)("f.division_code", params)]
    for prop, value in (("pattern", pattern), ("severity", severity), ("status", status)):
        if value:
            params[prop] = value
            where.append(f"f.{prop} = ${prop}")
    if division:
        params["division"] = division
        where.append("f.division_code STARTS WITH $division")
    cond = " AND ".join(where)
    total = store.read(f"MATCH (f:Finding) WHERE {cond} RETURN count(f) AS n", params)[0]["n"]
    rows = store.read(
        f"MATCH (f:Finding) WHERE {cond} "
        "WITH f ORDER BY f.score DESC, f.finding_id SKIP $offset LIMIT $size "
        "OPTIONAL MATCH (f)-[:CONCERNS]->(x) RETURN f, collect(x) AS xs",
        params,
        timeout=timeout,
    )
    out = _pairs(rows)
    # The engines do not keep the order through the aggregation.
    out.sort(key=lambda fx: (-(fx[0]["properties"].get("score") or 0), str(fx[0]["key"])))
    return out, int(total)


def get_finding(store: GraphStore, finding_id: str) -> WithConcerns | None:
    """One finding with the nodes it concerns, or None."""
    rows = store.read(
        "MATCH (f:Finding {finding_id: $id}) OPTIONAL MATCH (f)-[:CONCERNS]->(x) "
        "RETURN f, collect(x) AS xs",
        {"id": finding_id},
    )
    if not rows or rows[0]["f"] is None:
        return None
    return _pairs(rows)[0]


def concerns_of(store: GraphStore, finding_ids: list[Any]) -> dict[Any, list[Node]]:
    """finding_id → the nodes that finding concerns (ids not found are left out)."""
    rows = store.read(
        "UNWIND $ids AS i MATCH (f:Finding {finding_id: i}) "
        "OPTIONAL MATCH (f)-[:CONCERNS]->(x) RETURN i, collect(x) AS xs",
        {"ids": finding_ids},
    )
    return {r["i"]: [x for x in r["xs"] if x] for r in rows}


def findings_by_id(store: GraphStore, finding_ids: Sequence[Any]) -> list[WithConcerns]:
    """The findings holding these ids, each with the nodes it concerns (ids not found are
    left out; no particular order)."""
    rows = store.read(
        "UNWIND $ids AS i MATCH (f:Finding {finding_id: i}) "
        "OPTIONAL MATCH (f)-[:CONCERNS]->(x) RETURN f, collect(x) AS xs",
        {"ids": list(finding_ids)},
    )
    return _pairs(rows)


def findings_concerning(
    store: GraphStore,
    label: str,
    key: Any,
    in_scope: Where | None = None,
    *,
    limit: int = 100,
    timeout: float | None = None,
) -> list[WithConcerns]:
    """The findings that concern one node, highest score first, each with all it concerns."""
    kp = sch.node(label).key
    params: dict[str, Any] = {"k": key}
    pred = (in_scope or everywhere)("f.division_code", params)
    rows = store.read(
        f"MATCH (f:Finding)-[:CONCERNS]->(n:{label} {{{kp}: $k}}) WHERE {pred} "
        "WITH f OPTIONAL MATCH (f)-[:CONCERNS]->(x) RETURN f, collect(x) AS xs "
        f"ORDER BY f.score DESC LIMIT {int(limit)}",
        params,
        timeout=timeout,
    )
    return _pairs(rows)


def pattern_findings(store: GraphStore) -> list[tuple[str, str, Any]]:
    """(pattern, finding_id, detected_at) of every stored finding."""
    rows = store.read(
        "MATCH (f:Finding) RETURN f.pattern AS p, f.finding_id AS id, f.detected_at AS d"
    )
    return [(str(r["p"]), str(r["id"]), r["d"]) for r in rows]


def detected_at(store: GraphStore, finding_ids: list[str]) -> dict[str, str | None]:
    """finding_id → when the stored finding was first detected."""
    rows = store.read(
        "UNWIND $ids AS i MATCH (f:Finding {finding_id: i}) RETURN i, f.detected_at AS d",
        {"ids": finding_ids},
    )
    return {r["i"]: r["d"] for r in rows}


def set_status(store: GraphStore, finding_id: str, status: str, note: str | None) -> None:
    """Mirror a triage decision on the Finding node (the decision's history is the
    caller's to keep)."""
    if status not in STATUSES:
        raise ValueError(status)
    store.write(
        "MATCH (f:Finding {finding_id: $id}) SET f.status = $status, f.note = $note",
        {"id": finding_id, "status": status, "note": note},
    )
    # The finding's lead counts its findings not dismissed: detect wrote that count, and a
    # triage changes it (the findings tab shows it on the lead's row).
    store.write(
        "MATCH (f:Finding {finding_id: $id}) WHERE f.lead_id IS NOT NULL "
        "MATCH (l:Lead {lead_id: f.lead_id}) "
        "MATCH (g:Finding {lead_id: f.lead_id}) "
        f"WITH l, sum(CASE WHEN {OPEN_CYPHER.format(f='g')} THEN 1 ELSE 0 END) AS n "
        "SET l.open_count = n",
        {"id": finding_id},
    )
