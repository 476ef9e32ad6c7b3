"""A first load into an empty graph, built on disk and created in one go.

Writing a county statement by statement makes the engine look up every node it merges
(a million-person county: 2.9 million rows, 3.2 million nodes and 10.6 million
relationships, most of its load time spent in MERGE). Into an empty graph nothing needs
looking up in the engine: :class:`DiskGraph` applies each chunk's planned statements
(:meth:`graph.loaders.batch.Batch.plan`) to a graph kept in a scratch SQLite file, with
the effect the MERGE statements of :mod:`graph.loaders.cypher` have, row for row:

- a node is found by its label and key, or created with its key, its ``create`` values
  and ``src``; a found node gains the ``src`` entries it lacks (a *ref* only the first
  row of each register: if no entry of ``register#`` is there yet);
- ``SET n += props`` (blank cells never reach ``props``, so never erase), then the row's
  warnings are appended where missing;
- a relationship is merged on its type, its ends and its ``on`` properties: every
  matching one gains ``src``, props and warnings as above, or one is created; a
  relationship whose other end does not exist is skipped (the statement's ``MATCH``
  finds nothing), and so are the row's relationships after it.

At the end :meth:`DiskGraph.groups` streams the graph, label by label and type by type,
to the store's bulk insert: FalkorDB's ``GRAPH.BULK`` into a graph created with its
indexes, or the CSV files of ``neo4j-admin database import`` (graph.store.neo4j_import).

Memory: the graph lives in the file, not in Python. A label is a table (its nodes in
the order they were created, a unique index on the key), a relationship type a table
keyed on its ends (the end of the label made later first, so that new rows append);
properties are ``marshal`` bytes, which keep the Python types the engines are sent,
except a relationship's ``src``, kept as text (joined by :data:`SRC_SEP`) so that the
import files of relationships with nothing else are written by SQLite and the CSV
writer alone (:meth:`TableRows.src_rows`). SQLite's page cache is
capped (:data:`CACHE_MIB`) and the file is written without a journal or fsync: it is
scratch, removed by :meth:`DiskGraph.drop`. What Python holds is one chunk's rows and
the nodes and relationships they touch, plus a few numbers per label and type, so the
graph adds nothing per person to a load's peak.
Measured (bench/load.py, embedded engine, the whole loader process): 560 MiB of Python
RSS at 50,000 persons and 619 MiB at 200,000, where a graph held in Python dicts peaked
at 1.4 to 1.6 GiB at 200,000; the file takes about 1.6 kB of disk per person (TMPDIR
chooses where). The price is CPU: reading, validating and applying a 50,000-person county
took 17 s here against 12 s with dicts.

>>> from graph.loaders.batch import Batch
>>> b = Batch("persons")
>>> b.upsert("Household", "H1", {"address": "一组"}, src="persons#2")
>>> b.upsert("Person", "430422198001011235", {"name": "张三"}, src="persons#2")
>>> b.rel("MEMBER_OF", ("Person", "430422198001011235"), ("Household", "H1"),
...       {"relation_to_head": "户主"}, src="persons#2")
>>> g = DiskGraph()
>>> g.apply("persons", b.plan()).nodes_created
2
>>> g.node("Person", "430422198001011235")
{'id_number': '430422198001011235', 'src': ['persons#2'], 'name': '张三'}
>>> g.drop()
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from graph import schema as sch
from graph.loaders.batch import NodeWrite, RefWrite, RelWrite, Statement
from graph.store.base import ARRAY_DELIMITER, NodeGroup, RelGroup, WriteSummary

__all__ = ["CACHE_MIB", "SRC_SEP", "DiskGraph", "TableRows"]

Props = dict[str, Any]
# SQLite's page cache, the one part of the file held in this process: lookups of recent
# keys hit it, the rest of the file is read through the kernel's cache.
CACHE_MIB = 64
# Node ids: the label's number in the high bits, the node's row in its table below, so a
# relationship's end names its table and an id needs no look-up to find its position.
_SHIFT = 40
# Keys per ``IN (...)`` look-up, well under SQLite's limit on variables (32,766).
_LOOKUP = 4000

# A relationship's ``src`` entries are kept joined by this, the import files' array
# delimiter, so that they are written as they are (``register#row`` never holds it).
SRC_SEP = ARRAY_DELIMITER

_dumps, _loads = marshal.dumps, marshal.loads


def _union(have: list[str], items: list[str]) -> list[str]:
    """``have + [x IN items WHERE NOT x IN have]``, as a new list."""
    extra = [x for x in items if x not in have]
    return have + extra if extra else have


class _Node:
    """A node one statement touches: its id, properties and whether they changed."""

    __slots__ = ("dirty", "id", "new", "props")

    def __init__(self, nid: int, props: Props, new: bool) -> None:
        self.id, self.props, self.new, self.dirty = nid, props, new, new


class _Rel:
    """A relationship one statement touches: ``new`` in it, or ``dirty`` when it was
    there before and changed."""

    __slots__ = ("dirty", "end", "new", "props", "seq", "src", "start", "warnings")

    def __init__(
        self,
        seq: int,
        start: int,
        end: int,
        src: list[str],
        props: Props | None,
        warnings: list[str] | None = None,
        new: bool = False,
    ) -> None:
        self.seq, self.start, self.end = seq, start, end
        self.src, self.props, self.warnings = src, props, warnings
        self.new, self.dirty = new, False


class _Label:
    """A label's table: its number, the next row, and every property name seen."""

    def __init__(self, index: int, name: str) -> None:
        self.index, self.name, self.table = index, name, f"n{index}"
        self.key = sch.node(name).key
        self.count = 0
        self.columns: dict[str, None] = {}


