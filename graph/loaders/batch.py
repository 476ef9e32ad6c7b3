"""Collect a chunk's nodes and relationships, then write them with a few UNWIND statements.

Every loader builds graph rows through :class:`Batch` and never writes Cypher itself
(the statements come from :mod:`graph.loaders.cypher`). Three kinds of row:

- **upsert** — the entity a row describes (a Person from ``persons``, a Disbursement):
  ``SET n += props``; ``create`` values are set only when the node is new (a name from
  ``deaths`` never overwrites the household register's); ``register#row`` is appended
  to ``src`` and the row's warnings to ``warnings``.
- **ref** — an entity a row only points at (the Program of a disbursement): created if
  missing with ``create`` values; ``src`` gains the first ``register#row`` of each
  register that named it.
- **rel** — a relationship between nodes upserted or referenced in the same chunk.

Confidential properties (the ``confidential`` privacy class: a complaint's reporter)
never become graph rows: :meth:`Batch.upsert` sets them aside in ``sealed``, which the
load loop hands to the sealed store (:mod:`graph.store.sealed`), so no Cypher can read
them. So are the unknown columns (``x_…``) of a label that has confidential properties:
an extra ``举报人身份证`` column of complaints is as secret as the reporter's name.

Rows are merged by key within a chunk, so no two rows of one statement touch the same
node (FalkorDB applies an UNWIND's rows in a different order from Neo4j; merged rows
make the result the same on both) and shared keys cost one write.

Writing order: refs, then upserts label by label in the order the loader first named
them, then the remaining relationships. A relationship from or to a node upserted
earlier in the chunk is written by that node's statement (a *slot*, at most one per
relationship type, direction and other label), provided its other end is written
before; a disbursement and its six relationships are then one statement row instead
of seven, which is most of a large load's time. Rows are built in the form the
statements take, so planning a chunk only groups them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from graph import schema as sch
from graph.errors import SchemaError
from graph.loaders.cypher import Slot, node_statement, ref_statement, rel_statement
from graph.store.base import GraphStore, WriteSummary
from graph.store.sealed import confidential_props

Ref = tuple[str, str]  # (label, key value)
RelKey = tuple[str, str, str, tuple[str, ...]]  # (type, start label, end label, merged on)
SlotKey = tuple[str, bool, str, tuple[str, ...]]  # (type, outgoing, other label, merged on)


class RefWrite(NamedTuple):
    """A :func:`~graph.loaders.cypher.ref_statement`'s arguments."""

    label: str
    create: bool


class NodeWrite(NamedTuple):
    """A :func:`~graph.loaders.cypher.node_statement`'s arguments."""

    label: str
    create: bool
    props: bool
    warnings: bool
    slots: tuple[Slot, ...]


class RelWrite(NamedTuple):
    """A :func:`~graph.loaders.cypher.rel_statement`'s arguments."""

    type: str
    start: str
    end: str
    on: tuple[str, ...]
    props: bool
    warnings: bool


@dataclass
class Statement:
    """One statement of a chunk: its Cypher, its rows, and what it does as data, so a
    writer that builds the graph without Cypher (:mod:`graph.loaders.bulk`) applies the
    same rows with the same effect."""

    cypher: str
    rows: list[dict[str, Any]]
    shape: RefWrite | NodeWrite | RelWrite


