"""One error shape for everything, with no stack trace; rate limits; authentication."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.db import ApiKey, Database, User
from api.users import add_user
from cli.main import app as cli
from tests.api.harness import Api, make_settings


def _shape(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert "Traceback" not in body["error"]
    assert 'File "' not in body["error"]
    return body


def test_401_without_or_with_a_bad_key(api: Api) -> None:
    _shape(api.client.get("/api/v1/schema"), 401)
    r = api.client.get("/api/v1/schema", headers={"Authorization": "Bearer gx_nope_nope"})
    assert "unknown" in _shape(r, 401)["error"]
    assert r.headers["www-authenticate"] == "Bearer"


def test_x_api_key_works_too(api: Api) -> None:
    r = api.client.get("/api/v1/schema", headers={"X-API-Key": api.keys["inv_a"]})
    assert r.status_code == 200


def test_403_404_405_422(api: Api) -> None:
    _shape(api.get("inv_a", "/audit"), 403)
    _shape(api.get("inv_a", "/nope"), 404)
    _shape(api.client.delete("/api/v1/schema", headers=api.headers("admin")), 405)
    body = _shape(api.get("inv_a", "/search", q="x", size=0), 422)
    assert "size" in body["error"]
    _shape(api.post("analyst_city", "/query", {"nope": 1}), 422)
    _shape(
        api.client.post(
            "/api/v1/query",
            content=b"{not json",
            headers={**api.headers("analyst_city"), "content-type": "application/json"},
        ),
        422,
    )


def test_500_is_generic_and_logged(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("secret detail 42")

    monkeypatch.setattr("api.routers.search.svc_search.search", boom)
    r = api.get("inv_a", "/search", q="张三")
    body = _shape(r, 500)
    assert "secret detail" not in body["error"]
    assert "incident" in body["error"]
    assert "secret detail 42" in caplog.text


def test_rate_limit(graph_store: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rate_per_second=0.5, rate_burst=3)
    db = Database(settings.db_url)
    db.create()
    key = add_user(db, "slow", "investigator", ["430422"])
    with TestClient(create_app(settings, store=graph_store, db=db)) as c:
        codes = [c.get("/api/v1/schema", headers={"X-API-Key": key}).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3] == 429
        r = c.get("/api/v1/schema", headers={"X-API-Key": key})
        _shape(r, 429)
        assert int(r.headers["retry-after"]) >= 1


def test_users_cli_and_hashed_keys(tmp_path: Path) -> None:
    run = CliRunner()
    dd = ["--data-dir", str(tmp_path)]
    r = run.invoke(
        cli, ["user", "add", "liu", "--role", "investigator", "--division", "430422", *dd]
    )
    assert r.exit_code == 0, r.output
    key = r.stdout.strip().splitlines()[-1]
    assert key.startswith("gx_")
    db = Database(f"sqlite:///{tmp_path / 'guanxi.db'}")
    with db.session() as s:
        stored = " ".join(
            f"{k.key_id} {k.salt} {k.digest}" for k in s.query(ApiKey).all()
        ) + " ".join(u.name for u in s.query(User).all())
    assert key not in stored
    assert key.split("_", 2)[2] not in stored
    listed = run.invoke(cli, ["user", "list", "--json", *dd])
    assert '"liu"' in listed.stdout
    assert '"430422"' in listed.stdout
    bad = run.invoke(cli, ["user", "add", "x", "--role", "investigator", "--division", "", *dd])
    assert bad.exit_code != 0
    bad_role = run.invoke(cli, ["user", "add", "y", "--role", "boss", "--division", "43", *dd])
    assert bad_role.exit_code != 0
    assert run.invoke(cli, ["user", "revoke", "liu", *dd]).exit_code == 0
    assert run.invoke(cli, ["user", "revoke", "liu", *dd]).exit_code == 1


def test_revoked_key_is_refused_at_once(graph_store: Any, tmp_path: Path) -> None:
    from api.users import revoke_user

    settings = make_settings(tmp_path)
    db = Database(settings.db_url)
    db.create()
    key = add_user(db, "temp", "investigator", ["430422"])
    with TestClient(create_app(settings, store=graph_store, db=db)) as c:
        assert c.get("/api/v1/schema", headers={"X-API-Key": key}).status_code == 200
        revoke_user(db, "temp")
        _shape(c.get("/api/v1/schema", headers={"X-API-Key": key}), 401)
