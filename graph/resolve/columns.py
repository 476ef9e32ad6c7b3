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
    return joined(store, f"MATCH (n:{label})", tuple(f"n.{p}" for p in props))


def joined(store: GraphStore, match: str, exprs: tuple[str, ...]) -> list[list[str]]:
    """Each expression over every row of ``match`` as one list, aligned.

    ``match`` and ``exprs`` are Cypher written by guanxi itself, never user input.
    """
    cols = ", ".join(
        f"string.join(collect(coalesce(toString({e}), '')), $sep) AS c{i}"
        for i, e in enumerate(exprs)
    )
    try:
        rows = store.read(f"{match} RETURN count(*) AS k, {cols}", {"sep": SEP})
    except QueryError:
        rows = []
    if rows:
        k = int(rows[0]["k"])
        out = [str(rows[0][f"c{i}"] or "").split(SEP) if k else [] for i in range(len(exprs))]
        if all(len(c) == k for c in out):
            return out
    plain = ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
    result: list[list[str]] = [[] for _ in exprs]
    for r in store.read(f"{match} RETURN {plain}"):
        for i in range(len(exprs)):
            v = r[f"c{i}"]
            result[i].append("" if v is None else str(v))
    return result
