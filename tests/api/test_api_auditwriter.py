"""The audit writer's group commit: every row committed before its request goes on, many
rows in one transaction, a bad row failing only its own request."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from api.auditwriter import AuditWriter
from api.db import AuditEntry, Database, now


def _row(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "at": now(),
        "user_name": f"u{i}",
        "role": "investigator",
        "method": "GET",
        "endpoint": "/api/v1/search",
        "path": "/api/v1/search",
        "params": {"q": str(i)},
        "purpose": "test",
        "status": 200,
        "returned_keys": [f"Person:{i}"],
    }
    row.update(over)
    return row


@pytest.fixture
def db(tmp_path: Path) -> Database:
    d = Database(f"sqlite:///{tmp_path / 'audit.db'}")
    d.create()
    return d


def _count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_rows_are_committed_before_write_returns_and_grouped(db: Database) -> None:
    inserts: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def note(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT"):
            inserts.append(statement)

    writer = AuditWriter(db)
    missing: list[int] = []

    async def one(i: int) -> None:
        await writer.write(_row(i))
        with db.session() as s:  # committed: another connection sees this very row
            if s.scalar(select(AuditEntry).where(AuditEntry.user_name == f"u{i}")) is None:
                missing.append(i)

    async def many() -> None:
        await asyncio.gather(*(one(i) for i in range(50)))

    asyncio.run(many())
    assert _count(db) == 50
    assert missing == []
    assert len(inserts) < 50  # grouped: fewer statements (and transactions) than rows
    with db.session() as s:
        users = {r.user_name for r in s.scalars(select(AuditEntry))}
    assert users == {f"u{i}" for i in range(50)}


def test_a_bad_row_fails_only_its_own_request(db: Database) -> None:
    writer = AuditWriter(db)

    async def run() -> list[BaseException | None]:
        rows = [_row(0), _row(1, status=None), _row(2)]  # status is NOT NULL
        return list(await asyncio.gather(*(writer.write(r) for r in rows), return_exceptions=True))

    results = asyncio.run(run())
    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], Exception)
    assert _count(db) == 2


def test_writer_thread_stops_when_idle_and_comes_back(db: Database) -> None:
    writer = AuditWriter(db, idle=0.05)
    asyncio.run(writer.write(_row(1)))
    deadline = time.monotonic() + 5
    while writer._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer._thread is None
    asyncio.run(writer.write(_row(2)))
    assert _count(db) == 2
