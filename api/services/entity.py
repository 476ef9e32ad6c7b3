"""One entity's page: provenance, the findings that concern it, community, risk score."""

from __future__ import annotations

from typing import Any

from api.scope import Scope
from api.services.communities import view
from api.services.riskmodel import RiskModel
from graph.algorithms.facts import SEVERITY_POINTS
from graph.queries.triage import findings_concerning
from graph.store import GraphStore, Node


def provenance(node: Node) -> list[dict[str, Any]]:
    """``src`` entries ``register#row`` as records, e.g. ``persons#12``."""
    out = []
    for s in node["properties"].get("src") or []:
        text = str(s)
        register, _, row = text.partition("#")
        out.append(
            {"register": register, "row": int(row) if row.isdigit() else None, "source": text}
        )
    return out


def findings_of(
    store: GraphStore, node: Node, scope: Scope, timeout: float
) -> list[tuple[Node, list[Node]]]:
    label = str(node["labels"][0])
    return findings_concerning(
        store, label, node["key"], scope.anchored_predicate, limit=100, timeout=timeout
    )


def community(model: RiskModel, node: Node, scope: Scope) -> dict[str, Any] | None:
    """The entity's community, its size counted as ``/communities`` counts it for ``scope``."""
    m = model.model
    if m is not None:
        v = m.vertex(str(node["labels"][0]), node["key"])
        if v is None:
            return None
        cid = int(m.membership[v])
        ranked = m.by_id.get(cid)
        seen = view(m, scope, ranked) if ranked is not None else None
        return {"id": cid, "size": seen["size"] if seen is not None else None}
    stored = node["properties"].get("community")
    return {"id": int(stored), "size": None} if isinstance(stored, int) else None


def risk(model: RiskModel, node: Node, findings: list[tuple[Node, list[Node]]]) -> dict[str, Any]:
    """Score = own findings' severity points + network exposure (graph.algorithms.risk).

    Without the model (still building), the score is the own findings alone.
    """
    comps: list[dict[str, Any]] = []
    own = 0.0
    for f, _ in findings:
        p = f["properties"]
        if p.get("status") == "dismissed":
            continue
        pts = SEVERITY_POINTS.get(str(p.get("severity")), 1.0)
        own += pts
        comps.append(
            {
                "kind": "finding",
                "name": str(p.get("pattern")),
                "value": pts,
                "detail": str(p.get("finding_id")),
            }
        )
    m = model.model
    if m is None:
        return {"score": own, "components": comps, "method": "findings_only"}
    v = m.vertex(str(node["labels"][0]), node["key"])
    s = m.scores.get(v) if v is not None else None
    if s is None:
        return {"score": own, "components": comps, "method": "own_plus_exposure"}
    hops = sorted(k for k in s if k.startswith("hop"))
    comps += [
        {
            "kind": "exposure",
            "name": h,
            "value": s[h],
            "detail": f"findings met {h[3:]} hop(s) away, damped",
        }
        for h in hops
        if s[h] > 0
    ]
    return {"score": s["score"], "components": comps, "method": "own_plus_exposure"}
