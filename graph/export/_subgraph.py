"""The subgraph every exporter reads, cleaned once.

A subgraph is ``{"nodes": [node, ...], "relationships": [relationship, ...]}`` in the
store's plain shapes (see ``graph.store.base``). :func:`prepare` turns it into sorted,
deduplicated :class:`XNode` / :class:`XRel` records with confidential properties removed,
so no exporter can write a reporter's identity even when a caller forgets to mask it
(the API masks identifiers by role before exporting; this is the second line).

>>> sub = {"nodes": [{"_kind": "node", "labels": ["Complaint"], "key": "C1",
...        "properties": {"complaint_id": "C1", "reporter_name": "王五"}}],
...        "relationships": []}
>>> prepare(sub).nodes[0].props
{'complaint_id': 'C1'}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph import schema as sch

Subgraph = Mapping[str, Any]

# Names declared confidential anywhere: dropped on every label, including undeclared ones,
# because a property name is enough to know what it holds.
_OWNERS: tuple[sch.NodeType | sch.RelType, ...] = (
    *sch.NODES.values(),
    *sch.RELATIONSHIPS.values(),
)
CONFIDENTIAL: frozenset[str] = frozenset(
    p.name for owner in _OWNERS for p in owner.props if p.privacy is sch.Privacy.CONFIDENTIAL
)
_TRAILING = tuple(p.name for p in sch.COMMON_PROPS)  # provenance columns go last
_UNKNOWN = "Node"


@dataclass(frozen=True)
class XNode:
    """A node ready to export: one label, its natural key, non-confidential properties."""

    label: str
    key: Any
    props: dict[str, Any]
    labels: tuple[str, ...] = ()
    stub: bool = False  # named by a relationship but not among the subgraph's nodes

    @property
    def id(self) -> str:
        return node_id(self.label, self.key)

    @property
    def caption(self) -> str:
        nt = sch.NODES.get(self.label)
        value = self.props.get(nt.caption) if nt else None
        return str(value) if value not in (None, "") else str(self.key)

    @property
    def zh(self) -> str:
        nt = sch.NODES.get(self.label)
        return nt.zh if nt else self.label

    @property
    def color(self) -> str:
        nt = sch.NODES.get(self.label)
        return nt.color if nt else "#adb5bd"


@dataclass(frozen=True)
class XRel:
    """A relationship between two exported nodes, with a stable id."""

    type: str
    start: str  # node id, "Label:key"
    end: str
    props: dict[str, Any]
    id: str = field(default="")

    @property
    def zh(self) -> str:
        rt = sch.RELATIONSHIPS.get(self.type)
        return rt.zh if rt else self.type


@dataclass(frozen=True)
class Prepared:
    nodes: list[XNode]
    rels: list[XRel]

    def by_id(self) -> dict[str, XNode]:
        return {n.id: n for n in self.nodes}

    def labels(self) -> list[str]:
        """Labels present, in schema order (unknown labels last, by name)."""
        present = {n.label for n in self.nodes}
        order = [lbl for lbl in sch.NODES if lbl in present]
        return order + sorted(present - set(order))

    def types(self) -> list[str]:
        present = {r.type for r in self.rels}
        order = [t for t in sch.RELATIONSHIPS if t in present]
        return order + sorted(present - set(order))


def node_id(label: str, key: Any) -> str:
    """The id of a node in every export format: ``Label:key``."""
    return f"{label}:{key}"


def primary_label(labels: Iterable[str]) -> str:
    labels = list(labels)
    for lbl in labels:
        if lbl in sch.NODES:
            return lbl
    return labels[0] if labels else _UNKNOWN


def clean_props(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop confidential and empty properties; keep the rest as given (already masked)."""
    return {
        k: v
        for k, v in (props or {}).items()
        if k not in CONFIDENTIAL and not k.startswith("_") and v is not None
    }


