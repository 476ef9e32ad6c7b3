"""A resident's report is committed before the graph is written: the graph write never
holds the workflow database's write lock, and a failed graph write loses no report."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.db import Database
from api.workflow.intake import Dictionaries, IntakeService
from api.workflow.mirror import mirror_all
from graph import deadlines as dl
from graph.errors import EngineUnavailable
from graph.store import GraphStore
from public.app import create_public_app
from tests.public.conftest import PublicWorld
from tests.public.resident import solve


class WatchedStore:
    """The real store, with a look at the workflow database whenever the graph is written."""

    def __init__(self, store: GraphStore, db_file: Path, fail: bool = False) -> None:
        self._store = store
        self._db_file = db_file
        self.fail = fail
        self.lock_free: list[bool] = []

    def write(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        if "Complaint" in cypher:
            probe = sqlite3.connect(self._db_file, timeout=0)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.rollback()
                self.lock_free.append(True)
            except sqlite3.OperationalError:
                self.lock_free.append(False)
            finally:
                probe.close()
            if self.fail:
                raise EngineUnavailable("the engine went away")
        return self._store.write(cypher, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _intake(world: PublicWorld, store: Any) -> tuple[IntakeService, Database]:
    db = Database(world.settings.db_url)
    return IntakeService(db, store, dl.Rules(), Dictionaries(store)), db


def _report(intake: IntakeService, village: str, day: str, tag: str) -> tuple[str, bool]:
    """An anonymous report received on ``day``; its receipt code is ``<tag>-code``."""
    return intake.register_online(
        division_code=village,
        received=day,
        summary=f"低保名单里有已经去世的人，请核查。（{tag}）",
        reporter_name=None,
        reporter_phone=None,
        code_hash=f"{tag}-code",
        text_hash=f"{tag}-text",
        collapse_since="2026-11-01",
    )


def _db_file(world: PublicWorld) -> Path:
    return Path(world.settings.db_url.removeprefix("sqlite:///"))


def test_the_graph_is_written_after_the_report_is_committed(world: PublicWorld) -> None:
    watched = WatchedStore(world.store, _db_file(world))
    intake, db = _intake(world, watched)
    try:
        cid, collapsed = _report(intake, world.village, "2026-12-01", "lock-test")
    finally:
        db.dispose()
    assert not collapsed
    assert watched.lock_free == [True, True]  # the node, then its division link
    rows = world.store.read(
        "MATCH (k:Complaint {complaint_id: $id}) RETURN k.channel AS channel", {"id": cid}
    )
    assert rows == [{"channel": "网络"}]


def test_a_failed_graph_write_keeps_the_report_and_mirror_all_heals_it(
    world: PublicWorld,
) -> None:
    failing = WatchedStore(world.store, _db_file(world), fail=True)
    intake, db = _intake(world, failing)
    try:
        cid, _ = _report(intake, world.village, "2026-12-02", "mirror-test")
        assert intake.progress("mirror-test-code") == {
            "state": "received",
            "received": "2026-12-02",
            "accepted": None,
            "closed": None,
            "public_outcome": None,
        }
        find = "MATCH (k:Complaint {complaint_id: $id}) RETURN k.accept_due AS due"
        assert world.store.read(find, {"id": cid}) == []
        assert mirror_all(db, world.store) >= 1
        assert world.store.read(find, {"id": cid}) == [{"due": "2026-12-09"}]
    finally:
        db.dispose()


def test_watched_store_sees_a_held_lock(world: PublicWorld) -> None:
    """The probe itself can fail: with a write transaction open, it reports the lock."""
    watched = WatchedStore(world.store, _db_file(world))
    holder = sqlite3.connect(_db_file(world))
    try:
        holder.execute("BEGIN IMMEDIATE")
        watched.write("MATCH (k:Complaint {complaint_id: 'none'}) RETURN k")
    finally:
        holder.rollback()
        holder.close()
    assert watched.lock_free == [False]


class LoopSpy:
    """The real store; notes every graph read made on a thread running an event loop."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.on_loop: list[str] = []

    def read(self, cypher: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        try:
            asyncio.get_running_loop()
            self.on_loop.append(cypher)
        except RuntimeError:
            pass
        return self._store.read(cypher, params, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_report_on_a_cold_village_reads_the_graph_off_the_event_loop(
    world: PublicWorld,
) -> None:
    spy = LoopSpy(world.store)
    app = create_public_app(world.settings, store=spy, db=world.db)  # type: ignore[arg-type]
    with TestClient(app) as client:
        page = client.get("/report").text
        answer, token = solve(page)
        app.state.site.cache.clear()
        spy.on_loop.clear()
        r = client.post(
            "/report",
            data={
                "village": world.village,
                "text": "村务公开栏很久没有更新了。（事件循环测试）",
                "answer": answer,
                "token": token,
            },
        )
    assert r.status_code == 200, r.text
    assert spy.on_loop == []
