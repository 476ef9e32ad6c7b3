"""The sealed store: confidential values, kept out of the graph that Cypher reads.

A whistleblower's name and phone (properties of the ``confidential`` privacy class in
:mod:`graph.schema`) cannot be protected by filtering what queries return: ``'' +
properties(c)`` turns a node into a string no filter recognises, and a join on the name
finds the person it belongs to. So they never reach the graph. The loaders hand them to
this store — one table, ``sealed_values``, in the relational database the API uses
(``GUANXI_DATABASE_URL``; SQLite under the data directory by default) — and only the
complaint-handler path of the API reads it back.

A value is addressed by the node it belongs to (label and key) and its property name.
Writing is an upsert, so loading the same folder twice leaves the same rows; a blank
cell never reaches here, so a later extract without a reporter keeps the earlier one,
as the graph keeps its other properties.

>>> s = SealedStore("sqlite://")
>>> s.put([("Complaint", "JB1", {"reporter_name": "王某", "reporter_phone": "139"})])
2
>>> s.put([("Complaint", "JB1", {"reporter_name": "王某某"})])
1
>>> s.get("Complaint", ["JB1", "JB2"])
{'JB1': {'reporter_name': '王某某', 'reporter_phone': '139'}}
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    inspect,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from graph import schema as sch
from graph.store.base import GraphStore

__all__ = ["SealedStore", "confidential_props", "seal_graph"]

_meta = MetaData()
SEALED = Table(
    "sealed_values",
    _meta,
    Column("label", String(64), primary_key=True),
    # Unbounded: a property name is also an unknown column's header (x_<header>), as long
    # as the register's author typed it, and a key is whatever the register holds.
    Column("node_key", Text, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("stored_at", String(40), nullable=False),
)
# Rows per statement: SQLite allows 32,766 bound values; five per row.
_CHUNK = 1000


@cache
def confidential_props(label: str) -> frozenset[str]:
    """The properties of ``label`` that belong in the sealed store, not the graph.

    >>> sorted(confidential_props("Complaint"))
    ['reporter_name', 'reporter_phone']
    >>> confidential_props("Person")
    frozenset()
    """
    nt = sch.NODES.get(label)
    if nt is None:
        return frozenset()
    return frozenset(p.name for p in nt.props if p.privacy is sch.Privacy.CONFIDENTIAL)


class SealedStore:
    """Confidential values by ``(label, key, property)`` in a SQLAlchemy database."""

    def __init__(self, db: str | Engine) -> None:
        if isinstance(db, str):
            kwargs: dict[str, Any] = {}
            if db in ("sqlite://", "sqlite:///:memory:"):
                kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
            elif db.startswith("sqlite"):
                kwargs = {"connect_args": {"timeout": 30}}
            self.engine = create_engine(db, **kwargs)
            self._own = True
        else:
            self.engine, self._own = db, False
        self._ready = False
        self._lock = threading.Lock()

    def _create(self) -> None:
        with self._lock:
            if not self._ready:
                _meta.create_all(self.engine)
                _widen(self.engine)
                self._ready = True

    def put(self, rows: Iterable[tuple[str, str, Mapping[str, Any]]]) -> int:
        """Store ``(label, key, {property: value})`` rows; the number of values written."""
        values = [
            {"label": label, "node_key": str(key), "name": name, "value": str(value)}
            for label, key, props in rows
            for name, value in props.items()
            if value is not None and value != ""
        ]
        if not values:
            return 0
        self._create()
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        cols = (SEALED.c.label, SEALED.c.node_key, SEALED.c.name)
        with self.engine.begin() as conn:
            for i in range(0, len(values), _CHUNK):
                chunk = values[i : i + _CHUNK]
                # Delete then insert, in one transaction: an upsert every dialect runs.
                ids = {(v["label"], v["node_key"], v["name"]) for v in chunk}
                conn.execute(delete(SEALED).where(tuple_(*cols).in_(list(ids))))
                latest = {(v["label"], v["node_key"], v["name"]): v for v in chunk}
                conn.execute(insert(SEALED), [{**v, "stored_at": at} for v in latest.values()])
        return len({(v["label"], v["node_key"], v["name"]) for v in values})

    def get(self, label: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
        """The sealed values of these nodes, by key (nodes without any are left out)."""
        wanted = sorted({str(k) for k in keys})
        if not wanted:
            return {}
        self._create()
        out: dict[str, dict[str, str]] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _CHUNK):
                q = select(SEALED.c.node_key, SEALED.c.name, SEALED.c.value).where(
                    SEALED.c.label == label, SEALED.c.node_key.in_(wanted[i : i + _CHUNK])
                )
                for key, name, value in conn.execute(q):
                    out.setdefault(key, {})[name] = value
        return out

    def count(self) -> int:
        self._create()
        with self.engine.connect() as conn:
            return len(conn.execute(select(SEALED.c.name)).all())

    def clear(self) -> None:
        """Forget every sealed value (``guanxi load --fresh`` empties the graph too)."""
        self._create()
        with self.engine.begin() as conn:
            conn.execute(delete(SEALED))

    def close(self) -> None:
        if self._own:
            self.engine.dispose()


def _widen(engine: Engine) -> None:
    """Make the bounded columns of a table an older version made (String(64) names,
    String(200) keys) unbounded. SQLite never enforced the bounds: nothing to do there."""
    if engine.dialect.name != "postgresql":
        return
    bounded = [
        c["name"]
        for c in inspect(engine).get_columns(SEALED.name)
        if c["name"] in ("node_key", "name") and getattr(c["type"], "length", None) is not None
    ]
    if bounded:
        alter = ", ".join(f"ALTER COLUMN {c} TYPE text" for c in bounded)
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {SEALED.name} {alter}"))


def seal_graph(store: GraphStore, sealed: SealedStore | None) -> int:
    """Move confidential properties found in the graph into the sealed store.

    A graph loaded before the sealed store existed (or written by hand) may still carry
    them, and the unknown columns (``x_…``) of a label with confidential properties (an
    extra ``举报人身份证`` of complaints); this takes them out, so no query can read them.
    Without a sealed store the values are removed all the same: in the graph they are
    readable by every analyst. Returns the number of nodes changed.
    """
    moved = 0
    for label in sch.NODES:
        secret = confidential_props(label)
        if not secret:
            continue
        extras = store.read(
            f"MATCH (n:{label}) UNWIND keys(n) AS k WITH DISTINCT k "
            "WHERE k STARTS WITH $x RETURN k",
            {"x": sch.EXTRA_PREFIX},
        )
        names = sorted(secret | {str(r["k"]) for r in extras})
        key = sch.NODES[label].key
        props = [f"n.`{n.replace('`', '``')}`" for n in names]
        found = " OR ".join(f"{p} IS NOT NULL" for p in props)
        cols = ", ".join(f"{p} AS v{i}" for i, p in enumerate(props))
        rows = store.read(f"MATCH (n:{label}) WHERE {found} RETURN n.{key} AS k, {cols}")
        if not rows:
            continue
        if sealed is not None:
            sealed.put(
                (label, str(r["k"]), {n: r[f"v{i}"] for i, n in enumerate(names)}) for r in rows
            )
        store.write(f"MATCH (n:{label}) WHERE {found} REMOVE " + ", ".join(props))
        moved += len(rows)
    return moved
