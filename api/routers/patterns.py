"""The pattern library: list it, run one pattern with parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from api.deps import (
    CurrentUser,
    PresenterDep,
    PurposeDep,
    ServicesDep,
    note_params,
    require,
    scope_of,
)
from api.errors import COMMON_RESPONSES, Forbidden, NotFoundError
from api.inputs import RunIn
from api.models import PatternOut, RunOut
from api.policy import Cap, allowed
from api.services.findings import summary
from api.users import Principal
from graph.errors import NotFound
from graph.ids import parse_date
from graph.queries import get, library, run_pattern
from graph.queries.findings import division_of
from graph.store.base import plain_node

router = APIRouter(prefix="/patterns", tags=["patterns"], responses=COMMON_RESPONSES)


@router.get("", summary="Every pattern with its parameters", response_model=list[PatternOut])
def patterns(user: CurrentUser) -> list[dict[str, Any]]:
    if not allowed(user.role, Cap.PATTERNS):
        raise Forbidden(f"role {user.role.value} may not list patterns")
    return [p.to_json() for p in library().values()]


@router.post(
    "/{pattern_id}/run",
    summary="Run one pattern now, with parameters checked against its metadata",
    response_model=RunOut,
    description=(
        "Parameters are validated against the pattern's declared types (422 with a message "
        "otherwise). The findings are returned, not written to the graph (``guanxi detect`` "
        "does that); their evidence is kept for `GET /findings/{id}`. Only findings in the "
        "caller's divisions are returned."
    ),
)
def run(
    request: Request,
    user: Annotated[Principal, Depends(require(Cap.RUN_PATTERNS))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    pattern_id: Annotated[str, Path(min_length=1, max_length=100)],
    body: RunIn,
) -> dict[str, Any]:
    note_params(request, params=body.params, as_of=body.as_of, limit=body.limit)
    try:
        pattern = get(pattern_id)
    except NotFound as e:
        raise NotFoundError(str(e)) from None
    as_of = parse_date(body.as_of) if body.as_of else None
    bound = pattern.bind(body.params, as_of=as_of)
    with svc.slots.hold(svc.settings.analyst_wait) as waited:
        found = run_pattern(
            svc.store,
            pattern,
            body.params,
            as_of=as_of,
            timeout=max(1.0, svc.settings.query_timeout - waited),
        )
    cache = svc.evidence
    cache.remember(pattern.id, found)
    scope = scope_of(user)
    out = []
    for f in found:
        code = division_of(f)
        if not (scope.unrestricted or (code is not None and scope.covers(code))):
            continue
        node = plain_node(
            ["Finding"],
            {
                **f.to_json(),
                "subject_labels": f.subject_labels,
                "division_code": code,
                "status": "new",
            },
        )
        subjects = [n for n in f.evidence["nodes"] if str(n.get("key")) in set(f.subjects)]
        out.append(summary(p, svc.resolver, scope, node, subjects))
    return {
        "pattern": pattern.id,
        "params": bound,
        "count": len(out),
        "truncated": len(out) > body.limit,
        "findings": out[: body.limit],
    }
