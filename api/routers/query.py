"""Read-only Cypher for analysts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.deps import PresenterDep, PurposeDep, ServicesDep, note_params, require, scope_of
from api.errors import COMMON_RESPONSES, BadRequest, Forbidden
from api.inputs import QueryIn
from api.models import QueryOut
from api.policy import Cap
from api.services.query import check_shape, vet
from api.users import Principal
from graph.errors import QueryError, QueryMemoryExceeded, QueryTimeout, ReadOnlyViolation
from graph.ids import is_resident_id, is_uscc

router = APIRouter(prefix="/query", tags=["query"], responses=COMMON_RESPONSES)


@router.post(
    "",
    summary="Run read-only Cypher (analysts): refused if it writes; timeout; row limit",
    response_model=QueryOut,
    description=(
        "The query is refused (403) if it would write (plan check and read-only execution "
        "on both engines), if it names a confidential property or reaches properties by "
        "computed names, or if the caller's divisions do not cover the whole graph: free "
        "Cypher cannot be confined to a division without leaking through counts and "
        "filters. Nodes in the result are masked like everywhere else; `limit` rows at most. "
        "Refused up front (400): brackets nested deeper than 12 levels, `range()` of more "
        "than 10 million values. A query needing more memory than the engine allows one "
        "query answers 400; one past the time limit (waiting included) 504; when other "
        "analysts' queries hold every slot for too long, 429 with Retry-After."
    ),
)
def query(
    request: Request,
    user: Annotated[Principal, Depends(require(Cap.QUERY))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    body: QueryIn,
) -> dict[str, Any]:
    note_params(request, cypher=body.cypher, params=body.params, limit=body.limit)
    coverage = svc.coverage
    if not coverage.covers(scope_of(user)):
        raise Forbidden(
            "free Cypher needs a scope covering every division in the graph; yours does not"
        )
    check_shape(body.cypher, body.params)
    vet(body.cypher)
    limit = min(body.limit, svc.settings.row_limit)
    slots = svc.slots
    try:
        with slots.hold(svc.settings.analyst_wait) as waited:
            rows = svc.store.read_only(
                body.cypher,
                body.params,
                # The time limit is the request's: time spent waiting for a slot counts.
                timeout=max(1.0, svc.settings.query_timeout - waited),
                row_limit=limit + 1,
            )
    except (ReadOnlyViolation, QueryTimeout, QueryMemoryExceeded):
        raise
    except QueryError as e:
        raise BadRequest(f"the query failed: {e.detail}") from None
    columns = list(rows[0]) if rows else []
    out = [{k: p.value(v) for k, v in r.items()} for r in rows[:limit]]
    for r in rows[:limit]:
        for v in _scalars(r):
            if is_resident_id(v) or is_uscc(v):
                p.note("Value", v)  # identifiers returned as plain values are audited too
    return {
        "columns": columns,
        "rows": out,
        "truncated": len(rows) > limit,
    }


def _scalars(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        if v.get("_kind") in ("node", "relationship", "path"):
            return []
        return [s for x in v.values() for s in _scalars(x)]
    if isinstance(v, list):
        return [s for x in v for s in _scalars(x)]
    return []
