"""`kill -9` of a served API in the middle of case transitions loses none it acknowledged:
every transition answered 200 is in the case's timeline and in the audit log afterwards,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.db import AuditEntry, Database
from api.users import add_user
from api.workflow.models import Case, CaseEvent
from graph.settings import Settings
from graph.store import embedded_engine, open_store

pytestmark = pytest.mark.slow
CHAIN = ("accept", "start", "request-extension", "close")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _db_url(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'guanxi.db'}"
    sys.path.insert(0, str(Path(__file__).parents[1] / "workflow"))
    from tests.workflow.wfdata import fresh_database

    db = fresh_database("postgres", tmp)  # empties the test database
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    return url


class Client:
    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(
                "POST",
                f"/api/v1{path}",
                body=json.dumps(body).encode(),
                headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
            )
            r = c.getresponse()
            data = r.read()
            return r.status, json.loads(data) if data else {}
        finally:
            c.close()


@pytest.fixture(params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int, Database, dict[str, str]]]:
    url = _db_url(request.param, tmp_path)
    db = Database(url)
    db.create()
    keys = {
        "handler": add_user(db, "handler", "complaint_handler", ["430422"]),
        "inv": add_user(db, "inv", "investigator", ["430422"]),
    }
    # The county's division, in the engine the served API will find running and reuse.
    subprocess.run(
        [sys.executable, "-m", "cli.main", "engine", "start", "--data-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    store = open_store(Settings(data_dir=tmp_path))
    store.write("MERGE (:Division {code: '430422', name: '衡南县', level: 'county'})")
    store.close()
    port = _free_port()
    env = {
        **os.environ,
        "GUANXI_DATABASE_URL": url,
        "GUANXI_RISK_MODEL": "false",
        "GUANXI_PINYIN_INDEX": "false",
        "GUANXI_EVIDENCE_WARM": "false",
        "GUANXI_ENGINE": "embedded",
        "GUANXI_RATE_PER_SECOND": "10000",
        "GUANXI_RATE_BURST": "10000",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                c.request("GET", "/api/v1/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
            finally:
                c.close()
        else:
            pytest.fail("the API did not start: " + log_path.read_text())
        yield proc, port, db, keys
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        embedded_engine(Settings(data_dir=tmp_path)).stop()
        db.dispose()


def test_kill_9_loses_no_acknowledged_transition(
    served: tuple[subprocess.Popen[bytes], int, Database, dict[str, str]],
) -> None:
    proc, port, db, keys = served
    handler, inv = Client(port, keys["handler"]), Client(port, keys["inv"])
    acked: list[tuple[str, str]] = []  # (case_no, action) answered 200
    lock = threading.Lock()
    stop = threading.Event()

    def work(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            try:
                s, got = handler.post(
                    "/intake",
                    {
                        "division_code": "430422",
                        "channel": "电话",
                        "received": "2024-03-01",
                        "summary": f"反映村干部问题{rng.random()}",
                    },
                )
                if s != 201:
                    continue
                s, case = inv.post(
                    "/cases", {"source": {"kind": "complaint", "id": got["complaint_id"]}}
                )
                if s != 201:
                    continue
                no = case["case_no"]
                with lock:
                    acked.append((no, "open"))
                for action in CHAIN:
                    body: dict[str, Any] = {"reason": "按规定办理", "on": "2024-03-05"}
                    if action == "close":
                        body["outcome"] = rng.choice(["查实", "部分属实", "不属实"])
                    s, _ = inv.post(f"/cases/{no}/{action}", body)
                    if s != 200:
                        break
                    with lock:
                        acked.append((no, action.replace("-", "_")))
            except (OSError, http.client.HTTPException, ValueError):
                return  # the server is gone

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    # Kill in full flight: once transitions are flowing, at a random moment.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(acked) < 20:
        time.sleep(0.05)
    time.sleep(random.uniform(0.0, 1.0))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    with lock:
        done = list(acked)
    assert len(done) > 10, "too few transitions before the kill to mean anything"
    with db.session() as s:
        cases = {c.id: c.case_no for c in s.scalars(select(Case))}
        events = {(cases[e.case_id], e.action) for e in s.scalars(select(CaseEvent))}
        audited = {
            (str(a.params.get("case")), a.endpoint.removeprefix("case:"))
            for a in s.scalars(select(AuditEntry).where(AuditEntry.method == "EVENT"))
        }
    lost = [x for x in done if x not in events]
    unaudited = [x for x in done if x not in audited]
    assert not lost, f"acknowledged but lost: {lost[:5]}"
    assert not unaudited, f"acknowledged but not audited: {unaudited[:5]}"
