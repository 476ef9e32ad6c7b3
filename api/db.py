"""The API's own database: users, hashed API keys, the audit log, triage history, evidence.

SQLAlchemy 2; SQLite under ``$GUANXI_DATA_DIR/guanxi.db`` by default, any URL through
``GUANXI_DATABASE_URL``. The audit log and the triage history are append-only: no route
updates or deletes them, the ORM refuses to flush a change to an existing row, and on
SQLite and PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE`` in the database itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

APPEND_ONLY = ("audit_log", "triage_history", "case_events")


def now() -> str:
    """UTC time as ISO text: sorts correctly and survives every database unchanged."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    # Division code prefixes; [""] means every division (admins only).
    divisions: Mapped[list[str]] = mapped_column(JSON)
    rate_per_second: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[str] = mapped_column(String(40), default=now)
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The key's public part (``gx_<key_id>_<secret>``): finds the row without the secret.
    key_id: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    salt: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[str] = mapped_column(String(40), default=now)
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40), default=now, index=True)
    user_name: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    method: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str] = mapped_column(String(200), index=True)
    path: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    purpose: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    returned_keys: Mapped[list[str]] = mapped_column(JSON)


class TriageEntry(Base):
    __tablename__ = "triage_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[str] = mapped_column(String(40), default=now)
    user_name: Mapped[str] = mapped_column(String(100))
    old_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    new_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvidenceRecord(Base):
    """A finding's evidence subgraph, kept so that it survives restarts (see docs/api.md)."""

    __tablename__ = "finding_evidence"

    finding_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(100), index=True)
    detected_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[str] = mapped_column(String(40), default=now)


_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS {t}_no_{op} BEFORE {OP} ON {t} "
        "BEGIN SELECT RAISE(ABORT, '{t} is append-only'); END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION guanxi_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
        "DROP TRIGGER IF EXISTS {t}_no_{op} ON {t}",
        "CREATE TRIGGER {t}_no_{op} BEFORE {OP} ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION guanxi_append_only()",
    ],
}


class Database:
    """An engine and a session factory; ``create()`` makes the tables and triggers."""

    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                # Every request authenticates and writes its audit row from one of the 40
                # threads of the request pool: with the default pool (5 + 10 overflow) the
                # overflow connections were opened, set up (PRAGMAs) and closed again per
                # request under load.
                kwargs["pool_size"] = 40
                kwargs["max_overflow"] = 10
        self.url = url
        # A local file: a read takes tens of microseconds and, with WAL, never waits for
        # a writer, so it may run on the event loop.
        self.local = url.startswith("sqlite")
        self.engine: Engine = create_engine(url, json_serializer=_json_text, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _refuse_changes)

    def create(self) -> None:
        import api.workflow.models  # noqa: F401  (the workflow's tables share this base)

        # Several API processes start at once (``serve --workers``): create_all checks for
        # each table, then creates it, so two of them racing on a new database both try
        # to create the same table. One at a time, across processes.
        with self._creating():
            Base.metadata.create_all(self.engine)
            _add_missing_columns(self.engine)
            statements = _TRIGGERS.get(self.engine.dialect.name, [])
            with self.engine.begin() as conn:
                for table in APPEND_ONLY:
                    for op in ("update", "delete"):
                        for stmt in statements:
                            conn.execute(text(stmt.format(t=table, op=op, OP=op.upper())))

    @contextmanager
    def _creating(self) -> Iterator[None]:
        path = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if path and path != ":memory:":
            with open(f"{path}.create-lock", "a") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
        elif self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                # A session-level advisory lock: held while the tables are made.
                conn.execute(text("SELECT pg_advisory_lock(7426)"))
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(7426)"))
                    conn.commit()
        else:
            yield

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on error."""
        with self._sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def _add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns a newer version declares to tables an older one made
    (``create_all`` makes missing tables only): a database kept across upgrades."""
    have = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if not have.has_table(table.name):
                continue
            present = {c["name"] for c in have.get_columns(table.name)}
            for col in table.columns:
                if col.name in present or not col.nullable:
                    continue
                kind = col.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{col.name}" {kind}'))


def _json_text(value: Any) -> str:
    """JSON columns (every audit row's parameters and returned keys) written with orjson;
    what it refuses (integers beyond 64 bits) with the standard library."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (GET /audit) run beside the writer; NORMAL sync is durable in WAL
    # up to the last checkpoint-free commit, and keeps an audit insert well under a ms.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _refuse_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry | TriageEntry) or obj.__tablename__ in APPEND_ONLY:
            raise PermissionError(f"{obj.__tablename__} is append-only")
