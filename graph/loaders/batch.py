"""Collect a chunk's nodes and relationships, then write them with a few UNWIND statements.

Every loader builds graph rows through :class:`Batch` and never writes Cypher itself:
the statements are generated here, once, from the schema's labels and keys, in the
subset both engines run (``CYPHER_SUBSET.md``).

Three kinds of write, always in this order within a chunk:

1. **upsert** — the entity a row describes (a Person from ``persons``, a Disbursement):
   ``SET n += props``; ``ON CREATE SET`` for values a secondary register may only
   fill in (a name from ``deaths`` never overwrites the household register's); the
   row's ``register#row`` is appended to ``src`` and its warnings to ``warnings``.
2. **ref** — an entity a row only points at (the Program of a disbursement): created
   if missing with ``ON CREATE SET`` values; ``src`` gains the first ``register#row``
   that named it from each register, so a node named by several registers lists all
   of them without a million-entry list on a village every person lives in.
3. **rel** — relationships, between endpoints written in 1 or 2; ``src`` and
   ``warnings`` are appended as for upserts.

Rows are merged by key within a chunk before writing. That makes the result
independent of the order in which an engine applies one statement's rows (FalkorDB
applies an UNWIND's MERGEs in a different order from Neo4j) and saves work on keys
many rows share. Appends are idempotent, so loading a folder twice gives the same graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from graph import schema as sch
from graph.errors import SchemaError
from graph.store.base import GraphStore, WriteSummary

Ref = tuple[str, str]  # (label, key value)

_SRC_APPEND = "{v}.src = coalesce({v}.src, []) + [s IN row.s WHERE NOT s IN coalesce({v}.src, [])]"
_SRC_FIRST = (
    "{v}.src = CASE WHEN any(s IN coalesce({v}.src, []) WHERE s STARTS WITH $reg) "
    "THEN {v}.src ELSE coalesce({v}.src, []) + row.s END"
)
_WARN_APPEND = (
    "{v}.warnings = CASE WHEN size(row.w) = 0 THEN {v}.warnings ELSE coalesce({v}.warnings, [])"
    " + [w IN row.w WHERE NOT w IN coalesce({v}.warnings, [])] END"
)


def upsert_cypher(label: str) -> str:
    key = sch.node(label).key
    sets = ", ".join(("n += row.p", _SRC_APPEND.format(v="n"), _WARN_APPEND.format(v="n")))
    return (
        f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.k}}) "
        f"ON CREATE SET n += row.c SET {sets}"
    )


def ref_cypher(label: str) -> str:
    key = sch.node(label).key
    return (
        f"UNWIND $rows AS row MERGE (n:{label} {{{key}: row.k}}) "
        f"ON CREATE SET n += row.c SET {_SRC_FIRST.format(v='n')}"
    )


def rel_cypher(type_: str, start: str, end: str, merge_on: tuple[str, ...]) -> str:
    ka, kb = sch.node(start).key, sch.node(end).key
    ident = ", ".join(f"{p}: row.m{i}" for i, p in enumerate(merge_on))
    pattern = f"[r:{type_}{' {' + ident + '}' if ident else ''}]"
    sets = ", ".join(("r += row.p", _SRC_APPEND.format(v="r"), _WARN_APPEND.format(v="r")))
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{{ka}: row.a}}) MATCH (b:{end} {{{kb}: row.b}}) "
        f"MERGE (a)-{pattern}->(b) SET {sets}"
    )


def _present(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop empty values: a blank cell leaves the property as it was, never erases it."""
    return {k: v for k, v in (props or {}).items() if v is not None and v != []}


def _check_props(owner: str, declared: set[str], props: Mapping[str, Any]) -> None:
    for name in props:
        if name not in declared and not name.startswith("x_"):
            raise SchemaError(f"{owner} has no property {name!r} in graph/schema.py")


@dataclass
class _Rows:
    rows: dict[Any, dict[str, Any]] = field(default_factory=dict)


def _extend(into: list[str], items: list[str]) -> None:
    for i in items:
        if i not in into:
            into.append(i)


