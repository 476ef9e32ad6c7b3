"""Cases and staff-registered complaints in the graph: the mirror the case workflow
writes, and the reads of the case board, the case report and duplicate detection.

The workflow (``api/workflow``) keeps cases in its relational database and mirrors each
change here: ``(:Case)-[:OPENED_FROM]->(:Lead|:Finding|:Complaint)``,
``(:Case)-[:DISPOSED {kind, measure, decided}]->(:Person)``, and a registered complaint
as a ``Complaint`` node (never its reporter) with the ``ABOUT`` links a handler
confirmed. Every write sets the whole state (idempotent ``MERGE`` / ``SET``), so a mirror
that fell behind is healed by the next change.

Labels and key properties come from the schema, never from the caller's text. Nodes and
relationships are in the store's plain shapes (``graph.store.base``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph import schema as sch
from graph.store import GraphStore

__all__ = [
    "case_graph",
    "cases_sharing_subjects",
    "link_complaint",
    "link_sources",
    "set_complaint_outcome",
    "titles",
    "write_case",
    "write_complaint",
    "write_dispositions",
]

# What a case's link is titled by, per label of what it links.
TITLE_PROP = {"Lead": "title", "Finding": "title", "Complaint": "summary"}


def write_case(store: GraphStore, case_no: str, props: Mapping[str, Any]) -> None:
    """The Case node with these properties (created if absent)."""
    store.write(
        "MERGE (c:Case {case_no: $no}) SET c += $props, c.src = ['workflow#cases']",
        {"no": case_no, "props": dict(props)},
    )


def link_sources(store: GraphStore, case_no: str, label: str, keys: Sequence[str]) -> None:
    """``OPENED_FROM`` from the case to the ``label`` nodes holding ``keys`` (those
    missing from the graph are skipped)."""
    kp = sch.node(label).key
    store.write(
        f"MATCH (c:Case {{case_no: $no}}) UNWIND $refs AS r MATCH (x:{label} {{{kp}: r}}) "
        "MERGE (c)-[:OPENED_FROM]->(x)",
        {"no": case_no, "refs": list(keys)},
    )


def write_dispositions(store: GraphStore, case_no: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """``DISPOSED`` from the case to each person: rows ``{p: id_number, kind, measure,
    decided}`` (``measure`` ``''`` where the kind takes none)."""
    store.write(
        "MATCH (c:Case {case_no: $no}) UNWIND $rows AS row "
        "MATCH (p:Person {id_number: row.p}) "
        "MERGE (c)-[d:DISPOSED {kind: row.kind, measure: row.measure}]->(p) "
        "SET d.decided = row.decided",
        {"no": case_no, "rows": [dict(r) for r in rows]},
    )


def set_complaint_outcome(
    store: GraphStore,
    complaint_id: str,
    *,
    accepted: str | None,
    closed: str | None,
    extension_approved: bool,
    substantiated: bool | None,
    amount_involved: int | None,
) -> None:
    """A registered complaint follows its case's dates and outcome (the deadline pattern
    reads them)."""
    store.write(
        "MATCH (k:Complaint {complaint_id: $id}) "
        "SET k.accepted = $acc, k.closed = $closed, "
        "k.extension_approved = $ext, k.substantiated = $sub, k.amount_involved = $amount",
        {
            "id": complaint_id,
            "acc": accepted,
            "closed": closed,
            "ext": extension_approved,
            "sub": substantiated,
            "amount": amount_involved,
        },
    )


def write_complaint(
    store: GraphStore, complaint_id: str, props: Mapping[str, Any], division_code: str
) -> None:
    """A registered complaint as a Complaint node in its division. ``props`` must not
    hold the reporter: the caller keeps it out of the graph."""
    store.write(
        "MERGE (k:Complaint {complaint_id: $id}) SET k += $props, k.src = ['intake#' + $id]",
        {"id": complaint_id, "props": dict(props)},
    )
    store.write(
        "MATCH (k:Complaint {complaint_id: $id}) MATCH (d:Division {code: $code}) "
        "MERGE (k)-[:IN_DIVISION]->(d)",
        {"id": complaint_id, "code": division_code},
    )


def link_complaint(
    store: GraphStore, complaint_id: str, label: str, key: str, linked: bool
) -> None:
    """Add (``linked``) or remove the complaint's ``ABOUT`` link to one node; labels
    ``ABOUT`` cannot reach are ignored."""
    if label not in sch.RELATIONSHIPS["ABOUT"].targets:
        return
    kp = sch.node(label).key
    if linked:
        store.write(
            f"MATCH (k:Complaint {{complaint_id: $id}}) MATCH (x:{label} {{{kp}: $key}}) "
            "MERGE (k)-[:ABOUT]->(x)",
            {"id": complaint_id, "key": key},
        )
    else:
        store.write(
            f"MATCH (k:Complaint {{complaint_id: $id}})-[r:ABOUT]->(x:{label} {{{kp}: $key}}) "
            "DELETE r",
            {"id": complaint_id, "key": key},
        )


def cases_sharing_subjects(
    store: GraphStore, received_from: str, received_to: str, keys: Iterable[str]
) -> list[tuple[str, list[str]]]:
    """Open cases received in ``[received_from, received_to]`` whose sources concern one of
    ``keys`` (``Label:key`` of persons, enterprises, contracts), directly or through the
    findings of a lead: ``(case_no, names of the shared subjects)``."""
    rows = store.read(
        "MATCH (c:Case) WHERE c.state IN ['received', 'accepted', 'in_progress'] "
        "AND c.received >= $lo AND c.received <= $hi "
        "MATCH (c)-[:OPENED_FROM]->(x) "
        "OPTIONAL MATCH (x)<-[:IN_LEAD]-(f:Finding) "
        "WITH c, x, collect(f) AS fs "
        "UNWIND [x] + fs AS y "
        "MATCH (y)-[:CONCERNS|ABOUT|LEAD_SUBJECT]->(s) "
        "WHERE s:Person OR s:Enterprise OR s:Contract "
        "WITH c, labels(s)[0] + ':' + coalesce(s.id_number, s.uscc, s.contract_id) AS k, "
        "coalesce(s.name, s.project_name) AS name WHERE k IN $keys "
        "RETURN c.case_no AS case_no, collect(DISTINCT name) AS names",
        {"lo": received_from, "hi": received_to, "keys": list(keys)},
    )
    return [(str(r["case_no"]), [str(n) for n in r["names"] if n]) for r in rows]


def titles(store: GraphStore, label: str, keys: Sequence[str]) -> dict[str, str]:
    """key → title (``TITLE_PROP``) of the ``label`` nodes holding ``keys``; nodes
    missing or without a title are left out."""
    kp = sch.node(label).key
    rows = store.read(
        f"UNWIND $refs AS r MATCH (x:{label} {{{kp}: r}}) RETURN r, x.{TITLE_PROP[label]} AS t",
        {"refs": list(keys)},
    )
    return {str(r["r"]): str(r["t"]) for r in rows if r["t"] is not None}


def case_graph(store: GraphStore, case_no: str, limit: int = 300) -> tuple[list[Any], list[Any]]:
    """The case's node, what it was opened from and who was disposed of, and the subjects
    of its leads, findings and complaints (nodes and relationships in the store's shapes,
    typed loosely: callers filter them as plain mappings)."""
    rows = store.read(
        "MATCH (c:Case {case_no: $no}) "
        "OPTIONAL MATCH p1 = (c)-[:OPENED_FROM|DISPOSED]->(x) "
        "OPTIONAL MATCH p2 = (x)-[:CONCERNS|ABOUT|LEAD_SUBJECT]->(y) "
        "RETURN c, collect(DISTINCT p1)[..$limit] AS p1, collect(DISTINCT p2)[..$limit] AS p2",
        {"no": case_no, "limit": limit},
    )
    nodes: dict[tuple[str, Any], Any] = {}
    rels: dict[tuple[Any, ...], Any] = {}
    for r in rows:
        if r["c"] is not None:
            nodes[(r["c"]["labels"][0], r["c"]["key"])] = r["c"]
        for path in [*(r["p1"] or []), *(r["p2"] or [])]:
            if path is None:
                continue
            for n in path["nodes"]:
                nodes.setdefault((n["labels"][0], n["key"]), n)
            for rel in path["relationships"]:
                s, e = rel["start"], rel["end"]
                rels.setdefault((rel["type"], s["label"], s["key"], e["label"], e["key"]), rel)
    return list(nodes.values()), list(rels.values())
