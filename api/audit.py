"""The audit log: one row per API request, written before the response leaves.

Each row records the user and role, the time, the method and endpoint, the parameters
(query, path and body), the stated purpose (``X-Purpose``), the status and the keys of
every entity returned. Confidential properties are never among the parameters or the
keys (they are not keys, and parameters named like them are dropped). If the row cannot
be written, the caller gets a 500 instead of the data: no look-up goes unrecorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response

from api.db import AuditEntry, Database
from api.deps import decode_header
from api.errors import internal_error
from api.present import CONFIDENTIAL_NAMES

log = logging.getLogger("guanxi.api")
API_PREFIX = "/api/v1"
UNAUDITED = frozenset({f"{API_PREFIX}/health", f"{API_PREFIX}/openapi.json"})
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


class AuditMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: Any, db: Database) -> None:
        super().__init__(app)
        self.db = db

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if not path.startswith(API_PREFIX) or path in UNAUDITED:
            try:
                return await call_next(request)
            except Exception as e:
                return internal_error(e, request)
        t0 = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as e:
            response = internal_error(e, request)
        principal = getattr(request.state, "principal", None)
        presenter = getattr(request.state, "presenter", None)
        route = request.scope.get("route")
        endpoint = getattr(route, "path", None) or path
        if not endpoint.startswith(API_PREFIX):
            endpoint = API_PREFIX + endpoint
        purpose = getattr(request.state, "purpose", None) or decode_header(
            request.headers.get("x-purpose")
        )
        entry = AuditEntry(
            user_name=principal.name if principal else None,
            role=principal.role.value if principal else None,
            method=request.method,
            endpoint=str(endpoint),
            path=path,
            params=request_params(request),
            purpose=(purpose or None) and str(purpose)[:500],
            status=response.status_code,
            returned_keys=presenter.returned if presenter is not None else [],
        )
        try:
            await run_in_threadpool(self._write, entry)
        except Exception as e:
            return internal_error(e, request)
        log.info(
            "%s %s %s user=%s %.0fms",
            request.method,
            endpoint,
            response.status_code,
            principal.name if principal else "-",
            (time.perf_counter() - t0) * 1000,
        )
        return response

    def _write(self, entry: AuditEntry) -> None:
        with self.db.session() as s:
            s.add(entry)


def entries(
    db: Database,
    *,
    user: str | None = None,
    endpoint: str | None = None,
    since: str | None = None,
    until: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], bool]:
    """Audit rows, newest first; returns ``(rows, has_more)``."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
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
