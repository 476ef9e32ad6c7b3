"""The one place where errors become HTTP responses.

Every error leaves the API as ``{"ok": false, "error": "...", "status": N}`` (datasette's
shape): guanxi's own errors (:mod:`graph.errors`), the API's refusals (:class:`ApiError`),
FastAPI's validation errors, Starlette's 404/405, and anything unexpected, which becomes a
500 with a generic message while the detail goes to the server log under an incident id.
Every message passes :func:`public` on its way out, so no error tells a client where the
server keeps its files or how it reaches its engine.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph import errors as ge

log = logging.getLogger("guanxi.api")


class ErrorBody(BaseModel):
    """The body of every error response."""

    ok: bool = Field(False, description="always false")
    error: str = Field(description="what went wrong, in words")
    status: int = Field(description="the HTTP status, repeated")

    model_config = {
        "json_schema_extra": {"examples": [{"ok": False, "error": "no Person 1234", "status": 404}]}
    }


class ApiError(Exception):
    """A refusal the API states on purpose; ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    status = 400


class ResultTooLarge(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403


class NotFoundError(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Unprocessable(ApiError):
    status = 422


class PurposeRequired(ApiError):
    status = 428


class RateLimited(ApiError):
    status = 429


class NotAvailable(ApiError):
    """A feature whose backing module is not installed in this build."""

    status = 501


# guanxi's own errors, by class; the first match in MRO order wins.
_GUANXI_STATUS: tuple[tuple[type[ge.GuanxiError], int], ...] = (
    (ge.ReadOnlyViolation, 403),
    (ge.QueryTimeout, 504),
    (ge.QueryMemoryExceeded, 400),
    (ge.NotFound, 404),
    (ge.InvalidValue, 422),
    (ge.SchemaError, 400),
    (ge.EngineUnavailable, 503),
    (ge.Unsupported, 501),
)

# Statuses every operation may answer, for the OpenAPI document.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "bad request (e.g. an unknown label or relationship type, a result too large)"),
        (401, "no or unknown API key"),
        (403, "outside the caller's role or division scope"),
        (404, "not found"),
        (409, "ambiguous key: give ?label="),
        (422, "invalid parameters"),
        (428, "X-Purpose header required"),
        (429, "rate limit exceeded"),
        (503, "graph engine unavailable"),
        (504, "query timed out"),
    )
}


# Server internals an engine's or driver's message may carry: file paths (the engine's
# socket and data directory), engine addresses.
# The API's own paths (/api/v1/...) are the client's to see.
_PATH = re.compile(r"(?<![\w.])(?:unix:)?/(?!api/)(?:[\w.@%+~-]+/)+(?:[\w.@%+~-]*[\w@%+~-])?")
_ADDRESS = re.compile(
    r"\b(?:bolt|neo4j|redis)(?:\+s|\+ssc)?://\S+?(?=[:,;.]?(?:\s|$))|\b(?:127\.0\.0\.1|localhost|::1)(?::\d+)?\b"
)
_ENGINE_DOWN = (
    "the graph engine is not available (restarting after a failure, or stopped); try again shortly"
)


def public(message: str) -> str:
    """A message fit for a client: server paths and addresses left out.

    >>> public("Error 2 connecting to unix:/srv/guanxi/engine/falkordb.sock. No such file")
    'Error 2 connecting to [server path]. No such file'
    >>> public("no such endpoint: /api/v1/nodes/x")
    'no such endpoint: /api/v1/nodes/x'
    >>> public("cannot reach Neo4j at bolt://10.0.0.5:7687: refused")
    'cannot reach Neo4j at [server address]: refused'
    """
    return _ADDRESS.sub("[server address]", _PATH.sub("[server path]", message))


def body(status: int, message: str) -> dict[str, Any]:
    return {"ok": False, "error": public(message), "status": status}


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body(status, message), status_code=status, headers=dict(headers or {}))


def status_of(exc: BaseException) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    for cls, status in _GUANXI_STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def message_of(exc: ge.GuanxiError) -> str:
    # QueryError carries the Cypher text for the server log; the client gets the words only.
    if isinstance(exc, ge.QueryError):
        return exc.detail
    if isinstance(exc, ge.EngineUnavailable):
        # The detail names the engine's socket or address: the log gets it, not the client.
        log.warning("graph engine unavailable: %s", exc)
        return _ENGINE_DOWN
    return str(exc)


def internal_error(exc: BaseException, request: Request | None = None) -> JSONResponse:
    incident = secrets.token_hex(4)
    where = f"{request.method} {request.url.path}" if request is not None else "?"
    log.error("internal error %s in %s", incident, where, exc_info=exc)
    return error_response(500, f"internal error (incident {incident}); the detail is logged")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one shape."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.headers)

    async def guanxi_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ge.GuanxiError)
        status = status_of(exc)
        if status == 500:
            return internal_error(exc, request)
        return error_response(status, message_of(exc))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        text = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and text == "Not Found":
            text = f"no such endpoint: {request.url.path}"
        return error_response(exc.status_code, text, exc.headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, _validation_message(exc))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(exc, request)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(ge.GuanxiError, guanxi_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)
