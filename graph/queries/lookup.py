"""Nodes by their natural key, one label or any, and what a mention is linked to.

Keys go in as parameters; labels and key properties come from the schema, never from the
caller's text (:func:`graph.schema.node` refuses unknown labels). Nodes are in the store's
plain shapes (``graph.store.base``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graph import schema as sch
from graph.queries.anchors import anchor_expr
from graph.queries.subgraph import Where, everywhere, rel_pattern
from graph.store import GraphStore, Node
from graph.store import Relationship as Rel

__all__ = [
    "all_names",
    "by_key",
    "complaints",
    "county_codes",
    "fetch",
    "fetch_many",
    "linked_persons",
    "outgoing",
]


def fetch(store: GraphStore, label: str, key: Any) -> Node | None:
    """The ``label`` node whose key is ``key``, or None."""
    kp = sch.node(label).key
    rows = store.read(f"MATCH (n:{label} {{{kp}: $k}}) RETURN n LIMIT 1", {"k": key})
    return rows[0]["n"] if rows else None


def fetch_many(
    store: GraphStore, label: str, keys: Iterable[Any], *, timeout: float | None = None
) -> list[Node]:
    """The ``label`` nodes holding these keys, in no particular order (missing ones left out)."""
    kp = sch.node(label).key
    rows = store.read(
        f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}}) RETURN n",
        {"keys": list(keys)},
        timeout=timeout,
    )
    return [r["n"] for r in rows]


def outgoing(
    store: GraphStore,
    label: str,
    keys: Iterable[Any],
    types: Iterable[str],
    *,
    timeout: float | None = None,
) -> list[Rel]:
    """The relationships of these types that leave the ``label`` nodes holding ``keys``."""
    kp = sch.node(label).key
    rows = store.read(
        f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}})-{rel_pattern(types)}->(o) RETURN n, r, o",
        {"keys": list(keys)},
        timeout=timeout,
    )
    return [r["r"] for r in rows]


def by_key(
    store: GraphStore, key_by_label: Mapping[str, Any], *, timeout: float | None = None
) -> list[Node]:
    """Every node whose key equals its label's value in ``key_by_label``, in one round
    trip (a ``UNION ALL`` branch per label: each label keys on its own property)."""
    branches, params = [], {}
    for i, (label, key) in enumerate(key_by_label.items()):
        params[f"k{i}"] = key
        branches.append(f"MATCH (n:{label} {{{sch.node(label).key}: $k{i}}}) RETURN n")
    if not branches:
        return []
    return [r["n"] for r in store.read(" UNION ALL ".join(branches), params, timeout=timeout)]


def linked_persons(store: GraphStore, mention_id: Any) -> list[Node]:
    """The persons entity resolution linked a mention to (``RESOLVED_TO``)."""
    rows = store.read(
        "MATCH (:Mention {mention_id: $m})-[:RESOLVED_TO]->(p:Person) RETURN p", {"m": mention_id}
    )
    return [r["p"] for r in rows]


def all_names(store: GraphStore, labels: Iterable[str], *, page: int = 100_000) -> Iterator[str]:
    """Every name held by nodes of ``labels``, read in pages in key order (one huge read
    would hold the whole column in the engine's reply at once)."""
    for label in labels:
        kp = sch.node(label).key
        after = ""
        while True:
            rows = store.read(
                f"MATCH (n:{label}) WHERE n.{kp} > $after "
                f"RETURN n.{kp} AS k, n.name AS name ORDER BY k LIMIT {int(page)}",
                {"after": after},
            )
            for r in rows:
                if isinstance(r["name"], str):
                    yield r["name"]
            if len(rows) < page:
                break
            after = rows[-1]["k"]


def county_codes(store: GraphStore) -> set[str]:
    """The county codes (six digits) that nodes in the graph are anchored in."""
    found: set[str] = set()
    for label in ("Division", "Person", "Household", "Post", "Payment", "Finding"):
        rows = store.read(
            f"MATCH (n:{label}) WITH {anchor_expr('n')} AS c WHERE c IS NOT NULL "
            "RETURN DISTINCT substring(c, 0, 6) AS c"
        )
        found |= {str(r["c"]) for r in rows if r["c"]}
    for label in ("Disbursement", "Contract", "Income", "Complaint"):
        rows = store.read(
            f"MATCH (n:{label}) WHERE n.village_code IS NOT NULL "
            "RETURN DISTINCT substring(n.village_code, 0, 6) AS c"
        )
        found |= {str(r["c"]) for r in rows if r["c"]}
    return found


def complaints(
    store: GraphStore, where: Where | None = None, *, timeout: float | None = None
) -> list[Node]:
    """Complaints, newest first, that ``where(var, params)`` keeps (all without it)."""
    params: dict[str, Any] = {}
    pred = (where or everywhere)("c", params)
    rows = store.read(
        f"MATCH (c:Complaint) WHERE {pred} RETURN c ORDER BY c.received DESC, c.complaint_id",
        params,
        timeout=timeout,
    )
    return [r["c"] for r in rows]