class _Type:
    """A relationship type's table: the next row, every property name seen, and the end
    its key leads with (``lead``, ``s`` or ``e``)."""

    def __init__(self, index: int, name: str, lead: str) -> None:
        self.name, self.table, self.lead = name, f"r{index}", lead
        self.count = 0
        self.columns: dict[str, None] = {"src": None}
        self.warnings = False


class _Chunk:
    """What one chunk's statements touch, written back to the file after the last one."""

    def __init__(self, graph: DiskGraph) -> None:
        self.graph = graph
        self.nodes: dict[str, dict[Any, _Node]] = {}  # label → key → node
        self.node_ids: dict[str, dict[Any, int]] = {}  # label → key → id, of other ends
        self.rels: dict[str, dict[tuple[int, int], list[_Rel]]] = {}  # type → ends → rels
        self.created: set[int] = set()  # node ids new in this chunk
        self.created_rels: dict[str, list[_Rel]] = {}  # type → relationships new in it

    def fetch(self, label: str, keys: Iterable[Any]) -> dict[Any, _Node]:
        """The nodes of ``label`` under ``keys`` (those that exist), read once."""
        have = self.nodes.setdefault(label, {})
        want = [k for k in dict.fromkeys(keys) if k not in have]
        if want:
            have.update(self.graph._fetch_nodes(label, want))
        return have

    def ids(self, label: str, keys: Iterable[Any]) -> dict[Any, int]:
        """The ids of the nodes of ``label`` under ``keys`` (those that exist): the other
        ends of relationships, which need no properties read."""
        nodes = self.nodes.get(label, {})
        have = self.node_ids.setdefault(label, {})
        want = [k for k in dict.fromkeys(keys) if k not in have and k not in nodes]
        if want:
            have.update(self.graph._fetch_ids(label, want))
        for k, node in nodes.items():
            have.setdefault(k, node.id)
        return have

    def rels_between(self, type_: str, start: int, end: int) -> list[_Rel]:
        ends = self.rels.setdefault(type_, {})
        hit = ends.get((start, end))
        if hit is None:
            if start in self.created or end in self.created:
                hit = []  # a node new in this chunk has none but those already here
            else:
                hit = self.graph._fetch_rels(type_, start, end)
            ends[(start, end)] = hit
        return hit


