"""Audit rows committed in groups, each request still waiting for its own row's commit.

Under load many requests finish while one audit transaction commits. One writer thread
takes every row that is waiting and inserts them in a single transaction (group commit):
a request's response is held until the transaction holding its row has committed, so
nothing is answered unaudited, but twenty concurrent requests cost one commit instead of
twenty, and no request occupies a thread of the request pool while it waits. A batch that
fails is retried row by row, so one bad row fails only its own request. The thread stops
after a while without work and is started again by the next row.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from typing import Any

from sqlalchemy import insert

from api.db import AuditEntry, Database

_INSERT = insert(AuditEntry)
_Item = tuple[dict[str, Any], asyncio.AbstractEventLoop, "asyncio.Future[None]"]


def _settle(fut: asyncio.Future[None], err: BaseException | None) -> None:
    if fut.done():  # the request was cancelled meanwhile (its row is written all the same)
        return
    if err is None:
        fut.set_result(None)
    else:
        fut.set_exception(err)


class AuditWriter:
    def __init__(self, db: Database, *, max_batch: int = 256, idle: float = 2.0) -> None:
        self.db = db
        self.max_batch = max_batch
        self.idle = idle
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    async def write(self, row: dict[str, Any]) -> None:
        """Return once ``row`` is committed; raise what the insert raised if it was not."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._queue.put((row, loop, fut))
        with self._lock:
            # The thread leaves only under this lock and after seeing the queue empty, so
            # a row put before the lock is taken is never left without a writer.
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()
        await fut

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=self.idle)]
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for (_, loop, fut), err in zip(batch, self._commit(batch), strict=True):
                with contextlib.suppress(RuntimeError):  # that request's loop has closed
                    loop.call_soon_threadsafe(_settle, fut, err)

    def _commit(self, batch: list[_Item]) -> list[BaseException | None]:
        rows = [row for row, _, _ in batch]
        try:
            self._insert(rows)
            return [None] * len(rows)
        except Exception as e:
            if len(rows) == 1:
                return [e]
        # One by one: each request learns whether its own row was written.
        out: list[BaseException | None] = []
        for row in rows:
            try:
                self._insert([row])
                out.append(None)
            except Exception as e:
                out.append(e)
        return out

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(_INSERT, rows)
