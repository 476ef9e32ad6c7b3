"""The public site on a synthetic county (embedded engine), beside the investigators' API
on the same graph and workflow database (the handler's side of a report)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.users import add_user
from graph.loaders import load_folder
from graph.store import GraphStore
from public.app import create_public_app
from public.settings import PublicSettings
from tests.api.harness import make_settings
from tests.public.resident import Resident
from tests.shapes import MakeCounty, OpenEngine

SEED = 7
PERSONS = 3000


@dataclass
class PublicWorld:
    store: GraphStore
    db: Database
    app: FastAPI
    resident: Resident
    api: TestClient
    handler_key: str
    settings: PublicSettings
    truth: dict[str, Any]
    township: str  # the published township
    village: str  # a published village with payments, finance and contracts
    hidden_village: str  # a village outside the published divisions


def public_settings(tmp: Path, **overrides: Any) -> PublicSettings:
    base: dict[str, Any] = {
        "data_dir": tmp,
        "database_url": f"sqlite:///{tmp / 'api.db'}",
        "public_secret": "public-test-secret",
        "public_reports_per_address_hour": 1000,
        "public_reports_per_minute": 1000,
        "public_lookups_per_address_hour": 1000,
        "public_pages_per_second": 10_000.0,
        "public_pages_burst": 10_000,
        "public_lookup_seconds": 0.05,
    }
    return PublicSettings(**{**base, **overrides})


def busiest_village(store: GraphStore, prefix: str) -> str:
    rows = store.read(
        "MATCH (c:Contract) WHERE c.village_code STARTS WITH $p "
        "MATCH (x:Payment {payer_code: c.village_code}) "
        "RETURN c.village_code AS v, count(x) AS n ORDER BY n DESC, v LIMIT 1",
        {"p": prefix},
    )
    return str(rows[0]["v"])


@pytest.fixture(scope="module")
def world(
    open_engine: OpenEngine, synthetic_county: MakeCounty, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PublicWorld]:
    county, truth = synthetic_county(PERSONS, SEED)
    store = open_engine("embedded", "public")
    store.clear()
    store.ensure_schema()
    load_folder(store, county, progress=False)
    townships = store.read(
        "MATCH (d:Division {level: 'township'}) RETURN d.code AS code ORDER BY code"
    )
    township = str(townships[0]["code"])
    hidden = store.read(
        "MATCH (d:Division {level: 'village'}) WHERE NOT d.code STARTS WITH $t "
        "RETURN d.code AS code ORDER BY code LIMIT 1",
        {"t": township},
    )[0]["code"]
    tmp = tmp_path_factory.mktemp("public")
    settings = public_settings(tmp, public_divisions=township)
    db = Database(settings.db_url)
    db.create()
    app = create_public_app(settings, store=store, db=db)
    api_app = create_app(make_settings(tmp), store=store, db=db)
    key = add_user(db, "handler", "complaint_handler", [truth["county"]["code"]])
    with TestClient(app) as client, TestClient(api_app) as api:
        yield PublicWorld(
            store,
            db,
            app,
            Resident(client),
            api,
            key,
            settings,
            truth,
            township,
            busiest_village(store, township),
            str(hidden),
        )
    store.close()
    db.dispose()
