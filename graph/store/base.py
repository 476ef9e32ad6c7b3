"""The store interface every layer above the engines uses.

An adapter implements the primitives marked abstract below: ``_run`` (one statement,
rows converted to the plain shapes :class:`Node`, :class:`Relationship` and
:class:`Path`, engine errors wrapped as :mod:`graph.errors`), ``_ddl_for`` (index and
constraint statements in its dialect), ``_vet_read_only``, ``explain``, ``fulltext``,
``health``, ``clear`` and ``close``. The shared flow lives here in final template
methods (``read``, ``write``, ``write_batches`` with its chunking and NaN cleaning,
``read_only``, ``ensure_schema``), so callers never branch on the engine.

Some methods have a plain default that an adapter may replace with a faster path of its
own: ``read_columns`` and ``read_text`` (bulk reads for the projection and entity
resolution), ``bulk_create`` (a first load without Cypher, FalkorDB only), ``_run_ddl``,
``count`` and ``count_relationships``. This module imports no driver.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal, Protocol, TypedDict, final, runtime_checkable

from graph import schema as sch
from graph.errors import QueryError, Unsupported

Row = dict[str, Any]
#: The label of the partial-load mark, where an engine keeps it in the graph itself.
LOAD_MARK = "GuanxiLoad"
Columns = dict[str, list[Any]]


class NodeRef(TypedDict):
    """One end of a relationship: the first label of the node and its natural key."""

    label: str | None
    key: Any


class Node(TypedDict):
    """A node as every store returns it; ``key`` is its natural key, never an internal id."""

    _kind: Literal["node"]
    labels: list[str]
    key: Any
    properties: dict[str, Any]


class Relationship(TypedDict):
    """A relationship; its ends are ``None`` when the result does not hold them."""

    _kind: Literal["relationship"]
    type: str
    start: NodeRef | None
    end: NodeRef | None
    properties: dict[str, Any]


class Path(TypedDict):
    """A path: its nodes in order and the relationships between them."""

    _kind: Literal["path"]
    nodes: list[Node]
    relationships: list[Relationship]


class Subgraph(TypedDict):
    """Nodes and the relationships among them: what a neighbourhood query yields and the
    exporters take."""

    nodes: list[Node]
    relationships: list[Relationship]


@dataclass
class WriteSummary:
    """What a write did, summed over its batches."""

    rows: int = 0
    batches: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    seconds: float = 0.0
    # A bulk create's steps and their seconds (import files, neo4j-admin, start, indexes).
    stages: dict[str, float] = field(default_factory=dict)

    def add(self, other: WriteSummary) -> None:
        self.rows += other.rows
        self.batches += other.batches
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set
        self.seconds += other.seconds


@dataclass
class NodeGroup:
    """Nodes of one label for :meth:`GraphStore.bulk_create`: each row maps ``columns``
    to values (a missing or None value leaves the property out)."""

    label: str
    columns: Sequence[str]
    count: int
    rows: Iterable[Mapping[str, Any]]


@runtime_checkable
class Sliced(Protocol):
    """Rows a group can hand out in slices that another process can read (a group's
    ``rows`` may be one): ``slices`` gives each slice with the position of its first row
    in the group, in the group's order, each picklable and iterable on its own."""

    def slices(self, parts: int) -> list[tuple[int, Iterable[Any]]]: ...


# What joins a list property's items in bulk-import files (Neo4j's ``--array-delimiter``):
# a control character no register value holds.
ARRAY_DELIMITER = "\x1f"


@runtime_checkable
class SrcRows(Protocol):
    """Relationship rows that can also be had as (start, end, ``src``) when ``src`` is the
    type's only property, its entries joined by :data:`ARRAY_DELIMITER`, without a
    dictionary per row."""

    def src_rows(self) -> Iterable[tuple[int, int, str]]: ...


@dataclass
class RelGroup:
    """Relationships of one type for :meth:`GraphStore.bulk_create`: rows of (start,
    end, properties), the ends numbered by the order the node groups list the nodes."""

    type: str
    columns: Sequence[str]
    count: int
    rows: Iterable[tuple[int, int, Mapping[str, Any]]]


@dataclass
class Health:
    ok: bool
    engine: str
    version: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


