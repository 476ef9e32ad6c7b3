"""Nothing undocumented: every endpoint and every API setting is in docs/api.md; the CLI
serves on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.app import create_app
from api.settings import ApiSettings
from cli.main import app as cli
from graph.settings import Settings

DOC = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_endpoint_is_documented(tmp_path: Path) -> None:
    spec = create_app(ApiSettings(data_dir=tmp_path), start=False).openapi()
    for path in spec["paths"]:
        short = path.removeprefix("/api/v1")
        # docs/api.md writes path parameters as {id}, {community}...: compare the literal parts.
        parts = [p for p in re.split(r"\{[^}]+\}", short) if p.strip("/")]
        assert all(p in DOC for p in parts), f"{path} is not in docs/api.md"


def test_every_setting_is_documented() -> None:
    own = set(ApiSettings.model_fields) - set(Settings.model_fields)
    missing = [f for f in own if f.upper() not in DOC]
    assert not missing, f"document GUANXI_{missing} in docs/api.md"


def test_serve_binds_loopback_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))
    r = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert seen["host"] == "127.0.0.1"
    assert seen["port"] == 8000
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert seen["host"] == "0.0.0.0"
    assert "reachable from other machines" in r.output


def test_interactive_documentation_is_served_from_local_files(tmp_path: Path) -> None:
    """/api/v1/docs is Swagger UI whose script and style come from this server (no CDN,
    no validator badge), and the document it reads is the API's own."""
    from fastapi.testclient import TestClient

    app = create_app(ApiSettings(data_dir=tmp_path), start=False)
    client = TestClient(app)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "://" not in html, "the page names an outside host"
    assert "//cdn" not in html
    assert '"validatorUrl": null' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for a in assets:
        assert a.startswith("/"), a
        got = client.get(a)
        assert got.status_code == 200, a
        assert len(got.content) > 1000, a
    assert "url: '/api/v1/openapi.json'" in html
    assert client.get("/api/v1/openapi.json").json()["paths"]
