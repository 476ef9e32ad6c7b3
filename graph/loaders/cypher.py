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
ON CREATE SET r.src = row.s ON MATCH SET r.src = CASE WHEN r.src IS NULL THEN row.s
ELSE r.src + [x IN row.s WHERE NOT x IN r.src] END
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
    return f"{v}.{prop} + [x IN {items} WHERE NOT x IN {v}.{prop}]"


def _merge_sets(v: str, src: str, *, create: str = "", first_of_register: bool = False) -> str:
    """``ON CREATE`` / ``ON MATCH`` of a MERGE: a new element takes the row's ``src``
    (and ``create`` values); an existing one gains the entries it lacks. The plain
    assignment on create is most of a first load, and cheaper than the union."""
    on_create = ", ".join([*([f"{v} += {create}"] if create else []), f"{v}.src = {src}"])
    if first_of_register:
        # A referenced node keeps the first row of each register that named it, not
        # every row: a village named by a million household rows must not carry a
        # million entries.
        on_match = (
            f"{v}.src = CASE WHEN any(s IN coalesce({v}.src, []) WHERE s STARTS WITH $reg) "
            f"THEN {v}.src ELSE coalesce({v}.src, []) + {src} END"
        )
    else:
        on_match = (
            f"{v}.src = CASE WHEN {v}.src IS NULL THEN {src} ELSE {_union(v, 'src', src)} END"
        )
    return f"ON CREATE SET {on_create} ON MATCH SET {on_match}"


def _sets(v: str, props: str | None, warnings: str | None) -> str:
    """The ``SET`` that follows a MERGE: properties, then warnings appended."""
    parts = [f"{v} += {props}"] if props else []
    if warnings:
        items = f"coalesce({warnings}, [])"  # rows without warnings leave the key out
        parts.append(
            f"{v}.warnings = CASE WHEN size({items}) = 0 THEN {v}.warnings "
            f"WHEN {v}.warnings IS NULL THEN {items} ELSE {_union(v, 'warnings', items)} END"
        )
    return f" SET {', '.join(parts)}" if parts else ""


def _merge_key(label: str, var: str, value: str) -> str:
    return f"({var}:{label} {{{sch.node(label).key}: {value}}})"


@lru_cache(maxsize=512)
def node_statement(
    label: str, *, create: bool, props: bool, warnings: bool, slots: tuple[Slot, ...] = ()
) -> str:
    create_map = "coalesce(row.c, {})" if create else ""
    parts = [
        f"UNWIND $rows AS row MERGE {_merge_key(label, 'n', 'row.k')} "
        + _merge_sets("n", "row.s", create=create_map)
        + _sets("n", "row.p" if props else None, "row.w" if warnings else None)
    ]
    for i, s in enumerate(slots):
        x = s.param
        ident = ", ".join(f"{p}: row.m{x}_{j}" for j, p in enumerate(s.on))
        rel = f"[r{i}:{s.type}{' {' + ident + '}' if ident else ''}]"
        pattern = f"(n)-{rel}->(o{i})" if s.outgoing else f"(o{i})-{rel}->(n)"
        parts.append(
            f"WITH n, row MATCH {_merge_key(s.other, f'o{i}', f'row.o{x}')} MERGE {pattern} "
            + _merge_sets(f"r{i}", f"coalesce(row.s{x}, row.s)")
            + _sets(
                f"r{i}",
                f"coalesce(row.p{x}, {{}})" if s.props else None,
                f"row.w{x}" if s.warnings else None,
            )
        )
    return " ".join(parts)


@lru_cache(maxsize=128)
def ref_statement(label: str, *, create: bool) -> str:
    create_map = "coalesce(row.c, {})" if create else ""
    return f"UNWIND $rows AS row MERGE {_merge_key(label, 'n', 'row.k')} " + _merge_sets(
        "n", "row.s", create=create_map, first_of_register=True
    )


@lru_cache(maxsize=256)
def rel_statement(
    type_: str, start: str, end: str, on: tuple[str, ...], *, props: bool, warnings: bool
) -> str:
    ident = ", ".join(f"{p}: row.m{j}" for j, p in enumerate(on))
    rel = f"[r:{type_}{' {' + ident + '}' if ident else ''}]"
    return (
        f"UNWIND $rows AS row MATCH {_merge_key(start, 'a', 'row.a')} "
        f"MATCH {_merge_key(end, 'b', 'row.b')} MERGE (a)-{rel}->(b) "
        + _merge_sets("r", "row.s")
        + _sets("r", "coalesce(row.p, {})" if props else None, "row.w" if warnings else None)
    )
