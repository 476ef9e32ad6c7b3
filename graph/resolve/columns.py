"""Reading one property of every node of a label, as text, on either engine.

Entity resolution reads names, identity numbers and village codes of every person at
once. The FalkorDB client parses a reply cell by cell in Python (a million three-column
rows took two minutes here), so the columns go through the store's bulk text read,
:meth:`~graph.store.base.GraphStore.read_text`, which each adapter answers its fastest
way (FalkorDB joins each column into one string on the server: under three seconds).
"""

from __future__ import annotations

from graph.schema import node
from graph.store.base import GraphStore


def columns(store: GraphStore, label: str, props: tuple[str, ...]) -> list[list[str]]:
    """Each property of every ``label`` node as one list, aligned; missing values are ''."""
    nt = node(label)
    for p in props:
        nt.prop(p)  # refuses names that are not in the schema before they reach Cypher
    return joined(store, f"MATCH (n:{label})", tuple(f"n.{p}" for p in props))


def joined(store: GraphStore, match: str, exprs: tuple[str, ...]) -> list[list[str]]:
    """Each expression over every row of ``match`` as text, one list each, aligned; a
    null is ''.

    ``match`` and ``exprs`` are Cypher written by guanxi itself, never user input.
    """
    got = store.read_text(match, {f"c{i}": f"toString({e})" for i, e in enumerate(exprs)}, {})
    return [["" if v is None else str(v) for v in got[f"c{i}"]] for i in range(len(exprs))]
