"""The Cypher behind :func:`graph.algorithms.projection.project`, in the subset both engines run.

A label that fits in one reply is read whole, and its relationships one (type, start
label, end label) at a time, through the store's bulk reads ``read_columns`` and
``read_text`` (FalkorDB joins each text column into one string on the server). A larger label is
paged by key (``WHERE n.key > $after ORDER BY key LIMIT $batch``), which both engines
answer from the key index, and its relationships by batches of start-node keys, so no
page repeats or skips rows the way ``SKIP`` can and no internal id is used. Identifiers
interpolated into the text come from the schema, never from the caller unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph import schema as sch
from graph.errors import SchemaError
from graph.ids import normalise_division_code
from graph.store.base import GraphStore

ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]
DIVISION_PROPS = ("village_code", "code", "jurisdiction_code", "division_code")
TEXT_TYPES = (sch.PropType.STR, sch.PropType.DATE, sch.PropType.MONTH)


@dataclass
class Spec:
    labels: list[str]
    types: list[str]
    triples: list[tuple[str, str, str]]
    division: str | None
    at: str | None
    node_properties: dict[str, list[str]]
    rel_properties: list[str]
    link_shared: list[str]

    @classmethod
    def make(
        cls,
        labels: Iterable[str] | None,
        rel_types: Iterable[str] | None,
        division: str | None,
        at: str | None,
        node_properties: Mapping[str, Sequence[str]] | None,
        rel_properties: Sequence[str],
        link_shared: Sequence[str],
    ) -> Spec:
        labs = [sch.node(lbl).label for lbl in (labels if labels is not None else sch.NODES)]
        types = [
            sch.relationship(t).type
            for t in (rel_types if rel_types is not None else sch.RELATIONSHIPS)
        ]
        triples = [
            (t, s, e)
            for t in types
            for s in sch.RELATIONSHIPS[t].sources
            for e in sch.RELATIONSHIPS[t].targets
            if s in labs and e in labs
        ]
        nprops: dict[str, list[str]] = {}
        for lbl, names in (node_properties or {}).items():
            nt = sch.node(lbl)
            nprops[lbl] = [nt.prop(p).name for p in names]
        for p in (*rel_properties, *link_shared):
            if not p.isidentifier():
                raise SchemaError(f"not a property name: {p!r}")
        if not any(sch.NODES[lbl].has(p) for p in link_shared for lbl in labs) and link_shared:
            raise SchemaError(f"no projected label has {list(link_shared)}")
        return cls(
            labels=labs,
            types=[t for t in types if any(tr[0] == t for tr in triples)],
            triples=triples,
            division=normalise_division_code(division) if division is not None else None,
            at=at,
            node_properties=nprops,
            rel_properties=list(rel_properties),
            link_shared=list(link_shared),
        )

    def division_prop(self, label: str) -> str | None:
        nt = sch.NODES[label]
        return next((p for p in DIVISION_PROPS if nt.has(p)), None)

    def columns(self, label: str) -> list[str]:
        """Node properties pulled for ``label``: asked for, shared-value links, division."""
        nt = sch.NODES[label]
        cols = list(self.node_properties.get(label, []))
        cols += [p for p in self.link_shared if nt.has(p) and p not in cols]
        dprop = self.division_prop(label)
        if self.division is not None and dprop and dprop not in cols:
            cols.append(dprop)
        return cols

    @property
    def kept_node_props(self) -> list[str]:
        names = [p for ps in self.node_properties.values() for p in ps] + self.link_shared
        return list(dict.fromkeys(names))

    @property
    def all_node_props(self) -> list[str]:
        return list(dict.fromkeys(p for lbl in self.labels for p in self.columns(lbl)))


@dataclass
class NodePage:
    keys: ObjArray
    keep: npt.NDArray[np.bool_]
    anchored: npt.NDArray[np.bool_]
    props: dict[str, ObjArray] = field(default_factory=dict)

    def sorted(self) -> NodePage:
        """The same nodes in key order."""
        order = np.argsort(self.keys.astype(str), kind="stable")
        return NodePage(
            self.keys[order],
            self.keep[order],
            self.anchored[order],
            {k: v[order] for k, v in self.props.items()},
        )

    def prop(self, name: str) -> ObjArray:
        got = self.props.get(name)
        return got if got is not None else np.full(len(self.keys), None, dtype=object)


@dataclass
class EdgePart:
    type: str
    start_label: str
    end_label: str
    start_keys: ObjArray
    end_keys: ObjArray
    props: dict[str, ObjArray]


def _is_text(label: str, prop: str) -> bool:
    return sch.NODES[label].prop(prop).type in TEXT_TYPES


def nodes(store: GraphStore, spec: Spec, batch: int) -> dict[str, NodePage]:
    """Keys (and asked-for properties) of every projected label.

    A label of at most ``batch`` nodes comes in one unordered query; a larger one in pages
    ordered by key. Sorting is what a page costs the engine (FalkorDB: 2.9 s of server time
    in pages of 100k against 0.1 s unpaged, for 300k nodes), so pages are only used where
    one reply would be too large.
    """
    out: dict[str, NodePage] = {}
    for label in spec.labels:
        kp = sch.NODES[label].key
        cols = spec.columns(label)
        names = ["k", *(f"c{i}" for i in range(len(cols)))]
        ret = "".join(f", n.{c} AS c{i}" for i, c in enumerate(cols))
        total = int(store.read(f"MATCH (n:{label}) RETURN count(n) AS c")[0]["c"])
        got: dict[str, list[Any]] = {n: [] for n in names}
        if total <= batch and all(_is_text(label, c) for c in [kp, *cols]):
            exprs = {"k": f"n.{kp}", **{f"c{i}": f"n.{c}" for i, c in enumerate(cols)}}
            got = store.read_text(f"MATCH (n:{label})", exprs, {})
        elif total <= batch:
            got = store.read_columns(f"MATCH (n:{label}) RETURN n.{kp} AS k{ret}", {}, names)
        else:
            q = (
                f"MATCH (n:{label}) WHERE n.{kp} > $after "
                f"RETURN n.{kp} AS k{ret} ORDER BY k LIMIT $batch"
            )
            after = ""
            while True:
                page = store.read_columns(q, {"after": after, "batch": batch}, names)
                for n in names:
                    got[n] += page[n]
                if len(page["k"]) < batch:
                    break
                after = page["k"][-1]
        keys = np.array(got["k"], dtype=object)
        present = np.array([k is not None and k != "" for k in got["k"]], dtype=bool)
        keys = keys[present]
        props = {c: np.array(got[f"c{i}"], dtype=object)[present] for i, c in enumerate(cols)}
        dprop = spec.division_prop(label)
        if spec.division is None or dprop is None:
            anchored = np.zeros(len(keys), bool)
            keep = np.ones(len(keys), bool)
        else:
            codes = props[dprop]
            anchored = np.array([c not in (None, "") for c in codes], dtype=bool)
            keep = np.array(
                [bool(c) and str(c).startswith(spec.division) for c in codes], dtype=bool
            )
        out[label] = NodePage(keys, keep, anchored, props)
    return out


def edges(
    store: GraphStore,
    spec: Spec,
    node_pages: Mapping[str, NodePage],
    batch: int,
    unpaged: int = 0,
) -> list[EdgePart]:
    """Relationships of every projected (type, start label, end label).

    A start label of at most ``unpaged`` nodes is read one triple at a time without
    pages: ``MATCH (a:S)-[r:T]->(b:E)`` is a label scan and a traversal, nothing else
    (measured at 1M persons: 4 s of engine time for all 1.45M relationships of the risk
    projection, against 15 s for one query per start label that tells end labels apart
    with ``CASE``, and 43 s in pages of start keys). Larger labels come in pages, see
    :func:`_paged_edges`.
    """
    parts: list[EdgePart] = []
    for s in spec.labels:
        mine = [(t, e) for t, s2, e in spec.triples if s2 == s and len(node_pages[e].keys)]
        if not mine or len(node_pages[s].keys) == 0:
            continue
        if len(node_pages[s].keys) > unpaged:
            parts += _paged_edges(store, spec, s, mine, node_pages[s].keys, batch)
            continue
        for t, e in mine:
            parts.append(_triple(store, spec, t, s, e))
    return parts


def _when(spec: Spec, type_: str) -> str:
    """The validity filter of a temporal relationship type on day ``$at``."""
    if spec.at is None or not sch.RELATIONSHIPS[type_].temporal:
        return ""
    return (
        " WHERE (r.valid_from IS NULL OR r.valid_from = '' OR r.valid_from <= $at) AND "
        "(r.valid_to IS NULL OR r.valid_to = '' OR r.valid_to >= $at)"
    )


def _triple(store: GraphStore, spec: Spec, type_: str, start: str, end: str) -> EdgePart:
    ka, kb = sch.NODES[start].key, sch.NODES[end].key
    match = f"MATCH (a:{start})-[r:{type_}]->(b:{end}){_when(spec, type_)}"
    params = {"at": spec.at}
    if spec.rel_properties:
        ret = "".join(f", r.{p} AS r{i}" for i, p in enumerate(spec.rel_properties))
        names = ["s", "k", *(f"r{i}" for i in range(len(spec.rel_properties)))]
        got = store.read_columns(f"{match} RETURN a.{ka} AS s, b.{kb} AS k{ret}", params, names)
    else:
        # `type(r)` is returned for its use of `r`: without it FalkorDB 4.16 plans the
        # pattern without the relationship and parallel relationships come back as one.
        got = store.read_text(match, {"s": f"a.{ka}", "k": f"b.{kb}", "t": "type(r)"}, params)
    s_keys = np.array(got["s"], dtype=object)
    e_keys = np.array(got["k"], dtype=object)
    ok = np.array([x is not None for x in got["s"]], bool) & np.array(
        [x is not None for x in got["k"]], bool
    )
    return EdgePart(
        type_,
        start,
        end,
        s_keys[ok],
        e_keys[ok],
        {p: np.array(got[f"r{i}"], dtype=object)[ok] for i, p in enumerate(spec.rel_properties)},
    )


def _paged_edges(
    store: GraphStore,
    spec: Spec,
    s: str,
    mine: list[tuple[str, str]],
    keys: ObjArray,
    batch: int,
) -> list[EdgePart]:
    """Relationships of a big start label: one query per page of its nodes' keys.

    Pages send the start nodes' keys (``UNWIND $keys``) and match each by its key, an
    index seek, so a page costs what it returns and the whole pass is linear. Key ranges
    were tried first: ``a.key >= $lo AND a.key <= $hi`` scans from ``$lo`` to the end of
    the index on every page (quadratic overall), and on FalkorDB 4.16.3 an upper bound
    (``<``, ``<=``) on an indexed string property is not applied at all (measured: every
    node comes back).
    """
    types = list(dict.fromkeys(t for t, _ in mine))
    ends = list(dict.fromkeys(e for _, e in mine))
    temporal = [t for t in types if sch.RELATIONSHIPS[t].temporal]
    ks = sch.NODES[s].key
    when = ""
    if spec.at is not None and temporal:
        when = (
            " WHERE NOT type(r) IN $temporal OR ("
            "(r.valid_from IS NULL OR r.valid_from = '' OR r.valid_from <= $at) AND "
            "(r.valid_to IS NULL OR r.valid_to = '' OR r.valid_to >= $at))"
        )
    label_of_b = " ".join(f"WHEN b:{e} THEN {i}" for i, e in enumerate(ends))
    key_of_b = " ".join(f"WHEN b:{e} THEN b.{sch.NODES[e].key}" for e in ends)
    ret = "".join(f", r.{p} AS r{i}" for i, p in enumerate(spec.rel_properties))
    # Returning `type(r)` also matters: FalkorDB 4.16 collapses parallel relationships
    # into one row when the relationship variable is not used.
    q = (
        f"UNWIND $keys AS key MATCH (a:{s} {{{ks}: key}})-[r:{'|'.join(types)}]->(b)"
        f"{when} RETURN key AS s, type(r) AS t, CASE {label_of_b} END AS e, "
        f"CASE {key_of_b} END AS k{ret}"
    )
    names = ["s", "t", "e", "k", *(f"r{i}" for i in range(len(spec.rel_properties)))]
    got: dict[str, list[Any]] = {n: [] for n in names}
    i, window = 0, batch
    while i < len(keys):
        j = min(len(keys), i + window)
        params = {"keys": keys[i:j].tolist(), "at": spec.at, "temporal": temporal}
        page = store.read_columns(q, params, names)
        for n in names:
            got[n] += page[n]
        # Size the next window of start nodes so that a page holds about `batch` rows.
        per_node = max(len(page["s"]), 1) / (j - i)
        window = int(min(max(batch / per_node, 1), 4 * (j - i), batch))
        i = j
    frame = pd.DataFrame({n: pd.Series(got[n], dtype=object) for n in names})
    frame = frame[frame["e"].notna() & frame["k"].notna()]
    frame["e"] = [ends[int(x)] for x in frame["e"]]
    valid = set(mine)
    parts: list[EdgePart] = []
    for (t, e), group in frame.groupby(["t", "e"], sort=False):
        if (t, e) not in valid:
            continue
        parts.append(
            EdgePart(
                str(t),
                s,
                str(e),
                group["s"].to_numpy(dtype=object),
                group["k"].to_numpy(dtype=object),
                {
                    p: group[f"r{i}"].to_numpy(dtype=object)
                    for i, p in enumerate(spec.rel_properties)
                },
            )
        )
    return parts


def node_properties(
    store: GraphStore, label: str, keys: Sequence[Any]
) -> dict[Any, dict[str, Any]]:
    """Every property of the nodes of ``label`` with the given keys."""
    kp = sch.node(label).key
    q = f"UNWIND $keys AS k MATCH (n:{label} {{{kp}: k}}) RETURN k, n"
    out: dict[Any, dict[str, Any]] = {}
    for i in range(0, len(keys), 5000):
        for row in store.read(q, {"keys": list(keys[i : i + 5000])}):
            out[row["k"]] = dict(row["n"]["properties"])
    return out


def endpoint_vids(
    nodes: Mapping[str, NodePage], parts: Sequence[EdgePart], spec: Spec, offsets: IntArray
) -> tuple[IntArray, IntArray]:
    """Vertex ids of every relationship's two ends; -1 for a key the node pass did not see.

    One ``pandas.factorize`` per label over its node keys followed by every endpoint key of
    that label: node keys come first and are unique, so their codes are their positions,
    and a code past them is an endpoint unknown to the node pass (created meanwhile).
    """
    ends: dict[str, list[tuple[int, int, ObjArray]]] = {}
    for i, p in enumerate(parts):
        ends.setdefault(p.start_label, []).append((i, 0, p.start_keys))
        ends.setdefault(p.end_label, []).append((i, 1, p.end_keys))
    out = [[np.zeros(0, np.int64), np.zeros(0, np.int64)] for _ in parts]
    for label, items in ends.items():
        known = nodes[label].keys
        codes, _ = pd.factorize(np.concatenate([known, *(k for _, _, k in items)]))
        base = int(offsets[spec.labels.index(label)])
        pos = len(known)
        for i, side, k in items:
            c = codes[pos : pos + len(k)].astype(np.int64)
            out[i][side] = np.where(c < len(known), c + base, -1)
            pos += len(k)
    src = np.concatenate([np.zeros(0, np.int64), *(o[0] for o in out)])
    dst = np.concatenate([np.zeros(0, np.int64), *(o[1] for o in out)])
    return src, dst


def division_closure(
    keep: npt.NDArray[np.bool_],
    nodes: Mapping[str, NodePage],
    spec: Spec,
    src: IntArray,
    dst: IntArray,
    valid: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Add nodes without a division of their own that a kept node links to."""
    anchored = np.concatenate([np.zeros(0, bool)] + [nodes[lab].anchored for lab in spec.labels])
    s, d = src[valid], dst[valid]
    out = keep & anchored
    reach = np.zeros_like(out)
    reach[d[out[s]]] = True
    reach[s[out[d]]] = True
    closure: npt.NDArray[np.bool_] = out | (reach & ~anchored)
    return closure


def shared_pairs(values: ObjArray | None, max_shared: int) -> tuple[IntArray, IntArray]:
    """Link every node to the first node holding the same value (a star, not a clique)."""
    if values is None or len(values) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ser = pd.Series(values, dtype=object).map(norm_value)
    codes, _ = pd.factorize(ser, use_na_sentinel=True)
    ok = codes >= 0
    v = np.flatnonzero(ok)
    c = codes[ok]
    order = np.argsort(c, kind="stable")
    v, c = v[order], c[order]
    size = np.bincount(c)
    first = np.full(len(size), -1, np.int64)
    first[c[::-1]] = v[::-1]
    link = (size[c] >= 2) & (size[c] <= max_shared) & (v != first[c])
    return first[c[link]], v[link].astype(np.int64)


def norm_value(x: Any) -> Any:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return None
    text = "".join(str(x).split()).replace("-", "")
    return text or None
