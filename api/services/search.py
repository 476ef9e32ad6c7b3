"""Search: identifiers exactly, names exactly, by prefix and by pinyin, text by full-text.

Candidates come from several cheap, index-backed queries, each capped; each carries a
score by how it matched (exact key 100, exact identifier 95, exact name 90, prefix 70,
pinyin 60, initials 45, full-text up to 30), the best match of a node wins, and the
caller's scope is applied before ranking and paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.scope import NodeId, Scope, ScopeResolver, node_id
from api.services.names import INDEXED_LABELS, INFIX_LABELS, NameIndex
from graph import ids
from graph import schema as sch
from graph.errors import InvalidValue, QueryError, SchemaError
from graph.queries.lookup import by_key, fetch_many
from graph.queries.search import by_names, by_prefix, with_value
from graph.store import GraphStore, Node

NAME_LABELS = ("Person", "Enterprise", "Mention", "Division")
NameIndexed = frozenset(INDEXED_LABELS)  # the labels whose names the in-process index holds
PHONE_LABELS = ("Person", "Enterprise")
TEXT_LABELS = ("Enterprise", "Contract", "Program", "Organisation", "School")
# Completions of a prefix looked up: the shortest names, and the first nodes holding
# them, per label. A one-character prefix names thousands of people, but ranking puts
# the shortest names first and a page holds 20 by default; the total is then a lower
# bound (``capped``), as it is for any step that reaches its limit.
PREFIX_NAMES = 60
PREFIX_ROWS = 100


@dataclass
class Hit:
    node: Node
    match: str
    field: str
    score: float
    stub: bool = False  # only the key, name and village: hydrate() reads the whole node


@dataclass
class Found:
    hits: list[Hit]
    total: int
    capped: bool


class _Collector:
    def __init__(self, label: str | None) -> None:
        self.label = label
        self.hits: dict[NodeId, Hit] = {}
        self.capped = False

    def add(self, node: Node, match: str, field: str, score: float, *, stub: bool = False) -> None:
        nid = node_id(node)
        if self.label is not None and nid[0] != self.label:
            return
        prev = self.hits.get(nid)
        if prev is None or score > prev.score:
            self.hits[nid] = Hit(node, match, field, score, stub)


def _key_variants(label: str, q: str) -> str:
    try:
        if label == "Person":
            return ids.normalise_resident_id(q)
        if label == "Enterprise":
            return ids.normalise_uscc(q)
        if label == "Vehicle":
            return ids.normalise_plate(q)
        if label == "RealEstate":
            return ids.normalise_cert_no(q)
    except InvalidValue:
        pass
    return q


def _stub(label: str, row: dict[str, Any]) -> Node:
    """Candidates come back as stubs — key, name, division — and only the page is read in
    full (:func:`hydrate`): reading 500 whole nodes to show 20 would cost most of a search."""
    return {
        "_kind": "node",
        "labels": [label],
        "key": row["k"],
        "properties": {"name": row["name"], "village_code": row["d"]},
    }


def hydrate(store: GraphStore, hits: list[Hit]) -> list[Hit]:
    """Replace stub nodes by the whole nodes, for the page about to be shown."""
    wanted: dict[str, list[Any]] = {}
    for h in hits:
        if h.stub:
            wanted.setdefault(node_id(h.node)[0], []).append(h.node["key"])
    full: dict[NodeId, Node] = {}
    for label, keys in wanted.items():
        for n in fetch_many(store, label, keys):
            full[node_id(n)] = n
    return [
        Hit(full.get(node_id(h.node), h.node), h.match, h.field, h.score)
        for h in hits
        if not h.stub or node_id(h.node) in full
    ]


def _has_cjk(q: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in q)


def search(
    store: GraphStore,
    resolver: ScopeResolver,
    scope: Scope,
    names: NameIndex | None,
    q: str,
    *,
    label: str | None = None,
    cap: int = 500,
    timeout: float = 10.0,
) -> Found:
    text = ids.clean(q)
    col = _Collector(label)
    labels = [label] if label else list(sch.NODES)
    _exact_keys(store, col, text, labels, timeout)
    if text.isdigit() and len(text) >= 7:
        phones = list(PHONE_LABELS)
        _exact_prop(store, col, scope, "phone", text, phones, "exact_id", 95, cap, timeout)
    name_labels = [lb for lb in NAME_LABELS if lb in labels]
    if _has_cjk(text) or any(c.isalpha() for c in text):
        _exact_prop(store, col, scope, "name", text, name_labels, "exact_name", 90, cap, timeout)
        if names is not None and names.ready:
            # The shortest names rank first; a page needs only those. More than that
            # many names makes the total a lower bound (``capped``).
            completions = names.prefix(text, limit=PREFIX_NAMES + 1)
            col.capped |= len(completions) > PREFIX_NAMES
            found = [(n, "prefix") for n in completions[:PREFIX_NAMES] if n != text]
            _by_name(store, col, scope, text, found, name_labels, min(cap, PREFIX_ROWS), timeout)
        else:
            _prefix(store, col, scope, text, name_labels, cap, timeout)
    if names is not None and names.ready:
        by_sound = names.lookup(text, limit=100)
        if by_sound:
            _by_name(store, col, scope, text, by_sound, name_labels, cap, timeout)
    if names is not None and names.ready and _has_cjk(text):
        inside = [(n, "infix") for n in names.contains(text) if not n.startswith(text)]
        if inside:
            infix_labels = [lb for lb in INFIX_LABELS if lb in labels]
            _by_name(store, col, scope, text, inside, infix_labels, cap, timeout)
    if _has_cjk(text) and len(text) >= 2:
        _fulltext(store, col, text, [lb for lb in TEXT_LABELS if lb in labels], cap)
    nodes = [h.node for h in col.hits.values()]
    ok = resolver.allowed(scope, nodes)
    hits = [h for nid, h in col.hits.items() if nid in ok]
    hits.sort(key=lambda h: (-h.score, len(str(h.node.get("key") or "")), str(h.node.get("key"))))
    return Found(hits, len(hits), col.capped)


def _exact_keys(
    store: GraphStore, col: _Collector, text: str, labels: list[str], timeout: float
) -> None:
    if not text:
        return
    variants = {lb: _key_variants(lb, text) for lb in labels}
    for n in by_key(store, variants, timeout=timeout):
        col.add(n, "exact_key", sch.node(node_id(n)[0]).key, 100.0)


def _exact_prop(
    store: GraphStore,
    col: _Collector,
    scope: Scope,
    prop: str,
    value: str,
    labels: list[str],
    match: str,
    score: float,
    cap: int,
    timeout: float,
) -> None:
    found = with_value(
        store,
        labels,
        prop,
        value,
        where=scope.predicate,
        cap=cap,
        timeout=timeout,
    )
    for lb, rows in found.items():
        col.capped |= len(rows) >= cap
        for row in rows:
            col.add(_stub(lb, row), match, prop, score, stub=True)


def _prefix(  # without the name index (still building): a scan, capped
    store: GraphStore,
    col: _Collector,
    scope: Scope,
    text: str,
    labels: list[str],
    cap: int,
    timeout: float,
) -> None:
    for lb in labels:
        rows = by_prefix(store, lb, text, where=scope.predicate, cap=cap, timeout=timeout)
        col.capped |= len(rows) >= cap
        for row in rows:
            name = str(row["name"] or "")
            # Shorter names complete more of what was typed: 张三 before 张三丰.
            col.add(
                _stub(lb, row), "prefix", "name", 70.0 - min(10, len(name) - len(text)), stub=True
            )


_BASE = {"prefix": 70.0, "pinyin": 60.0, "infix": 50.0, "initials": 45.0}


def _by_name(
    store: GraphStore,
    col: _Collector,
    scope: Scope,
    text: str,
    found: list[tuple[str, str]],
    labels: list[str],
    cap: int,
    timeout: float,
) -> None:
    """Exact look-ups of names the in-process index found (by prefix, pinyin or part)."""
    how = dict(found)
    named = by_names(
        store,
        [lb for lb in labels if lb in NameIndexed or lb in INFIX_LABELS],
        list(how),
        where=scope.predicate,
        cap=cap,
        timeout=timeout,
    )
    for lb, rows in named.items():
        col.capped |= len(rows) >= cap
        for row in rows:
            name = str(row["name"])
            kind = how.get(name, "pinyin")
            # Shorter names complete more of what was typed: 张三 before 张三丰.
            penalty = min(10, max(0, len(name) - len(text))) if kind in ("prefix", "infix") else 0
            col.add(_stub(lb, row), kind, "name", _BASE[kind] - penalty, stub=True)


def _fulltext(store: GraphStore, col: _Collector, text: str, labels: list[str], cap: int) -> None:
    for lb in labels:
        try:
            rows = store.fulltext(lb, text, limit=min(cap, 100))
        except (QueryError, SchemaError):
            continue  # no full-text index on this engine / label: the other matches stand
        top = max((float(r["score"] or 0) for r in rows), default=0.0) or 1.0
        for r in rows:
            col.add(r["node"], "fulltext", "text", 30.0 * float(r["score"] or 0) / top)
