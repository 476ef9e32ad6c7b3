"""The Cypher behind :func:`graph.algorithms.projection.project`, in the subset both engines run.

Nodes are paged by key (``WHERE n.key > $after ORDER BY key LIMIT $batch``) and
relationships by ranges of their start node's key, taken from the node pass, so no page
skips rows the way ``SKIP`` does and no internal id is used. Every statement names its
start label, so the key range is read from the label's index. Identifiers interpolated
into the text come from the schema, never from the caller unchecked.
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


def nodes(store: GraphStore, spec: Spec, batch: int) -> dict[str, NodePage]:
    out: dict[str, NodePage] = {}
    for label in spec.labels:
        kp = sch.NODES[label].key
        cols = spec.columns(label)
        ret = "".join(f", n.{c} AS c{i}" for i, c in enumerate(cols))
        q = (
            f"MATCH (n:{label}) WHERE n.{kp} > $after "
            f"RETURN n.{kp} AS k{ret} ORDER BY k LIMIT $batch"
        )
        rows: list[dict[str, Any]] = []
        after = ""
        while True:
            page = store.read(q, {"after": after, "batch": batch})
            rows += page
            if len(page) < batch:
                break
            after = page[-1]["k"]
        keys = np.array([r["k"] for r in rows], dtype=object)
        props = {c: np.array([r[f"c{i}"] for r in rows], dtype=object) for i, c in enumerate(cols)}
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
    store: GraphStore, spec: Spec, node_pages: Mapping[str, NodePage], batch: int
) -> list[EdgePart]:
    """Relationships, one query per start label covering all its types, paged by key range.

    The upper bound is written ``a.key + '' <= $hi``: FalkorDB 4.16.3 answers ``<`` and
    ``<=`` on an indexed string property from the index without applying the bound
    (measured: every node comes back), while ``>=`` is answered correctly. The
    expression keeps the upper bound out of the index on both engines.
    """
    parts: list[EdgePart] = []
    for s in spec.labels:
        mine = [(t, e) for t, s2, e in spec.triples if s2 == s and len(node_pages[e].keys)]
        keys = node_pages[s].keys
        if not mine or len(keys) == 0:
            continue
        types = list(dict.fromkeys(t for t, _ in mine))
        ends = list(dict.fromkeys(e for _, e in mine))
        temporal = [t for t in types if sch.RELATIONSHIPS[t].temporal]
        ks = sch.NODES[s].key
        when = ""
        if spec.at is not None and temporal:
            when = (
                " AND (NOT type(r) IN $temporal OR ("
                "(r.valid_from IS NULL OR r.valid_from = '' OR r.valid_from <= $at) AND "
                "(r.valid_to IS NULL OR r.valid_to = '' OR r.valid_to >= $at)))"
            )
        key_of_b = " ".join(f"WHEN b:{e} THEN b.{sch.NODES[e].key}" for e in ends)
        ret = "".join(f", r.{p} AS r{i}" for i, p in enumerate(spec.rel_properties))
        # Returning `type(r)` also matters: FalkorDB 4.16 collapses parallel relationships
        # into one row when the relationship variable is not used.
        q = (
            f"MATCH (a:{s})-[r:{'|'.join(types)}]->(b) "
            f"WHERE a.{ks} >= $lo AND a.{ks} + '' <= $hi{when} "
            f"RETURN a.{ks} AS s, type(r) AS t, labels(b) AS bl, "
            f"CASE {key_of_b} END AS k{ret}"
        )
        rows: list[dict[str, Any]] = []
        i, window = 0, batch
        while i < len(keys):
            j = min(len(keys), i + window)
            page = store.read(
                q, {"lo": keys[i], "hi": keys[j - 1], "at": spec.at, "temporal": temporal}
            )
            rows += page
            # Size the next window of start nodes so that a page holds about `batch` rows.
            per_node = max(len(page), 1) / (j - i)
            window = int(min(max(batch / per_node, 1), 4 * (j - i), 10 * batch))
            i = j
        valid = set(mine)
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows:
            e = next((lab for lab in r["bl"] if (r["t"], lab) in valid), None)
            if e is not None and r["k"] is not None:
                groups.setdefault((r["t"], e), []).append(r)
        for (t, e), rs in groups.items():
            parts.append(
                EdgePart(
                    t,
                    s,
                    e,
                    np.array([r["s"] for r in rs], dtype=object),
                    np.array([r["k"] for r in rs], dtype=object),
                    {
                        p: np.array([r[f"r{i}"] for r in rs], dtype=object)
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


def vids(
    nodes: Mapping[str, NodePage],
    label: str,
    keys: ObjArray,
    spec: Spec,
    offsets: IntArray,
) -> IntArray:
    """Vertex ids of ``keys``; -1 for a key the node pass did not see."""
    known = nodes[label].keys
    # The label's keys come first, so their codes are their positions; later codes are
    # endpoints unknown to the node pass (created meanwhile), dropped by the caller.
    codes, _ = pd.factorize(np.concatenate([known, keys]))
    out = codes[len(known) :].astype(np.int64)
    base = int(offsets[spec.labels.index(label)])
    return np.where(out < len(known), out + base, -1)


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
