"""FalkorDB adapter, reached over RESP with FalkorDB's own client.

Never the Bolt endpoint: measured, it splices parameters into the query text unescaped.
FalkorDB commits every statement on its own and undoes a statement that fails, so a batch
is atomic; there are no multi-statement transactions.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.query_result import parse_scalar
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph import schema as sch
from graph.errors import (
    EngineUnavailable,
    InvalidValue,
    QueryError,
    QueryMemoryExceeded,
    QueryTimeout,
    ReadOnlyViolation,
)
from graph.store.base import (
    Columns,
    GraphStore,
    Health,
    NodeGroup,
    RelGroup,
    Row,
    WriteSummary,
)
from graph.store.embedded import EmbeddedEngine, load_mark_key, module_version, read_load_mark
from graph.store.falkor_reply import Decoder
from graph.store.falkor_reply import check as check_reply
from graph.store.falkor_reply import stats as reply_stats

_CONSTRAINT = "GRAPH.CONSTRAINT"
# Compact-format cell types whose raw value is already the Python value: null, string,
# integer (the others — doubles as text, booleans, arrays, maps — need the parser).
_PLAIN = frozenset((1, 2, 3))
# Beyond the engine's own timeout, how long a caller waits for a reply: the engine does not
# count the time it spends parsing and planning (exponential in nesting depth).
_REPLY_GRACE = 5.0
# read_text's separator and null: ASCII's unit and record separators, which no cleaned
# register value holds (one that did would only cost the fast path).
_SEP, _NULL = "\x1f", "\x1e"


class FalkorStore(GraphStore):
    engine = "embedded"

    def __init__(self, engine: EmbeddedEngine, graph: str = "guanxi") -> None:
        self.server = engine
        a = engine.address
        try:
            if a.socket_path:
                self._db = FalkorDB(unix_socket_path=str(a.socket_path))
            else:
                self._db = FalkorDB(host="127.0.0.1", port=a.port)
            self._g = self._db.select_graph(graph)
        except redis.exceptions.ConnectionError as e:
            raise EngineUnavailable(
                f"cannot reach the embedded engine at {a.describe()}: {e}"
            ) from e
        self.graph_name = graph
        self._timed: dict[float, redis.Redis] = {}

    # -- primitives ----------------------------------------------------------------------------
    def _run(
        self, cypher: str, params: Mapping[str, Any], *, write: bool, timeout: float | None
    ) -> tuple[list[Row], WriteSummary]:
        t0 = time.perf_counter()
        try:
            reply = self._execute(cypher, params, write=write, timeout=timeout)
        except redis.exceptions.ResponseError as e:
            if not write and "empty key" in str(e):
                # The graph key does not exist until the first write; a read of a graph
                # that was never written is a read of an empty graph.
                self._g.query("RETURN 0")
                return self._run(cypher, params, write=False, timeout=timeout)
            raise _wrap(e, cypher) from e
        counts = reply_stats(reply)
        summary = WriteSummary(
            nodes_created=int(counts.get("nodes_created", 0)),
            relationships_created=int(counts.get("relationships_created", 0)),
            properties_set=int(counts.get("properties_set", 0)),
            seconds=time.perf_counter() - t0,
        )
        return Decoder(self._g).rows(reply), summary

    def _execute(
        self, cypher: str, params: Mapping[str, Any], *, write: bool, timeout: float | None
    ) -> list[Any]:
        """The raw compact reply (:mod:`graph.store.falkor_reply` decodes it)."""
        try:
            header = self._g._build_params_header(dict(params))
        except ValueError as e:
            # The client refuses what FalkorDB's parameter header cannot carry (an empty map
            # key, or one holding a backtick): the caller's input, not a server fault.
            raise InvalidValue("bad_parameter", f"parameters refused: {e}") from e
        if "\x00" in header:
            # The engine reads the query as a C string: a NUL ends it mid-parameter and
            # the parse error reads as a server fault.
            raise InvalidValue("bad_parameter", "a parameter holds a NUL character (0x00)")
        args: list[Any] = ["GRAPH.QUERY" if write else "GRAPH.RO_QUERY", self.graph_name]
        args += [header + cypher, "--compact"]
        conn = self._db.connection
        if timeout:
            timeout = min(timeout, self.server.limits.timeout_max)
            args += ["timeout", int(timeout * 1000)]
            conn = self._timed_connection(timeout)
        log_at = self.server.log_size() if not write else 0
        try:
            reply = conn.execute_command(*args)
        except redis.exceptions.TimeoutError as e:
            raise QueryTimeout(f"no answer from the engine in {timeout:.0f}s", cypher) from e
        except redis.exceptions.ConnectionError as e:
            if not write and self.server.died_out_of_memory(log_at):
                self.server.revive_in_background()
                raise QueryMemoryExceeded(
                    "the query asked for more memory than the engine may use "
                    f"({self.server.limits.address_space // 2**20} MB); the engine stopped "
                    "and is being restarted",
                    cypher,
                ) from e
            self.server.revive_in_background()
            raise EngineUnavailable(f"embedded engine connection lost: {e}") from e
        check_reply(reply)
        return list(reply)

    def _timed_connection(self, timeout: float) -> redis.Redis:
        """A connection whose reads give up ``_REPLY_GRACE`` after the query's own time
        limit: the engine's limit starts when execution starts, after parsing."""
        conn = self._timed.get(timeout)
        if conn is None:
            a = self.server.address
            # No retries: redis-py would send a query that timed out (or that brought the
            # server down) again, up to three times.
            opts: dict[str, Any] = {
                "socket_timeout": timeout + _REPLY_GRACE,
                "decode_responses": True,
            }
            opts["retry"] = Retry(NoBackoff(), 0)
            if a.socket_path:
                conn = redis.Redis(unix_socket_path=str(a.socket_path), **opts)
            else:
                conn = redis.Redis(host="127.0.0.1", port=a.port or 0, **opts)
            self._timed[timeout] = conn
        return conn

    def read_columns(self, cypher: str, params: Mapping[str, Any], names: Sequence[str]) -> Columns:
        """A read of scalar columns, column by column, without a Python object per cell.

        For the projection's bulk pulls (millions of rows): the reply is taken raw in the
        compact format and each column is cut out of it with one comprehension; cells of
        types other than null, string and integer go through the client's own parser.
        ``names`` must be the statement's return columns, in order.
        """
        try:
            reply = self._execute(cypher, params, write=False, timeout=None)
        except redis.exceptions.ResponseError as e:
            if "empty key" in str(e):
                return {n: [] for n in names}
            raise _wrap(e, cypher) from e
        if len(reply) < 3:
            return {n: [] for n in names}
        header, rows = reply[0], reply[1]
        got = [str(h[1]) for h in header]
        if got != list(names):
            raise QueryError(f"read_columns: the statement returns {got}, not {names}", cypher)
        out: Columns = {}
        for j, name in enumerate(names):
            cells = [r[j] for r in rows]
            if all(c[0] in _PLAIN for c in cells):
                out[name] = [c[1] for c in cells]
            else:
                out[name] = [c[1] if c[0] in _PLAIN else parse_scalar(c, self._g) for c in cells]
        return out

    @property
    def can_bulk_create(self) -> bool:
        return True

    @property
    def graph_memory_limit(self) -> int | None:
        return self.server.limits.maxmemory

    def bulk_create(
        self,
        nodes: Sequence[NodeGroup],
        relationships: Sequence[RelGroup],
        progress: Callable[[int], None] | None = None,
        *,
        replace: bool = False,
    ) -> WriteSummary:
        # GRAPH.BULK lives in its own module (graph.store.falkor_bulk). It needs an empty
        # graph whatever ``replace`` says: clearing one here is a single GRAPH.DELETE.
        from graph.store.falkor_bulk import bulk_create

        return bulk_create(self, nodes, relationships, progress)

    def read_text(
        self, match: str, columns: Mapping[str, str], params: Mapping[str, Any]
    ) -> Columns:
        """Text columns of every row ``match`` yields, each joined into one string.

        A million short strings cross as one reply instead of a million rows; a value that
        holds the separator (the split then miscounts) sends the read through
        :meth:`read_columns` instead.
        """
        names = list(columns)
        coll = ", ".join(
            f"collect(coalesce(toString({e}), $_null)) AS {n}" for n, e in columns.items()
        )
        joined = ", ".join(f"string.join({n}, $_sep) AS {n}" for n in names)
        q = f"{match} WITH {coll} RETURN size({names[0]}) AS _rows, {joined}"
        got = self.read_columns(q, {**params, "_sep": _SEP, "_null": _NULL}, ["_rows", *names])
        rows = int(got["_rows"][0]) if got["_rows"] else 0
        out: Columns = {}
        for n in names:
            parts = str(got[n][0]).split(_SEP) if rows else []
            if len(parts) != rows:
                ret = ", ".join(f"{e} AS {n}" for n, e in columns.items())
                return self.read_columns(f"{match} RETURN {ret}", params, names)
            out[n] = [None if x == _NULL else x for x in parts]
        return out

    def _run_ddl(self, stmt: str) -> None:
        try:
            if stmt.startswith(_CONSTRAINT):
                parts = stmt.split()
                self._db.connection.execute_command(*parts)
            else:
                self._g.query(stmt)
        except redis.exceptions.ResponseError as e:
            # Creating what exists is the normal case for an idempotent ensure_schema.
            msg = str(e).lower()
            if "already" not in msg and "exists" not in msg:
                raise QueryError(f"schema statement failed: {e}", stmt) from e

    def _ddl_for(self, schema_nodes: Sequence[sch.NodeType]) -> list[str]:
        # Only what is missing: FalkorDB writes even a refused schema command to its
        # append-only file, and each one is refused again, noisily, when it is replayed.
        have: set[tuple[str, str, str]] = set()
        for r in self.read("CALL db.indexes() YIELD label, properties, types"):
            for prop, kinds in (r["types"] or {}).items():
                have |= {(r["label"], prop, k) for k in kinds}
        for r in self.read("CALL db.constraints()"):
            have |= {(r["label"], prop, "UNIQUE") for prop in r["properties"]}
        stmts: list[str] = []
        for n in schema_nodes:
            # No index on a boolean: FalkorDB 4.16 answers `x = false` through one with no
            # rows at all (`= true` and `<> true` are right), so the property is scanned.
            props = [
                n.key,
                *(p.name for p in n.props if p.indexed and p.name != n.key and p.type != sch.Bool),
            ]
            stmts += [
                f"CREATE INDEX FOR (n:{n.label}) ON (n.{p})"
                for p in props
                if (n.label, p, "RANGE") not in have
            ]
            # A unique constraint needs the exact-match index above to exist first.
            if (n.label, n.key, "UNIQUE") not in have:
                stmts.append(
                    f"{_CONSTRAINT} CREATE {self.graph_name} UNIQUE NODE {n.label} "
                    f"PROPERTIES 1 {n.key}"
                )
            ft = [
                p.name for p in n.props if p.fulltext and (n.label, p.name, "FULLTEXT") not in have
            ]
            if ft:
                # The options map is honoured only on a label's first full-text index call.
                fields = ", ".join(f"'{f}'" for f in ft)
                stmts.append(
                    "CALL db.idx.fulltext.createNodeIndex("
                    f"{{label: '{n.label}', language: 'chinese'}}, {fields})"
                )
        return stmts

    def _vet_read_only(
        self, cypher: str, params: Mapping[str, Any], timeout: float | None
    ) -> list[Row]:
        # GRAPH.RO_QUERY refuses any statement that would write; checked on this engine.
        rows, _ = self._run(cypher, params, write=False, timeout=timeout)
        return rows

    def explain(self, cypher: str, params: Mapping[str, Any] | None = None) -> str:
        try:
            plan = self._g.explain(cypher, dict(params or {}))
        except redis.exceptions.ResponseError as e:
            raise _wrap(e, cypher) from e
        return str(plan)

    def fulltext(self, label: str, text: str, limit: int = 20) -> list[Row]:
        sch.node(label)  # refuse unknown labels before they reach the procedure call
        q = (
            "CALL db.idx.fulltext.queryNodes($label, $q) YIELD node, score "
            "RETURN node, score ORDER BY score DESC LIMIT $limit"
        )
        return self.read(q, {"label": label, "q": text, "limit": limit})

    def health(self) -> Health:
        # Load balancers and the API's /health ask often: one PING and MODULE LIST on the
        # store's own connection (the engine's ``status`` opens a new one and parses INFO).
        try:
            conn = self._db.connection
            conn.ping()
            version = module_version(conn)
        except Exception as e:
            self.server.revive_in_background()
            return Health(False, self.engine, detail={"error": str(e)})
        detail = {"address": self.server.address.describe(), "graph": self.graph_name}
        return Health(True, self.engine, version, detail)

    def load_mark(self) -> dict[str, str] | None:
        try:
            return read_load_mark(self._db.connection, self.graph_name)
        except redis.exceptions.RedisError as e:
            raise EngineUnavailable(f"cannot read the load mark: {e}") from e

    def set_load_mark(self, mark: Mapping[str, str] | None) -> None:
        self.bump_graph_version()  # a load starts or ends: derived copies are stale
        key = load_mark_key(self.graph_name)
        try:
            pipe = self._db.connection.pipeline(transaction=True)
            pipe.delete(key)
            if mark:
                pipe.hset(key, mapping=dict(mark))
            pipe.execute()
        except redis.exceptions.RedisError as e:
            raise EngineUnavailable(f"cannot set the load mark: {e}") from e

    def clear(self) -> None:
        try:
            self._g.delete()
        except redis.exceptions.ResponseError as e:
            if "empty key" not in str(e).lower() and "invalid graph" not in str(e).lower():
                raise QueryError(f"could not clear the graph: {e}") from e
        self._g = self._db.select_graph(self.graph_name)

    def close(self) -> None:
        # Closing a dead connection is not an error worth reporting.
        with contextlib.suppress(Exception):
            self._db.connection.close()
        for conn in self._timed.values():
            with contextlib.suppress(Exception):
                conn.close()


def _wrap(e: redis.exceptions.ResponseError, cypher: str) -> QueryError:
    msg = str(e)
    low = msg.lower()
    if "timed out" in low or "timeout" in low:
        return QueryTimeout(f"query timed out: {msg}", cypher)
    if "mem consumption exceeded capacity" in low:
        return QueryMemoryExceeded(
            "the query needs more memory than the engine allows one query "
            "(GUANXI_EMBEDDED_QUERY_MEMORY_MB); ask for less: aggregate, filter or LIMIT earlier",
            cypher,
        )
    if "maxmemory" in low or low.startswith("oom "):
        return QueryMemoryExceeded(
            "the engine's memory limit is reached (GUANXI_EMBEDDED_MEMORY_MB): "
            "writes are refused until it is raised or the graph made smaller",
            cypher,
        )
    if "read-only" in low or "ro_query" in low or "is to be executed only on read-only" in low:
        return ReadOnlyViolation(f"refused: the query would write ({msg})", cypher)
    return QueryError(f"FalkorDB error: {msg}", cypher)
