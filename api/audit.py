"""The audit log: one row per API request, written before the response leaves.

Except refusals of requests that carry no valid key (401, or 429 from the address
throttle): those are counted, one row per client address and minute (api.floodgate).

Each row records the user and role, the time, the method and endpoint, the parameters
(query, path and body), the stated purpose (``X-Purpose``), the status and the keys of
every entity returned. Confidential properties are never among the parameters or the
keys (they are not keys, and parameters named like them are dropped). If the row cannot
be written, the caller gets a 500 instead of the data: no look-up goes unrecorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable
from typing import Any

from fastapi import Request
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auditwriter import AuditWriter
from api.db import AuditEntry, Database, User, now
from api.deps import decode_header
from api.errors import internal_error
from api.floodgate import FailureTally, client_address
from api.present import CONFIDENTIAL_NAMES

log = logging.getLogger("guanxi.api")
API_PREFIX = "/api/v1"
UNAUDITED = frozenset({f"{API_PREFIX}/health", f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs"})
_MAX_TEXT = 20_000


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in CONFIDENTIAL_NAMES}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        return value[:_MAX_TEXT] + "…"
    return value


def request_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for k in request.query_params:
        vals = request.query_params.getlist(k)
        params[k] = vals[0] if len(vals) == 1 else vals
    path_params = request.scope.get("path_params") or {}
    params.update({f"path.{k}": v for k, v in path_params.items()})
    params.update(getattr(request.state, "audit_params", {}))
    return dict(_clean(params))


class AuditMiddleware:
    """Writes the audit row when the response starts, before any of it is sent.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` runs every request through
    an extra task group and memory streams, a millisecond of CPU per request under load.
    The response's start is held back until the row is committed (in one transaction with
    the rows of requests finishing at the same time: :mod:`api.auditwriter`); if the write
    fails the caller gets a 500 instead (and none of the body), as before.
    """

    def __init__(self, app: ASGIApp, db: Database, tally: FailureTally | None = None) -> None:
        self.app = app
        self.db = db
        self.writer = AuditWriter(db)
        self.tally = tally

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        audited = path.startswith(API_PREFIX) and path not in UNAUDITED
        t0 = time.perf_counter()
        started = False
        failed = False  # the audit write failed: the 500 is sent, the body dropped

        async def send_audited(message: Message) -> None:
            nonlocal started, failed
            if message["type"] == "http.response.start":
                started = True
                if audited:
                    try:
                        await self._audit(scope, message["status"], t0)
                    except Exception as e:
                        failed = True
                        await internal_error(e, Request(scope))(scope, receive, send)
                        return
            if not failed:
                await send(message)

        try:
            await self.app(scope, receive, send_audited)
        except Exception as e:
            if started:
                raise
            await internal_error(e, Request(scope))(scope, receive, send_audited)

    async def _audit(self, scope: Scope, status: int, t0: float) -> None:
        request = Request(scope)
        state = request.state
        principal = getattr(state, "principal", None)
        presenter = getattr(state, "presenter", None)
        path = request.url.path
        route = scope.get("route")
        endpoint = getattr(route, "path", None) or path
        if not endpoint.startswith(API_PREFIX):
            endpoint = API_PREFIX + endpoint
        if principal is None and status in (401, 429) and self.tally is not None:
            # Refused before anyone was identified: counted, one row per address and
            # minute (api.floodgate), so a flood cannot fill the log.
            self.tally.add(client_address(scope), status, str(endpoint))
            return
        purpose = getattr(state, "purpose", None) or decode_header(request.headers.get("x-purpose"))
        entry = {
            "at": now(),  # when the request was answered, not when its group committed
            "user_name": principal.name if principal else None,
            "role": principal.role.value if principal else None,
            "method": request.method,
            "endpoint": str(endpoint),
            "path": path,
            "params": request_params(request),
            "purpose": (purpose or None) and str(purpose)[:500],
            "status": status,
            "returned_keys": presenter.returned if presenter is not None else [],
        }
        await self.writer.write(entry)
        log.info(
            "%s %s %s user=%s %.0fms",
            request.method,
            endpoint,
            status,
            principal.name if principal else "-",
            (time.perf_counter() - t0) * 1000,
        )


def users_within(db: Database, prefixes: Iterable[str]) -> list[str]:
    """Users whose every division lies within ``prefixes``: the rows an admin scoped to
    those divisions may read (what those users did and saw is all inside the scope).

    An admin with every division (``""``) reads every row, including unauthenticated
    requests and users reaching beyond any one scope; a scoped admin reads neither.
    """
    scope = tuple(prefixes)
    with db.session() as s:
        users = s.execute(select(User.name, User.divisions)).all()
    return [
        name
        for name, divisions in users
        if divisions
        and all(any(str(d).startswith(p) for p in scope) for d in divisions)
        and "" not in divisions
    ]


def entries(
    db: Database,
    *,
    user: str | None = None,
    users: Collection[str] | None = None,
    endpoint: str | None = None,
    since: str | None = None,
    until: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], bool]:
    """Audit rows, newest first; returns ``(rows, has_more)``. ``users``: only rows of
    these users (a scoped admin's, :func:`users_within`); None for every row."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    if users is not None:
        q = q.where(AuditEntry.user_name.in_(sorted(users)))
    if user:
        q = q.where(AuditEntry.user_name == user)
    if endpoint:
        q = q.where(AuditEntry.endpoint == endpoint)
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    with db.session() as s:
        rows = s.scalars(q.offset(offset).limit(limit + 1)).all()
        out = [
            {
                "id": r.id,
                "at": r.at,
                "user": r.user_name,
                "role": r.role,
                "method": r.method,
                "endpoint": r.endpoint,
                "path": r.path,
                "params": r.params,
                "purpose": r.purpose,
                "status": r.status,
                "returned_keys": r.returned_keys,
            }
            for r in rows[:limit]
        ]
    return out, len(rows) > limit