def prepare(sub: Subgraph) -> Prepared:
    """Clean, deduplicate and sort a subgraph; name missing relationship ends as stubs."""
    nodes: dict[str, XNode] = {}
    for raw in sub.get("nodes") or []:
        labels = tuple(raw.get("labels") or ())
        label = primary_label(labels)
        props = clean_props(raw.get("properties"))
        key = raw.get("key")
        if key is None and label in sch.NODES:
            key = props.get(sch.NODES[label].key)
        if key is None:
            continue  # nothing can point at it, and it has no stable id
        n = XNode(label, key, props, labels or (label,))
        nodes.setdefault(n.id, n)

    rels: dict[str, XRel] = {}
    for raw in sub.get("relationships") or []:
        start = _end_id(raw.get("start"), nodes)
        end = _end_id(raw.get("end"), nodes)
        if start is None or end is None:
            continue
        for nid, side in ((start, "start"), (end, "end")):
            if nid not in nodes:
                label, key = _ref(raw.get(side))
                nodes[nid] = XNode(label, key, {}, (label,), stub=True)
        type_ = str(raw.get("type") or "RELATED")
        props = clean_props(raw.get("properties"))
        rid = rel_id(type_, start, end, props)
        rels.setdefault(rid, XRel(type_, start, end, props, rid))

    return Prepared(
        sorted(nodes.values(), key=lambda n: (n.label, str(n.key))),
        sorted(rels.values(), key=lambda r: (r.type, r.start, r.end, r.id)),
    )


def _ref(end: Any) -> tuple[str, Any]:
    end = end or {}
    return (str(end.get("label") or _UNKNOWN), end.get("key"))


def _end_id(end: Any, nodes: Mapping[str, XNode]) -> str | None:
    if not isinstance(end, Mapping) or end.get("key") is None:
        return None
    if end.get("label"):
        return node_id(str(end["label"]), end["key"])
    # A label-less end: find the node by key (keys are unique per label, rarely across).
    matches = [nid for nid, n in nodes.items() if n.key == end["key"]]
    return matches[0] if len(matches) == 1 else None


def rel_id(type_: str, start: str, end: str, props: Mapping[str, Any]) -> str:
    """Stable id of a relationship: its type, ends and the properties that tell apart two
    links between the same pair (a car owned twice, two roles in one company).

    ``valid_to`` and provenance are left out so closing a term keeps the id.
    """
    rt = sch.RELATIONSHIPS.get(type_)
    skip = {"valid_to", *_TRAILING}
    own = sorted(
        (k, v) for k, v in props.items() if k not in skip and (rt is None or _declared(rt, k))
    )
    return "r" + digest(type_, start, end, json.dumps(own, ensure_ascii=False, default=str))


def _declared(rt: sch.RelType, name: str) -> bool:
    return any(p.name == name for p in rt.props)


def digest(*parts: str, length: int = 20) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:length]


def columns(label_or_type: str, rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Property columns for a label or relationship type: declared ones in schema order,
    then undeclared ones by name, provenance last; only those some row carries."""
    present: set[str] = set()
    for r in rows:
        present.update(r)
    owner = sch.NODES.get(label_or_type) or sch.RELATIONSHIPS.get(label_or_type)
    declared = [p.name for p in owner.props] if owner else []
    head = [c for c in declared if c in present and c not in _TRAILING]
    extra = sorted(present - set(declared) - set(_TRAILING))
    tail = [c for c in _TRAILING if c in present]
    return head + extra + tail


def zh_of(label_or_type: str, prop: str) -> str:
    """Chinese name of a property (empty when undeclared)."""
    owner = sch.NODES.get(label_or_type) or sch.RELATIONSHIPS.get(label_or_type)
    if owner is None:
        return ""
    for p in owner.props:
        if p.name == prop:
            return p.zh
    return ""


def header(label_or_type: str, prop: str) -> str:
    """A human header, Chinese first: ``姓名 (name)``."""
    zh = zh_of(label_or_type, prop)
    return f"{zh} ({prop})" if zh else prop


def type_zh(label_or_type: str) -> str:
    nt = sch.NODES.get(label_or_type)
    if nt is not None:
        return nt.zh
    rt = sch.RELATIONSHIPS.get(label_or_type)
    return rt.zh if rt is not None else label_or_type


def scalar(value: Any) -> str | int | float | bool:
    """A value for formats without lists or maps: lists and maps become JSON text."""
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
