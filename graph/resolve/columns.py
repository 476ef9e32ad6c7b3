"""Reading one property of every node of a label, fast, on either engine.

The FalkorDB client parses a reply cell by cell in Python: a million three-column rows
took two minutes here, while the same columns joined into one string server-side
(``string.join``) took under three seconds. Neo4j's driver streams rows quickly and has
no ``string.join`` without APOC, so when the engine refuses the joined form the rows are
read instead. The separator is the ASCII unit separator, which no register cell holds
(the loaders strip control characters); a count check catches it if one ever does.
"""

from __future__ import annotations

from graph.errors import QueryError
from graph.schema import node
from graph.store.base import GraphStore

SEP = "\x1f"


def columns(store: GraphStore, label: str, props: tuple[str, ...]) -> list[list[str]]:
    """Each property of every ``label`` node as one list, aligned; missing values are ''."""
    nt = node(label)
    for p in props:
        nt.prop(p)  # refuses names that are not in the schema before they reach Cypher
    joined = ", ".join(
        f"string.join(collect(coalesce(toString(n.{p}), '')), $sep) AS c{i}"
        for i, p in enumerate(props)
    )
    try:
        rows = store.read(f"MATCH (n:{label}) RETURN count(n) AS k, {joined}", {"sep": SEP})
    except QueryError:
        rows = []
    if rows:
        k = int(rows[0]["k"])
        cols = [str(rows[0][f"c{i}"] or "").split(SEP) if k else [] for i in range(len(props))]
        if all(len(c) == k for c in cols):
            return cols
    plain = ", ".join(f"n.{p} AS c{i}" for i, p in enumerate(props))
    out: list[list[str]] = [[] for _ in props]
    for r in store.read(f"MATCH (n:{label}) RETURN {plain}"):
        for i in range(len(props)):
            v = r[f"c{i}"]
            out[i].append("" if v is None else str(v))
    return out
