"""Export a subgraph: JSON, GraphML, GEXF, CSV (zip), XLSX, FollowTheMoney, standalone HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import PresenterDep, PurposeDep, ServicesDep, require, scope_of
from api.errors import COMMON_RESPONSES, BadRequest, Forbidden, Unprocessable
from api.inputs import ExportIn
from api.models import LABELS
from api.policy import Cap, allowed
from api.refs import BadRef
from api.scope import Scope, node_id
from api.services import exporting
from api.services.communities import community_subgraph
from api.services.expand import neighbours
from api.services.findings import ensure_visible, evidence_in_scope, get_finding, screen
from api.services.lookup import check_types, find_visible
from api.users import Principal
from graph.queries.subgraph import end_of, induced

router = APIRouter(prefix="/export", tags=["export"], responses=COMMON_RESPONSES)
FORMAT_NAMES = ["json", "graphml", "gexf", "csv", "xlsx", "ftm", "html"]
_FILE_RESPONSE: dict[str, Any] = {
    "description": "the file, as an attachment",
    "content": {
        "application/json": {},
        "application/graphml+xml": {},
        "application/gexf+xml": {},
        "application/zip": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
        "application/x-ndjson": {},
        "text/html": {},
    },
}


@router.get(
    "",
    summary="A subgraph as a file: an entity's neighbourhood, a finding's evidence, a community",
    response_class=Response,
    responses={200: _FILE_RESPONSE},
    description=(
        "Give exactly one of `entity` (with `depth`, `types`, `limit`), `finding` or "
        "`community`. Nodes outside the caller's divisions are left out; identifiers are "
        "masked and keys replaced by refs for roles that may not see them. Requires "
        "`X-Purpose`; every export is audited with the keys it contained."
    ),
)
def export(
    user: Annotated[Principal, Depends(require(Cap.EXPORT))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    format: Annotated[str, Query(json_schema_extra={"enum": FORMAT_NAMES})] = "json",
    entity: Annotated[str | None, Query(max_length=500, description="ref or key")] = None,
    label: Annotated[str | None, Query(json_schema_extra={"enum": LABELS})] = None,
    depth: Annotated[int, Query(ge=1, le=3)] = 1,
    types: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 300,
    finding: Annotated[str | None, Query(max_length=300)] = None,
    community: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    _media(format)
    given = [x for x in (entity, finding, community) if x is not None]
    if len(given) != 1:
        raise BadRequest("give exactly one of entity, finding or community")
    scope = scope_of(user)
    title = "关系图 guanxi"
    nodes: Sequence[Mapping[str, Any]]
    rels: Sequence[Mapping[str, Any]]
    if entity is not None:
        start = find_visible(svc.store, svc.codec, svc.resolver, scope, entity, label)
        exp = neighbours(
            svc.store,
            svc.resolver,
            scope,
            start,
            depth=depth,
            types=check_types(types),
            limit=min(limit, svc.settings.neighbours_max),
            timeout=svc.settings.api_timeout,
        )
        nodes, rels = list(exp.nodes.values()), list(exp.rels.values())
        title = f"关系图 — {p.caption(str(start['labels'][0]), start['properties'], start['key'])}"
    elif finding is not None:
        if not allowed(user.role, Cap.READ_FINDINGS):
            raise Forbidden(f"role {user.role.value} may not read findings")
        f, _ = get_finding(svc.store, finding)
        ensure_visible(scope, f)
        cache = svc.evidence
        ev, _how = cache.get(f["properties"])
        nodes, rels, _ = evidence_in_scope(svc.resolver, scope, ev or {})
        title = f"疑点证据 — {f['properties'].get('title') or finding}"
    else:
        assert community is not None
        if not allowed(user.role, Cap.COMMUNITIES):
            raise Forbidden(f"role {user.role.value} may not read communities")
        nodes, rels, _ = community_subgraph(svc, scope, community, limit)
        title = f"社区 {community}"
    return _file(svc, scope, p, nodes, rels, format, title)


def _media(format: str) -> tuple[str, str]:
    fmts = exporting.formats()
    if format not in fmts:
        raise Unprocessable(f"unknown format {format!r}; one of {', '.join(fmts)}")
    return fmts[format]


def _file(
    svc: ServicesDep,
    scope: Scope,
    p: PresenterDep,
    nodes: Sequence[Mapping[str, Any]],
    rels: Sequence[Mapping[str, Any]],
    format: str,
    title: str,
) -> Response:
    """The subgraph, masked for the caller, as an attachment (what it shows is audited)."""
    media, ext = _media(format)
    screen(svc.store, svc.resolver, scope, p, nodes)
    sub = exporting.masked_subgraph(p, nodes, rels)
    data = exporting.render(sub, format, title)
    if len(data) > svc.settings.response_max_bytes:
        raise BadRequest("the export is too large; ask for less (lower limit or depth)")
    name = f"guanxi-export.{ext}"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post(
    "",
    summary="Chosen nodes (what is on screen) and every relationship among them, as a file",
    response_class=Response,
    responses={200: _FILE_RESPONSE},
    description=(
        "The explorer sends the refs of the nodes it shows. Nodes outside the caller's "
        "divisions are left out; masking as for `GET /export`. Requires `X-Purpose`; "
        "audited with the keys it contained."
    ),
)
def export_nodes(
    user: Annotated[Principal, Depends(require(Cap.EXPORT))],
    purpose: PurposeDep,
    svc: ServicesDep,
    p: PresenterDep,
    body: ExportIn,
) -> Response:
    scope = scope_of(user)
    ids: list[tuple[str, Any]] = []
    for ref in dict.fromkeys(body.nodes):
        try:
            ids.append(svc.codec.decode(ref))
        except BadRef:
            raise BadRequest(f"not a ref from this server: {ref[:40]!r}") from None
    sub = induced(svc.store, ids, timeout=svc.settings.api_timeout)
    links = [(end_of(r, "start"), end_of(r, "end")) for r in sub["relationships"]]
    ok = svc.resolver.allowed(scope, sub["nodes"], links)
    nodes = [n for n in sub["nodes"] if node_id(n) in ok]
    rels = [r for r in sub["relationships"] if end_of(r, "start") in ok and end_of(r, "end") in ok]
    return _file(svc, scope, p, nodes, rels, body.format, body.title or "关系图 guanxi")