def _present(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop empty values: a blank cell leaves the property as it was, never erases it.

    (``v or type(v) is not list`` is ``v != []`` without comparing every string to a
    list, which was a tenth of a large load's row building.)

    >>> _present({"a": None, "b": [], "c": "", "d": 0, "e": False, "f": ["x"]})
    {'c': '', 'd': 0, 'e': False, 'f': ['x']}
    """
    if not props:
        return {}
    return {k: v for k, v in props.items() if v is not None and (v or type(v) is not list)}


def _extend(into: list[str], items: list[str]) -> None:
    for i in items:
        if i not in into:
            into.append(i)


class Batch:
    """The graph rows built from one chunk of register rows.

    ``seen`` holds the nodes this register has already referenced in earlier chunks:
    referencing them again would change nothing, so it is skipped.

    >>> b = Batch("persons")
    >>> b.upsert("Person", "43042219900101123X", {"name": "张三"}, src="persons#2")
    >>> b.ref("Division", "430422101201", src="persons#2")
    >>> b.rel("LIVES_IN", ("Person", "43042219900101123X"), ("Division", "430422101201"),
    ...       src="persons#2")
    Traceback (most recent call last):
    graph.errors.SchemaError: LIVES_IN cannot go from Person to Division
    """

    _declared: ClassVar[dict[str, set[str]]] = {}
    _allowed: ClassVar[set[tuple[str, str, str]]] = set()
    _slot_ids: ClassVar[dict[SlotKey, int]] = {}
    _slot_keys: ClassVar[dict[int, tuple[str, str, str, str]]] = {}  # sid → o, p, s, w keys

    def __init__(self, register: str, seen: set[Ref] | None = None) -> None:
        self.register = register
        self.seen = seen if seen is not None else set()
        self.upserts: dict[str, dict[str, dict[str, Any]]] = {}
        self.refs: dict[str, dict[str, dict[str, Any]]] = {}
        self.rels: dict[RelKey, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._nodes: set[Ref] = set()
        self._slots: dict[Ref, dict[int, SlotKey]] = {}  # slots filled per upserted node
        self._plan: list[Statement] | None = None
        # (label, key) → confidential values, for the sealed store instead of the graph.
        self.sealed: dict[Ref, dict[str, Any]] = {}

    def __len__(self) -> int:
        nodes = sum(len(g) for g in (*self.upserts.values(), *self.refs.values()))
        return nodes + sum(len(g) for g in self.rels.values())

    @classmethod
    def _check(cls, owner: str, props: Mapping[str, Any]) -> None:
        if owner not in cls._declared:
            decl = sch.NODES[owner].props if owner in sch.NODES else sch.relationship(owner).props
            cls._declared[owner] = {p.name for p in decl}
        for name in props:
            if name not in cls._declared[owner] and not name.startswith(sch.EXTRA_PREFIX):
                raise SchemaError(f"{owner} has no property {name!r} in graph/schema.py")

    # -- building ------------------------------------------------------------------------
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
        p, c = _present(props), _present(create)
        self._check(label, p)
        self._check(label, c)
        secret = confidential_props(label)
        if secret:
            # A label that holds confidential values may hold them under a header the
            # contract does not know (举报人身份证): its unknown columns are sealed too.
            secret = secret | {k for k in (*p, *c) if k.startswith(sch.EXTRA_PREFIX)}
        if secret and not (secret.isdisjoint(p) and secret.isdisjoint(c)):
            held = self.sealed.setdefault((label, key), {})
            held.update({k: c.pop(k) for k in secret & c.keys()})
            held.update({k: p.pop(k) for k in secret & p.keys()})
        group = self.upserts.setdefault(label, {})
        row = group.get(key)
        if row is None:
            row = group[key] = {"k": key, "p": p, "s": [src]}
            if c:
                row["c"] = c
            if warnings:
                row["w"] = list(warnings)
            self._nodes.add((label, key))
            return
        # The same key twice in one chunk: as if the rows had been written in turn.
        for sid in self._slots.get((label, key), {}):
            row.setdefault(f"s{sid}", list(row["s"]))  # its relationships keep their rows
        row["p"].update(p)
        _extend(row["s"], [src])
        if warnings:
            _extend(row.setdefault("w", []), warnings)

    def needs(self, label: str, key: str) -> bool:
        """Whether a ref to this node would write anything (so its values are worth
        computing); either way the node counts as written for relationships."""
        node = (label, key)
        self._nodes.add(node)
        return not (node in self.seen or key in self.refs.get(label, ()))

    def ref(
        self, label: str, key: str, create: Mapping[str, Any] | None = None, *, src: str
    ) -> None:
        """A node this row points at: created with ``create`` if missing."""
        if not self.needs(label, key):
            return
        row: dict[str, Any] = {"k": key, "s": [src]}
        c = _present(create)
        if c:
            self._check(label, c)
            if not confidential_props(label).isdisjoint(c):
                raise SchemaError(f"a reference to {label} cannot carry confidential values")
            row["c"] = c
        self.refs.setdefault(label, {})[key] = row

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
        if (type_, start[0], end[0]) not in self._allowed:
            rt = sch.relationship(type_)
            if start[0] not in rt.sources or end[0] not in rt.targets:
                raise SchemaError(f"{type_} cannot go from {start[0]} to {end[0]}")
            self._allowed.add((type_, start[0], end[0]))
        if start not in self._nodes or end not in self._nodes:
            node = end if start in self._nodes else start
            raise SchemaError(f"{type_}: endpoint {node[0]} {node[1]!r} was not written")
        p = _present(props) if props else {}
        on: tuple[str, ...] = ()
        ident: tuple[Any, ...] = ()
        if p:
            self._check(type_, p)
            # A null cannot be merged on: such a row merges on the other properties only.
            on = tuple(m for m in merge_on if m in p)
            ident = tuple(p[m] for m in on)
        w = list(warnings) if warnings else []
        if self._slot(type_, start, end, on, ident, p, src, w):
            return
        self._plain((type_, start[0], end[0], on), start[1], end[1], ident, p, [src], w)

    def _slot(
        self,
        type_: str,
        start: Ref,
        end: Ref,
        on: tuple[str, ...],
        ident: tuple[Any, ...],
        p: dict[str, Any],
        src: str,
        w: list[str],
    ) -> bool:
        """Put the relationship on its upserted end's row, if that end has the slot free."""
        if start[1] in self.upserts.get(start[0], ()):
            center, other, outgoing = start, end, True
        elif end[1] in self.upserts.get(end[0], ()):
            center, other, outgoing = end, start, False
        else:
            return False
        slot = (type_, outgoing, other[0], on)
        sid = self._slot_ids.get(slot)
        if sid is None:
            sid = self._slot_ids[slot] = len(self._slot_ids)
            self._slot_keys[sid] = (f"o{sid}", f"p{sid}", f"s{sid}", f"w{sid}")
        ko, kp, ks, kw = self._slot_keys[sid]
        row = self.upserts[center[0]][center[1]]
        taken = self._slots.get(center)
        if taken is None:
            taken = self._slots[center] = {}
        elif sid in taken:
            if row[ko] != other[1] or _ident(row, sid, on) != ident:
                return False  # a second one of the slot: it goes on its own
            _extend(row.setdefault(ks, list(row["s"])), [src])
            row.setdefault(kp, {}).update(p)
            if w:
                _extend(row.setdefault(kw, []), w)
            return True
        taken[sid] = slot
        row[ko] = other[1]
        if p:
            row[kp] = p
        if w:
            row[kw] = w
        s = row["s"]
        if len(s) > 1 or s[0] != src:
            row[ks] = [src]
        if ident:
            for j, v in enumerate(ident):
                row[f"m{sid}_{j}"] = v
        return True

    def _plain(
        self,
        gk: RelKey,
        a: str,
        b: str,
        ident: tuple[Any, ...],
        p: dict[str, Any],
        src: list[str],
        w: list[str],
    ) -> None:
        group = self.rels.setdefault(gk, {})
        row = group.get((a, b, ident))
        if row is None:
            row = group[(a, b, ident)] = {"a": a, "b": b, "s": list(src)}
            if p:
                row["p"] = p
            if w:
                row["w"] = w
            for j, v in enumerate(ident):
                row[f"m{j}"] = v
            return
        row.setdefault("p", {}).update(p)
        _extend(row["s"], src)
        if w:
            _extend(row.setdefault("w", []), w)

    # -- planning ------------------------------------------------------------------------
    def plan(self) -> list[Statement]:
        """The statements that write this chunk, in order (see the module docstring).

        Planning moves relationships that cannot be slots to plain rows, so the chunk is
        planned once; later calls return the same statements.
        """
        if self._plan is None:
            self._plan = self._make_plan()
        return self._plan

    def _make_plan(self) -> list[Statement]:
        out: list[Statement] = []
        for label, refs in self.refs.items():
            ups = self.upserts.get(label, {})
            rows = [r for k, r in refs.items() if k not in ups]
            if rows:
                ref = RefWrite(label, _has(rows, "c"))
                out.append(Statement(ref_statement(label, create=ref.create), rows, ref))
        rank = {label: i for i, label in enumerate(self.upserts)}
        for label, nodes in self.upserts.items():
            shapes: dict[tuple[int, ...], list[dict[str, Any]]] = defaultdict(list)
            for key, row in nodes.items():
                slots = self._slots.get((label, key))
                shape = self._keep(label, key, row, slots, rank) if slots else ()
                shapes[shape].append(row)
            for shape, rows in shapes.items():
                out.append(self._node_statement(label, shape, rows))
        for (type_, a, b, on), group in self.rels.items():
            rows = list(group.values())
            rel = RelWrite(type_, a, b, on, _has(rows, "p"), _has(rows, "w"))
            cypher = rel_statement(type_, a, b, on, props=rel.props, warnings=rel.warnings)
            out.append(Statement(cypher, rows, rel))
        return out

    def _keep(
        self,
        label: str,
        key: str,
        row: dict[str, Any],
        slots: dict[int, SlotKey],
        rank: dict[str, int],
    ) -> tuple[int, ...]:
        """The slots a node's statement can write: the other end must be written before
        (a ref, or a node of a label upserted earlier); the rest become plain rows."""
        keep = []
        for sid, (type_, outgoing, other, on) in sorted(slots.items()):
            okey = row[f"o{sid}"]
            if okey not in self.upserts.get(other, ()) or (
                other != label and rank[other] < rank[label]
            ):
                keep.append(sid)
                continue
            vals = [row.pop(f"{x}{sid}", None) for x in ("o", "p", "s", "w")]
            ident = tuple(row.pop(f"m{sid}_{j}") for j in range(len(on)))
            ends = (label, other) if outgoing else (other, label)
            a, b = (key, okey) if outgoing else (okey, key)
            self._plain(
                (type_, *ends, on), a, b, ident, vals[1] or {}, vals[2] or row["s"], vals[3] or []
            )
        return tuple(keep)

    def _node_statement(
        self, label: str, shape: tuple[int, ...], rows: list[dict[str, Any]]
    ) -> Statement:
        ids = {sid: slot for slot, sid in self._slot_ids.items()}
        slots = tuple(
            Slot(
                *ids[sid],
                props=_has(rows, f"p{sid}"),
                warnings=_has(rows, f"w{sid}"),
                param=str(sid),
            )
            for sid in shape
        )
        node = NodeWrite(label, _has(rows, "c"), _has(rows, "p", True), _has(rows, "w"), slots)
        cypher = node_statement(
            label, create=node.create, props=node.props, warnings=node.warnings, slots=slots
        )
        return Statement(cypher, rows, node)

    def relationships(self) -> list[dict[str, Any]]:
        """Every relationship of the chunk, wherever it will be written (for inspection)."""
        ids = {sid: slot for slot, sid in self._slot_ids.items()}
        out = []
        for (label, key), slots in self._slots.items():
            row = self.upserts[label][key]
            for sid in slots:
                if f"o{sid}" not in row:
                    continue  # moved to a plain row by plan()
                type_, outgoing, other, on = ids[sid]
                ends = ((label, key), (other, row[f"o{sid}"]))
                out.append(
                    {
                        "type": type_,
                        "start": ends[0] if outgoing else ends[1],
                        "end": ends[1] if outgoing else ends[0],
                        "on": on,
                        "props": row.get(f"p{sid}", {}),
                        "src": row.get(f"s{sid}", row["s"]),
                        "warnings": row.get(f"w{sid}", []),
                    }
                )
        for (type_, a, b, on), group in self.rels.items():
            for row in group.values():
                out.append(
                    {
                        "type": type_,
                        "start": (a, row["a"]),
                        "end": (b, row["b"]),
                        "on": on,
                        "props": row.get("p", {}),
                        "src": row["s"],
                        "warnings": row.get("w", []),
                    }
                )
        return out

    def mark_seen(self) -> None:
        """Count this chunk's referenced nodes as written, for the chunks after it."""
        for label, refs in self.refs.items():
            self.seen.update((label, k) for k in refs)

    def write(self, store: GraphStore) -> WriteSummary:
        """Plan and write the chunk."""
        plan = self.plan()
        self.mark_seen()
        return execute(store, self.register, plan)


def _ident(row: dict[str, Any], sid: int, on: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(row[f"m{sid}_{j}"] for j in range(len(on)))


def _has(rows: list[dict[str, Any]], key: str, truthy: bool = False) -> bool:
    return any(row.get(key) for row in rows) if truthy else any(key in row for row in rows)


def execute(store: GraphStore, register: str, plan: list[Statement]) -> WriteSummary:
    """Run a chunk's statements in order, each as one batch."""
    total = WriteSummary()
    params = {"reg": f"{register}#"}
    for st in plan:
        total.add(
            store.write_batches(st.cypher, st.rows, batch_size=max(len(st.rows), 1), params=params)
        )
    return total