class GraphStore(ABC):
    """A graph engine behind one small surface.

    Results are engine-neutral: each row is a ``dict`` of plain Python values; nodes come
    back as :class:`Node` (``{"_kind": "node", "labels": [...], "key": ...,
    "properties": {...}}``), relationships as :class:`Relationship` (``{"_kind":
    "relationship", "type": ..., "start": {"label": ..., "key": ...}, "end": {...},
    "properties": {...}}``) and paths as :class:`Path` (``{"_kind": "path", "nodes":
    [...], "relationships": [...]}``). A node's ``key`` is its natural key.
    """

    engine: str = ""
    #: Where the graph-version stamp is kept: the data directory (set by ``open_store``).
    stamp_dir: os.PathLike[str] | str | None = None

    # -- the graph version: what derived copies (name index, risk model) are stamped with ---
    def _stamp_file(self) -> Any:
        from pathlib import Path as _P

        if self.stamp_dir is None:
            return None
        name = getattr(self, "graph_name", None) or getattr(self, "database", None) or "graph"
        return _P(self.stamp_dir) / f"graph-version-{self.engine}-{name}"

    def graph_version(self) -> str | None:
        """A token that changes whenever a load, resolve or detect changes the graph
        (None without a data directory, or before the first change)."""
        f = self._stamp_file()
        if f is None:
            return None
        try:
            return str(f.read_text(encoding="utf-8")).strip() or None
        except FileNotFoundError:
            return None

    def bump_graph_version(self) -> None:
        """Mark the graph changed: copies stamped with the old version are stale."""
        import uuid

        f = self._stamp_file()
        if f is None:
            return
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f.name + f".{os.getpid()}.tmp")
        tmp.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(tmp, f)

    # -- primitives an adapter provides ---------------------------------------------------
    @abstractmethod
    def _run(
        self, cypher: str, params: Mapping[str, Any], *, write: bool, timeout: float | None
    ) -> tuple[list[Row], WriteSummary]:
        """Run one statement atomically; return plain rows. Raise GuanxiError subclasses."""

    @abstractmethod
    def _ddl_for(self, schema_nodes: Sequence[sch.NodeType]) -> list[str]:
        """Index / constraint statements for the given labels, in this engine's dialect."""

    @abstractmethod
    def _vet_read_only(
        self, cypher: str, params: Mapping[str, Any], timeout: float | None
    ) -> list[Row]:
        """Run untrusted Cypher so that it cannot write (plan check and/or read-only mode)."""

    @abstractmethod
    def explain(self, cypher: str, params: Mapping[str, Any] | None = None) -> str:
        """The engine's plan for a query, as text, without running it."""

    @abstractmethod
    def fulltext(self, label: str, text: str, limit: int = 20) -> list[Row]:
        """Full-text search on a label's full-text properties: rows of ``{node, score}``."""

    @abstractmethod
    def health(self) -> Health: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and relationship (tests and ``guanxi load --fresh``)."""

    @property
    def can_bulk_create(self) -> bool:
        """Whether :meth:`bulk_create` is available on this engine."""
        return False

    @property
    def graph_memory_limit(self) -> int | None:
        """Bytes the graph may fill in this engine's memory before writes are refused, when
        the engine holds the whole graph in memory under such a limit; None otherwise."""
        return None

    @property
    def bulk_replaces(self) -> bool:
        """Whether :meth:`bulk_create` with ``replace`` puts a new database in place of
        the old one, so a fresh load need not :meth:`clear` it first (Neo4j's offline
        import: deleting a county by Cypher takes minutes)."""
        return False

    def bulk_create(
        self,
        nodes: Sequence[NodeGroup],
        relationships: Sequence[RelGroup],
        progress: Callable[[int], None] | None = None,
        *,
        replace: bool = False,
    ) -> WriteSummary:
        """Create a whole graph in an empty store, without Cypher (a first load).

        Refused unless the store is empty, or ``replace`` is given on an engine that
        :attr:`bulk_replaces`; the graph is created with its indexes and constraints
        first, and they fill as the data goes in. ``progress`` is told how many nodes
        and relationships went out, as they go. Engines without such a path raise
        :class:`~graph.errors.Unsupported`.
        """
        raise Unsupported(f"{self.engine}: no bulk create")

    def read_columns(self, cypher: str, params: Mapping[str, Any], names: Sequence[str]) -> Columns:
        """A trusted read of scalar columns, column by column: ``{name: [value, ...]}``.

        ``names`` must be the statement's return columns, in order (a mismatch is a
        :class:`~graph.errors.QueryError`). This default transposes :meth:`read`; an
        adapter overrides it with a bulk path that builds no dict per row, for the
        projection's pulls of millions of rows.
        """
        rows = self.read(cypher, params)
        if rows and list(rows[0]) != list(names):
            raise QueryError(
                f"read_columns: the statement returns {list(rows[0])}, not {names}", cypher
            )
        return {n: [r[n] for r in rows] for n in names}

    def read_text(
        self, match: str, columns: Mapping[str, str], params: Mapping[str, Any]
    ) -> Columns:
        """Text columns ``name -> expression`` of every row that ``match`` yields.

        ``match`` is the statement up to its ``RETURN`` (``MATCH (n:Person)``); every
        expression must be text or null, and a null comes back as ``None``. This default
        is :meth:`read_columns` of ``match RETURN expression AS name, ...``; an adapter may
        join each column into one string on the server instead (FalkorDB does: a million
        keys cross as one reply).
        """
        ret = ", ".join(f"{e} AS {n}" for n, e in columns.items())
        return self.read_columns(f"{match} RETURN {ret}", params, list(columns))

    # -- the shared flow --------------------------------------------------------------------
    @final
    def read(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        """Run a trusted read query written by guanxi itself."""
        rows, _ = self._run(cypher, params or {}, write=False, timeout=timeout)
        return rows

    @final
    def write(self, cypher: str, params: Mapping[str, Any] | None = None) -> WriteSummary:
        """Run one write statement; it commits as a whole or not at all."""
        _, summary = self._run(cypher, params or {}, write=True, timeout=None)
        return summary

    @final
    def write_batches(
        self,
        cypher: str,
        rows: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 5000,
        params: Mapping[str, Any] | None = None,
    ) -> WriteSummary:
        """Run ``cypher`` (which must start ``UNWIND $rows AS row``) over ``rows`` in batches.

        Each batch is one atomic statement. A failure stops at the failing batch, whose rows
        are not written; earlier batches stay. Statements are written with MERGE so that
        running the same rows again completes the load without duplicates (neither engine
        can hold a million-row transaction cheaply, FalkorDB none spanning statements).
        """
        total = WriteSummary()
        extra = dict(params or {})
        for chunk in _chunks(rows, batch_size):
            _, s = self._run(cypher, {**extra, "rows": chunk}, write=True, timeout=None)
            s.rows = len(chunk)
            s.batches = 1
            total.add(s)
        return total

    @final
    def read_only(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = 30.0,
        row_limit: int = 10_000,
    ) -> list[Row]:
        """Run untrusted Cypher (analysts, the API): refused if it would write."""
        rows = self._vet_read_only(cypher, params or {}, timeout)
        return rows[:row_limit]

    @final
    def ensure_schema(self, labels: Iterable[str] | None = None) -> list[str]:
        """Create the schema's indexes and constraints if missing; return what was run."""
        nodes = [sch.node(lbl) for lbl in labels] if labels else list(sch.NODES.values())
        stmts = self._ddl_for(nodes)
        for stmt in stmts:
            self._run_ddl(stmt)
        return stmts

    def _run_ddl(self, stmt: str) -> None:
        self._run(stmt, {}, write=True, timeout=None)

    def count(self, label: str | None = None) -> int:
        q = f"MATCH (n:{label}) RETURN count(n) AS c" if label else "MATCH (n) RETURN count(n) AS c"
        return int(self.read(q)[0]["c"])

    def count_relationships(self, type_: str | None = None) -> int:
        pat = f"[r:{type_}]" if type_ else "[r]"
        return int(self.read(f"MATCH ()-{pat}->() RETURN count(r) AS c")[0]["c"])

    # -- the partial-load mark (graph.loaders.pipeline) ----------------------------------------
    def load_mark(self) -> dict[str, str] | None:
        """What an unfinished load left (``state``: ``loading`` or ``failed``, ``since``,
        ``error`` …), or None when the last load finished.

        Set before a load writes anything and removed when it completes, so a load that
        crashed, was killed or failed part way leaves the graph marked partial. Kept as
        one node in the graph here; an engine may keep it next to the graph instead.
        """
        rows = self.read(f"MATCH (m:{LOAD_MARK}) RETURN properties(m) AS p LIMIT 1")
        return {str(k): str(v) for k, v in rows[0]["p"].items()} if rows else None

    def set_load_mark(self, mark: Mapping[str, str] | None) -> None:
        """Set the partial-load mark to ``mark``, or remove it (``None``).

        A load sets it before writing and removes it when done: both change the graph
        version."""
        self.bump_graph_version()
        if mark is None:
            self.write(f"MATCH (m:{LOAD_MARK}) DELETE m")
        else:
            self.write(f"MERGE (m:{LOAD_MARK}) SET m = $mark", {"mark": dict(mark)})

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := [_clean_row(r) for r in islice(it, size)]:
        yield chunk


def _clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    # NaN from pandas would be stored as a float on one engine and refused by the other.
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def key_of(labels: Sequence[str], props: Mapping[str, Any]) -> Any:
    """Natural key of a node given its labels, from the schema."""
    for lbl in labels:
        nt = sch.NODES.get(lbl)
        if nt is not None:
            return props.get(nt.key)
    return None


def plain_node(labels: Sequence[str], props: Mapping[str, Any]) -> Node:
    return {
        "_kind": "node",
        "labels": list(labels),
        "key": key_of(labels, props),
        "properties": dict(props),
    }


def plain_relationship(
    type_: str,
    start: Node | None,
    end: Node | None,
    props: Mapping[str, Any],
) -> Relationship:
    """A relationship; endpoints are given by label and key when the result holds them."""

    def ref(n: Node | None) -> NodeRef | None:
        return (
            None
            if n is None
            else {"label": n["labels"][0] if n["labels"] else None, "key": n["key"]}
        )

    return {
        "_kind": "relationship",
        "type": type_,
        "start": ref(start),
        "end": ref(end),
        "properties": dict(props),
    }
