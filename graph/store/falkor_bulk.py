"""FalkorDB's ``GRAPH.BULK``: a whole graph created from binary tokens (a first load).

The command (FalkorDB ``src/bulk_insert``, the format its ``falkordb-bulk-loader`` sends)::

    GRAPH.BULK <graph> [BEGIN] <nodes> <edges> <node tokens> <edge tokens> <token>...

``BEGIN`` on the first call creates the graph and is refused if its key exists (here the
graph is created empty with its indexes first, and the calls go without it). A token
is one label (or relationship type): its name and property names, NUL-terminated after
a 4-byte count, then its entities — for a relationship first the 8-byte ids of its ends
— each with one typed value per property: a type byte (0 null, the property is left
out; 1 bool; 2 double; 3 string, NUL-terminated; 4 64-bit integer; 5 array: 8-byte
length and typed values). Numbers are in the engine's byte order, which is this
machine's: the embedded engine runs here. Nodes get ids in the order they are created,
from 0 in a new graph, so relationships name their ends by position.
"""

from __future__ import annotations

import struct
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import redis

from graph.errors import GuanxiError, QueryError
from graph.store.base import NodeGroup, RelGroup, WriteSummary

if TYPE_CHECKING:
    from graph.store.falkor import FalkorStore

# A call's payload: big enough that calls are few, small enough for the server's
# 512 MB string and 1 GB query buffer limits with room to spare.
CALL_BYTES = 64 << 20
_ORDER: Any = sys.byteorder
_DOUBLE = struct.Struct("=d")
_NULL, _TRUE, _FALSE = b"\x00", b"\x01\x01", b"\x01\x00"
_ONE_STRING = b"\x05" + (1).to_bytes(8, _ORDER) + b"\x03"  # an array of one string

Progress = Callable[[int], None]  # told how many entities went out


def bulk_create(
    store: FalkorStore,
    nodes: Sequence[NodeGroup],
    relationships: Sequence[RelGroup],
    progress: Progress | None = None,
) -> WriteSummary:
    """Create the graph of ``store`` (empty) with its indexes and constraints, then fill
    it from the groups."""
    t0 = time.perf_counter()
    if store.count() or store.count_relationships():
        raise GuanxiError(f"bulk create needs an empty graph; {store.graph_name} has data")
    store.clear()
    # A new graph (no node ever deleted, so ids start at 0) with its indexes: GRAPH.BULK
    # fills them as it goes, and the graph is ready when it returns. Indexes created
    # after the data are built in the background, and took longer (measured: 50,000
    # persons, 24 s against 11.5 s to the graph ready).
    store.ensure_schema()
    call = _Call(store, progress)
    try:
        for g in nodes:
            call.token(g.label, g.columns, ((None, row) for row in g.rows), g.count)
        for r in relationships:
            rows = (((a, b), row) for a, b, row in r.rows)
            call.token(r.type, r.columns, rows, r.count, edges=True)
        call.send()
        call.wait()
    finally:
        call.pool.shutdown(wait=True)
    return WriteSummary(
        rows=call.nodes + call.edges,
        batches=call.calls,
        nodes_created=call.nodes,
        relationships_created=call.edges,
        seconds=time.perf_counter() - t0,
    )


