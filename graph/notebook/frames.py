"""Query results and findings as pandas DataFrames, for notebooks.

Store rows hold nodes, relationships and paths in plain shapes (``graph.store.base``).
:func:`rows_frame` spreads them into columns an analyst can filter and sort: a node
column ``n`` becomes ``n`` (its id, ``"Label:key"``) followed by one column per property
(``n.name``, ``n.village_code``...); a relationship column ``r`` becomes ``r`` (its type),
``r.start``, ``r.end`` and its properties; a path becomes one line of text. Nodes inside
lists or maps are replaced by their ids.

>>> person = {"_kind": "node", "labels": ["Person"], "key": "1",
...           "properties": {"id_number": "1", "name": "张三"}}
>>> rows_frame([{"p": person, "n": 2}]).to_dict("records")
[{'p': 'Person:1', 'p.id_number': '1', 'p.name': '张三', 'n': 2}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from graph import schema as sch
from graph.queries.evaluate import PatternScore
from graph.queries.findings import Finding

__all__ = ["findings_frame", "ref", "rows_frame", "scores_frame"]

FINDING_COLUMNS = ("finding_id", "pattern", "title", "severity", "score", "explanation", "subjects")


def ref(node: Mapping[str, Any]) -> str:
    """``"Label:key"`` of a node in plain shape (or of a relationship end)."""
    if "labels" in node:
        labels = node.get("labels") or ["Node"]
        return f"{labels[0]}:{node.get('key')}"
    return f"{node.get('label')}:{node.get('key')}"


def _kind(v: Any) -> str | None:
    return v.get("_kind") if isinstance(v, dict) else None


def _plain(v: Any) -> Any:
    """A value with nodes, relationships and paths inside it written as text."""
    kind = _kind(v)
    if kind == "node":
        return ref(v)
    if kind == "relationship":
        return v["type"]
    if kind == "path":
        return path_text(v)
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def path_text(path: Mapping[str, Any]) -> str:
    """A path as ``Label:a -[TYPE]-> Label:b <-[TYPE]- Label:c``.

    >>> a = {"_kind": "node", "labels": ["Person"], "key": "1", "properties": {}}
    >>> b = {"_kind": "node", "labels": ["Vehicle"], "key": "湘D1", "properties": {}}
    >>> r = {"_kind": "relationship", "type": "OWNS", "start": {"label": "Person", "key": "1"},
    ...      "end": {"label": "Vehicle", "key": "湘D1"}, "properties": {}}
    >>> path_text({"_kind": "path", "nodes": [b, a], "relationships": [r]})
    'Vehicle:湘D1 <-[OWNS]- Person:1'
    """
    nodes = [ref(n) for n in path.get("nodes") or []]
    out = nodes[0] if nodes else ""
    for i, r in enumerate(path.get("relationships") or []):
        nxt = nodes[i + 1] if i + 1 < len(nodes) else "?"
        start = ref(r["start"]) if r.get("start") else None
        forward = start is None or start == nodes[i]
        out += f" -[{r['type']}]-> {nxt}" if forward else f" <-[{r['type']}]- {nxt}"
    return out


def rows_frame(rows: Sequence[Mapping[str, Any]], *, flatten: bool = True) -> pd.DataFrame:
    """Store rows as a DataFrame; see the module docstring for how values are spread."""
    if not rows:
        return pd.DataFrame()
    columns = list(rows[0])
    if not flatten:
        return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    spread: dict[str, list[Any]] = {}
    for c in columns:
        values = [r.get(c) for r in rows]
        kinds = {_kind(v) for v in values if v is not None}
        if kinds == {"node"}:
            present = [v for v in values if v is not None]
            props = _prop_names(
                (v["properties"] for v in present), [v["labels"][0] for v in present if v["labels"]]
            )
            spread[c] = [None if v is None else ref(v) for v in values]
            for p in props:
                spread[f"{c}.{p}"] = [None if v is None else v["properties"].get(p) for v in values]
        elif kinds == {"relationship"}:
            present = [v for v in values if v is not None]
            props = _prop_names((v["properties"] for v in present), [v["type"] for v in present])
            spread[c] = [None if v is None else v["type"] for v in values]
            for end in ("start", "end"):
                spread[f"{c}.{end}"] = [
                    None if v is None or not v.get(end) else ref(v[end]) for v in values
                ]
            for p in props:
                spread[f"{c}.{p}"] = [None if v is None else v["properties"].get(p) for v in values]
        else:
            spread[c] = [_plain(v) for v in values]
    return pd.DataFrame(spread)


def _prop_names(props: Iterable[Mapping[str, Any]], owners: Iterable[str]) -> list[str]:
    """Property names in a stable order (engines return maps in their own): the key, then
    the schema's order for the labels or types present, then the rest by name."""
    names = {k for p in props for k in p}
    declared: list[str] = []
    for owner in dict.fromkeys(owners):
        nt = sch.NODES.get(owner)
        if nt is not None:
            declared += [nt.key, *(p.name for p in nt.props)]
        rt = sch.RELATIONSHIPS.get(owner)
        if rt is not None:
            declared += [p.name for p in rt.props]
    first = [n for n in dict.fromkeys(declared) if n in names]
    return first + sorted(names - set(first))


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding, highest score first.

    >>> f = Finding("p", "high", "标题", "说明", ["A"], {"nodes": [], "relationships": []}, 0.9)
    >>> findings_frame([f])[["pattern", "severity", "subjects"]].to_dict("records")
    [{'pattern': 'p', 'severity': 'high', 'subjects': ['A']}]
    """
    rows = [
        {
            "finding_id": f.finding_id,
            "pattern": f.pattern,
            "title": f.title,
            "severity": f.severity,
            "score": f.score,
            "explanation": f.explanation,
            "subjects": list(f.subjects),
            "evidence_nodes": len(f.evidence["nodes"]),
        }
        for f in findings
    ]
    frame = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "evidence_nodes"])
    if len(frame):
        frame = frame.sort_values(["score", "finding_id"], ascending=[False, True])
    return frame.reset_index(drop=True)


def scores_frame(scores: Mapping[str, PatternScore]) -> pd.DataFrame:
    """Recall per pattern against a synthetic county's truth, one row per pattern; the
    subjects of missed cases and of flagged decoys are listed."""
    rows = [
        {
            "pattern": s.pattern,
            "planted": s.planted,
            "found": s.found,
            "recall": s.recall,
            "decoys": s.decoys,
            "decoys_flagged": s.decoys_flagged,
            "findings": s.findings,
            "missed": [list(c["subjects"]) for c in s.missed],
            "flagged": [list(d["subjects"]) for d in s.flagged],
        }
        for s in sorted(scores.values(), key=lambda s: s.pattern)
    ]
    columns = ["pattern", "planted", "found", "recall", "decoys", "decoys_flagged", "findings"]
    return pd.DataFrame(rows, columns=[*columns, "missed", "flagged"])
