"""``guanxi serve --workers 2``: real processes on one port, connections spread across them,
a crashed worker replaced, everything stopped by SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from api.db import Database
from api.serving import MIN_UPTIME_S, reuse_port_supported
from api.settings import ApiSettings
from api.users import add_user
from graph.settings import Settings
from graph.store import embedded_engine

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="needs Linux SO_REUSEPORT")
BURST = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _workers(parent: psutil.Process) -> list[psutil.Process]:
    """The API processes: spawned by multiprocessing (not the engine, not its resource
    tracker), and not yet reaped."""
    out = []
    for c in parent.children():
        try:
            line = " ".join(c.cmdline())
        except psutil.Error:  # exited, or a zombie awaiting its parent
            continue
        if "spawn_main" in line:
            out.append(c)
    return out


def _listening(proc: psutil.Process, port: int) -> bool:
    try:
        conns = proc.net_connections()
    except psutil.Error:  # it exited between being listed and being asked
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in conns)


def _wait_until(ready: Callable[[], bool], seconds: float, failure: Callable[[], str]) -> None:
    """Poll ``ready`` until it holds; on a loaded machine processes start slowly, so each
    wait is bounded by what it waits for, never by a guess of how long that takes."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(failure())
        time.sleep(0.2)


def _serving(port: int, parent: psutil.Process, *, not_pid: int = 0) -> bool:
    ws = [w for w in _workers(parent) if w.pid != not_pid]
    return len(ws) == 2 and all(_listening(w, port) for w in ws)


def _health(port: int) -> int:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/api/v1/health")
        r = c.getresponse()
        r.read()
        return r.status
    except OSError:
        return 0
    finally:
        c.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    env = {
        **os.environ,
        "GUANXI_RISK_MODEL": "false",
        "GUANXI_ENGINE": "embedded",
        # A key's burst, and no refill worth counting while a test runs.
        "GUANXI_RATE_PER_SECOND": "0.001",
        "GUANXI_RATE_BURST": str(BURST),
        "GUANXI_ADDRESS_RATE_PER_SECOND": "100000",
        "GUANXI_ADDRESS_BURST": "100000",
    }
    cmd = [sys.executable, "-m", "cli.main", "serve", "--workers", "2", "--port", str(port)]
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*cmd, "--data-dir", str(tmp_path)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        parent = psutil.Process(proc.pid)

        def ready() -> bool:
            assert proc.poll() is None, log_path.read_text()
            return _serving(port, parent) and _health(port) == 200

        _wait_until(
            ready, 300, lambda: "two workers did not start serving: " + log_path.read_text()
        )
        yield proc, port, log_path
    finally:
        workers = _workers(psutil.Process(proc.pid)) if proc.poll() is None else []
        if proc.poll() is None:
            proc.kill()  # no goodbye: the workers must still not outlive it
            proc.wait()
        _gone, orphans = psutil.wait_procs(workers, timeout=15)
        for w in orphans:
            w.kill()
        embedded_engine(Settings(data_dir=tmp_path)).stop()
        assert not orphans, "API processes outlived their supervisor"


def test_connections_spread_across_workers_and_sigterm_stops_all(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, _log = server
    parent = psutil.Process(proc.pid)
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(20)]
    for c in conns:  # keep-alive connections, as the explorer's browser keeps them
        c.request("GET", "/api/v1/health")
        r = c.getresponse()
        r.read()
        assert r.status == 200
    served = {
        w.pid: sum(
            1
            for c in w.net_connections()
            if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
        )
        for w in _workers(parent)
    }
    assert sum(served.values()) == 20
    assert min(served.values()) > 0, served  # all on one worker: odds 2 in a million
    for c in conns:
        c.close()

    workers = _workers(parent)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive


def _maps(proc: psutil.Process, part: str) -> bool:
    return any(part in m.path for m in proc.memory_maps())


def test_the_supervisor_leaves_the_application_to_its_workers(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    """The supervising process never imports the application (pandas, igraph and the rest,
    3 s of a 2-core machine): each worker imports it, and it held back their start."""
    proc, _port, _log = server
    parent = psutil.Process(proc.pid)
    assert all(_maps(w, "/pandas/") for w in _workers(parent))
    assert not _maps(parent, "/pandas/")


def test_a_crashed_worker_is_replaced(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    proc, port, log = server
    parent = psutil.Process(proc.pid)
    victim = _workers(parent)[0]
    # A worker that dies sooner than MIN_UPTIME_S after its start is not restarted: wait
    # until this one is old enough (a second to spare for the supervisor's own clock).
    _wait_until(
        lambda: time.time() - victim.create_time() > MIN_UPTIME_S + 1,
        MIN_UPTIME_S + 30,
        lambda: "the worker's age could not be read",
    )
    victim.kill()

    def states() -> str:
        found = [(w.pid, w.status(), _listening(w, port)) for w in _workers(parent)]
        return f"the killed worker was not replaced: {found}\n{log.read_text()}"

    _wait_until(lambda: _serving(port, parent, not_pid=victim.pid), 300, states)
    _wait_until(lambda: _health(port) == 200, 60, lambda: "no answer after the restart")


def test_a_keys_rate_limit_holds_across_workers(
    server: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    """Requests on fresh connections land on both processes; together they grant the
    key's burst once (each process's own bucket would grant it twice)."""
    _proc, port, log = server
    db = Database(ApiSettings(data_dir=log.parent).db_url)
    db.create()
    key = add_user(db, "limited", "investigator", ["430422"])
    db.dispose()
    codes = []
    for _ in range(4 * BURST):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            c.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {key}"})
            r = c.getresponse()
            r.read()
            codes.append(r.status)
        finally:
            c.close()
    assert codes.count(200) == BURST, (codes, log.read_text())
    assert codes.count(429) == 3 * BURST


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:  # a plain socket: the API's cannot share its port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "GUANXI_RISK_MODEL": "false", "GUANXI_ENGINE": "embedded"}
        cmd = [sys.executable, "-m", "cli.main", "serve", "--workers", "2", "--port", str(port)]
        try:
            done = subprocess.run(
                [*cmd, "--data-dir", str(tmp_path)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            embedded_engine(Settings(data_dir=tmp_path)).stop()
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
