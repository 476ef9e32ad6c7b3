"""Unauthenticated floods (issue 21, item 7): throttled by address before authentication,
and refused requests counted in one audit row per address and minute, not one each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.db import AuditEntry, Database
from api.floodgate import FAILURES_ENDPOINT
from api.users import add_user
from graph.store import GraphStore
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore
from tests.api.harness import make_settings

FLOOD = 300


@pytest.fixture
def small_gate(
    embedded_server: EmbeddedEngine, tmp_path: Path
) -> Iterator[tuple[TestClient, Database, str, TestClient]]:
    settings = make_settings(tmp_path, address_rate_per_second=1.0, address_burst=20)
    db = Database(settings.db_url)
    db.create()
    key = add_user(db, "inv", "investigator", ["430422"])
    store: GraphStore = FalkorStore(embedded_server, "api_floods")
    app = create_app(settings, store=store, db=db)
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker:
        # Not entered: the application started once, with the attacker's client.
        colleague = TestClient(app, client=("198.51.100.2", 40001))
        yield attacker, db, key, colleague
    store.close()


def _rows(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_flood_without_a_key_is_throttled_and_counted(
    small_gate: tuple[TestClient, Database, str, TestClient],
) -> None:
    attacker, db, key, colleague = small_gate
    before = _rows(db)
    statuses = [attacker.get("/api/v1/search", params={"q": "x"}).status_code for _ in range(FLOOD)]
    assert statuses.count(401) <= 25, statuses[:30]  # the burst, and a token a second
    assert statuses.count(429) >= FLOOD - 25
    refused = attacker.get("/api/v1/search", params={"q": "x"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["ok"] is False
    # A valid key from the same address waits too: the address is judged first.
    assert (
        attacker.get("/api/v1/schema", headers={"Authorization": f"Bearer {key}"}).status_code
        == 429
    )
    # Another address is not held up by it.
    ok = colleague.get("/api/v1/schema", headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200, ok.text
    assert _rows(db) == before + 1  # the colleague's request; no row per refusal yet
    attacker.app.state.failure_tally.flush(everything=True)  # type: ignore[attr-defined]
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.endpoint == FAILURES_ENDPOINT)).all()
        assert 1 <= len(rows) <= 2  # one per minute: the flood may straddle a minute
        assert sum(r.params["count"] for r in rows) == FLOOD + 2
        assert {r.params["address"] for r in rows} == {"203.0.113.7"}
        assert all(r.user_name is None for r in rows)
    assert _rows(db) <= before + 3
