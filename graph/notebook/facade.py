"""One object for analysts: ``Guanxi`` wraps a store with the steps a notebook takes.

>>> from graph import Guanxi
>>> g = Guanxi.connect()                                 # doctest: +SKIP
>>> truth = g.synth(3000, seed=11, out="county")         # doctest: +SKIP
>>> g.load("county")                                     # doctest: +SKIP
>>> g.detect(as_of=truth["as_of"]).head()                # doctest: +SKIP
>>> g.show(g.subgraph("Contract:HT2023-961396"))         # doctest: +SKIP

Everything here calls the same functions as the CLI and the API (``graph.loaders``,
``graph.queries``, ``graph.algorithms``, ``graph.export``); results come back as pandas
DataFrames, networkx graphs or the library's own objects, never as engine types.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import pandas as pd

from graph.algorithms import (
    CommunityRisk,
    GraphPath,
    Projection,
    k_shortest_paths,
    project,
    rank_communities,
    risk_projection,
)
from graph.errors import NotFound
from graph.export import to_html
from graph.loaders import LoadReport, load_folder
from graph.notebook import graphs
from graph.notebook.frames import findings_frame, rows_frame, scores_frame
from graph.queries import Finding, Pattern, detect, get, run_pattern
from graph.queries.evaluate import score
from graph.queries.pattern import parse
from graph.queries.subgraph import find_node, induced, neighbourhood
from graph.settings import Settings
from graph.store import GraphStore, open_sealed, open_store

__all__ = ["EngineComparison", "Guanxi", "neo4j_configured"]

Engine = Literal["embedded", "neo4j"]
_DEFAULT_PROJECTION = "risk"


def neo4j_configured(settings: Settings | None = None) -> bool:
    """Whether a Neo4j server is configured: ``GUANXI_NEO4J_URI`` set, or the engine is
    ``neo4j`` in the settings.

    >>> neo4j_configured(Settings(engine="neo4j"))
    True
    """
    if settings is not None and settings.engine == "neo4j":
        return True
    return bool(os.environ.get("GUANXI_NEO4J_URI"))


@dataclass
class EngineComparison:
    """One pattern's findings on two engines, and how they differ.

    ``findings`` maps each engine to its findings as a DataFrame; ``only`` maps each
    engine to the finding ids only it produced; ``differ`` lists ids both produced with
    different explanations. ``same`` is true when none of these differ.
    """

    pattern: str
    findings: dict[str, pd.DataFrame]
    only: dict[str, list[str]] = field(default_factory=dict)
    differ: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differ and not any(self.only.values())

    def summary(self) -> pd.DataFrame:
        """One row per engine: findings, and those only it produced."""
        return pd.DataFrame(
            [
                {
                    "engine": eng,
                    "findings": len(frame),
                    "only here": len(self.only.get(eng, [])),
                    "explanations differ": len(self.differ),
                }
                for eng, frame in self.findings.items()
            ]
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{e}: {len(f)}" for e, f in self.findings.items())
        verdict = "same findings" if self.same else "DIFFERENT findings"
        return f"<EngineComparison {self.pattern}: {counts} — {verdict}>"


class Guanxi:
    """A connected graph store with the analyst's verbs.

    Parameters
    ----------
    store : GraphStore
        An open store (see :meth:`connect`, which is the usual way in).
    settings : Settings, optional
        What the store was opened with (row limit and timeout of :meth:`query`).
    """

    def __init__(self, store: GraphStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._findings: dict[str, Finding] = {}
        self._projection: Projection | None = None

    # -- connecting -----------------------------------------------------------------------
    @classmethod
    def connect(
        cls,
        engine: Engine | None = None,
        *,
        data_dir: str | Path | None = None,
        graph: str | None = None,
        settings: Settings | None = None,
    ) -> Guanxi:
        """Open the configured store: the embedded engine by default (started if needed,
        stopped when Python exits), Neo4j with ``engine="neo4j"`` or ``GUANXI_ENGINE``.

        ``data_dir`` and ``graph`` override ``GUANXI_DATA_DIR`` / ``GUANXI_GRAPH``; a
        notebook that should not touch the user's graph passes a scratch ``data_dir``.
        """
        base = settings or Settings()
        update: dict[str, Any] = {}
        if engine is not None:
            update["engine"] = engine
        if data_dir is not None:
            update["data_dir"] = Path(data_dir)
        if graph is not None:
            update["graph"] = graph
        s = base.model_copy(update=update) if update else base
        return cls(open_store(s), s)

    @property
    def engine(self) -> str:
        """``"embedded"`` or ``"neo4j"``."""
        return "neo4j" if self.store.engine == "neo4j" else "embedded"

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Guanxi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Guanxi {self.engine} graph={self.settings.graph!r}>"

    # -- data in --------------------------------------------------------------------------
    def synth(self, persons: int, seed: int = 7, out: str | Path = "county") -> dict[str, Any]:
        """Generate a synthetic county into folder ``out``; return its truth (planted
        cases, decoys), also written to ``out/truth.json``."""
        from graph.synth import generate

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        return generate(persons, seed, folder)

    def load(self, folder: str | Path, *, fresh: bool = False) -> LoadReport:
        """Load every register found in ``folder`` (``fresh``: empty the graph first).

        Rejected rows and warnings go to ``folder/_load``; ``report.render()`` is the
        summary table.
        """
        sealed = open_sealed(self.settings)
        try:
            # Reporters go to the sealed store, which this notebook API never reads.
            report = load_folder(
                self.store, Path(folder), progress=False, fresh=fresh, sealed=sealed
            )
        finally:
            sealed.close()
        self._forget()
        return report

    def run(
        self, folder: str | Path, *, fresh: bool = False, as_of: str | None = None
    ) -> pd.DataFrame:
        """Load ``folder``, link name-only mentions and run every pattern, as ``guanxi
        demo`` does (:func:`graph.pipeline.run_pipeline`); return the findings."""
        from graph.pipeline import run_pipeline

        sealed = open_sealed(self.settings)
        try:
            ran = run_pipeline(self.store, Path(folder), fresh=fresh, as_of=as_of, sealed=sealed)
        finally:
            sealed.close()
        self._forget()
        assert ran.detect is not None
        self._findings.update({f.finding_id: f for f in ran.detect.findings})
        return findings_frame(ran.detect.findings)

    def resolve(self) -> Any:
        """Link name-only mentions to persons (entity resolution); return the report."""
        from graph.resolve import resolve

        report = resolve(self.store)
        self._forget()
        return report

    def _forget(self) -> None:
        self._projection = None

    # -- reading --------------------------------------------------------------------------
    def query(self, cypher: str, /, **params: Any) -> pd.DataFrame:
        """Run read-only Cypher; nodes and relationships are spread into columns.

        A node column ``n`` becomes ``n`` (``"Label:key"``) and ``n.<property>`` columns;
        a relationship column ``r`` becomes ``r`` (its type), ``r.start``, ``r.end`` and
        ``r.<property>``. A query that would write is refused
        (:class:`~graph.errors.ReadOnlyViolation`). At most ``settings.row_limit`` rows.
        """
        rows = self.store.read_only(
            cypher,
            params,
            timeout=self.settings.query_timeout,
            row_limit=self.settings.row_limit,
        )
        return rows_frame(rows)

    def count(self, label: str | None = None) -> int:
        """Nodes in the graph, or of one label."""
        return self.store.count(label)

    # -- patterns and findings --------------------------------------------------------------
    def detect(
        self,
        patterns: Iterable[str] | None = None,
        as_of: str | None = None,
        *,
        params: Mapping[str, dict[str, Any]] | None = None,
        save: bool = True,
    ) -> pd.DataFrame:
        """Run the pattern library (or the given pattern ids) and keep the findings in
        the graph; return them, highest score first."""
        result = detect(self.store, patterns, params=dict(params or {}), as_of=as_of, save=save)
        self._findings.update({f.finding_id: f for f in result.findings})
        self._forget()
        return findings_frame(result.findings)

    def pattern(
        self,
        text: str | Pattern,
        params: Mapping[str, Any] | None = None,
        *,
        as_of: str | None = None,
    ) -> pd.DataFrame:
        """Run a pattern written in the notebook (metadata block + Cypher, as the files in
        ``graph/queries/patterns``), or a library pattern id; findings are not saved."""
        p = self._as_pattern(text)
        found = run_pattern(self.store, p, dict(params or {}), as_of=as_of)
        self._findings.update({f.finding_id: f for f in found})
        return findings_frame(found)

    def compare_engines(
        self,
        pattern: str | Pattern,
        params: Mapping[str, Any] | None = None,
        *,
        as_of: str | None = None,
        other: Guanxi | None = None,
    ) -> EngineComparison:
        """Run one pattern here and on the other engine, over the same data.

        ``other`` is the other engine's :class:`Guanxi`; by default Neo4j is opened from
        the settings (``GUANXI_NEO4J_*``) when this one is embedded, and the embedded
        engine when this one is Neo4j. Both graphs must hold the same registers.
        """
        p = self._as_pattern(pattern)
        if other is None:
            if self.engine == "embedded" and not neo4j_configured(self.settings):
                raise NotFound("Neo4j is not configured: set GUANXI_NEO4J_URI (and _USER, …)")
            other = Guanxi.connect("neo4j" if self.engine == "embedded" else "embedded")
        results: dict[str, list[Finding]] = {}
        for g in (self, other):
            results[g.engine] = run_pattern(g.store, p, dict(params or {}), as_of=as_of)
            g._findings.update({f.finding_id: f for f in results[g.engine]})
        by_engine = {e: {f.finding_id: f for f in fs} for e, fs in results.items()}
        engines = list(by_engine)
        ids = [set(by_engine[e]) for e in engines]
        only = {e: sorted(ids[i] - ids[1 - i]) for i, e in enumerate(engines)}
        differ = sorted(
            fid
            for fid in ids[0] & ids[1]
            if by_engine[engines[0]][fid].explanation != by_engine[engines[1]][fid].explanation
        )
        return EngineComparison(
            p.id, {e: findings_frame(fs) for e, fs in results.items()}, only, differ
        )

    def _as_pattern(self, text: str | Pattern) -> Pattern:
        if isinstance(text, Pattern):
            return text
        if text.lstrip().startswith("//"):
            return parse(text.strip(), "<notebook>")
        return get(text)

    def findings(
        self,
        pattern: str | None = None,
        severity: str | None = None,
        status: str | None = None,
    ) -> pd.DataFrame:
        """The findings kept in the graph (``Finding`` nodes), highest score first, with
        what each concerns (``concerns``, node ids)."""
        where, params = [], {}
        for name, value in (("pattern", pattern), ("severity", severity), ("status", status)):
            if value is not None:
                where.append(f"f.{name} = ${name}")
                params[name] = value
        q = (
            "MATCH (f:Finding) "
            + (f"WHERE {' AND '.join(where)} " if where else "")
            + "OPTIONAL MATCH (f)-[:CONCERNS]->(x) "
            "WITH f, collect(x) AS xs "
            "RETURN f.finding_id AS finding_id, f.pattern AS pattern, f.title AS title, "
            "f.severity AS severity, f.score AS score, f.status AS status, "
            "f.explanation AS explanation, f.subjects AS subjects, xs AS concerns, "
            "f.division_code AS division_code, f.detected_at AS detected_at, f.note AS note "
            "ORDER BY score DESC, finding_id"
        )
        frame = rows_frame(self.store.read(q, params))
        if not len(frame):
            return pd.DataFrame(
                columns=[
                    "finding_id",
                    "pattern",
                    "title",
                    "severity",
                    "score",
                    "status",
                    "explanation",
                    "subjects",
                    "concerns",
                    "division_code",
                    "detected_at",
                    "note",
                ]
            )
        frame["concerns"] = frame["concerns"].map(sorted)
        return frame

    def finding(self, finding_id: str) -> Finding:
        """One finding with its evidence: from this session's runs, else its pattern is run
        again (library patterns only)."""
        if finding_id not in self._findings:
            pattern_id = finding_id.split(":", 1)[0]
            for f in run_pattern(self.store, get(pattern_id)):
                self._findings[f.finding_id] = f
        try:
            return self._findings[finding_id]
        except KeyError:
            raise NotFound(f"no finding {finding_id!r} (it no longer recurs?)") from None

    def evidence(self, finding_id: str) -> nx.MultiDiGraph:
        """The subgraph that proves a finding, as a networkx graph (``g.show`` draws it)."""
        f = self.finding(finding_id)
        return graphs.to_networkx(
            f.evidence, finding_id=f.finding_id, explanation=f.explanation, title=f.title
        )

    def evaluate(self, truth: Mapping[str, Any] | str | Path) -> pd.DataFrame:
        """Recall of a synthetic county's planted cases, per pattern, and decoys wrongly
        flagged (``truth``: the dict or ``truth.json``), judged on the findings kept in the
        graph and those of this session's runs; missed and flagged subjects are listed."""
        data: dict[str, Any] = (
            dict(truth)
            if isinstance(truth, Mapping)
            else json.loads(Path(truth).read_text(encoding="utf-8"))
        )
        found: dict[str, Finding] = {}
        for row in self.findings().to_dict("records"):
            found[str(row["finding_id"])] = Finding(
                pattern=str(row["pattern"]),
                severity=str(row["severity"]),
                title=str(row["title"]),
                explanation=str(row["explanation"]),
                subjects=[str(x) for x in (row["subjects"] or [])],
                evidence={"nodes": [], "relationships": []},
                score=float(row["score"] or 0.0),
            )
        found.update(self._findings)
        return scores_frame(score(list(found.values()), data))

    # -- neighbourhoods and paths ----------------------------------------------------------
    def subgraph(
        self,
        key: str,
        depth: int = 2,
        label: str | None = None,
        limit: int = 300,
        *,
        types: Sequence[str] | None = None,
    ) -> nx.MultiDiGraph:
        """The neighbourhood of one node, at most ``limit`` nodes, as a networkx graph.

        ``key`` is a natural key (ID number, USCC, plate, contract id...) or
        ``"Label:key"``. A hub (a programme with thousands of disbursements) gives part of
        its neighbours; ``g.graph["more"]`` counts, per label, what was left out and
        ``g.graph["truncated"]`` says whether anything was.
        """
        start = find_node(self.store, key, label)
        exp = neighbourhood(
            self.store,
            start,
            depth=depth,
            types=types,
            limit=limit,
            timeout=self.settings.query_timeout,
        )
        sid = f"{start['labels'][0]}:{start['key']}"
        return graphs.to_networkx(
            exp.to_subgraph(), start=sid, truncated=exp.truncated, more=dict(exp.more)
        )

    def induced(self, nodes: Iterable[str]) -> nx.MultiDiGraph:
        """The given nodes (``"Label:key"``) and every relationship among them."""
        return graphs.to_networkx(induced(self.store, nodes))

    def projection(self, *, refresh: bool = False, **kwargs: Any) -> Projection:
        """A projection of the store for algorithms (see ``graph.algorithms.project``).

        Without arguments: the risk projection (people, households, companies, assets,
        contracts, payments, complaints, findings; hubs left out; shared phones and
        addresses linked), kept until the graph changes through this object.
        """
        if kwargs:
            return project(self.store, **kwargs)
        if self._projection is None or refresh:
            self._projection = risk_projection(self.store)
        return self._projection

    def paths(
        self,
        a: str,
        b: str,
        max_hops: int = 6,
        k: int = 3,
        *,
        via_findings: bool = False,
        max_degree: int | None = 200,
    ) -> list[GraphPath]:
        """Up to ``k`` shortest paths between two nodes, each hop told in Chinese
        (``path.text``, ``path.hops[i].text``), on the risk projection.

        Paths do not run through findings unless ``via_findings`` (a finding concerning
        both ends would be the shortest path and says nothing new), nor through nodes
        with more than ``max_degree`` relationships.
        """
        proj = self.projection()
        types = [t for t in proj.type_names if via_findings or t != "CONCERNS"]
        return k_shortest_paths(
            proj, a, b, k=k, max_hops=max_hops, rel_types=types, max_degree=max_degree
        )

    # -- communities --------------------------------------------------------------------------
    def communities(self, top: int = 10, *, seed: int = 0) -> pd.DataFrame:
        """The ``top`` riskiest communities (Leiden on the risk projection), best first,
        with the components of their score, an explanation and their members."""
        ranked = self.ranked_communities(top, seed=seed)
        rows = []
        for c in ranked:
            row: dict[str, Any] = {
                "rank": c.rank,
                "community": c.community,
                "score": c.score,
                "entities": c.entities,
                "findings": sum(c.findings.values()),
                "explanation": c.explanation,
                "leading": c.leading,
                "nodes": c.nodes,
            }
            row.update({f"c.{x.name}": x.contribution for x in c.components})
            rows.append(row)
        return pd.DataFrame(rows)

    def ranked_communities(self, top: int = 10, *, seed: int = 0) -> list[CommunityRisk]:
        """As :meth:`communities`, as the algorithm's own objects."""
        return rank_communities(self.store, top, proj=self.projection(), seed=seed)

    # -- drawing ------------------------------------------------------------------------------
    def show(self, obj: Any, *, height: int = 600, title: str | None = None) -> graphs.InlineGraph:
        """Draw a graph inline: a networkx graph, a plain subgraph dict, a
        :class:`~graph.queries.Finding` (its evidence), a finding id, or a path.

        Returns an object that notebooks display as an ``<iframe srcdoc>`` holding the
        offline page of ``graph.export.to_html`` (vis-network inlined, nothing fetched
        from outside); ``.page`` is the page, ``.save(path)`` writes it.
        """
        if isinstance(obj, str):
            obj = self.finding(obj)
        if isinstance(obj, Finding):
            title = title or obj.title
            sub: Mapping[str, Any] = obj.evidence
        elif isinstance(obj, GraphPath):
            sub = induced(self.store, obj.nodes)
        elif isinstance(obj, nx.Graph):
            title = title or obj.graph.get("title")
            sub = graphs.to_subgraph(obj)
        elif isinstance(obj, Mapping):
            sub = obj
        else:
            raise TypeError(f"cannot draw a {type(obj).__name__}")
        return graphs.inline(to_html(sub, title=title or "关系图 guanxi"), height=height)
