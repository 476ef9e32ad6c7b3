"""Writing resolution to the graph: links, their copies onto people, and mention status.

A link is ``(m:Mention)-[:RESOLVED_TO {score, margin, features, method, judgement}]->
(p:Person)``. So that patterns walking through people see what the mention did, every
relationship of the mention is copied onto the person with ``via_mention`` naming the
mention; a copy is removed when its link is. All statements are ``UNWIND`` batches that
can run twice without harm, in the Cypher subset both engines run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph import schema as sch
from graph.store.base import GraphStore

Pair = tuple[str, str]  # (mention_id, id_number)
_SKIP = frozenset({"RESOLVED_TO", "CONCERNS"})  # findings are re-derived, never copied


def copyable(direction: str) -> list[str]:
    """Relationship types a Mention can have that a Person can have in its place."""
    end = "sources" if direction == "out" else "targets"
    return sorted(
        t.type
        for t in sch.RELATIONSHIPS.values()
        if t.type not in _SKIP and "Mention" in getattr(t, end) and "Person" in getattr(t, end)
    )


def existing(store: GraphStore) -> dict[str, list[tuple[str, str]]]:
    """mention_id -> [(id_number, judgement or '')] of every RESOLVED_TO."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in store.read(
        "MATCH (m:Mention)-[r:RESOLVED_TO]->(p:Person) "
        "RETURN m.mention_id AS m, p.id_number AS p, r.judgement AS j"
    ):
        out.setdefault(r["m"], []).append((r["p"], r["j"] or ""))
    return out


def write_links(store: GraphStore, rows: Sequence[Mapping[str, Any]]) -> None:
    """Create or refresh links; rows have ``m, p, score, margin, features, method``."""
    if rows:
        store.write_batches(
            "UNWIND $rows AS row MATCH (m:Mention {mention_id: row.m}) "
            "MATCH (p:Person {id_number: row.p}) MERGE (m)-[r:RESOLVED_TO]->(p) "
            "SET r.score = row.score, r.margin = row.margin, r.features = row.features, "
            "r.method = row.method",
            rows,
            batch_size=2000,
        )


def delete_links(store: GraphStore, pairs: Iterable[Pair]) -> None:
    """Remove links and their copies."""
    rows = [{"m": m, "p": p} for m, p in pairs]
    if not rows:
        return
    unmaterialise(store, rows)
    store.write_batches(
        "UNWIND $rows AS row MATCH (m:Mention {mention_id: row.m})-[r:RESOLVED_TO]->"
        "(p:Person {id_number: row.p}) DELETE r",
        rows,
        batch_size=2000,
    )


def present_types(store: GraphStore) -> tuple[list[str], list[str]]:
    """Relationship types mentions actually have, outgoing and incoming, that can be copied."""
    out = {r["t"] for r in store.read("MATCH (m:Mention)-[r]->() RETURN DISTINCT type(r) AS t")}
    inc = {r["t"] for r in store.read("MATCH (m:Mention)<-[r]-() RETURN DISTINCT type(r) AS t")}
    return (
        [t for t in copyable("out") if t in out],
        [t for t in copyable("in") if t in inc],
    )


def materialise(
    store: GraphStore,
    rows: Sequence[Mapping[str, Any]],
    types: tuple[list[str], list[str]] | None = None,
) -> None:
    """Copy each mention's relationships onto its person (rows have ``m`` and ``p``)."""
    if not rows:
        return
    out_types, in_types = types or present_types(store)
    for t in out_types:  # names come from the schema, never from data
        store.write_batches(
            f"UNWIND $rows AS row MATCH (m:Mention {{mention_id: row.m}})-[r:{t}]->(x) "
            "MATCH (p:Person {id_number: row.p}) "
            f"MERGE (p)-[c:{t} {{via_mention: row.m}}]->(x) "
            "SET c += properties(r), c.via_mention = row.m",
            rows,
            batch_size=2000,
        )
    for t in in_types:
        store.write_batches(
            f"UNWIND $rows AS row MATCH (m:Mention {{mention_id: row.m}})<-[r:{t}]-(x) "
            "MATCH (p:Person {id_number: row.p}) "
            f"MERGE (p)<-[c:{t} {{via_mention: row.m}}]-(x) "
            "SET c += properties(r), c.via_mention = row.m",
            rows,
            batch_size=2000,
        )


def unmaterialise(store: GraphStore, rows: Sequence[Mapping[str, Any]]) -> None:
    """Remove the copies a mention's link put on its person."""
    for arrow in ("-[r]->()", "<-[r]-()"):
        store.write_batches(
            f"UNWIND $rows AS row MATCH (p:Person {{id_number: row.p}}){arrow} "
            "WHERE r.via_mention = row.m DELETE r",
            rows,
            batch_size=2000,
        )


def set_status(store: GraphStore, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record on each Mention what resolution made of it: ``status``, ``best_score`` and,
    when unresolved, its leading ``candidates`` (JSON) for an investigator to choose from."""
    if rows:
        store.write_batches(
            "UNWIND $rows AS row MATCH (m:Mention {mention_id: row.m}) "
            "SET m.status = row.status, m.best_score = row.score, m.candidates = row.candidates",
            rows,
            batch_size=5000,
        )
