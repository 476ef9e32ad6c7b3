"""FalkorDB's compact replies decoded straight into the store's plain shapes.

The client's own parser builds a ``Node``/``Edge`` object per entity and a parsed value
per cell, which the adapter then turned into plain dicts: two passes over every value of a
300-node neighbourhood, a tenth of an API request's CPU. Here each cell is decoded once,
with the types that carry register data (null, string, integer, boolean, double, array,
map, node, relationship, path) handled inline and the rare ones (points, vectors,
temporal values) handed to the client's parser, so they come out exactly as before.

A compact cell is ``[type, value]``; a node value is ``[id, [label ids], [[property id,
type, value], ...]]``, a relationship ``[id, type id, source id, target id, properties]``;
label, type and property names are looked up in the client's schema cache (which
refreshes itself when it meets an id it does not know).
"""

from __future__ import annotations

from typing import Any

from falkordb.query_result import parse_scalar
from redis.exceptions import ResponseError

from graph.store.base import Node, NodeRef, Relationship, Row, key_of

_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _EDGE, _NODE, _PATH, _MAP = range(1, 11)
# Cells whose raw value is already the Python value.
_RAW = frozenset((_NULL, _STRING, _INTEGER))
_STATS = {
    "Nodes created": "nodes_created",
    "Relationships created": "relationships_created",
    "Properties set": "properties_set",
}


def check(reply: Any) -> None:
    """Raise the error a reply carries: first for a refused query, last for one that
    failed while running (the rows before it are not a result)."""
    if isinstance(reply, list) and reply:
        for part in (reply[0], reply[-1]):
            if isinstance(part, ResponseError):
                raise part
    elif isinstance(reply, ResponseError):
        raise reply


def stats(reply: list[Any]) -> dict[str, float]:
    """The write counters of a reply's statistics (``"Nodes created: 3"``)."""
    out: dict[str, float] = {}
    for line in reply[-1] if reply else ():
        name, _, rest = str(line).partition(": ")
        if name in _STATS:
            out[_STATS[name]] = float(rest.split(" ")[0])
    return out


class Decoder:
    """Decodes one reply; nodes are remembered by id so that relationships whose ends are
    in the same reply get their ``start`` and ``end`` filled in."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self.schema = graph.schema
        self.by_id: dict[int, Node] = {}
        self.rels: list[tuple[Relationship, int, int]] = []

    def rows(self, reply: list[Any]) -> list[Row]:
        if len(reply) < 3:
            return []
        header = [str(h[1]) for h in reply[0]]
        if not header:
            return []
        cell = self.cell
        out = [dict(zip(header, [cell(c) for c in row], strict=True)) for row in reply[1]]
        self._fill_ends()
        return out

    def cell(self, c: list[Any]) -> Any:
        t, v = c[0], c[1]
        if t in _RAW:
            return v
        if t == _NODE:
            return self.node(v)
        if t == _EDGE:
            return self.edge(v)
        if t == _ARRAY:
            cell = self.cell
            return [cell(x) for x in v]
        if t == _DOUBLE:
            return float(v)
        if t == _BOOLEAN:
            return v == "true"
        if t == _MAP:
            cell = self.cell
            return {str(v[i]): cell(v[i + 1]) for i in range(0, len(v), 2)}
        if t == _PATH:
            return {
                "_kind": "path",
                "nodes": self.cell(v[0]),
                "relationships": self.cell(v[1]),
            }
        return parse_scalar(c, self.graph)

    def properties(self, props: list[list[Any]]) -> dict[str, Any]:
        names = self.schema.properties
        out: dict[str, Any] = {}
        for p in props:
            i, t, v = p[0], p[1], p[2]
            try:
                name = names[i]
            except IndexError:
                name = self.schema.get_property(i)
                names = self.schema.properties
            out[name] = v if t in _RAW else self.cell([t, v])
        return out

    def node(self, v: list[Any]) -> Node:
        labels = [self.schema.get_label(i) for i in v[1]]
        props = self.properties(v[2])
        n: Node = {
            "_kind": "node",
            "labels": labels,
            "key": key_of(labels, props),
            "properties": props,
        }
        self.by_id[int(v[0])] = n
        return n

    def edge(self, v: list[Any]) -> Relationship:
        r: Relationship = {
            "_kind": "relationship",
            "type": self.schema.get_relation(v[1]),
            "start": None,
            "end": None,
            "properties": self.properties(v[4]),
        }
        self.rels.append((r, int(v[2]), int(v[3])))
        return r

    def _fill_ends(self) -> None:
        # Ends are resolved once the whole reply is read: a relationship may come before
        # the nodes it joins (``RETURN r, n, m``).
        for r, src, dst in self.rels:
            r["start"] = self.ref(src)
            r["end"] = self.ref(dst)

    def ref(self, nid: int) -> NodeRef | None:
        n = self.by_id.get(nid)
        if n is None:
            return None
        return {"label": n["labels"][0] if n["labels"] else None, "key": n["key"]}
