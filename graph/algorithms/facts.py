"""What each node of a projection is, for risk scores: official, contractor, recipient...

The community structure comes from one projection (people, companies, contracts and
what links them); the facts that make a community risky are gathered separately, by small
aggregate queries in the store, so that the projection need not carry every post,
disbursement and finding. :func:`facts_from_projection` reads the same facts from a
projection that holds them (records built in tests and notebooks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph import schema as sch
from graph.algorithms.projection import Projection
from graph.store.base import GraphStore

__all__ = ["SEVERITY_POINTS", "Facts", "facts_from_projection", "gather_facts"]

#: Points per finding by severity; dismissed findings count nothing.
SEVERITY_POINTS = {"high": 3.0, "medium": 2.0, "low": 1.0}


@dataclass(eq=False)
class Facts:
    """Per-vertex facts, aligned with a projection's vertex ids.

    ``findings`` has one row per (finding, concerned vertex): ``finding_id, severity,
    title, vid``; ``complaints`` one row per (complaint, vertex): ``complaint_id, vid``.
    """

    official: npt.NDArray[np.bool_]
    positions: dict[int, str]
    contractor: npt.NDArray[np.bool_]
    received: npt.NDArray[np.int64]
    contract_amount: npt.NDArray[np.int64]
    findings: pd.DataFrame
    complaints: pd.DataFrame

    def severity_points(self) -> npt.NDArray[np.float64]:
        """Each vertex's own findings, in severity points."""
        n = len(self.official)
        pts = self.findings["severity"].map(SEVERITY_POINTS).fillna(1.0).to_numpy(float)
        vids = self.findings["vid"].to_numpy(np.int64)
        return np.bincount(vids, weights=pts, minlength=n).astype(np.float64)


