"""Communities ranked by risk, seen through the caller's divisions.

The ranking comes from the risk model (:mod:`api.services.riskmodel`). A community is
listed for a caller when at least one of its members is anchored in the caller's
divisions; its ``by_label`` then counts those members plus its unanchored members
(companies, vehicles…), its ``size`` the entities among them (findings and complaints
are not counted, as in the CLI's table), and its explanation — which names people — is
shown only when every anchored member is in scope. So are its ``risk`` and its count of
findings as the model computed them, over all members: for a community that reaches
beyond the caller's divisions ``findings`` counts the findings anchored in scope and
``risk`` is null, so neither tells what lies outside. The list is ordered by what the
caller sees too: such a community ranks by the score of its part in scope.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from api.errors import ApiError, NotFoundError
from api.scope import Scope
from api.services.riskmodel import Community, Model
from graph.algorithms import RISK_REL_TYPES
from graph.queries.lookup import fetch_many, outgoing
from graph.store import Node

if TYPE_CHECKING:
    from api.deps import Services

_NOT_ENTITIES = ("Finding", "Complaint")


class ModelNotReady(ApiError):
    status = 503


def model_of(svc: Services) -> Model:
    rm = svc.risk
    if rm.model is None:
        raise ModelNotReady(
            f"communities are not computed yet (risk model: {rm.state}); retry soon"
        )
    return rm.model


def view(m: Model, scope: Scope, c: Community) -> dict[str, Any] | None:
    """The community as this scope sees it, or None when no member is in scope."""
    keep = _seen(m, scope, c)
    return None if keep is None else _view(m, c, keep)


def _seen(m: Model, scope: Scope, c: Community) -> npt.NDArray[np.bool_] | None:
    """Which members the scope sees: its anchored members in scope and the unanchored
    ones; None when no member is in scope."""
    members = c.members
    anchored = np.array([d is not None for d in m.division[members]], bool)
    inside = m.in_scope(scope, members)
    if not inside.any():
        return None
    seen: npt.NDArray[np.bool_] = inside | ~anchored
    return seen


def _view(m: Model, c: Community, keep: npt.NDArray[np.bool_]) -> dict[str, Any]:
    labels = Counter(str(x) for x in m.labels[c.members[keep]])
    whole = bool(keep.all())
    # Counted as the CLI and the explanation count a community's 对象: not its findings
    # and complaints, which are about the entities rather than among them.
    entities = sum(n for label, n in labels.items() if label not in _NOT_ENTITIES)
    return {
        "id": c.id,
        "size": entities,
        "by_label": dict(labels),
        "findings": sum(c.findings.values()) if whole else labels.get("Finding", 0),
        "risk": c.score if whole else None,
        "explanation": c.explanation if whole else None,
    }


def ranked(
    svc: Services, scope: Scope, offset: int, size: int, order: str
) -> tuple[list[dict[str, Any]], bool]:
    """A page of the communities the scope sees, riskiest (or largest) first. Risk is
    what the scope sees: a community reaching beyond it ranks by the score of its part in
    scope (as ``rank_communities`` would score that part alone), not by the whole's."""
    m = model_of(svc)
    seen: list[tuple[float, int, dict[str, Any]]] = []
    for c in m.ranked:
        keep = _seen(m, scope, c)
        if keep is None:
            continue
        score = c.score if keep.all() else m.score_of(c, keep)
        seen.append((score, c.rank, _view(m, c, keep)))
    if order == "size":
        seen.sort(key=lambda s: (-s[2]["size"], s[2]["id"]))
    else:
        seen.sort(key=lambda s: (-s[0], s[1]))
    page = [v for _, _, v in seen[offset : offset + size + 1]]
    return page[:size], len(page) > size


def community_subgraph(
    svc: Services, scope: Scope, community: int, limit: int
) -> tuple[list[Node], list[dict[str, Any]], bool]:
    """Members in scope (at most ``limit``) and the risk relationships among them."""
    m = model_of(svc)
    c = m.by_id.get(community)
    if c is None:
        raise NotFoundError(f"no ranked community {community}")
    if view(m, scope, c) is None:
        raise NotFoundError(f"no ranked community {community} in your divisions")
    # A community of tens of thousands is read in part: enough to fill the limit.
    members = c.members[: max(4 * limit, 1000)]
    keys_by_label: dict[str, list[Any]] = {}
    for v in members.tolist():
        keys_by_label.setdefault(str(m.labels[v]), []).append(m.keys[v])
    nodes: dict[tuple[str, Any], Node] = {}
    rels: list[dict[str, Any]] = []
    for label, keys in keys_by_label.items():
        for n in fetch_many(svc.store, label, keys):
            nodes[(label, n["key"])] = n
        found = outgoing(svc.store, label, keys, RISK_REL_TYPES, timeout=svc.settings.api_timeout)
        rels += cast("list[dict[str, Any]]", found)
    links = [
        ((str(r["start"]["label"]), r["start"]["key"]), (str(r["end"]["label"]), r["end"]["key"]))
        for r in rels
        if r.get("start") and r.get("end")
    ]
    ok = svc.resolver.allowed(scope, nodes.values(), links)
    ids = [i for i in nodes if i in ok]
    truncated = len(ids) > limit
    kept = set(ids[:limit])
    inner = [
        r
        for r in rels
        if r.get("start")
        and r.get("end")
        and (r["start"]["label"], r["start"]["key"]) in kept
        and (r["end"]["label"], r["end"]["key"]) in kept
    ]
    return [nodes[i] for i in ids[:limit]], inner, truncated
