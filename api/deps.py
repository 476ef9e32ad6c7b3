"""Dependencies as ``Annotated`` aliases: ``StoreDep``, ``CurrentUser``, ``PurposeDep``…

Everything a request needs hangs off ``app.state.services`` (built by ``create_app``), so
tests override or inject it and nothing is created at import time.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.db import Database
from api.errors import Forbidden, PurposeRequired, RateLimited, Unauthorized
from api.policy import Cap, allowed
from api.present import Presenter
from api.ratelimit import Buckets
from api.refs import RefCodec
from api.scope import Scope, ScopeResolver
from api.services.evidence import EvidenceCache
from api.services.names import NameIndex
from api.services.query import AnalystSlots, Coverage
from api.services.riskmodel import RiskModel
from api.settings import ApiSettings
from api.users import Principal, authenticate
from graph.store import GraphStore, SealedStore

if TYPE_CHECKING:
    from api.workflow.cases import Workflow
    from api.workflow.intake import IntakeService


@dataclass
class Services:
    settings: ApiSettings
    store: GraphStore
    db: Database
    codec: RefCodec
    resolver: ScopeResolver
    buckets: Buckets
    # Long-lived helpers, built in the background where they take a while.
    names: NameIndex  # pinyin name index for search
    risk: RiskModel  # communities and risk scores
    evidence: EvidenceCache  # findings' evidence, kept between requests
    coverage: Coverage  # which divisions the graph holds (free Cypher needs them all)
    address_buckets: Buckets  # per client address, before authentication (api.floodgate)
    sealed: SealedStore  # reporters' identities, out of the graph; read by GET /complaints
    slots: AnalystSlots  # turns on the engine for /query and pattern runs, across processes
    # The case workflow's services, made on first use (api.workflow.deps).
    workflow: Workflow | None = None
    intake: IntakeService | None = None
    division_names: dict[str, str] = field(default_factory=dict)


# Dependencies that only compute are ``async def``: FastAPI runs a plain ``def`` dependency
# in the thread pool, a round trip between threads per dependency and per request.


async def get_services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_store(svc: ServicesDep) -> GraphStore:
    return svc.store


StoreDep = Annotated[GraphStore, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")


async def current_user(
    request: Request,
    svc: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    presented = bearer.credentials if bearer is not None else api_key
    if not presented:
        raise Unauthorized(
            "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        )
    # The key's look-up reads the database: a local SQLite file is read in place (a hop
    # to the thread pool and back cost more CPU than the read), any other database in the
    # thread pool, off the event loop.
    if svc.db.local:
        principal = authenticate(svc.db, presented)
    else:
        principal = await run_in_threadpool(authenticate, svc.db, presented)
    if principal is None:
        raise Unauthorized("unknown or revoked API key")
    request.state.principal = principal
    wait = svc.buckets.take(principal.key_id, principal.rate_per_second)
    if wait > 0:
        raise RateLimited(
            f"rate limit exceeded; retry in {wait:.1f} s",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require(cap: Cap) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the request through only for roles holding ``cap``."""

    async def check(user: CurrentUser) -> Principal:
        if not allowed(user.role, cap):
            raise Forbidden(f"role {user.role.value} may not {cap.value.replace('_', ' ')}")
        return user

    check.__name__ = f"require_{cap.value}"
    return check


GraphReader = Annotated[Principal, Depends(require(Cap.READ_GRAPH))]
FindingsReader = Annotated[Principal, Depends(require(Cap.READ_FINDINGS))]


def decode_header(value: str | None) -> str | None:
    """Header text: percent-encoded or raw UTF-8 (Starlette hands raw bytes over as latin-1)."""
    if value is None:
        return None
    try:
        text = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        text = value
    if "%" in text:
        text = unquote(text, errors="replace")
    return text.strip()


async def purpose(
    request: Request,
    x_purpose: Annotated[
        str | None,
        Header(
            alias="X-Purpose",
            description=(
                "Why you look this up (case number, task), written to the audit log. "
                "Required for look-ups of people and for exports. Non-ASCII text must be "
                "percent-encoded UTF-8 (encodeURIComponent)."
            ),
        ),
    ] = None,
) -> str:
    text = decode_header(x_purpose)
    if not text or len(text) < 2:
        raise PurposeRequired(
            "state the purpose of this look-up in the X-Purpose header (e.g. a case number); "
            "it is written to the audit log"
        )
    request.state.purpose = text[:500]
    return text[:500]


PurposeDep = Annotated[str, Depends(purpose)]


async def presenter(request: Request, user: CurrentUser, svc: ServicesDep) -> Presenter:
    scope = scope_of(user)

    def people_in_scope(ids: list[str]) -> set[str]:
        if not ids:
            return set()
        rows = svc.store.read(
            "UNWIND $ids AS k MATCH (p:Person {id_number: k}) RETURN p",
            {"ids": ids},
            timeout=svc.settings.api_timeout,
        )
        return {str(k) for _, k in svc.resolver.allowed(scope, [r["p"] for r in rows])}

    p = Presenter(user, svc.codec, None if scope.unrestricted else people_in_scope)
    request.state.presenter = p
    return p


PresenterDep = Annotated[Presenter, Depends(presenter)]


def scope_of(user: Principal) -> Scope:
    return Scope(user.divisions)


def respond(request: Request, content: dict[str, Any]) -> Response:
    """The app's JSON response, built directly: large bodies (300-node neighbourhoods) skip
    a second validation against the response model, which documents them; the
    schemathesis test checks that what is sent matches it."""
    cls: type[Response] = request.app.router.default_response_class
    return cls(content)


def note_params(request: Request, **params: Any) -> None:
    """Add request-body parameters to what the audit log records for this request."""
    extra: dict[str, Any] = getattr(request.state, "audit_params", {})
    extra.update(params)
    request.state.audit_params = extra
