"""Property-based tests from the OpenAPI document: no 500s, responses as documented.

Schemathesis generates requests for every operation (valid and invalid parameters and
bodies) and checks each response: not a server error, a documented status code and
content type, and a body that validates against the documented schema. Requests carry an
admin's key (everything reachable) and then an investigator's (masking and scope paths).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.app import build_services, create_app
from api.db import Database
from api.users import add_user
from tests.api import graphdata as gd
from tests.api.harness import make_settings
from tests.shapes import OpenEngine

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

# schemathesis' lazy loader (``from_fixture``) does not run on pytest 9, so the schema is
# loaded eagerly from an application whose services are attached by the fixture below.
_TMP = Path(tempfile.mkdtemp(prefix="guanxi-fuzz-"))
SETTINGS = make_settings(_TMP)
DB = Database(SETTINGS.db_url)
APP = create_app(SETTINGS, db=DB, start=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def keys(open_engine: OpenEngine) -> Iterator[dict[str, str]]:
    store = open_engine("embedded", "api_fuzz")
    store.clear()
    store.ensure_schema()
    gd.build(store)
    DB.create()
    APP.state.services = svc = build_services(SETTINGS, store, DB)
    svc.names.build(store)
    svc.risk.build(store)
    yield {
        "admin": add_user(DB, "admin", "admin", [""]),
        "inv": add_user(DB, "inv", "investigator", [gd.A]),
    }
    store.close()
    DB.engine.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)  # made at import, so removed here


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_openapi_conformance(case: Any, keys: dict[str, str]) -> None:
    for user in ("admin", "inv"):
        headers = {"Authorization": f"Bearer {keys[user]}", "X-Purpose": "fuzz"}
        case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS)
