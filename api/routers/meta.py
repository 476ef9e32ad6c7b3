"""Health, the schema, and who the caller is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentUser, StoreDep
from api.errors import COMMON_RESPONSES
from api.models import HealthOut, SchemaOut
from api.policy import MATRIX, view
from graph import schema as sch
from graph.errors import EngineUnavailable

router = APIRouter(tags=["meta"])


@router.get(
    "/health",
    summary="Is the API up and the graph engine reachable?",
    response_model=HealthOut,
    openapi_extra={"security": []},
    responses={503: COMMON_RESPONSES[503]},
)
def health(store: StoreDep) -> dict[str, Any]:
    h = store.health()
    if not h.ok:
        raise EngineUnavailable(f"the {h.engine} graph engine does not answer")
    mark = store.load_mark()
    return {
        "ok": h.ok,
        "engine": h.engine,
        "version": h.version,
        "api": "1",
        # Only the state and its start: the mark's folder and error stay on the server.
        "load": "partial" if mark else "complete",
        "load_since": mark.get("since") if mark else None,
    }


@router.get(
    "/schema",
    summary="Labels, relationship types, properties with their privacy class, colours, icons",
    response_model=SchemaOut,
)
def schema(user: CurrentUser) -> dict[str, Any]:
    return sch.to_json()


class MeOut(BaseModel):
    name: str
    role: str
    divisions: list[str] = Field(description="division code prefixes in scope ('' = all)")
    capabilities: list[str] = Field(description="what the role may do (docs/api.md, Roles)")
    privacy: dict[str, str] = Field(description="privacy class → show, mask or withhold")


@router.get(
    "/me",
    summary="The caller: name, role, division scope and capabilities (the explorer's header)",
    response_model=MeOut,
)
def me(user: CurrentUser) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role.value,
        "divisions": list(user.divisions),
        "capabilities": sorted(c.value for c in MATRIX[user.role]),
        "privacy": {p.value: view(user.role, p).value for p in sch.Privacy},
    }
