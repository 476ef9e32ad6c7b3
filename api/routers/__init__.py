"""One router per resource (``APIRouter(prefix=..., tags=[...])``), mounted under /api/v1."""

from fastapi import APIRouter

from api.routers import (
    admin,
    cases,
    communities,
    complaints,
    entities,
    export,
    findings,
    intake,
    leads,
    meta,
    paths,
    patterns,
    query,
    search,
)

ROUTERS: list[APIRouter] = [
    meta.router,
    search.router,
    entities.router,
    paths.router,
    findings.router,
    leads.router,
    cases.router,
    intake.router,
    communities.router,
    patterns.router,
    query.router,
    export.router,
    complaints.router,
    admin.router,
]

try:  # entity-resolution judgements need graph.resolve
    from api.routers import mentions

    ROUTERS.append(mentions.router)
except ImportError:  # pragma: no cover - graph.resolve not installed
    pass
