"""Neo4j 5 adapter through the official ``neo4j`` driver (py2neo is end-of-life)."""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path as FilePath
from typing import Any

import neo4j
from neo4j import GraphDatabase, Query
from neo4j import exceptions as nx
from neo4j.graph import Node, Path, Relationship

from graph import schema as sch
from graph.errors import (
    EngineUnavailable,
    QueryError,
    QueryMemoryExceeded,
    QueryTimeout,
    ReadOnlyViolation,
    Unsupported,
)
from graph.store.base import (
    LOAD_MARK,
    Columns,
    GraphStore,
    Health,
    NodeGroup,
    RelGroup,
    Row,
    WriteSummary,
    plain_node,
    plain_relationship,
)
from graph.store.base import Node as PlainNode
from graph.store.neo4j_import import (
    ImportFiles,
    ServerHome,
    run_import,
    start_server,
    stop_server,
    write_import_files,
)

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


class Neo4jStore(GraphStore):
    engine = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        server: ServerHome | None = None,
    ) -> None:
        self.database = database
        # The installation guanxi may stop and start around an offline import (first loads).
        self.server_home = server
        # Where a first load writes the import files instead, for whoever manages the
        # server to import (``guanxi load --import-files``); what it wrote, afterwards.
        self.import_folder: FilePath | None = None
        self.import_written: ImportFiles | None = None
        try:
            # Server notifications (deprecations, unknown property keys on an empty graph)
            # would be logged per query; they are advice for a person writing Cypher, and
            # guanxi's patterns are vetted by the conformance suite instead.
            self._driver = GraphDatabase.driver(
                uri, auth=(user, password), notifications_min_severity="OFF"
            )
        except ValueError as e:
            raise EngineUnavailable(f"bad Neo4j URI {uri!r}: {e}") from e
        try:
            self._driver.verify_connectivity()
        except (nx.ServiceUnavailable, nx.AuthError, OSError) as e:
            self._driver.close()
            raise EngineUnavailable(f"cannot reach Neo4j at {uri}: {e}") from e
        self.uri = uri

    @classmethod
    def from_driver(cls, driver: neo4j.Driver, database: str = "neo4j") -> Neo4jStore:
        """Wrap a driver the caller already owns (notebooks, applications)."""
        self = cls.__new__(cls)
        self._driver, self.database, self.uri = driver, database, "(injected)"
        self.server_home = None
        self.import_folder, self.import_written = None, None
        return self

    @property
    def driver(self) -> neo4j.Driver:
        """The Bolt driver (the GDS client shares it: graph.store.neo4j_gds)."""
        return self._driver

    # -- first loads through neo4j-admin database import ---------------------------------------
    @property
    def can_bulk_create(self) -> bool:
        return self.server_home is not None or self.import_folder is not None

    @property
    def bulk_replaces(self) -> bool:
        # The import (--overwrite-destination) puts a new database in place of the old.
        return self.server_home is not None and self.import_folder is None

    def bulk_create(
        self,
        nodes: Sequence[NodeGroup],
        relationships: Sequence[RelGroup],
        progress: Callable[[int], None] | None = None,
        *,
        replace: bool = False,
    ) -> WriteSummary:
        """Write the import files, stop the server, import, start it, create the schema.

        With :attr:`import_folder` set, only the files are written there (kept in
        :attr:`import_written`): the import is left to whoever manages the server.
        Refused unless the database holds nothing but the partial-load mark (which the
        import replaces along with everything else), or ``replace`` is given and guanxi
        runs the import: the database is then replaced whatever it holds.
        """
        if self.server_home is None and self.import_folder is None:
            raise Unsupported("an offline import needs the server's home (GUANXI_NEO4J_HOME)")
        left = self.read(f"MATCH (n) WHERE NOT n:{LOAD_MARK} RETURN count(n) AS c")[0]["c"]
        if left and not (replace and self.bulk_replaces):
            raise Unsupported(f"an offline import needs an empty database; it holds {left} nodes")
        started = time.perf_counter()
        if self.import_folder is not None:
            files = write_import_files(nodes, relationships, self.import_folder, progress)
            self.import_written = files
            return WriteSummary(seconds=time.perf_counter() - started)
        server = self.server_home
        assert server is not None
        with (
            tempfile.TemporaryDirectory(prefix="guanxi-import-") as tmp,
            ThreadPoolExecutor(1, thread_name_prefix="guanxi-neo4j-stop") as pool,
        ):
            # The server stops (a checkpoint of what it holds) while the files are written.
            stopping = pool.submit(stop_server, server)
            try:
                files = write_import_files(nodes, relationships, FilePath(tmp), progress)
            except BaseException:
                with contextlib.suppress(Exception):
                    stopping.result()
                start_server(server, self._wait_ready)
                raise
            stages = {"import files": time.perf_counter() - started}
            stopping.result()
            stages["server stopped"] = time.perf_counter() - started - stages["import files"]
            stages |= run_import(server, self.database, files, self._wait_ready, stopped=True)
        began = time.perf_counter()
        self.ensure_schema()
        stages["indexes"] = time.perf_counter() - began
        return WriteSummary(
            nodes_created=files.node_count,
            relationships_created=files.relationship_count,
            seconds=time.perf_counter() - started,
            stages={k: round(v, 1) for k, v in stages.items()},
        )

    def _wait_ready(self, timeout: float) -> None:
        """Until the restarted server answers a read on the database (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._driver.verify_connectivity()
                self.read("RETURN 1 AS one")
                return
            except (
                EngineUnavailable,
                QueryError,
                nx.ServiceUnavailable,
                nx.SessionExpired,
                OSError,
            ):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)

    # -- primitives ----------------------------------------------------------------------------
    def _run(
        self, cypher: str, params: Mapping[str, Any], *, write: bool, timeout: float | None
    ) -> tuple[list[Row], WriteSummary]:
        t0 = time.perf_counter()
        try:
            if write:
                with self._driver.session(database=self.database) as s:
                    work = neo4j.unit_of_work(timeout=timeout)(_work) if timeout else _work
                    records, counters = s.execute_write(work, cypher, dict(params))
            else:
                records, counters = self._read(cypher, dict(params), timeout)
        except nx.ServiceUnavailable as e:
            raise EngineUnavailable(f"Neo4j unavailable: {e}") from e
        except nx.Neo4jError as e:
            raise _wrap(e, cypher) from e
        summary = WriteSummary(
            nodes_created=counters.nodes_created,
            relationships_created=counters.relationships_created,
            properties_set=counters.properties_set,
            seconds=time.perf_counter() - t0,
        )
        return records, summary

    def _read(
        self, cypher: str, params: dict[str, Any], timeout: float | None
    ) -> tuple[list[Row], Any]:
        """A read in an auto-commit transaction of a read session (which refuses writes).

        Not ``execute_read``: its BEGIN and COMMIT are two more messages, and a read then
        costs this process twice the CPU (0.77 against 0.36 ms for ``RETURN 1``, measured);
        an expansion makes three to five reads. What its retry is for is kept: a read that
        failed in a way the driver calls retryable (a connection a restarted server
        dropped, a transient error) is tried again, a few times.
        """
        # None or 0: no limit of ours, the server's own applies.
        query = Query(cypher, timeout=timeout or None)  # type: ignore[arg-type,unused-ignore]
        for attempt in range(_READ_ATTEMPTS):
            try:
                with self._driver.session(
                    database=self.database, default_access_mode=neo4j.READ_ACCESS
                ) as s:
                    result = s.run(query, params)
                    records = list(result)
                    return _rows(records), result.consume().counters
            except (nx.DriverError, nx.Neo4jError) as e:
                if attempt + 1 == _READ_ATTEMPTS or not e.is_retryable():
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def read_columns(self, cypher: str, params: Mapping[str, Any], names: Sequence[str]) -> Columns:
        """A read of scalar columns for the projection's bulk pulls: records' values as
        they come, without the node/relationship conversion ``read`` does per row."""
        try:
            with self._driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as s:
                keys, values = s.execute_read(_values, cypher, dict(params))
        except nx.ServiceUnavailable as e:
            raise EngineUnavailable(f"Neo4j unavailable: {e}") from e
        except nx.Neo4jError as e:
            raise _wrap(e, cypher) from e
        if keys != list(names):
            raise QueryError(f"read_columns: the statement returns {keys}, not {names}", cypher)
        cols: list[list[Any]] = [list(c) for c in zip(*values, strict=True)] if values else []
        return {n: cols[j] if cols else [] for j, n in enumerate(names)}

    def read_text(
        self, match: str, columns: Mapping[str, str], params: Mapping[str, Any]
    ) -> Columns:
        """Text columns of every row ``match`` yields, each collected into one list.

        The driver builds a record per row, which costs 20 us apiece in Python (100,000
        persons' three columns: 2.5 s); one record of three lists crosses in 0.3 s. Each
        value is collected inside a one-element list because ``collect`` drops nulls and
        the columns must stay aligned. A result too big for the transaction memory of the
        server comes row by row instead.
        """
        names = list(columns)
        coll = ", ".join(f"collect([{e}]) AS {n}" for n, e in columns.items())
        ret = ", ".join(f"[x IN {n} | x[0]] AS {n}" for n in names)
        try:
            got = self.read_columns(f"{match} WITH {coll} RETURN {ret}", params, names)
        except QueryMemoryExceeded:
            return super().read_text(match, columns, params)
        return {n: list(got[n][0]) if got[n] else [] for n in names}

    def _run_ddl(self, stmt: str) -> None:
        # Schema statements may not share a transaction with data writes: auto-commit.
        try:
            with self._driver.session(database=self.database) as s:
                s.run(stmt).consume()  # type: ignore[arg-type,unused-ignore]
        except nx.Neo4jError as e:
            raise QueryError(f"schema statement failed: {e.message}", stmt) from e

    def _ddl_for(self, schema_nodes: Sequence[sch.NodeType]) -> list[str]:
        stmts: list[str] = []
        for n in schema_nodes:
            stmts.append(
                f"CREATE CONSTRAINT {n.label.lower()}_{n.key}_unique IF NOT EXISTS "
                f"FOR (n:{n.label}) REQUIRE n.{n.key} IS UNIQUE"
            )
            stmts += [
                f"CREATE INDEX {n.label.lower()}_{p.name} IF NOT EXISTS "
                f"FOR (n:{n.label}) ON (n.{p.name})"
                for p in n.props
                if p.indexed and p.name != n.key
            ]
            ft = [p.name for p in n.props if p.fulltext]
            if ft:
                each = ", ".join(f"n.{f}" for f in ft)
                stmts.append(
                    f"CREATE FULLTEXT INDEX {_ft_index(n.label)} IF NOT EXISTS "
                    f"FOR (n:{n.label}) ON EACH [{each}] "
                    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}"
                )
        stmts.append("CALL db.awaitIndexes(300)")
        return stmts

    def _vet_read_only(
        self, cypher: str, params: Mapping[str, Any], timeout: float | None
    ) -> list[Row]:
        try:
            with self._driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as s:
                # Planning is the costly part of a pathological query: it gets the limit too.
                q = Query(f"EXPLAIN {cypher}", timeout=timeout)
                plan = s.run(q, dict(params)).consume()
                if plan.query_type not in ("r", None):
                    raise ReadOnlyViolation(
                        f"refused: the query would write (query type {plan.query_type!r})",
                        cypher,
                    )
        except nx.Neo4jError as e:
            raise _wrap(e, cypher) from e
        # Read routing as a second line of defence: a read transaction cannot write.
        rows, _ = self._run(cypher, params, write=False, timeout=timeout)
        return rows

    def explain(self, cypher: str, params: Mapping[str, Any] | None = None) -> str:
        try:
            with self._driver.session(database=self.database) as s:
                q = Query(f"EXPLAIN {cypher}")
                plan = s.run(q, dict(params or {})).consume().plan
        except nx.Neo4jError as e:
            raise _wrap(e, cypher) from e
        return _plan_text(plan or {})

    def fulltext(self, label: str, text: str, limit: int = 20) -> list[Row]:
        sch.node(label)
        q = (
            "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
            "RETURN node, score ORDER BY score DESC LIMIT $limit"
        )
        terms = _LUCENE_SPECIAL.sub(r"\\\1", text)
        return self.read(q, {"index": _ft_index(label), "q": terms, "limit": limit})

    def health(self) -> Health:
        try:
            rows = self.read(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN name, versions[0] AS version, edition"
            )
            r = rows[0]
            return Health(
                True,
                self.engine,
                str(r["version"]),
                {"edition": r["edition"], "uri": self.uri, "database": self.database},
            )
        except Exception as e:
            return Health(False, self.engine, detail={"error": str(e), "uri": self.uri})

    def clear(self) -> None:
        # Relationships first: DETACH DELETE of a programme or a village takes all its
        # links (a million disbursements) into one transaction, past the transaction
        # memory limit. Each batch is a transaction of its own, so a county's deletion
        # is not one statement held to db.transaction.timeout either.
        for batch in (_DELETE_RELATIONSHIPS, _DELETE_NODES):
            while self._run(batch, {"n": _CLEAR_BATCH}, write=True, timeout=None)[0][0]["deleted"]:
                pass

    def close(self) -> None:
        self._driver.close()


_CLEAR_BATCH = 50_000
_DELETE_RELATIONSHIPS = "MATCH ()-[r]->() WITH r LIMIT $n DELETE r RETURN count(*) AS deleted"
_DELETE_NODES = "MATCH (n) WITH n LIMIT $n DELETE n RETURN count(*) AS deleted"


def _plan_text(plan: Mapping[str, Any], depth: int = 0) -> str:
    args = plan.get("args", {})
    line = "  " * depth + f"{plan.get('operatorType', '?')} {args.get('Details', '')}".rstrip()
    kids = [_plan_text(c, depth + 1) for c in plan.get("children", [])]
    return "\n".join([line, *kids])


# Tries of a read that failed in a way worth retrying (``is_retryable``).
_READ_ATTEMPTS = 3


def _ft_index(label: str) -> str:
    return f"{label.lower()}_fulltext"


def _work(
    tx: neo4j.ManagedTransaction, cypher: str, params: dict[str, Any]
) -> tuple[list[Row], Any]:
    result = tx.run(cypher, params)
    records = list(result)
    summary = result.consume()
    return _rows(records), summary.counters


def _values(
    tx: neo4j.ManagedTransaction, cypher: str, params: dict[str, Any]
) -> tuple[list[str], list[list[Any]]]:
    result = tx.run(cypher, params)
    values = result.values()
    return list(result.keys()), values


def _wrap(e: nx.Neo4jError, cypher: str) -> QueryError:
    code = e.code or ""
    if "TransactionTimedOut" in code or "TransactionTimedOutClientConfiguration" in code:
        return QueryTimeout(f"query timed out: {e.message}", cypher)
    if "OutOfMemoryError" in code:
        # TransactionOutOfMemoryError (db.memory.transaction.max), MemoryPoolOutOfMemoryError
        # (dbms.memory.transaction.total.max), OutOfMemoryError (the heap).
        return QueryMemoryExceeded(
            "the query needs more memory than the database allows one transaction; "
            "ask for less: aggregate, filter or LIMIT earlier",
            cypher,
        )
    if (
        "ForbiddenDueToTransactionType" in code
        or "AccessMode" in code
        or (
            "write" in (e.message or "").lower()
            and "read" in (e.message or "").lower()
            and "Forbidden" in code
        )
    ):
        return ReadOnlyViolation(f"refused: the query would write ({e.message})", cypher)
    return QueryError(f"Neo4j error {code}: {e.message}", cypher)


def _rows(records: list[neo4j.Record]) -> list[Row]:
    by_eid: dict[str, PlainNode] = {}

    def node(n: Node) -> PlainNode:
        if n.element_id not in by_eid:
            by_eid[n.element_id] = plain_node(sorted(n.labels), _props(n))
        return by_eid[n.element_id]

    # Nodes first, so relationships can name both ends by natural key.
    for rec in records:
        for v in rec.values():
            _collect_nodes(v, node)

    def conv(v: Any) -> Any:
        if isinstance(v, Node):
            return node(v)
        if isinstance(v, Relationship):
            s, t = v.start_node, v.end_node
            return plain_relationship(
                str(v.type),
                by_eid.get(s.element_id) if s is not None else None,
                by_eid.get(t.element_id) if t is not None else None,
                _props(v),
            )
        if isinstance(v, Path):
            return {
                "_kind": "path",
                "nodes": [conv(n) for n in v.nodes],
                "relationships": [conv(r) for r in v.relationships],
            }
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if hasattr(v, "iso_format"):  # neo4j.time values: guanxi stores ISO strings
            return v.iso_format()
        return v

    return [{k: conv(rec[k]) for k in rec.keys()} for rec in records]  # noqa: SIM118


def _props(entity: Node | Relationship) -> dict[str, Any]:
    return {k: entity[k] for k in entity.keys()}  # noqa: SIM118 - Entity has no __iter__ of keys


def _collect_nodes(v: Any, node: Any) -> None:
    if isinstance(v, Node):
        node(v)
    elif isinstance(v, Relationship):
        for n in (v.start_node, v.end_node):
            if n is not None and len(n.labels) > 0:
                node(n)
    elif isinstance(v, Path):
        for n in v.nodes:
            node(n)
    elif isinstance(v, list):
        for x in v:
            _collect_nodes(x, node)
    elif isinstance(v, dict):
        for x in v.values():
            _collect_nodes(x, node)
