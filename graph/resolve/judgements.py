"""An investigator's judgement on a link: confirmed links stay, rejected pairs never return.

Both are stored in the graph, so every later run (and every engine) sees them:
``RESOLVED_TO.judgement`` is ``confirmed`` or ``rejected`` with ``judged_by``,
``judged_at`` and ``note``; a rejection also adds the person to the Mention's
``rejected_ids``, which keeps the pair apart even if the link itself is deleted. A
rejected link stays in the graph, without its copies, as the record of the decision.
"""

from __future__ import annotations

import datetime as dt

from graph.errors import NotFound
from graph.resolve import links
from graph.store.base import GraphStore


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(store: GraphStore, mention_id: str, person_id: str) -> None:
    rows = store.read(
        "OPTIONAL MATCH (m:Mention {mention_id: $m}) OPTIONAL MATCH (p:Person {id_number: $p}) "
        "RETURN m.mention_id AS m, p.id_number AS p",
        {"m": mention_id, "p": person_id},
    )
    if not rows or rows[0]["m"] is None:
        raise NotFound(f"no mention {mention_id!r}")
    if rows[0]["p"] is None:
        raise NotFound(f"no person with ID number {person_id!r}")


def confirm(store: GraphStore, mention_id: str, person_id: str, user: str, note: str = "") -> None:
    """The mention is this person: link (or keep the link) whatever the score says.

    Any other automatic link of the mention goes, with its copies.
    """
    _check(store, mention_id, person_id)
    others = [
        (mention_id, p)
        for p, j in links.existing(store).get(mention_id, [])
        if p != person_id and j != "rejected"
    ]
    links.delete_links(store, others)
    store.write(
        "MATCH (m:Mention {mention_id: $m}) MATCH (p:Person {id_number: $p}) "
        "MERGE (m)-[r:RESOLVED_TO]->(p) "
        "SET r.judgement = 'confirmed', r.judged_by = $user, r.judged_at = $at, r.note = $note, "
        "r.method = coalesce(r.method, 'manual'), m.status = 'confirmed', "
        "m.rejected_ids = [x IN coalesce(m.rejected_ids, []) WHERE x <> $p]",
        {"m": mention_id, "p": person_id, "user": user, "at": _now(), "note": note},
    )
    links.materialise(store, [{"m": mention_id, "p": person_id}])


def reject(store: GraphStore, mention_id: str, person_id: str, user: str, note: str = "") -> None:
    """The mention is not this person: unlink, and never link the pair again."""
    _check(store, mention_id, person_id)
    links.unmaterialise(store, [{"m": mention_id, "p": person_id}])
    store.write(
        "MATCH (m:Mention {mention_id: $m}) MATCH (p:Person {id_number: $p}) "
        "MERGE (m)-[r:RESOLVED_TO]->(p) "
        "SET r.judgement = 'rejected', r.judged_by = $user, r.judged_at = $at, r.note = $note, "
        "r.method = coalesce(r.method, 'manual'), m.status = 'rejected', "
        "m.rejected_ids = CASE WHEN $p IN coalesce(m.rejected_ids, []) THEN m.rejected_ids "
        "ELSE coalesce(m.rejected_ids, []) + [$p] END",
        {"m": mention_id, "p": person_id, "user": user, "at": _now(), "note": note},
    )
