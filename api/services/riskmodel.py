"""Communities and entity risk, computed once in the background and served from memory.

``graph.algorithms`` scores on a projection (docs/architecture.md): the risk projection (people,
households, companies, assets, contracts, payments, complaints, findings), the
communities that detect numbered on it (:mod:`graph.algorithms.numbering`), facts
from the store, then
:func:`~graph.algorithms.rank_communities` and :func:`~graph.algorithms.risk_scores`.
A request cannot wait for that, so the API builds it in a thread at start-up and on
demand (``POST /api/v1/risk/rebuild``), and answers from the result: the ranked
communities (the :data:`TOP` riskiest), each entity's score with its components, and each
vertex's community and division (for scope). Until it is ready, an entity's risk is its
own findings' severity points (``method: findings_only``) and ``/communities`` answers 503.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from api.scope import Scope
from api.services.persisted import Persisted
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.algorithms import Facts

log = logging.getLogger("guanxi.api")
TOP = 500
_DIVISION_PROPS = {
    "Person": "village_code",
    "Household": "village_code",
    "Contract": "village_code",
    "Complaint": "village_code",
    "Payment": "payer_code",
    "Finding": "division_code",
}


@dataclass
class Community:
    id: int
    rank: int
    score: float
    entities: int
    explanation: str
    findings: dict[str, int]
    members: npt.NDArray[np.int64]
    components: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Model:
    keys: npt.NDArray[np.object_]
    labels: npt.NDArray[np.object_]
    membership: npt.NDArray[np.int64]
    division: npt.NDArray[np.object_]  # per vertex: own division code or None
    index: dict[tuple[str, Any], int]
    ranked: list[Community]
    by_id: dict[int, Community]
    scores: dict[int, dict[str, float]]  # vertex → own, exposure, hop1.., score
    facts: Facts  # per vertex, to score the part of a community a scope sees
    built_at: float
    seconds: float
    # Per community: its members' rows of the facts' findings and complaints, made on
    # first use (scoring the part of a community a scope sees reads only its own rows).
    events: dict[int, dict[str, pd.DataFrame]] = field(default_factory=dict)

    def score_of(self, c: Community, keep: npt.NDArray[np.bool_]) -> float:
        """The score of the part ``keep`` of ``c`` by itself: its members, and of its
        findings and complaints those whose own vertex is in that part."""
        from graph.algorithms import community_score

        hidden = c.members[~keep]
        gone: dict[str, set[Any]] = {"Finding": set(), "Complaint": set()}
        for v in hidden.tolist():
            if str(self.labels[v]) in gone:
                gone[str(self.labels[v])].add(self.keys[v])
        findings, complaints = self._events(c.id)
        facts = dataclasses.replace(
            self.facts,
            findings=findings[~findings["finding_id"].isin(gone["Finding"])],
            complaints=complaints[~complaints["complaint_id"].isin(gone["Complaint"])],
        )
        return community_score(self.labels, facts, c.members[keep])

    def _events(self, community: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The facts' finding and complaint rows of one community's members."""
        if not self.events:
            # Built whole, then published: a request in another thread sees all or none.
            built: dict[int, dict[str, pd.DataFrame]] = {}
            for name, table in (
                ("findings", self.facts.findings),
                ("complaints", self.facts.complaints),
            ):
                of = self.membership[table["vid"].to_numpy(np.int64)] if len(table) else []
                for cid, rows in table.groupby(np.asarray(of, dtype=np.int64)).indices.items():
                    built.setdefault(int(cast(int, cid)), {})[name] = table.iloc[rows]
            self.events = built
        got = self.events.get(community, {})
        empty_f, empty_c = self.facts.findings.iloc[:0], self.facts.complaints.iloc[:0]
        return got.get("findings", empty_f), got.get("complaints", empty_c)

    def vertex(self, label: str, key: Any) -> int | None:
        return self.index.get((label, key))

    def in_scope(self, scope: Scope, members: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Members whose own division is in scope (unanchored members are not counted)."""
        if scope.unrestricted:
            return np.ones(len(members), bool)
        divs = self.division[members]
        return np.array([d is not None and scope.covers(str(d)) for d in divs], bool)


class RiskModel:
    def __init__(self) -> None:
        self.state = "empty"
        self.model: Model | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self.source = ""  # "built" from the graph or "persisted" (api.services.persisted)

    def status(self) -> dict[str, Any]:
        m = self.model
        return {
            "state": self.state,
            "vertices": 0 if m is None else len(m.keys),
            "communities": 0 if m is None else len(m.ranked),
            "seconds": 0.0 if m is None else round(m.seconds, 1),
        }

    def build(self, store: GraphStore, cache: Persisted | None = None) -> None:
        """Build from the graph, or take ``cache``'s copy when it was built from the
        graph's current version; a fresh build is saved there."""
        if not self._lock.acquire(blocking=False):
            return  # a build is running
        try:
            self.state = "building"
            version = store.graph_version()
            kept = cache.load(version) if cache is not None else None
            if isinstance(kept, Model):
                self.model, self.source = kept, "persisted"
            else:
                self.model, self.source = _build(store), "built"
                if cache is not None:
                    cache.save(version, self.model)
            self.state = "ready"
            self.error = None
        except Exception as e:
            self.state = "failed"
            self.error = type(e).__name__
            log.exception("risk model build failed")
        finally:
            self._lock.release()

    def build_in_background(
        self, store: GraphStore, cache: Persisted | None = None
    ) -> threading.Thread:
        t = threading.Thread(target=self.build, args=(store, cache), name="risk-model", daemon=True)
        t.start()
        return t


def _build(store: GraphStore) -> Model:
    from graph.algorithms import gather_facts, leiden, rank_communities, risk_scores
    from graph.algorithms.numbering import SEED, numbered_projection, stored_partition

    t0 = time.perf_counter()
    proj = numbered_projection(store, extra={lb: [p] for lb, p in _DIVISION_PROPS.items()})
    # The numbering detect stored, so that the explorer shows the CLI's community numbers;
    # before any detect, Leiden with the seed detect uses finds the same ones.
    part = stored_partition(proj) or leiden(proj, seed=SEED)
    facts = gather_facts(store, proj)
    ranked = rank_communities(store, TOP, proj=proj, partition=part, facts=facts)
    frame = risk_scores(proj, facts)
    labels = np.asarray(proj.labels, dtype=object)
    keys = np.asarray(proj.keys, dtype=object)
    division = np.full(len(keys), None, dtype=object)
    for prop in set(_DIVISION_PROPS.values()):
        vals = proj.node_props.get(prop)
        if vals is not None:
            have = (
                pd.notna(pd.Series(vals, dtype=object)).to_numpy()
                & pd.isna(pd.Series(division, dtype=object)).to_numpy()
            )
            division[have] = vals[have]
    payer = labels == "Payment"
    division[payer] = [
        d if isinstance(d, str) and d[:1].isdigit() else None for d in division[payer]
    ]
    index = {(str(lb), k): i for i, (lb, k) in enumerate(zip(labels, keys, strict=True))}
    hop_cols = [c for c in frame.columns if str(c).startswith("hop")]
    scores: dict[int, dict[str, float]] = {}
    cols = ["own", "exposure", "score", *hop_cols]
    for rec in frame[frame["score"] > 0].to_dict("records"):
        v = index.get((str(rec["label"]), rec["key"]))
        if v is not None:
            scores[v] = {str(c): float(rec[c]) for c in cols}
    communities = [
        Community(
            id=r.community,
            rank=r.rank,
            score=r.score,
            entities=r.entities,
            explanation=r.explanation,
            findings=dict(r.findings),
            members=r.members,
            components=[dict(c.__dict__) for c in r.components],
        )
        for r in ranked
    ]
    return Model(
        keys=keys,
        labels=labels,
        membership=np.asarray(part.membership, dtype=np.int64),
        division=division,
        index=index,
        ranked=communities,
        by_id={c.id: c for c in communities},
        scores=scores,
        facts=facts,
        built_at=time.time(),
        seconds=time.perf_counter() - t0,
    )
