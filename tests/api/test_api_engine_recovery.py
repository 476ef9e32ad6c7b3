"""The embedded engine dies (kill -9, or a query past its memory limit) and comes back.

Before: every endpoint answered 503, with the engine's socket path in the message, until
someone restarted it by hand.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.users import add_user
from graph.store.embedded import EmbeddedEngine, Limits
from graph.store.falkor import FalkorStore
from tests.api.harness import Api, make_settings

# Long enough for a restart on a loaded machine; a county's graph replays in seconds.
BACK_WITHIN = 120.0


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[EmbeddedEngine, Api]]:
    """An API on its own embedded engine with a 512 MB budget (128 MB per query)."""
    engine = EmbeddedEngine(tmp_path / "engine", limits=Limits.sized(memory_mb=512))
    engine.start(owned=True)
    store = FalkorStore(engine, "recovery")
    store.write("CREATE (:Division {code: '430401', name: '甲镇'})")
    settings = make_settings(tmp_path, query_timeout=30.0)
    db = Database(settings.db_url)
    db.create()
    keys = {"admin": add_user(db, "admin", "admin", [""])}
    app = create_app(settings, store=store, db=db)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield engine, Api(client, app, db, store, keys)
    finally:
        store.close()
        engine.stop()


def _wait_until_served(api: Api) -> float:
    t0 = time.monotonic()
    seen: list[int] = []
    while time.monotonic() - t0 < BACK_WITHIN:
        r = api.get(None, "/health")
        seen.append(r.status_code)
        if r.status_code == 200:
            return time.monotonic() - t0
        assert r.status_code == 503, r.text
        _assert_no_internals(api, r.json()["error"])
        time.sleep(0.2)
    pytest.fail(f"the engine did not come back within {BACK_WITHIN:.0f}s: {seen[-5:]}")


def _assert_no_internals(api: Api, message: str) -> None:
    store = api.store
    assert isinstance(store, FalkorStore)
    assert str(store.server.dir) not in message
    assert "falkordb.sock" not in message
    assert "127.0.0.1" not in message


def _query(api: Api, cypher: str, params: dict[str, Any] | None = None) -> Any:
    return api.post("admin", "/query", {"cypher": cypher, "params": params or {}})


def test_killed_engine_is_restarted_and_serves(small: tuple[EmbeddedEngine, Api]) -> None:
    engine, api = small
    assert api.get(None, "/health").status_code == 200
    pid = engine.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    r = api.get(None, "/health")
    assert r.status_code == 503, r.text
    assert "try again" in r.json()["error"]
    _assert_no_internals(api, r.json()["error"])
    _wait_until_served(api)
    assert engine.pid() not in (None, pid)
    r = _query(api, "MATCH (d:Division) RETURN d.name AS name")
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [{"name": "甲镇"}]  # the data came back with it


def test_query_past_the_engine_memory_is_a_400_and_the_engine_comes_back(
    small: tuple[EmbeddedEngine, Api],
) -> None:
    engine, api = small
    # Sized at run time, so no check before the engine can see it: range() asks for its
    # whole list (16 bytes a value) at once, far past the engine's address-space limit.
    bomb = "UNWIND range(1, toInteger($n) * 1000) AS x RETURN count(x) AS c"
    r = _query(api, bomb, {"n": 10_000_000})
    assert r.status_code == 400, r.text
    assert "memory" in r.json()["error"]
    _assert_no_internals(api, r.json()["error"])
    _wait_until_served(api)
    assert _query(api, "RETURN 1 AS one").json()["rows"] == [{"one": 1}]
    # Within the address space but past one query's share: refused, the engine goes on.
    pid = engine.pid()
    r = _query(api, "UNWIND range(1, 9000000) AS x WITH collect(x) AS l RETURN size(l) AS n")
    assert r.status_code == 400, r.text
    assert "memory" in r.json()["error"]
    assert engine.pid() == pid


def test_engine_runs_with_its_limits(small: tuple[EmbeddedEngine, Api]) -> None:
    engine, _ = small
    conn = engine.connection()
    assert int(conn.config_get("maxmemory")["maxmemory"]) == 256 << 20
    assert conn.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    cap = conn.execute_command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")[1]
    assert int(cap) == 128 << 20
    assert int(conn.execute_command("GRAPH.CONFIG", "GET", "TIMEOUT_MAX")[1]) == 3_600_000
    limits = Path(f"/proc/{engine.pid()}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
    assert str((512 + 1024) << 20) in line
