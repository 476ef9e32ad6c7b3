"""The whole graph of a store as plain values, for tests that compare two loads."""

from __future__ import annotations

import json
from typing import Any

from graph import schema as sch
from graph.store import GraphStore

NodeDump = dict[tuple[str, Any], dict[str, Any]]
RelDump = list[tuple[str, str, Any, str, Any, str]]


def dump(store: GraphStore) -> tuple[NodeDump, RelDump]:
    """Every node by (labels, key) with all its properties, and every relationship with
    its type, ends and properties (``src`` and ``warnings`` lists in their order), sorted.

    A node's labels are joined with ``:``, so a node of one label is found as
    ``nodes[("Person", key)]`` and a node that gained a second label differs from one
    that did not.
    """
    nodes: NodeDump = {}
    for r in store.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p"):
        key = (":".join(r["l"]), r["p"][sch.node(r["l"][0]).key])
        assert key not in nodes, f"duplicate {key}"
        nodes[key] = r["p"]
    rels: RelDump = []
    query = (
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS al, properties(a) AS ap, type(r) AS t, "
        "properties(r) AS rp, labels(b)[0] AS bl, properties(b) AS bp"
    )
    for r in store.read(query):
        a = r["ap"][sch.node(r["al"]).key]
        b = r["bp"][sch.node(r["bl"]).key]
        rels.append((r["t"], r["al"], a, r["bl"], b, json.dumps(r["rp"], sort_keys=True)))
    return nodes, sorted(rels)
