"""The public process is isolated from the investigators' side: it holds no API key, its
settings name none, the investigators' API refuses every request carrying what the public
side has (its secret, its receipt codes) or nothing, and the public package imports none of
the API's routes, keys or audit log (the import-linter contract in pyproject.toml)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from public.settings import PublicSettings
from tests.public.conftest import PublicWorld

PUBLIC = Path(__file__).resolve().parents[2] / "public"
FORBIDDEN = (
    "api.app",
    "api.routers",
    "api.deps",
    "api.users",
    "api.audit",
    "api.auditwriter",
    "api.services",
    "api.settings",
)


def test_public_settings_hold_no_key() -> None:
    fields = set(PublicSettings.model_fields)
    assert not {f for f in fields if "key" in f or "token" in f or f.startswith("api_")}
    assert "secret_key" not in fields  # the API's ref secret is not the public one


def test_public_modules_import_nothing_of_the_api_but_the_intake_seam() -> None:
    for path in PUBLIC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for n in names:
                assert not n.startswith(FORBIDDEN), f"{path.name} imports {n}"
                if n.startswith("api"):
                    assert n in ("api.db", "api.workflow.intake"), f"{path.name} imports {n}"


def api_paths(world: PublicWorld) -> list[tuple[str, str]]:
    """Every operation of the API's OpenAPI document, path parameters filled with "x"."""
    doc = world.api.get("/api/v1/openapi.json").json()
    out = []
    for path, ops in doc["paths"].items():
        filled = re.sub(r"\{[^}]+\}", "x", path)
        filled = filled if filled.startswith("/api/v1") else "/api/v1" + filled
        out.extend((m.upper(), filled) for m in ops if m in ("get", "post", "patch"))
    return out


@pytest.mark.parametrize("carry", ["nothing", "public_secret", "receipt_code", "x_api_key"])
def test_the_investigators_api_refuses_what_the_public_side_holds(
    world: PublicWorld, carry: str
) -> None:
    secret = world.settings.secret().decode()
    receipt = "A" * 20
    headers = {
        "nothing": {},
        "public_secret": {"Authorization": f"Bearer {secret}"},
        "receipt_code": {"Authorization": f"Bearer {receipt}"},
        "x_api_key": {"X-API-Key": secret},
    }[carry]
    paths = api_paths(world)
    assert len(paths) > 30
    for method, path in paths:
        if path == "/api/v1/health":
            continue
        r = world.api.request(method, path, headers={**headers, "X-Purpose": "x"}, json={})
        assert r.status_code == 401, (method, path, r.status_code)


def test_public_routes_are_the_publication_views_only(world: PublicWorld) -> None:
    paths = {
        (m, r.path) for r in world.app.routes if isinstance(r, APIRoute) for m in (r.methods or ())
    }
    assert paths == {
        ("GET", "/"),
        ("GET", "/d/{code}"),
        ("GET", "/search"),
        ("GET", "/v/{code}"),
        ("GET", "/v/{code}/list"),
        ("GET", "/v/{code}/finance"),
        ("GET", "/lookup"),
        ("POST", "/lookup"),
        ("GET", "/report"),
        ("POST", "/report"),
        ("GET", "/progress"),
        ("POST", "/progress"),
    }
