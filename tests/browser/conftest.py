"""The explorer under a real browser: a synthetic county on the embedded engine, the real
API served by uvicorn on 127.0.0.1, and Debian's Chromium driven by Playwright.

Playwright's own browser download is not reachable here, so Chromium is launched from
``/usr/bin/chromium`` (``make test`` installs it where CI=true). Without it the tests skip,
and with CI=true a skip is a failure, as for Neo4j.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from api.app import create_app
from api.db import Database
from api.deps import Services
from api.settings import ApiSettings
from api.users import add_user
from graph.algorithms.numbering import store_communities
from graph.loaders import load_folder
from graph.queries import detect
from graph.store import GraphStore
from tests.shapes import MakeCounty, OpenEngine

if TYPE_CHECKING:
    from playwright.sync_api import Browser

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SEED = 7
PERSONS = 3000


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    return CHROMIUM


@dataclass
class Planted:
    """What the synthetic county planted, as the explorer should find it."""

    secretary_id: str  # a village secretary in the collusion ring, planted person too
    secretary_name: str
    company_uscc: str  # the contractor company of one of his planted contracts
    company_name: str
    contract_id: str
    as_of: str


@dataclass
class Explorer:
    url: str
    keys: dict[str, str]
    planted: Planted
    truth: dict[str, Any] = field(repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _planted(store: GraphStore, truth: dict[str, Any]) -> Planted:
    secretary = truth["ring"]["roles"]["secretary"]
    cases = [
        c
        for c in truth["cases"]
        if c["kind"] == "official_relative_contract" and c["subjects"][0] == secretary
    ]
    assert cases, "truth plants no official_relative_contract case for the ring secretary"
    for case in cases:
        contract = case["subjects"][1]
        rows = store.read(
            "MATCH (c:Contract {contract_id: $c})-[:AWARDED_TO]->(e:Enterprise) "
            "RETURN e.uscc AS uscc, e.name AS name",
            {"c": contract},
        )
        if rows:
            name = store.read(
                "MATCH (p:Person {id_number: $id}) RETURN p.name AS name", {"id": secretary}
            )[0]["name"]
            return Planted(
                secretary, name, rows[0]["uscc"], rows[0]["name"], contract, truth["as_of"]
            )
    raise AssertionError("no planted ring contract is awarded to a company")


@pytest.fixture(scope="module")
def explorer(
    chromium_path: str,
    open_engine: OpenEngine,
    synthetic_county: MakeCounty,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Explorer]:
    county, truth = synthetic_county(PERSONS, SEED)
    store = open_engine("embedded", "browser")
    store.clear()
    store.ensure_schema()
    load_folder(store, county, progress=False)
    detect(store, as_of=truth["as_of"])
    store_communities(store)  # as `guanxi detect` does: the numbering the explorer shows

    tmp = tmp_path_factory.mktemp("api")
    settings = ApiSettings(
        data_dir=tmp,
        database_url=f"sqlite:///{tmp / 'api.db'}",
        secret_key="browser-test-secret",
        pinyin_index=False,  # built below, before the first request
        risk_model=False,
        rate_per_second=1000.0,
        rate_burst=1000,
        address_rate_per_second=1000.0,
        address_burst=1000,
    )
    db = Database(settings.db_url)
    db.create()
    code = truth["county"]["code"]
    keys = {
        "investigator": add_user(db, "wang", "investigator", [code]),
        # A complaint handler may search but not read findings, communities or exports.
        "no_rights": add_user(db, "zhao", "complaint_handler", [code]),
        # The commission one level up: approves the county's extensions.
        "city": add_user(db, "chen", "investigator", [code[:4]]),
        # Reads cases but may neither handle them nor approve extensions.
        "analyst": add_user(db, "sun", "analyst", [code]),
    }
    app = create_app(settings, store=store, db=db)
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, name="explorer-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    svc: Services = app.state.services
    svc.names.build(store)
    svc.risk.build(store)
    try:
        yield Explorer(f"http://127.0.0.1:{port}/", keys, _planted(store, truth), truth)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        store.close()
        db.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots and downloads (tests/artifacts/, not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield b
        b.close()
