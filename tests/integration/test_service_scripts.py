"""tools/lib/service.sh, the wrapper behind tools/neo4j/with-neo4j.sh and
tools/postgres/with-postgres.sh: start, export, run, stop, also on failure and on signals.

Most tests drive the library through a fake service (a detached ``sleep`` standing in
for the server) so that every branch runs in a second; the last ones run the real
with-postgres.sh, on a PostgreSQL of its own in a temporary run directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIB = REPO / "tools" / "lib" / "service.sh"
WITH_POSTGRES = REPO / "tools" / "postgres" / "with-postgres.sh"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Start and stop scripts of a fake service: start.sh detaches a `sleep` as the "server"
# (pid in run/pid) and writes run/env; FAKE_MISSING=1 makes it report a missing
# prerequisite, FAKE_FAIL=1 a failed start. stop.sh counts its stops in run/stops.
COMMON = """\
FAKE_DIR="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
SERVICE_NAME=fake
SERVICE_TITLE=Fake
SERVICE_RUN_DIR="$FAKE_DIR/run"
SERVICE_MISSING_FILE="$FAKE_DIR/run/missing-prerequisite"
SERVICE_ENV_FILE="$FAKE_DIR/run/env"
SERVICE_START="$FAKE_DIR/start.sh"
SERVICE_STOP="$FAKE_DIR/stop.sh"
SERVICE_KEEP_VAR=FAKE_KEEP_RUNNING
SERVICE_SKIP_VAR=FAKE_SKIP_REASON
SERVICE_UNSET_VARS=(FAKE_URL FAKE_OTHER_URL)
SERVICE_MISSING_DEFAULT="fake binaries missing"
source {lib}
service_running() {{
    [[ -f "$FAKE_DIR/run/pid" ]] && kill -0 "$(cat "$FAKE_DIR/run/pid")" 2>/dev/null
}}
"""
START = """\
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ "${FAKE_MISSING:-}" == 1 ]] && missing "no fake binary here"
[[ "${FAKE_FAIL:-}" == 1 ]] && { log "fake did not come up"; exit 1; }
mkdir -p "$SERVICE_RUN_DIR"
if service_running; then exit 0; fi
setsid sleep 300 </dev/null >/dev/null 2>&1 &
echo $! >"$SERVICE_RUN_DIR/pid"
echo "export FAKE_URL=fake://$SERVICE_NAME/$(free_port)" >"$SERVICE_ENV_FILE"
"""
STOP = """\
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if service_running; then kill "$(cat "$SERVICE_RUN_DIR/pid")"; fi
rm -f "$SERVICE_RUN_DIR/pid" "$SERVICE_ENV_FILE"
echo stopped >>"$SERVICE_RUN_DIR/stops"
"""
WITH = """\
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
service_with "$@"
"""


class Fake:
    def __init__(self, root: Path) -> None:
        self.dir = root
        root.mkdir(parents=True)
        (root / "common.sh").write_text(COMMON.format(lib=LIB))
        for name, text in (("start.sh", START), ("stop.sh", STOP), ("with.sh", WITH)):
            (root / name).write_text("#!/usr/bin/env bash\n" + text)
            (root / name).chmod(0o755)
        self.with_sh = str(root / "with.sh")

    def server_pid(self) -> int | None:
        pid_file = self.dir / "run" / "pid"
        return int(pid_file.read_text()) if pid_file.exists() else None

    def running(self) -> bool:
        pid = self.server_pid()
        return pid is not None and alive(pid)

    def stops(self) -> int:
        stops = self.dir / "run" / "stops"
        return len(stops.read_text().splitlines()) if stops.exists() else 0

    def kill_server(self) -> None:
        pid = self.server_pid()
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FAKE_", "GUANXI_TEST_POSTGRES", "GUANXI_POSTGRES")) and k != "CI"
    }
    env.update(extra)
    return env


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[tuple[Fake, Fake]]:
    made = (Fake(tmp_path / "outer"), Fake(tmp_path / "inner"))
    yield made
    for fake in made:
        fake.kill_server()


def run(args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=clean_env(**extra), capture_output=True, text=True, timeout=60, check=False
    )


def test_exports_env_runs_the_command_and_stops_with_its_status(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    done = run([fake.with_sh, "sh", "-c", 'echo "url=$FAKE_URL"; exit 7'])
    assert done.returncode == 7, done.stderr
    assert "url=fake://fake/" in done.stdout
    assert not fake.running()
    assert fake.stops() == 1


def test_stdin_reaches_the_command(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    done = subprocess.run(
        [fake.with_sh, "cat"], input="typed\n", env=clean_env(), capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "typed\n"), done.stderr


def test_a_running_server_is_reused_and_left_running(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    assert run([fake.dir / "start.sh"]).returncode == 0  # type: ignore[list-item]
    before = fake.server_pid()
    assert run([fake.with_sh, "true"]).returncode == 0
    assert fake.server_pid() == before
    assert fake.running()
    assert fake.stops() == 0


def test_keep_running_leaves_a_new_server_up(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    assert run([fake.with_sh, "true"], FAKE_KEEP_RUNNING="1").returncode == 0
    assert fake.running()


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_prerequisite_skips_outside_ci_and_fails_in_ci(
    fakes: tuple[Fake, Fake], ci: str
) -> None:
    fake, _ = fakes
    done = run(
        [fake.with_sh, "sh", "-c", 'echo "skip=$FAKE_SKIP_REASON url=${FAKE_URL-unset}"'],
        FAKE_MISSING="1", FAKE_URL="stale", CI=ci,
    )  # fmt: skip
    if ci:
        assert done.returncode == 3
        assert done.stdout == ""
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout == "skip=Fake not started: no fake binary here url=unset\n"
    assert "MISSING PREREQUISITE" in done.stderr


def test_a_failed_start_fails_the_run_without_the_command(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    done = run([fake.with_sh, "sh", "-c", "echo ran"], FAKE_FAIL="1")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Fake did not start (exit 1" in done.stderr


def _interruptible() -> None:
    # A suite started in the background of a non-interactive shell (`make test &`, nohup)
    # inherits SIGINT ignored, and a shell cannot trap a signal ignored on entry: the
    # wrappers under test start as a terminal's foreground job would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def start_and_wait_ready(args: list[str], **extra: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        args,
        env=clean_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("ready"), (line, proc.stderr.read() if proc.stderr else "")
    return proc


def finish(proc: subprocess.Popen[str], timeout: float) -> int:
    proc.communicate(timeout=timeout)
    return proc.returncode


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_reaches_the_command_and_stops_both_nested_servers(
    fakes: tuple[Fake, Fake], sig: signal.Signals, status: int
) -> None:
    outer, inner = fakes
    # The command traps nothing: it ends on the signal only if the wrappers pass it on.
    command = 'echo "ready $$"; exec sleep 60'
    proc = start_and_wait_ready([outer.with_sh, inner.with_sh, "sh", "-c", command])
    started = time.monotonic()
    proc.send_signal(sig)
    assert finish(proc, 20) == status
    assert time.monotonic() - started < 10
    assert not outer.running()
    assert not inner.running()
    assert (outer.stops(), inner.stops()) == (1, 1)


def test_a_signal_while_the_server_starts_stops_it(fakes: tuple[Fake, Fake]) -> None:
    fake, _ = fakes
    slow_start = fake.dir / "start.sh"
    slow_start.write_text(slow_start.read_text() + 'echo "ready" >&2\nsleep 2\n')
    proc = subprocess.Popen(
        [fake.with_sh, "sh", "-c", "echo ran"], env=clean_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    assert proc.stderr.readline() == "ready\n"
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 143
    assert out == ""
    assert not fake.running()


@pytest.fixture
def pg_run_dir() -> Iterator[Path]:
    if not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        if IN_CI:
            pytest.fail("CI=true but the PostgreSQL binaries are missing")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed")
    # Outside the pytest temp tree: as root the server runs as `postgres`, which must be
    # able to reach its run directory (pytest's base temp is private to the user).
    run_dir = Path(tempfile.mkdtemp(prefix="guanxi-pg-test-"))
    yield run_dir
    subprocess.run(
        [str(REPO / "tools" / "postgres" / "stop.sh")],
        env=clean_env(GUANXI_POSTGRES_RUN_DIR=str(run_dir)), capture_output=True, check=False,
    )  # fmt: skip
    shutil.rmtree(run_dir, ignore_errors=True)


def test_with_postgres_stops_on_term_mid_run(pg_run_dir: Path, fakes: tuple[Fake, Fake]) -> None:
    """Nested as the Makefile nests it (with-neo4j.sh around with-postgres.sh), the fake
    standing in for Neo4j: TERM to the outer wrapper ends the run at once, both stopped."""
    outer, _ = fakes
    command = 'echo "ready $GUANXI_TEST_POSTGRES_URL"; exec sleep 60'
    proc = start_and_wait_ready(
        [outer.with_sh, str(WITH_POSTGRES), "sh", "-c", command],
        GUANXI_POSTGRES_RUN_DIR=str(pg_run_dir),
    )
    assert (pg_run_dir / "data" / "postmaster.pid").exists()
    proc.send_signal(signal.SIGTERM)
    assert finish(proc, 30) == 143
    assert not (pg_run_dir / "data" / "postmaster.pid").exists()
    assert not (pg_run_dir / "env").exists()
    assert not outer.running()


def test_with_postgres_exports_the_url_and_keeps_the_status(pg_run_dir: Path) -> None:
    done = run(
        [str(WITH_POSTGRES), "sh", "-c", 'echo "$GUANXI_TEST_POSTGRES_URL"; exit 5'],
        GUANXI_POSTGRES_RUN_DIR=str(pg_run_dir),
    )
    assert done.returncode == 5, done.stderr
    assert done.stdout.startswith("postgresql+psycopg://guanxi@/guanxi_test?host=")
    assert not (pg_run_dir / "data" / "postmaster.pid").exists()
