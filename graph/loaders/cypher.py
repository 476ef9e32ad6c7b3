"""The loaders' Cypher, generated from the schema in the subset both engines run.

Three statement shapes (see :mod:`graph.loaders.batch` for when each is used):

- :func:`node_statement` — MERGE a node on its key, set its properties, append ``src``
  and ``warnings``, then MERGE the node's own relationships to nodes already written
  (one ``WITH n, row MATCH ... MERGE`` step per relationship: the node is looked up once);
- :func:`ref_statement` — MERGE a node a row only points at;
- :func:`rel_statement` — MATCH two nodes (two clauses, never comma-separated) and
  MERGE the relationship between them.

Appends are written so that running a statement twice changes nothing: a ``src`` entry
already present is not added again, and an empty warnings list leaves ``warnings`` as is.

>>> print(rel_statement("UNDER", "Disbursement", "Program", (), props=False, warnings=False))
... # doctest: +NORMALIZE_WHITESPACE
UNWIND $rows AS row MATCH (a:Disbursement {record_id: row.a})
MATCH (b:Program {program_code: row.b}) MERGE (a)-[r:UNDER]->(b)
SET r.src = coalesce(r.src, []) + [x IN row.s WHERE NOT x IN coalesce(r.src, [])]
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from graph import schema as sch


class Slot(NamedTuple):
    """One relationship folded into a node statement."""

    type: str
    outgoing: bool  # True: (node)-[:T]->(other); False: (other)-[:T]->(node)
    other: str  # label of the other end
    on: tuple[str, ...]  # properties the relationship is merged on
    props: bool  # some rows carry p<param>
    warnings: bool  # some rows carry w<param>
    param: str = "0"  # suffix of the row keys: o<param> (other end's key), p, s, w, m<param>_j


def _union(v: str, prop: str, items: str) -> str:
    keep = f"coalesce({v}.{prop}, [])"
    return f"{keep} + [x IN {items} WHERE NOT x IN {keep}]"


def _append(v: str, items: str) -> str:
    return f"{v}.src = {_union(v, 'src', items)}"


def _warn(v: str, items: str) -> str:
    items = f"coalesce({items}, [])"  # rows without warnings leave the key out
    return (
        f"{v}.warnings = CASE WHEN size({items}) = 0 THEN {v}.warnings "
        f"ELSE {_union(v, 'warnings', items)} END"
    )


def _first_of_register(v: str) -> str:
    # A referenced node keeps the first row of each register that named it, not every
    # row: a village named by a million household rows must not carry a million entries.
    return (
        f"{v}.src = CASE WHEN any(s IN coalesce({v}.src, []) WHERE s STARTS WITH $reg) "
        f"THEN {v}.src ELSE coalesce({v}.src, []) + row.s END"
    )


def _merge_key(label: str, var: str, value: str) -> str:
    return f"({var}:{label} {{{sch.node(label).key}: {value}}})"


@lru_cache(maxsize=512)
def node_statement(
    label: str, *, create: bool, props: bool, warnings: bool, slots: tuple[Slot, ...] = ()
) -> str:
    parts = [f"UNWIND $rows AS row MERGE {_merge_key(label, 'n', 'row.k')}"]
    if create:
        parts.append("ON CREATE SET n += coalesce(row.c, {})")
    sets = [*(["n += row.p"] if props else []), _append("n", "row.s")]
    if warnings:
        sets.append(_warn("n", "row.w"))
    parts.append("SET " + ", ".join(sets))
    for i, s in enumerate(slots):
        x = s.param
        ident = ", ".join(f"{p}: row.m{x}_{j}" for j, p in enumerate(s.on))
        rel = f"[r{i}:{s.type}{' {' + ident + '}' if ident else ''}]"
        pattern = f"(n)-{rel}->(o{i})" if s.outgoing else f"(o{i})-{rel}->(n)"
        rsets = [
            *([f"r{i} += coalesce(row.p{x}, {{}})"] if s.props else []),
            _append(f"r{i}", f"coalesce(row.s{x}, row.s)"),
        ]
        if s.warnings:
            rsets.append(_warn(f"r{i}", f"row.w{x}"))
        parts.append(
            f"WITH n, row MATCH {_merge_key(s.other, f'o{i}', f'row.o{x}')} "
            f"MERGE {pattern} SET {', '.join(rsets)}"
        )
    return " ".join(parts)


@lru_cache(maxsize=128)
def ref_statement(label: str, *, create: bool) -> str:
    on_create = " ON CREATE SET n += coalesce(row.c, {})" if create else ""
    return (
        f"UNWIND $rows AS row MERGE {_merge_key(label, 'n', 'row.k')}{on_create} "
        f"SET {_first_of_register('n')}"
    )


@lru_cache(maxsize=256)
def rel_statement(
    type_: str, start: str, end: str, on: tuple[str, ...], *, props: bool, warnings: bool
) -> str:
    ident = ", ".join(f"{p}: row.m{j}" for j, p in enumerate(on))
    rel = f"[r:{type_}{' {' + ident + '}' if ident else ''}]"
    sets = [*(["r += coalesce(row.p, {})"] if props else []), _append("r", "row.s")]
    if warnings:
        sets.append(_warn("r", "row.w"))
    return (
        f"UNWIND $rows AS row MATCH {_merge_key(start, 'a', 'row.a')} "
        f"MATCH {_merge_key(end, 'b', 'row.b')} MERGE (a)-{rel}->(b) SET {', '.join(sets)}"
    )