class Batch:
    """The graph rows built from one chunk of register rows.

    >>> b = Batch("persons")
    >>> b.upsert("Person", "43042219900101123X", {"name": "张三"}, src="persons#2")
    >>> b.ref("Division", "430422101201", src="persons#2")
    >>> b.rel("LIVES_IN", ("Person", "43042219900101123X"), ("Division", "430422101201"),
    ...       src="persons#2")
    Traceback (most recent call last):
    graph.errors.SchemaError: LIVES_IN cannot go from Person to Division
    """

    _declared: ClassVar[dict[str, set[str]]] = {}

    def __init__(self, register: str) -> None:
        self.register = register
        self.upserts: dict[str, _Rows] = {}
        self.refs: dict[str, _Rows] = {}
        self.rels: dict[tuple[str, str, str, tuple[str, ...]], _Rows] = {}
        self._nodes: set[Ref] = set()

    def __len__(self) -> int:
        groups = (*self.upserts.values(), *self.refs.values(), *self.rels.values())
        return sum(len(g.rows) for g in groups)

    @classmethod
    def _props_of(cls, owner: str) -> set[str]:
        if owner not in cls._declared:
            decl = sch.NODES[owner].props if owner in sch.NODES else sch.relationship(owner).props
            cls._declared[owner] = {p.name for p in decl}
        return cls._declared[owner]

    def upsert(
        self,
        label: str,
        key: str,
        props: Mapping[str, Any] | None = None,
        *,
        src: str,
        create: Mapping[str, Any] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        """The node this row describes: set ``props``, append ``src`` and ``warnings``."""
        declared = self._props_of(label)
        p, c = _present(props), _present(create)
        _check_props(label, declared, p)
        _check_props(label, declared, c)
        group = self.upserts.setdefault(label, _Rows()).rows
        row = group.get(key)
        if row is None:
            group[key] = {"k": key, "p": p, "c": c, "s": [src], "w": list(warnings or [])}
        else:  # the same key twice in one chunk: as if the rows had been written in turn
            row["p"].update(p)
            _extend(row["s"], [src])
            _extend(row["w"], warnings or [])
        self._nodes.add((label, key))

    def ref(
        self, label: str, key: str, create: Mapping[str, Any] | None = None, *, src: str
    ) -> None:
        """A node this row points at: created with ``create`` if missing."""
        c = _present(create)
        _check_props(label, self._props_of(label), c)
        group = self.refs.setdefault(label, _Rows()).rows
        if key not in group:
            group[key] = {"k": key, "c": c, "s": [src]}
        self._nodes.add((label, key))

    def rel(
        self,
        type_: str,
        start: Ref,
        end: Ref,
        props: Mapping[str, Any] | None = None,
        *,
        src: str,
        merge_on: tuple[str, ...] = (),
        warnings: list[str] | None = None,
    ) -> None:
        """A relationship; ``merge_on`` properties tell several of one type apart
        (two terms in one post). Its endpoints must have been upserted or referenced."""
        rt = sch.relationship(type_)
        if start[0] not in rt.sources or end[0] not in rt.targets:
            raise SchemaError(f"{type_} cannot go from {start[0]} to {end[0]}")
        for node in (start, end):
            if node not in self._nodes:
                raise SchemaError(f"{type_}: endpoint {node[0]} {node[1]!r} was not written")
        p = _present(props)
        _check_props(type_, self._props_of(type_), p)
        # A null cannot be merged on: such a row merges on the other properties only.
        on = tuple(m for m in merge_on if p.get(m) is not None)
        ident = tuple(p[m] for m in on)
        group = self.rels.setdefault((type_, start[0], end[0], on), _Rows()).rows
        gkey = (start[1], end[1], ident)
        row = group.get(gkey)
        if row is None:
            row = {"a": start[1], "b": end[1], "p": p, "s": [src], "w": list(warnings or [])}
            row.update({f"m{i}": v for i, v in enumerate(ident)})
            group[gkey] = row
        else:
            row["p"].update(p)
            _extend(row["s"], [src])
            _extend(row["w"], warnings or [])

    def write(self, store: GraphStore) -> WriteSummary:
        """Write upserts, then refs, then relationships; one statement per group."""
        total = WriteSummary()
        params = {"reg": f"{self.register}#"}
        for label, g in self.upserts.items():
            total.add(_write(store, upsert_cypher(label), g, params))
        for label, g in self.refs.items():
            total.add(_write(store, ref_cypher(label), g, params))
        for (type_, a, b, on), g in self.rels.items():
            total.add(_write(store, rel_cypher(type_, a, b, on), g, params))
        return total


def _write(store: GraphStore, cypher: str, group: _Rows, params: dict[str, Any]) -> WriteSummary:
    rows = list(group.rows.values())
    # One statement per group: its rows are merged by key, so no two rows touch one node.
    return store.write_batches(cypher, rows, batch_size=max(len(rows), 1), params=params)
