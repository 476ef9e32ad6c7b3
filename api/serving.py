"""Several API processes on one port, each with its own listening socket (``SO_REUSEPORT``).

uvicorn's own ``--workers`` share one listening socket, and an asyncio server accepts every
pending connection each time it wakes: the first worker to wake took all 20 of the API
bench's keep-alive connections and the second sat idle (two workers: 131 requests/s, one:
130). With ``SO_REUSEPORT`` each worker listens on a socket of its own and the kernel
hands each new connection to one of them by a hash of its addresses.

Linux only lets sockets of the same user join a port this way. Elsewhere, or where the
option is missing, :func:`serve` falls back to uvicorn's workers.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import socket
import time
from types import FrameType
from typing import Any

log = logging.getLogger("guanxi.api")

# A worker that dies sooner than this after its start is not restarted: it would die again.
MIN_UPTIME_S = 10.0
_STOP_GRACE_S = 10.0


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and os.uname().sysname == "Linux"


def listening_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    """A TCP socket bound to ``host:port`` that other sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    if listen:
        sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Run ``workers`` API processes on ``host:port`` until SIGINT or SIGTERM.

    The application is built in each worker by ``api.app:create_app`` from the
    environment (``GUANXI_*``). A worker that exits unexpectedly after running a while is
    started again.
    """
    if not reuse_port_supported():
        import uvicorn

        uvicorn.run(
            "api.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            access_log=False,
            log_level=log_level,
        )
        return
    # Held, not listening, so that port 0 resolves once and a taken port fails here.
    try:
        reservation = listening_socket(host, port, listen=False)
    except OSError as e:  # taken by another program, or an address not of this machine
        raise SystemExit(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    port = reservation.getsockname()[1]
    ctx = mp.get_context("spawn")
    procs: dict[int, tuple[Any, float]] = {}
    stopping = False

    def start(slot: int) -> None:
        p = ctx.Process(
            target=_worker, args=(host, port, log_level, os.getpid()), name=f"guanxi-api-{slot}"
        )
        p.start()
        procs[slot] = (p, time.monotonic())

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for slot in range(workers):
            start(slot)
        log.info("serving on http://%s:%d with %d processes", host, port, workers)
        while not stopping and procs:
            time.sleep(0.5)
            for slot, (p, started) in list(procs.items()):
                if p.is_alive() or stopping:
                    continue
                del procs[slot]
                if time.monotonic() - started >= MIN_UPTIME_S:
                    log.warning("API process %s exited (%s); starting another", p.pid, p.exitcode)
                    start(slot)
                else:
                    log.error("API process %s exited at start (%s)", p.pid, p.exitcode)
    finally:
        _stop_all([p for p, _ in procs.values()])
        reservation.close()
        for s, h in previous.items():
            signal.signal(s, h)
    if not stopping:
        raise SystemExit("every API process exited at start; see the log above")


def _stop_all(procs: list[Any]) -> None:
    for p in procs:
        if p.is_alive():
            p.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    deadline = time.monotonic() + _STOP_GRACE_S
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join()


def _worker(host: str, port: int, log_level: str, parent: int) -> None:
    import uvicorn

    _die_with(parent)
    sock = listening_socket(host, port)
    config = uvicorn.Config(
        "api.app:create_app", factory=True, access_log=False, log_level=log_level
    )
    uvicorn.Server(config).run(sockets=[sock])


def _die_with(parent: int) -> None:
    """Have the kernel send SIGTERM here when the supervisor dies, even by SIGKILL: an
    orphaned worker would go on answering on the port."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        raise SystemExit(0)