class DiskGraph:
    """Nodes and relationships of a load in progress, as the MERGE statements leave them,
    in a scratch SQLite file under ``folder`` (the system's temporary folder by default)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = tempfile.TemporaryDirectory(
            prefix="guanxi-first-load-", dir=folder
        )
        self.path = Path(self._tmp.name) / "graph.sqlite"
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = FILE",
            f"cache_size = -{CACHE_MIB * 1024}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        # Variables a statement may take: the build's limit, at most 32,766 (SQLite's
        # default), which puts a chunk's 5,000 rows of a table in one or two statements.
        self._variables = min(self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)
        self.labels: dict[str, _Label] = {}
        self._by_index: list[_Label] = []
        self.types: dict[str, _Type] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guanxi-first-load")
        self._pending: Future[None] | None = None

    # -- tables ------------------------------------------------------------------------------
    def _label(self, name: str) -> _Label:
        lab = self.labels.get(name)
        if lab is None:
            self._wait()
            lab = self.labels[name] = _Label(len(self.labels), name)
            self._by_index.append(lab)
            self._db.execute(
                f"CREATE TABLE {lab.table} (seq INTEGER PRIMARY KEY, key UNIQUE, props BLOB)"
            )
        return lab

    def _type(self, name: str, start: int, end: int) -> _Type:
        """The table of type ``name``, made for a first relationship from ``start`` to
        ``end``."""
        t = self.types.get(name)
        if t is None:
            self._wait()
            # Keyed on the ends, for the MERGE look-up (``on`` values are compared in
            # Python on the few relationships between the same two nodes): one B-tree,
            # where a table and an index on it would be two to write. It leads with the
            # end of the label made later in the load, whose nodes are the newer ones (a
            # disbursement, not its recipient): a chunk's relationships then go at the
            # B-tree's end instead of all over it. Measured, 1.45 million rows in chunks
            # of 5,000: 1.7 s so, 7.8 s led by the recipient.
            lead = "e" if end >> _SHIFT > start >> _SHIFT else "s"
            t = self.types[name] = _Type(len(self.types), name, lead)
            key = "e, s" if lead == "e" else "s, e"
            self._db.execute(
                f"CREATE TABLE {t.table} (s INTEGER, e INTEGER, seq INTEGER, src TEXT, data BLOB, "
                f"PRIMARY KEY ({key}, seq)) WITHOUT ROWID"
            )
        return t

    def _by_key(self, label: str, columns: str, keys: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows (``key, seq, ...``) of the nodes of ``label`` under ``keys``, looked up in
        batches that stay under SQLite's limit on variables."""
        lab = self._label(label)
        self._wait()
        for i in range(0, len(keys), _LOOKUP):
            part = keys[i : i + _LOOKUP]
            marks = ",".join("?" * len(part))
            yield from self._db.execute(
                f"SELECT {columns} FROM {lab.table} WHERE key IN ({marks})", part
            )

    def _fetch_nodes(self, label: str, keys: list[Any]) -> dict[Any, _Node]:
        base = self._label(label).index << _SHIFT
        return {
            key: _Node(base | seq, _loads(blob), False)
            for key, seq, blob in self._by_key(label, "key, seq, props", keys)
        }

    def _fetch_ids(self, label: str, keys: list[Any]) -> dict[Any, int]:
        base = self._label(label).index << _SHIFT
        # The key's index holds the row number: the table itself is not read.
        return {key: base | seq for key, seq in self._by_key(label, "key, seq", keys)}

    def _fetch_rels(self, type_: str, start: int, end: int) -> list[_Rel]:
        t = self._type(type_, start, end)
        self._wait()
        sql = f"SELECT seq, src, data FROM {t.table} WHERE s = ? AND e = ?"
        out = []
        for seq, src, blob in self._db.execute(sql, (start, end)):
            out.append(_Rel(seq, start, end, *_rel_parts(src, blob)))
        return out

    # -- what the loaders ask ----------------------------------------------------------------
    def node(self, label: str, key: Any) -> Props | None:
        if label not in self.labels:
            return None
        found = self._fetch_nodes(label, [key]).get(key)
        return None if found is None else found.props

    def known(self, label: str, prop: str) -> dict[Any, Any]:
        """``MATCH (n:label) WHERE n.prop IS NOT NULL RETURN n.key, n.prop``."""
        lab = self.labels.get(label)
        if lab is None:
            return {}
        self._wait()
        out = {}
        for key, blob in self._db.execute(f"SELECT key, props FROM {lab.table} ORDER BY seq"):
            value = _loads(blob).get(prop)
            if value is not None:
                out[key] = value
        return out

    @property
    def node_count(self) -> int:
        return sum(lab.count for lab in self.labels.values())

    @property
    def relationship_count(self) -> int:
        return sum(t.count for t in self.types.values())

    # -- applying a chunk's statements -----------------------------------------------------
    def apply(self, register: str, plan: list[Statement]) -> WriteSummary:
        """Apply the statements in order, as :func:`graph.loaders.batch.execute` runs them.

        What they change is written to the file on a thread of its own, while the
        loader builds the next chunk (SQLite lets go of the interpreter as it writes).
        """
        nodes, rels = self.node_count, self.relationship_count
        work = _Chunk(self)
        for st in plan:
            shape = st.shape
            if isinstance(shape, RefWrite):
                self._refs(work, shape, st.rows, f"{register}#")
            elif isinstance(shape, NodeWrite):
                self._nodes(work, shape, st.rows)
            else:
                self._plain(work, shape, st.rows)
        self._wait()
        self._pending = self._pool.submit(self._flush, work)
        return WriteSummary(
            rows=sum(len(st.rows) for st in plan),
            batches=len(plan),
            nodes_created=self.node_count - nodes,
            relationships_created=self.relationship_count - rels,
        )

    def _wait(self) -> None:
        """Until the last chunk is in the file (raising its error): before any other use
        of the connection."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _new_node(
        self, work: _Chunk, label: str, key: Any, row: dict[str, Any], create: bool
    ) -> _Node:
        lab = self.labels.get(label) or self._label(label)
        nid = (lab.index << _SHIFT) | lab.count
        lab.count += 1
        props: Props = {lab.key: key}
        if create and "c" in row:
            props.update(row["c"])
        props["src"] = list(row["s"])
        node = work.nodes.setdefault(label, {})[key] = _Node(nid, props, True)
        work.created.add(nid)
        return node

    def _refs(self, work: _Chunk, shape: RefWrite, rows: list[dict[str, Any]], reg: str) -> None:
        have = work.fetch(shape.label, (row["k"] for row in rows))
        for row in rows:
            node = have.get(row["k"])
            if node is None:
                self._new_node(work, shape.label, row["k"], row, shape.create)
                continue
            props = node.props
            src: list[str] = props.get("src") or []
            # A node keeps the first row of each register that referenced it.
            if not any(s.startswith(reg) for s in src):
                props["src"] = src + row["s"]
                node.dirty = True

    def _nodes(self, work: _Chunk, shape: NodeWrite, rows: list[dict[str, Any]]) -> None:
        have = work.fetch(shape.label, (row["k"] for row in rows))
        slots = []
        for s in shape.slots:
            x = s.param
            keys = (f"o{x}", f"s{x}", f"p{x}", f"w{x}")
            others = work.ids(s.other, (row[keys[0]] for row in rows if keys[0] in row))
            kms = tuple(f"m{x}_{j}" for j in range(len(s.on)))
            slots.append((s, others, keys, kms))
        merge = self._merge
        for row in rows:
            node = have.get(row["k"])
            if node is None:
                node = self._new_node(work, shape.label, row["k"], row, shape.create)
            else:
                props = node.props
                src = props.get("src")
                props["src"] = list(row["s"]) if src is None else _union(src, row["s"])
                node.dirty = True
            props = node.props
            if shape.props:
                props.update(row["p"])
            if shape.warnings:
                _warn(props, row.get("w"))
            nid = node.id
            for s, others, (ko, ks, kp, kw), kms in slots:
                oid = others.get(row[ko])
                if oid is None:
                    break  # MATCH (o) found nothing: the row stops here
                merge(
                    work,
                    s.type,
                    *((nid, oid) if s.outgoing else (oid, nid)),
                    s.on,
                    tuple(row[k] for k in kms) if kms else (),
                    row.get(ks) or row["s"],
                    row.get(kp) if s.props else None,
                    row.get(kw) if s.warnings else None,
                )

    def _plain(self, work: _Chunk, shape: RelWrite, rows: list[dict[str, Any]]) -> None:
        starts = work.ids(shape.start, (row["a"] for row in rows))
        ends = work.ids(shape.end, (row["b"] for row in rows))
        n_on = range(len(shape.on))
        for row in rows:
            a, b = starts.get(row["a"]), ends.get(row["b"])
            if a is None or b is None:
                continue
            self._merge(
                work,
                shape.type,
                a,
                b,
                shape.on,
                tuple(row[f"m{j}"] for j in n_on),
                row["s"],
                row.get("p") if shape.props else None,
                row.get("w") if shape.warnings else None,
            )

    def _merge(
        self,
        work: _Chunk,
        type_: str,
        start: int,
        end: int,
        on: tuple[str, ...],
        ident: tuple[Any, ...],
        src: list[str],
        props: Props | None,
        warnings: list[str] | None,
    ) -> None:
        """``MERGE (a)-[r:T {on: ident}]->(b) ON CREATE SET r.src = src ON MATCH SET
        r.src = union SET r += props, r.warnings = union`` on every match."""
        between = work.rels_between(type_, start, end)
        if between:
            matches = [
                r
                for r in between
                if all((r.props or {}).get(p) == v for p, v in zip(on, ident, strict=True))
            ]
            for r in matches:
                r.src = _union(r.src, src)
                r.dirty = True
        else:
            matches = []
        if not matches:
            t = self.types.get(type_) or self._type(type_, start, end)
            ident_props = dict(zip(on, ident, strict=True)) if on else None
            rel = _Rel(t.count, start, end, src, ident_props, new=True)
            t.count += 1
            between.append(rel)
            work.created_rels.setdefault(type_, []).append(rel)
            if not (props or warnings):
                return  # most relationships: new, with nothing but src and ``on`` values
            matches.append(rel)
        for r in matches:
            if props:
                r.props = {**r.props, **props} if r.props else dict(props)
            if warnings:
                r.warnings = list(warnings) if r.warnings is None else _union(r.warnings, warnings)
            r.dirty = True

    def _flush(self, work: _Chunk) -> None:
        """Write what the chunk created or changed to the file, in one transaction."""
        db = self._db
        db.execute("BEGIN")
        try:
            self._write(work)
        finally:
            db.execute("COMMIT")

    def _write(self, work: _Chunk) -> None:
        for label, nodes in work.nodes.items():
            lab = self.labels[label]
            new, changed = [], []
            mask = (1 << _SHIFT) - 1
            cols = lab.columns
            for key, node in nodes.items():
                if not node.dirty:
                    continue
                props = node.props
                if not cols.keys() >= props.keys():
                    cols.update(dict.fromkeys(props))
                if node.new:
                    new.append((node.id & mask, key, _dumps(props)))
                else:
                    changed.append((node.id & mask, _dumps(props)))
            if new:
                self._many(f"INSERT INTO {lab.table} VALUES {{}}", 3, new)
            if changed:
                self._many(
                    f"UPDATE {lab.table} SET props = v.column2 FROM (VALUES {{}}) AS v "
                    f"WHERE {lab.table}.seq = v.column1",
                    2,
                    changed,
                )
        for type_, ends in work.rels.items():
            t = self.types[type_]
            cols = t.columns
            created = work.created_rels.get(type_, [])
            touched = [r for rels in ends.values() for r in rels if r.dirty and not r.new]
            for r in (*created, *touched):
                if r.props and not cols.keys() >= r.props.keys():
                    cols.update(dict.fromkeys(r.props))
                if r.warnings:
                    t.warnings = True
            if created:
                self._many(
                    f"INSERT INTO {t.table} VALUES {{}}",
                    5,
                    [(r.start, r.end, r.seq, *_rel_data(r)) for r in created],
                )
            if touched:
                self._many(
                    f"UPDATE {t.table} SET src = v.column4, data = v.column5 "
                    f"FROM (VALUES {{}}) AS v WHERE {t.table}.s = v.column1 "
                    f"AND {t.table}.e = v.column2 AND {t.table}.seq = v.column3",
                    5,
                    [(r.start, r.end, r.seq, *_rel_data(r)) for r in touched],
                )

    def _many(self, sql: str, width: int, rows: list[tuple[Any, ...]]) -> None:
        """``sql`` with the ``rows`` as its ``VALUES`` (``{}``), in as few statements as
        SQLite's limit on variables allows.

        Not ``executemany``: it lets go of the interpreter around every row, and this
        runs on a thread beside the loader's, which then holds it for up to a switch
        interval (5 ms) before this thread gets it back, row after row. Measured: a
        million inserts took 5 s alone, over ten minutes beside a busy thread; in one
        statement per 5,000 rows, 7 s beside it.
        """
        per = max(1, self._variables // width)
        one = "(" + ",".join("?" * width) + ")"
        for i in range(0, len(rows), per):
            part = rows[i : i + per]
            values = ",".join(itertools.repeat(one, len(part)))
            self._db.execute(sql.format(values), list(itertools.chain.from_iterable(part)))

    def drop(self) -> None:
        """Remove the file (the graph is in the store now, or the load failed)."""
        if self._tmp is None:
            return
        with contextlib.suppress(Exception):
            self._wait()  # a failed chunk has had its say: the load stopped on it
        self._pool.shutdown(wait=True)
        self._db.close()
        self._tmp.cleanup()
        self._tmp = None

    # -- handing over ------------------------------------------------------------------------
    def groups(self) -> tuple[list[NodeGroup], list[RelGroup]]:
        """Nodes by label and relationships by type, for ``GraphStore.bulk_create``.

        Nodes are numbered in the order the groups list them (each label's in the order
        they were created); relationships name their ends by those numbers. The rows are
        read from the file as the store consumes them (each group's rows are a
        :class:`TableRows`, which another process can read too, slice by slice).
        """
        self.release()
        offsets: list[int] = [0] * len(self._by_index)
        node_groups = []
        at = 0
        for lab in self._by_index:
            offsets[lab.index] = at
            if lab.count:
                at += lab.count
                node_groups.append(
                    NodeGroup(lab.name, tuple(lab.columns), lab.count, self._node_rows(lab))
                )
        rel_groups = []
        for t in self.types.values():
            if t.count:
                cols = (*t.columns, "warnings") if t.warnings else tuple(t.columns)
                rel_groups.append(RelGroup(t.name, cols, t.count, self._rel_rows(t, offsets)))
        return node_groups, rel_groups

    def _node_rows(self, lab: _Label) -> TableRows:
        return TableRows(str(self.path), lab.table, lab.count)

    def _rel_rows(self, t: _Type, offsets: list[int]) -> TableRows:
        return TableRows(str(self.path), t.table, t.count, tuple(offsets), t.lead)

    def release(self) -> None:
        """Let other connections read the file (the groups' rows are read through their
        own, in this process or another): written, it is no longer held exclusively."""
        self._wait()
        self._db.execute("PRAGMA locking_mode = NORMAL")
        self._db.execute("SELECT count(*) FROM sqlite_master").fetchall()  # drops the lock


@dataclass(frozen=True)
class TableRows:
    """The rows of one table of the scratch file (nodes when ``offsets`` is None, else
    relationships, their ends numbered with ``offsets``), or of the slice ``lo <= key <
    hi`` of it: ``seq`` for nodes, for relationships the id of the end their key leads
    with (``lead``). Read through a connection of its own, so a worker process can read a
    slice with nothing but this."""

    path: str
    table: str
    count: int
    offsets: tuple[int, ...] | None = None
    lead: str = "s"
    lo: int | None = None
    hi: int | None = None

    def __iter__(self) -> Iterator[Any]:
        with self._reading() as db:
            if self.offsets is None:
                yield from self._nodes(db)
            else:
                yield from self._rels(db, self.offsets)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of this process's own to the file."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            db.execute(f"PRAGMA cache_size = -{CACHE_MIB * 1024}")
            yield db
        finally:
            db.close()

    def _where(self, column: str) -> tuple[str, tuple[int, ...]]:
        if self.lo is None or self.hi is None:
            return "", ()
        return f" WHERE {column} >= ? AND {column} < ?", (self.lo, self.hi)

    def _nodes(self, db: sqlite3.Connection) -> Iterator[Props]:
        where, args = self._where("seq")
        for (blob,) in db.execute(f"SELECT props FROM {self.table}{where} ORDER BY seq", args):
            yield _loads(blob)

    def _rels(
        self, db: sqlite3.Connection, offsets: tuple[int, ...]
    ) -> Iterator[tuple[int, int, Props]]:
        mask = (1 << _SHIFT) - 1
        where, args = self._where(self.lead)
        # In the table's order (by their ends): the order of relationships is immaterial.
        sql = f"SELECT s, e, src, data FROM {self.table}{where}"
        for s, e, src, blob in db.execute(sql, args):
            sources, props, warnings = _rel_parts(src, blob)
            values: Props = {"src": sources}
            if props:
                values.update(props)
            if warnings:
                values["warnings"] = warnings
            yield offsets[s >> _SHIFT] + (s & mask), offsets[e >> _SHIFT] + (e & mask), values

    def src_rows(self) -> Iterator[tuple[int, int, str]]:
        """Relationships of a type whose only property is ``src``, as (start, end, the
        ``src`` entries joined by :data:`SRC_SEP`), made by SQLite alone: a writer that
        takes them as they come (``csv.writer.writerows``) runs no Python per row."""
        if self.offsets is None:
            raise TypeError("src_rows is for relationships")
        mask = (1 << _SHIFT) - 1

        def number(end: str) -> str:
            cases = " ".join(f"WHEN {i} THEN {base}" for i, base in enumerate(self.offsets or ()))
            return f"(CASE {end} >> {_SHIFT} {cases} END) + ({end} & {mask})"

        where, args = self._where(self.lead)
        with self._reading() as db:
            sql = f"SELECT {number('s')}, {number('e')}, src FROM {self.table}{where}"
            yield from db.execute(sql, args)

    def slices(self, parts: int) -> list[tuple[int, Iterable[Any]]]:
        """About ``parts`` slices of even size, with the position of each one's first row
        (nodes are numbered by it; a relationship's position does not matter)."""
        if parts <= 1 or self.count < 2 * parts:
            return [(0, self)]
        size = -(-self.count // parts)
        if self.offsets is None:  # seq runs 0 .. count - 1
            return [
                (lo, replace(self, lo=lo, hi=min(lo + size, self.count)))
                for lo in range(0, self.count, size)
            ]
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            lead = self.lead
            sql = f"SELECT {lead} FROM {self.table} ORDER BY {lead} LIMIT 1 OFFSET ?"
            at = range(size, self.count, size)
            cuts = sorted({db.execute(sql, (k,)).fetchone()[0] for k in at})
        finally:
            db.close()
        # Relationships with the same leading end stay in one slice: slices are cut there.
        bounds = [-1, *cuts, 1 << 62]
        return [
            (i * size, replace(self, lo=lo, hi=hi))
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        ]


def _rel_data(r: _Rel) -> tuple[str, bytes | None]:
    """A relationship's ``src`` and ``data`` columns: most have nothing but ``src``."""
    data = _dumps((r.props, r.warnings)) if r.props or r.warnings else None
    return SRC_SEP.join(r.src), data


def _rel_parts(src: str, data: bytes | None) -> tuple[list[str], Props | None, list[str] | None]:
    """``src``, properties and warnings back from the columns :func:`_rel_data` made."""
    props, warnings = (None, None) if data is None else _loads(data)
    return src.split(SRC_SEP), props, warnings


def _warn(props: Props, items: list[str] | None) -> None:
    if items:
        have = props.get("warnings")
        props["warnings"] = list(items) if have is None else _union(have, items)
