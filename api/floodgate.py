"""Unauthenticated floods: a throttle by client address, and failed sign-ins counted.

Per-key rate limits (:mod:`api.ratelimit`) start once a key is known; a client without
a valid key used to get through to authentication as often as it liked, and each
refusal wrote its own audit row (20 clients sent 12,665 requests in 15 s: 65 MB of audit
and write-ahead log). Two defences, both before authentication:

- :class:`AddressThrottle` takes a token from the client address's bucket for every API
  request (``GUANXI_ADDRESS_RATE_PER_SECOND``, ``GUANXI_ADDRESS_BURST``), in the buckets
  file every API process of the data directory shares; an empty bucket answers 429 with
  ``Retry-After`` without reading the key.
- :class:`FailureTally` replaces one audit row per refused anonymous request (401, or the
  429 above) with one row per client address and minute: ``endpoint`` is
  ``auth-failures``, ``params`` holds the address, the count by status and by endpoint,
  and the first and last time. Rows are written when their minute is over (a background
  thread checks every few seconds) and when the application stops.

>>> t = FailureTally(None)
>>> t.add("10.0.0.9", 401, "/api/v1/search", at=120.5)
>>> t.add("10.0.0.9", 429, "/api/v1/search", at=121.0)
>>> [(r["path"], r["params"]["count"], r["params"]["statuses"]) for r in t.due(now=181.0)]
[('10.0.0.9', 2, {'401': 1, '429': 1})]
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from starlette.types import ASGIApp, Receive, Scope, Send

from api.db import AuditEntry, Database
from api.errors import error_response
from api.ratelimit import Buckets

log = logging.getLogger("guanxi.api")
FAILURES_ENDPOINT = "auth-failures"


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class AddressThrottle:
    """429 for an address that exceeded its rate, before any key is looked at."""

    def __init__(self, app: ASGIApp, prefix: str, unthrottled: frozenset[str]) -> None:
        self.app = app
        self.prefix = prefix
        self.unthrottled = unthrottled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(self.prefix) or path in self.unthrottled:
            await self.app(scope, receive, send)
            return
        services = getattr(scope["app"].state, "services", None)
        buckets: Buckets | None = services.address_buckets if services else None
        wait = buckets.take(f"addr:{client_address(scope)}") if buckets is not None else 0.0
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            response = error_response(
                429,
                f"too many requests from this address; retry in {wait:.1f} s",
                {"Retry-After": retry},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


@dataclass
class _Minute:
    first: float
    last: float
    statuses: Counter[int] = field(default_factory=Counter)
    endpoints: Counter[str] = field(default_factory=Counter)


class FailureTally:
    """Refused anonymous requests, counted per (address, minute) and written as one row."""

    def __init__(self, db: Database | None, check_every: float = 5.0) -> None:
        self.db = db
        self.check_every = check_every
        self._minutes: dict[tuple[str, int], _Minute] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, address: str, status: int, endpoint: str, at: float | None = None) -> None:
        t = time.time() if at is None else at
        with self._lock:
            m = self._minutes.get((address, int(t // 60)))
            if m is None:
                m = self._minutes[(address, int(t // 60))] = _Minute(t, t)
            m.last = t
            m.statuses[status] += 1
            m.endpoints[endpoint] += 1
            if self._thread is None and self.db is not None:
                self._thread = threading.Thread(target=self._run, name="auth-failures", daemon=True)
                self._thread.start()

    def due(self, now: float | None = None, everything: bool = False) -> list[dict[str, Any]]:
        """Take the rows of minutes that are over (all of them with ``everything``)."""
        current = int((time.time() if now is None else now) // 60)
        with self._lock:
            keys = [k for k in self._minutes if everything or k[1] < current]
            taken = [(k, self._minutes.pop(k)) for k in keys]
        return [_row(address, m) for (address, _), m in taken]

    def flush(self, everything: bool = False) -> None:
        rows = self.due(everything=everything)
        if not rows or self.db is None:
            return
        try:
            with self.db.session() as s:
                s.execute(insert(AuditEntry), rows)
        except Exception:
            log.exception("could not write %d rows of failed authentications", len(rows))

    def _run(self) -> None:
        while not self._stop.wait(self.check_every):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self.flush(everything=True)


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="milliseconds")


def _row(address: str, m: _Minute) -> dict[str, Any]:
    count = sum(m.statuses.values())
    return {
        "at": _iso(m.last),
        "user_name": None,
        "role": None,
        "method": "*",
        "endpoint": FAILURES_ENDPOINT,
        "path": address,
        "params": {
            "address": address,
            "count": count,
            "statuses": {str(k): v for k, v in sorted(m.statuses.items())},
            "endpoints": dict(m.endpoints.most_common(20)),
            "first": _iso(m.first),
            "last": _iso(m.last),
        },
        "purpose": None,
        "status": 401 if m.statuses.get(401) else 429,
        "returned_keys": [],
    }