class _Call:
    """Tokens waiting to go out in one ``GRAPH.BULK`` call."""

    def __init__(self, store: FalkorStore, progress: Progress | None) -> None:
        self.store, self.progress = store, progress
        # One call goes out on a thread while the next is encoded: the engine inserts
        # on one core, Python encodes on the other.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guanxi-bulk")
        self.inflight: Future[int] | None = None
        self.node_tokens: list[bytes] = []
        self.edge_tokens: list[bytes] = []
        self.pending_nodes = self.pending_edges = 0
        self.size = 0
        self.nodes = self.edges = self.calls = 0

    def token(
        self,
        name: str,
        columns: Sequence[str],
        rows: Any,
        count: int,
        *,
        edges: bool = False,
    ) -> None:
        header = _header(name, columns)
        buf = bytearray(header)
        n = 0
        for ends, row in rows:
            if ends is not None:
                buf += ends[0].to_bytes(8, _ORDER)
                buf += ends[1].to_bytes(8, _ORDER)
            get = row.get
            for c in columns:
                # Inline the common values (strings, absent ones, src lists): a call
                # per value is most of the encoding time.
                v = get(c)
                if v is None:
                    buf += _NULL
                elif type(v) is str and "\x00" not in v:
                    buf += b"\x03"
                    buf += v.encode()
                    buf += _NULL
                elif type(v) is list and len(v) == 1 and type(v[0]) is str and "\x00" not in v[0]:
                    buf += _ONE_STRING
                    buf += v[0].encode()
                    buf += _NULL
                else:
                    _value(buf, v)
            n += 1
            if len(buf) + self.size >= CALL_BYTES:
                self._add(bytes(buf), n, edges)
                self.send()
                buf, n = bytearray(header), 0
        if n:
            self._add(bytes(buf), n, edges)

    def _add(self, token: bytes, n: int, edges: bool) -> None:
        (self.edge_tokens if edges else self.node_tokens).append(token)
        if edges:
            self.pending_edges += n
        else:
            self.pending_nodes += n
        self.size += len(token)

    def send(self) -> None:
        if not (self.node_tokens or self.edge_tokens):
            return
        args: list[Any] = [self.pending_nodes, self.pending_edges, len(self.node_tokens)]
        args += [len(self.edge_tokens), *self.node_tokens, *self.edge_tokens]
        self.wait()  # calls go in order: relationships name nodes of earlier calls
        self.inflight = self.pool.submit(self._run, args, self.pending_nodes + self.pending_edges)
        self.nodes += self.pending_nodes
        self.edges += self.pending_edges
        self.calls += 1
        self.node_tokens, self.edge_tokens = [], []
        self.pending_nodes = self.pending_edges = self.size = 0

    def _run(self, args: list[Any], entities: int) -> int:
        try:
            self.store._db.connection.execute_command("GRAPH.BULK", self.store.graph_name, *args)
        except redis.exceptions.ResponseError as e:
            raise QueryError(f"GRAPH.BULK failed: {e}", "GRAPH.BULK") from e
        return entities

    def wait(self) -> None:
        """Wait for the call on its way, raising its error."""
        if self.inflight is not None:
            done = self.inflight.result()
            self.inflight = None
            if self.progress:
                self.progress(done)


def _header(name: str, columns: Sequence[str]) -> bytes:
    parts = [_cstr(name), len(columns).to_bytes(4, _ORDER), *(_cstr(c) for c in columns)]
    return b"".join(parts)


def _cstr(text: str) -> bytes:
    data = text.encode()
    if b"\x00" in data:
        # The format ends strings at NUL; the value would be cut short without a word.
        raise GuanxiError(f"a value holds a NUL character, which GRAPH.BULK cannot carry: {text!r}")
    return data + b"\x00"


def _value(buf: bytearray, v: Any) -> None:
    t = type(v)
    if t is str:
        buf += b"\x03"
        buf += _cstr(v)
    elif v is None:
        buf += _NULL
    elif t is int:
        buf += b"\x04"
        buf += v.to_bytes(8, _ORDER, signed=True)
    elif t is list or t is tuple:
        buf += b"\x05"
        buf += len(v).to_bytes(8, _ORDER)
        for x in v:
            _value(buf, x)
    elif t is bool:
        buf += _TRUE if v else _FALSE
    elif t is float:
        buf += b"\x02"
        buf += _DOUBLE.pack(v)
    elif isinstance(v, Mapping):
        raise GuanxiError(f"a map cannot be a property value: {v!r}")
    else:
        raise GuanxiError(f"no GRAPH.BULK type for {t.__name__} value {v!r}")
