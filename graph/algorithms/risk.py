"""Risk: communities ranked by what they contain, and entities scored with their reasons.

**Communities.** Leiden runs on the *risk projection* — people, households, companies,
assets, contracts, payments, complaints and findings, linked by kinship, household,
company roles, ownership, awards, approvals, payments, findings and shared phones /
addresses — without the hubs that would glue everything together (divisions, departments,
programmes, schools, posts). For ranking, Leiden optimises CPM (resolution 0.02: a
community must be denser than 2% of its pairs) rather than modularity, whose resolution
limit merges a ring into its township: on the synthetic county at 200k persons the
planted ring's modularity community held 2,426 entities (all 15 ring members, ranked
first by 9.3 to 8.3), its CPM community 33 (11 members, ranked first by 14.3 to 10.2) —
a list an investigator can read. Each community then gets components from
:class:`~graph.algorithms.facts.Facts`; each component is damped with ``log1p`` (ten
recipients are not ten times one), weighted, and the sum is divided by a size factor
``1 + log10(max(1, entities / size_ref))`` so that a small ring with the same signals
outranks a township that has everything in small doses. Every component, its weight and
its contribution are returned, with a one-line explanation in Chinese.

**Entities.** ``score = own + exposure``: ``own`` is the severity points of findings
concerning the entity; ``exposure = Σ_{k=1..hops} damping^k (P^k own)(v)`` is what a
random walk from the entity meets in its first ``hops`` steps, ``P`` being the walk on the
undirected projection. That is the entity's personalised PageRank (restart at the entity)
scored against the findings, truncated — equivalently PageRank seeded by findings and
divided by degree, so a hub is not exposed merely for being big. Each hop's share is
returned, with the nearest finding subjects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.algorithms.communities import Partition, leiden
from graph.algorithms.explanations import (
    CommunityRisk,
    Component,
    EntityRisk,
    community_table,
    explain_community,
    explain_entity,
)
from graph.algorithms.facts import SEVERITY_POINTS, Facts, facts_from_projection, gather_facts
from graph.algorithms.projection import Projection, project
from graph.store.base import GraphStore

__all__ = [
    "COMMUNITY_WEIGHTS",
    "RISK_LABELS",
    "RISK_REL_TYPES",
    "RISK_SHARED",
    "CommunityRisk",
    "EntityRisk",
    "community_score",
    "entity_risk",
    "rank_communities",
    "render",
    "risk_projection",
    "risk_scores",
]

RISK_LABELS = (
    "Person",
    "Household",
    "Enterprise",
    "RealEstate",
    "Vehicle",
    "Contract",
    "Payment",
    "Complaint",
    "Finding",
    "Mention",
)
RISK_REL_TYPES = (
    "MEMBER_OF",
    "RELATIVE_OF",
    "LEGAL_REP_OF",
    "ROLE_IN",
    "OWNS",
    "AWARDED_TO",
    "APPROVED_BY",
    "PAID_TO",
    "FOR_CONTRACT",
    "HANDLED_BY",
    "ABOUT",
    "CONCERNS",
    "RESOLVED_TO",
)
#: Properties whose shared values link their holders (a phone, an address).
RISK_SHARED = ("phone", "address")
#: Weight of each community component (after log1p).
COMMUNITY_WEIGHTS = {
    "officials": 1.0,
    "contractors": 1.0,
    "official_and_contractor": 2.0,
    "recipients": 0.3,
    "contract_value": 0.5,
    "findings": 2.0,
    "complaints": 1.0,
}
_ZH = {
    "officials": "公职人员/村干部",
    "contractors": "承包方",
    "official_and_contractor": "干部与承包方同处一社区",
    "recipients": "领取补贴者",
    "contract_value": "合同金额(万元)",
    "findings": "疑点(按风险分)",
    "complaints": "举报",
}
_NOT_ENTITIES = ("Finding", "Complaint")


def risk_projection(
    store: GraphStore,
    *,
    division: str | None = None,
    at: str | None = None,
    node_properties: Mapping[str, Sequence[str]] | None = None,
    batch: int = 100_000,
) -> Projection:
    """The projection communities and risk are computed on: :data:`RISK_LABELS` linked by
    :data:`RISK_REL_TYPES`, and holders of one phone or address linked to each other.

    ``division``, ``at``, ``node_properties`` and ``batch`` are
    :func:`~graph.algorithms.projection.project`'s.
    """
    return project(
        store,
        RISK_LABELS,
        RISK_REL_TYPES,
        division=division,
        at=at,
        node_properties=node_properties,
        link_shared=RISK_SHARED,
        batch=batch,
    )


def rank_communities(
    store: GraphStore | None,
    top: int = 10,
    *,
    proj: Projection | None = None,
    partition: Partition | None = None,
    facts: Facts | None = None,
    weights: Mapping[str, float] | None = None,
    size_ref: int = 30,
    at: str | None = None,
    division: str | None = None,
    objective: Literal["modularity", "CPM"] = "CPM",
    resolution: float = 0.02,
    seed: int = 0,
) -> list[CommunityRisk]:
    """The ``top`` riskiest communities, best first, each with its reasons.

    Without ``proj`` the risk projection is pulled from ``store`` (optionally within a
    ``division`` and at a date ``at``); without ``partition`` Leiden finds communities
    with ``objective``, ``resolution`` and ``seed``; without ``facts`` they are gathered
    from the store (or, with no store, read from the projection).

    >>> from graph.algorithms.toy import RING_KEYS, collusion_county
    >>> proj = Projection.from_records(*reversed(collusion_county()))
    >>> best = rank_communities(None, 3, proj=proj)[0]
    >>> set(RING_KEYS) <= set(proj.keys[best.members])
    True
    >>> print(best.explanation)  # doctest: +ELLIPSIS
    社区...个对象）：公职人员/村干部1人（周建国 村党支部书记）、承包方2个、合同金额297.0万元、...
    """
    if proj is None:
        if store is None:
            raise ValueError("give a store or a projection")
        proj = risk_projection(store, division=division, at=at)
    part = (
        partition
        if partition is not None
        else leiden(proj, objective=objective, resolution=resolution, seed=seed)
    )
    if facts is None:
        facts = (
            gather_facts(store, proj, at=at) if store is not None else facts_from_projection(proj)
        )
    w = {**COMMUNITY_WEIGHTS, **(weights or {})}
    m = part.membership
    k = part.n_communities
    entities, values, sev = _community_values(np.asarray(proj.labels), facts, m, k)
    contrib, size_factor, score = _community_scores(values, entities, w, size_ref)
    candidates = np.flatnonzero(entities >= 2)
    order = candidates[np.lexsort((candidates, -score[candidates]))][:top]
    out = []
    for rank, c in enumerate(order.tolist(), start=1):
        members = np.flatnonzero(m == c).astype(np.int64)
        by_sev = sev[sev["c"] == c]["severity"].value_counts().to_dict()
        comps = [
            Component(n, _ZH[n], float(values[n][c]), w[n], float(contrib[n][c])) for n in values
        ]
        risk = CommunityRisk(
            rank,
            c,
            float(score[c]),
            int(entities[c]),
            float(size_factor[c]),
            comps,
            members,
            {str(s): int(x) for s, x in by_sev.items()},
        )
        risk.leading = _leading(proj, facts, members)
        risk.nodes = [proj.node_id(v) for v in members.tolist()]
        risk.explanation = explain_community(proj, facts, risk)
        out.append(risk)
    return out


def community_score(
    labels: npt.NDArray[Any],
    facts: Facts,
    members: npt.NDArray[np.int64],
    *,
    weights: Mapping[str, float] | None = None,
    size_ref: int = 30,
) -> float:
    """The score :func:`rank_communities` gives a community, of ``members`` (sorted vertex
    ids) alone: what a part of a community, the part a user may see, weighs by itself.

    >>> from graph.algorithms.toy import collusion_county
    >>> proj = Projection.from_records(*reversed(collusion_county()))
    >>> facts = facts_from_projection(proj)
    >>> best = rank_communities(None, 1, proj=proj, facts=facts)[0]
    >>> labels = np.asarray(proj.labels)
    >>> community_score(labels, facts, best.members) == best.score
    True
    >>> community_score(labels, facts, best.members[:2]) < best.score
    True
    """
    members = np.asarray(members, dtype=np.int64)
    n = len(members)

    def within(table: pd.DataFrame) -> pd.DataFrame:
        vids = table["vid"].to_numpy(np.int64)
        pos = np.searchsorted(members, vids)
        hit = pos < n
        hit[hit] = members[pos[hit]] == vids[hit]
        return table[hit].assign(vid=pos[hit])

    part = Facts(
        official=facts.official[members],
        positions={},
        contractor=facts.contractor[members],
        received=facts.received[members],
        contract_amount=facts.contract_amount[members],
        findings=within(facts.findings),
        complaints=within(facts.complaints),
    )
    w = {**COMMUNITY_WEIGHTS, **(weights or {})}
    entities, values, _ = _community_values(labels[members], part, np.zeros(n, np.int64), 1)
    return float(_community_scores(values, entities, w, size_ref)[2][0])


def _community_values(
    labels: npt.NDArray[Any], facts: Facts, m: npt.NDArray[np.int64], k: int
) -> tuple[npt.NDArray[Any], dict[str, npt.NDArray[Any]], pd.DataFrame]:
    """Per community (``m``: each vertex's, ``k`` of them): its entities, the value of
    each component and its distinct findings (with their severity)."""
    entity = ~np.isin(labels, _NOT_ENTITIES)
    entities = np.bincount(m, weights=entity, minlength=k)
    officials = np.bincount(m, weights=facts.official & entity, minlength=k)
    contractors = np.bincount(m, weights=facts.contractor & entity, minlength=k)
    values = {
        "officials": officials,
        "contractors": contractors,
        "official_and_contractor": ((officials > 0) & (contractors > 0)).astype(float),
        "recipients": np.bincount(m, weights=(facts.received > 0) & entity, minlength=k),
        "contract_value": np.bincount(m, weights=facts.contract_amount, minlength=k) / 1e6,
        "findings": np.zeros(k),
        "complaints": np.zeros(k),
    }
    sev = _distinct(facts.findings, "finding_id", m)
    pts = sev["severity"].map(SEVERITY_POINTS).fillna(1.0).to_numpy(float)
    values["findings"] = np.bincount(sev["c"].to_numpy(np.int64), weights=pts, minlength=k)
    cmp = _distinct(facts.complaints, "complaint_id", m)
    values["complaints"] = np.bincount(cmp["c"].to_numpy(np.int64), minlength=k).astype(float)
    return entities, values, sev


def _community_scores(
    values: dict[str, npt.NDArray[Any]],
    entities: npt.NDArray[Any],
    w: Mapping[str, float],
    size_ref: int,
) -> tuple[dict[str, npt.NDArray[Any]], npt.NDArray[Any], npt.NDArray[Any]]:
    """Each component's contribution, the size factor and the score, per community."""
    size_factor = 1.0 + np.log10(np.maximum(1.0, entities / size_ref))
    contrib = {
        name: w[name] * (v if name == "official_and_contractor" else np.log1p(v)) / size_factor
        for name, v in values.items()
    }
    score = np.sum(list(contrib.values()), axis=0)
    return contrib, size_factor, score


def _distinct(table: pd.DataFrame, idcol: str, membership: npt.NDArray[np.int64]) -> pd.DataFrame:
    """One row per (community, finding or complaint), however many members it concerns."""
    frame = table.assign(c=membership[table["vid"].to_numpy(np.int64)] if len(table) else [])
    return frame.drop_duplicates(["c", idcol])


def _leading(proj: Projection, facts: Facts, members: npt.NDArray[np.int64]) -> list[str]:
    """Members an investigator looks at first: officials, finding subjects, contractors."""
    subj = set(facts.findings["vid"].tolist())
    ranked = sorted(
        (v for v in members.tolist() if proj.label(v) not in _NOT_ENTITIES),
        key=lambda v: (-int(facts.official[v]), -int(v in subj), -int(facts.contractor[v]), v),
    )[:5]
    return [proj.node_id(v) for v in ranked]


# -- entities --------------------------------------------------------------------------------
def risk_scores(
    proj: Projection, facts: Facts | None = None, *, hops: int = 4, damping: float = 0.5
) -> pd.DataFrame:
    """Every entity's ``own``, ``exposure`` (and per hop) and ``score``, highest first.

    >>> from graph.algorithms.toy import collusion_county
    >>> proj = Projection.from_records(*reversed(collusion_county()))
    >>> top = risk_scores(proj).iloc[0]
    >>> top["key"], float(top["own"]), round(float(top["score"]), 2)
    ('91430422MA4L000020', 5.0, 6.63)
    """
    facts = facts if facts is not None else facts_from_projection(proj)
    own = facts.severity_points()
    steps = _walk(proj, own, hops, damping)
    exposure = np.sum(steps, axis=0) if steps else np.zeros(proj.n_nodes)
    frame = proj.frame(own=own, exposure=exposure, score=own + exposure)
    for k, s in enumerate(steps, start=1):
        frame[f"hop{k}"] = s
    frame = frame[~frame["label"].isin(_NOT_ENTITIES)]
    return frame.sort_values(["score", "key"], ascending=[False, True]).reset_index(drop=True)


def entity_risk(
    proj: Projection,
    ref: str | tuple[str, str],
    facts: Facts | None = None,
    *,
    hops: int = 4,
    damping: float = 0.5,
) -> EntityRisk:
    """One entity's score with its components, own findings and nearest finding subjects.

    >>> from graph.algorithms.toy import collusion_county
    >>> proj = Projection.from_records(*reversed(collusion_county()))
    >>> r = entity_risk(proj, "Person:430422196803032345")
    >>> r.own, r.nearest[0][1:]
    (0.0, ('周建国', 1))
    """
    if facts is None:
        facts = (
            gather_facts(proj.store, proj)
            if proj.store is not None
            else facts_from_projection(proj)
        )
    v = proj.vertex(ref[1], ref[0]) if isinstance(ref, tuple) else proj.vertex(ref)
    own = facts.severity_points()
    steps = _walk(proj, own, hops, damping)
    by_hop = [float(s[v]) for s in steps]
    mine = facts.findings[facts.findings["vid"] == v]
    seeds = np.flatnonzero(own > 0)
    seeds = seeds[seeds != v]
    nearest: list[tuple[str, str, int]] = []
    if len(seeds):
        d = np.asarray(proj.undirected().distances(source=[v], target=seeds.tolist())[0])
        ok = np.isfinite(d) & (d <= hops)
        pick = seeds[ok][np.lexsort((seeds[ok], d[ok]))][:3]
        dist = dict(zip(seeds[ok].tolist(), d[ok].tolist(), strict=True))
        nearest = [
            (proj.node_id(int(u)), c, int(dist[int(u)]))
            for u, c in zip(pick.tolist(), proj.captions(pick.tolist()), strict=True)
        ]
    caption = proj.captions([v])[0]
    exposure = float(sum(by_hop))
    r = EntityRisk(
        proj.node_id(v),
        caption,
        float(own[v]) + exposure,
        float(own[v]),
        exposure,
        by_hop,
        [
            {str(k): x for k, x in row.items()}
            for row in mine.drop(columns="vid").to_dict("records")
        ],
        nearest,
        "",
    )
    r.explanation = explain_entity(r)
    return r


def _walk(
    proj: Projection, seed: npt.NDArray[np.float64], hops: int, damping: float
) -> list[npt.NDArray[np.float64]]:
    """``damping^k P^k seed`` for k = 1..hops, P the random walk on the undirected graph."""
    src, dst = proj.ends()
    n = proj.n_nodes
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    inv = np.divide(1.0, deg, out=np.zeros(n), where=deg > 0)
    x = seed.astype(float)
    out = []
    for k in range(1, hops + 1):
        x = (
            np.bincount(src, weights=x[dst], minlength=n)
            + np.bincount(dst, weights=x[src], minlength=n)
        ) * inv
        out.append(damping**k * x)
    return out


def render(ranked: Sequence[CommunityRisk]) -> Any:
    """A rich ``Table`` of ranked communities, for ``guanxi communities``."""
    return community_table(ranked)