def gather_facts(store: GraphStore, proj: Projection, *, at: str | None = None) -> Facts:
    """Facts about ``proj``'s vertices from the store (terms of office valid ``at``)."""
    n = proj.n_nodes
    labs = set(proj.label_names)

    def per_label(
        template: str, labels: Iterable[str], params: dict[str, Any] | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        rows: list[tuple[str, dict[str, Any]]] = []
        for lab in labels:
            if lab in labs:
                q = template.format(L=lab, k=sch.NODES[lab].key)
                rows += [(lab, r) for r in store.read(q, params or {})]
        return rows

    when = ""
    if at is not None:
        when = (
            " WHERE (h.valid_from IS NULL OR h.valid_from <= $at)"
            " AND (h.valid_to IS NULL OR h.valid_to = '' OR h.valid_to >= $at)"
        )
    held = per_label(
        "MATCH (p:{L})-[h:HOLDS]->(post:Post)"
        + when
        + " RETURN p.{k} AS key, post.position AS position",
        sch.RELATIONSHIPS["HOLDS"].sources,
        {"at": at},
    )
    official = np.zeros(n, bool)
    positions: dict[int, str] = {}
    for v, (_, r) in zip(_vids(proj, held), held, strict=True):
        if v >= 0:
            official[v] = True
            positions.setdefault(int(v), str(r["position"] or ""))
    awarded = per_label(
        "MATCH (c:Contract)-[:AWARDED_TO]->(x:{L}) RETURN x.{k} AS key, count(c) AS n",
        sch.RELATIONSHIPS["AWARDED_TO"].targets,
    )
    contractor = np.zeros(n, bool)
    contractor[[v for v in _vids(proj, awarded) if v >= 0]] = True
    got = per_label(
        "MATCH (p:{L})-[:RECEIVED]->(d:Disbursement) RETURN p.{k} AS key, count(d) AS n",
        sch.RELATIONSHIPS["RECEIVED"].sources,
    )
    received = np.zeros(n, np.int64)
    for v, (_, r) in zip(_vids(proj, got), got, strict=True):
        if v >= 0:
            received[v] += int(r["n"])
    amounts = per_label("MATCH (c:{L}) RETURN c.{k} AS key, c.amount AS amount", ["Contract"])
    contract_amount = np.zeros(n, np.int64)
    for v, (_, r) in zip(_vids(proj, amounts), amounts, strict=True):
        if v >= 0:
            contract_amount[v] = int(r["amount"] or 0)
    concerns = per_label(
        "MATCH (f:Finding)-[:CONCERNS]->(x:{L}) "
        "WHERE f.status IS NULL OR f.status <> 'dismissed' "
        "RETURN f.finding_id AS finding_id, f.severity AS severity, f.title AS title, "
        "x.{k} AS key",
        sorted(labs - {"Finding"}),
    )
    about = per_label(
        "MATCH (c:Complaint)-[:ABOUT]->(x:{L}) RETURN c.complaint_id AS complaint_id, x.{k} AS key",
        sch.RELATIONSHIPS["ABOUT"].targets,
    )
    return Facts(
        official=official,
        positions=positions,
        contractor=contractor,
        received=received,
        contract_amount=contract_amount,
        findings=_table(proj, concerns, ["finding_id", "severity", "title"]),
        complaints=_table(proj, about, ["complaint_id"]),
    )


def facts_from_projection(proj: Projection) -> Facts:
    """The same facts read from a projection's own relationships and node properties.

    >>> from graph.algorithms.toy import collusion_county
    >>> f = facts_from_projection(Projection.from_records(*reversed(collusion_county())))
    >>> int(f.official.sum()), int(f.contractor.sum()), len(f.findings), len(f.complaints)
    (7, 8, 7, 1)
    """
    n = proj.n_nodes
    src, dst = proj.ends()
    types = proj.edge_types

    def ends(t: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        sel = types == t
        return src[sel], dst[sel]

    def prop(name: str, v: int) -> Any:
        col = proj.node_props.get(name)
        return None if col is None else col[v]

    a, b = ends("HOLDS")
    official = np.zeros(n, bool)
    official[a] = True
    positions = {int(x): str(prop("position", int(y)) or "") for x, y in zip(a, b, strict=True)}
    _, b = ends("AWARDED_TO")
    contractor = np.zeros(n, bool)
    contractor[b] = True
    a, _ = ends("RECEIVED")
    received = np.bincount(a, minlength=n).astype(np.int64)
    contract_amount = np.zeros(n, np.int64)
    for v in np.flatnonzero(proj.labels == "Contract"):
        contract_amount[v] = int(prop("amount", int(v)) or 0)
    a, b = ends("CONCERNS")
    live = [(x, y) for x, y in zip(a, b, strict=True) if prop("status", int(x)) != "dismissed"]
    findings = pd.DataFrame(
        {
            "finding_id": [proj.keys[x] for x, _ in live],
            "severity": [prop("severity", int(x)) for x, _ in live],
            "title": [prop("title", int(x)) for x, _ in live],
            "vid": np.array([y for _, y in live], dtype=np.int64),
        }
    )
    a, b = ends("ABOUT")
    complaints = pd.DataFrame({"complaint_id": proj.keys[a], "vid": b.astype(np.int64)})
    return Facts(official, positions, contractor, received, contract_amount, findings, complaints)


def _vids(proj: Projection, rows: list[tuple[str, dict[str, Any]]]) -> list[int]:
    out: list[int] = []
    by_label: dict[str, list[int]] = {}
    for i, (lab, _) in enumerate(rows):
        by_label.setdefault(lab, []).append(i)
    out = [-1] * len(rows)
    for lab, idx in by_label.items():
        vids = proj.vertices([rows[i][1]["key"] for i in idx], lab)
        for i, v in zip(idx, vids.tolist(), strict=True):
            out[i] = v
    return out


def _table(
    proj: Projection, rows: list[tuple[str, dict[str, Any]]], cols: list[str]
) -> pd.DataFrame:
    vids = _vids(proj, rows)
    frame = pd.DataFrame({c: [r[c] for _, r in rows] for c in cols})
    frame["vid"] = np.asarray(vids, dtype=np.int64)
    return frame[frame["vid"] >= 0].reset_index(drop=True)
