"""Helpers for the API tests: the users, a client wrapper, settings for a test app."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db import AuditEntry, Database
from api.deps import Services
from api.settings import ApiSettings
from graph.store import GraphStore
from tests.api import graphdata as gd

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# name: (role, divisions)
USERS: dict[str, tuple[str, list[str]]] = {
    "inv_a": ("investigator", [gd.A]),
    "inv_b": ("investigator", [gd.B]),
    "inv_village": ("investigator", [gd.VA]),
    "analyst_city": ("analyst", ["4304"]),
    "analyst_a": ("analyst", [gd.A]),
    "consumer": ("api_consumer", ["4304"]),
    "handler_a": ("complaint_handler", [gd.A]),
    "admin": ("admin", [""]),
}


@dataclass
class Api:
    client: TestClient
    app: FastAPI
    db: Database
    store: GraphStore
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        svc: Services = self.app.state.services
        return svc

    def last_audit(self, endpoint: str) -> AuditEntry:
        """The newest audit entry of ``endpoint`` (a route template or an event name)."""
        with self.db.session() as s:
            row = s.scalars(
                select(AuditEntry)
                .where(AuditEntry.endpoint == endpoint)
                .order_by(AuditEntry.id.desc())
            ).first()
            assert row is not None, endpoint
            return row

    def headers(
        self, user: str | None, purpose: str | None = "案件2024-001 核查"
    ) -> dict[str, str]:
        h: dict[str, str] = {}
        if user is not None:
            h["Authorization"] = f"Bearer {self.keys[user]}"
        if purpose is not None:
            h["X-Purpose"] = quote(purpose)
        return h

    def get(
        self,
        user: str | None,
        path: str,
        /,
        purpose: str | None = "案件2024-001 核查",
        **params: Any,
    ) -> Any:
        return self.client.get(f"/api/v1{path}", params=params, headers=self.headers(user, purpose))

    def post(self, user: str | None, path: str, body: Any, purpose: str | None = "核查") -> Any:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers(user, purpose))

    def patch(self, user: str | None, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/v1{path}", json=body, headers=self.headers(user))

    def ref(self, user: str, label: str, key: str) -> str:
        r = self.get(user, f"/entities/{quote(key, safe='')}", label=label)
        assert r.status_code == 200, r.text
        ref: str = r.json()["node"]["ref"]
        return ref


def make_settings(tmp: Path, **overrides: Any) -> ApiSettings:
    base: dict[str, Any] = {
        "data_dir": tmp,
        "database_url": f"sqlite:///{tmp / 'api.db'}",
        "pinyin_index": False,
        "risk_model": False,
        "evidence_warm": False,
        "rate_per_second": 10_000.0,
        "rate_burst": 10_000,
        "address_rate_per_second": 10_000.0,
        "address_burst": 10_000,
        "secret_key": "test-secret",
        "api_timeout": 60.0,  # a shared test machine can be slow; limits are tested apart
    }
    return ApiSettings(**{**base, **overrides})
