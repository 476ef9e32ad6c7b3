"""Projections: the part of the store an algorithm needs, held in igraph.

As in Neo4j GDS, algorithms do not run against the store: :func:`project` pulls node keys
and labels and the chosen relationships into an :class:`igraph.Graph` whose vertex ``i`` is
the node ``(label_names[label_codes[i]], keys[i])``. Keys are mapped to vertex ids with
``pandas.factorize`` and the graph is built with ``use_vids=True`` (igraph's own name
mapping took 49 s at 5M nodes). Notebook users get a networkx graph from
:meth:`Projection.to_networkx`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from graph import schema as sch
from graph.algorithms import _pull
from graph.algorithms.captions import caption_text
from graph.errors import NotFound
from graph.store.base import GraphStore

__all__ = ["Projection", "project"]

ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


@dataclass(eq=False)
class Projection:
    """A directed multigraph of store nodes, addressed by natural key.

    Attributes
    ----------
    graph : igraph.Graph
        Directed, parallel relationships kept; edge ``e`` has type
        ``type_names[type_codes[e]]``.
    keys, label_codes, label_names : arrays
        The natural key and the label of each vertex.
    node_props, rel_props : dict of arrays
        Properties pulled with the projection, aligned with vertex / edge ids (``None``
        where a node has no such property).
    derived : dict
        Relationship types made by the projection itself (``SAME_PHONE``) → the property.
    store : GraphStore or None
        Where the nodes live; used to fetch captions and properties on demand.
    """

    graph: Any
    keys: ObjArray
    label_codes: npt.NDArray[np.int16]
    label_names: tuple[str, ...]
    type_codes: npt.NDArray[np.int16]
    type_names: tuple[str, ...]
    node_props: dict[str, ObjArray] = field(default_factory=dict)
    rel_props: dict[str, ObjArray] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)
    store: GraphStore | None = None
    division: str | None = None
    at: str | None = None
    _index: dict[str, tuple[IntArray, pd.Index]] = field(default_factory=dict, repr=False)
    _undirected: Any = field(default=None, repr=False)
    # Derived structures (adjacency arrays, ...) that algorithms build once per projection.
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _captions: dict[int, str] = field(default_factory=dict, repr=False)

    # -- construction without a store ---------------------------------------------------
    @classmethod
    def from_records(
        cls,
        relationships: Iterable[Sequence[Any]],
        nodes: Iterable[Sequence[Any]] = (),
    ) -> Projection:
        """Build a projection from plain records (tests, notebooks, doctests).

        ``relationships`` are ``(start, type, end)`` or ``(start, type, end, props)`` with
        ends written ``"Label:key"``; ``nodes`` are ``(label, key)`` or
        ``(label, key, props)``. Nodes named only by a relationship are added.

        >>> p = Projection.from_records(
        ...     [("Person:1", "RELATIVE_OF", "Person:2", {"relation": "配偶"})],
        ...     nodes=[("Person", "1", {"name": "张三"}), ("Person", "2", {"name": "李四"})])
        >>> p.n_nodes, p.n_edges, p.node_id(p.vertex("2"))
        (2, 1, 'Person:2')
        """
        ids: list[str] = []
        props: list[dict[str, Any]] = []
        seen: dict[str, int] = {}

        def add(label: str, key: Any, pr: Mapping[str, Any] | None = None) -> int:
            nid = f"{label}:{key}"
            if nid not in seen:
                seen[nid] = len(ids)
                ids.append(nid)
                props.append({})
            props[seen[nid]].update(pr or {})
            return seen[nid]

        for rec in nodes:
            add(rec[0], rec[1], rec[2] if len(rec) > 2 else None)
        src, dst, types, rprops = [], [], [], []
        for rec in relationships:
            a, t, b = rec[0], rec[1], rec[2]
            src.append(add(*_split_id(a)))
            dst.append(add(*_split_id(b)))
            types.append(t)
            rprops.append(dict(rec[3]) if len(rec) > 3 else {})
        split = [i.split(":", 1) for i in ids]
        lab_codes, lab_names = pd.factorize(pd.Series([s[0] for s in split], dtype=object))
        typ_codes, typ_names = pd.factorize(pd.Series(types, dtype=object))
        graph = _build(len(ids), np.asarray(src, np.int64), np.asarray(dst, np.int64))
        return cls(
            graph=graph,
            keys=np.array([s[1] for s in split], dtype=object),
            label_codes=lab_codes.astype(np.int16),
            label_names=tuple(lab_names),
            type_codes=typ_codes.astype(np.int16),
            type_names=tuple(typ_names),
            node_props=_columns(props),
            rel_props=_columns(rprops),
        )

    # -- addressing ----------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return int(self.graph.vcount())

    @property
    def n_edges(self) -> int:
        return int(self.graph.ecount())

    @property
    def labels(self) -> ObjArray:
        """The label of every vertex."""
        return np.asarray(self.label_names, dtype=object)[self.label_codes]

    @property
    def edge_types(self) -> ObjArray:
        """The relationship type of every edge."""
        return np.asarray(self.type_names, dtype=object)[self.type_codes]

    def label(self, v: int) -> str:
        return self.label_names[int(self.label_codes[v])]

    def node_id(self, v: int) -> str:
        """``"Label:key"``, the id used by :meth:`to_networkx`."""
        return f"{self.label(v)}:{self.keys[v]}"

    def vertex(self, key: Any, label: str | None = None) -> int:
        """The vertex id of a node; ``key`` may be written ``"Label:key"``.

        Raises :class:`~graph.errors.NotFound` when the node is not in the projection, and
        ``ValueError`` when a bare key names nodes of several labels.
        """
        if label is None and isinstance(key, str) and ":" in key:
            head, rest = key.split(":", 1)
            if head in self.label_names:
                label, key = head, rest
        found = [
            int(ids[pos])
            for lab in ([label] if label else self.label_names)
            if lab in self.label_names
            for ids, index in [self._label_index(lab)]
            for pos in [index.get_indexer(pd.Index([key]))[0]]
            if pos >= 0
        ]
        if not found:
            raise NotFound(f"{label or 'node'} {key!r} is not in the projection")
        if len(found) > 1:
            raise ValueError(f"key {key!r} names nodes of several labels; give the label")
        return found[0]

    def vertices(self, keys: Sequence[Any] | ObjArray, label: str) -> IntArray:
        """Vertex ids of many keys of one label; -1 for a key not in the projection."""
        if label not in self.label_names:
            return np.full(len(keys), -1, np.int64)
        ids, index = self._label_index(label)
        if len(ids) == 0:
            return np.full(len(keys), -1, np.int64)
        pos = index.get_indexer(pd.Index(np.asarray(keys, dtype=object)))
        return np.where(pos >= 0, ids[np.maximum(pos, 0)], -1).astype(np.int64)

    def _label_index(self, label: str) -> tuple[IntArray, pd.Index]:
        if label not in self._index:
            code = self.label_names.index(label)
            ids = np.flatnonzero(self.label_codes == code).astype(np.int64)
            self._index[label] = (ids, pd.Index(self.keys[ids]))
        return self._index[label]

    def frame(self, **columns: Any) -> pd.DataFrame:
        """A table with one row per vertex: label, key and the given columns.

        >>> p = Projection.from_records([("Person:1", "RELATIVE_OF", "Person:2")])
        >>> p.frame(degree=p.graph.degree()).to_dict("records")[0]
        {'label': 'Person', 'key': '1', 'degree': 1}
        """
        return pd.DataFrame({"label": self.labels, "key": self.keys, **columns})

    def undirected(self) -> Any:
        """The same graph without direction (parallel edges kept), built once."""
        if self._undirected is None:
            self._undirected = self.graph.as_undirected(mode="each")
        return self._undirected

    def ends(self) -> tuple[IntArray, IntArray]:
        """Start and end vertex of every edge, as arrays indexed by edge id; built once.

        >>> p = Projection.from_records([("Person:1", "RELATIVE_OF", "Person:2")])
        >>> [a.tolist() for a in p.ends()]
        [[0], [1]]
        """
        if "ends" not in self.cache:
            el = np.asarray(self.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
            self.cache["ends"] = (el[:, 0].copy(), el[:, 1].copy())
        ends: tuple[IntArray, IntArray] = self.cache["ends"]
        return ends

    # -- properties ----------------------------------------------------------------------
    def captions(self, vertices: Iterable[int]) -> list[str]:
        """How each node reads in a sentence: a name, or its kind and caption."""
        vs = [int(v) for v in vertices]
        missing = [v for v in vs if v not in self._captions]
        if missing:
            values = self._caption_values(missing)
            for v in missing:
                self._captions[v] = caption_text(self.label(v), values.get(v), self.keys[v])
        return [self._captions[v] for v in vs]

    def _caption_values(self, vs: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for v in vs:
            col = (
                self.node_props.get(sch.NODES[self.label(v)].caption)
                if (self.label(v) in sch.NODES)
                else None
            )
            if col is not None and col[v] is not None:
                out[v] = col[v]
        rest = [v for v in vs if v not in out and self.label(v) in sch.NODES]
        if rest and self.store is not None:
            for v, props in zip(rest, self.properties(rest), strict=True):
                out[v] = props.get(sch.NODES[self.label(v)].caption)
        return out

    def properties(self, vertices: Sequence[int]) -> list[dict[str, Any]]:
        """All properties of the given nodes: from the store if there is one."""
        if self.store is None:
            return [
                {k: col[v] for k, col in self.node_props.items() if col[v] is not None}
                for v in vertices
            ]
        by_label: dict[str, list[int]] = {}
        for v in vertices:
            by_label.setdefault(self.label(v), []).append(int(v))
        found: dict[int, dict[str, Any]] = {}
        for label, vs in by_label.items():
            rows = _pull.node_properties(self.store, label, [self.keys[v] for v in vs])
            for v in vs:
                found[v] = rows.get(self.keys[v], {})
        return [found[int(v)] for v in vertices]

    def to_networkx(self, with_properties: bool = True) -> nx.MultiDiGraph:
        """A networkx ``MultiDiGraph`` with node ids ``"Label:key"``.

        Nodes carry ``label`` and ``key`` (and, with ``with_properties``, every property
        from the store); relationships carry ``type`` and the projected properties.

        >>> p = Projection.from_records([("Person:1", "RELATIVE_OF", "Person:2")],
        ...                             nodes=[("Person", "1", {"name": "张三"})])
        >>> g = p.to_networkx()
        >>> g.nodes["Person:1"], list(g.edges(data="type"))
        ({'label': 'Person', 'key': '1', 'name': '张三'}, [('Person:1', 'Person:2', 'RELATIVE_OF')])
        """
        g = nx.MultiDiGraph()
        ids = [self.node_id(v) for v in range(self.n_nodes)]
        props = self.properties(range(self.n_nodes)) if with_properties else None
        for v, nid in enumerate(ids):
            attrs = {"label": self.label(v), "key": self.keys[v]}
            g.add_node(nid, **attrs, **(props[v] if props else {}))
        types = self.edge_types
        for e, (s, t) in enumerate(self.graph.get_edgelist()):
            extra = {k: col[e] for k, col in self.rel_props.items() if col[e] is not None}
            g.add_edge(ids[s], ids[t], type=types[e], **extra)
        return g


def project(
    store: GraphStore,
    labels: Iterable[str] | None = None,
    rel_types: Iterable[str] | None = None,
    *,
    division: str | None = None,
    at: str | None = None,
    node_properties: Mapping[str, Sequence[str]] | None = None,
    rel_properties: Sequence[str] = (),
    link_shared: Sequence[str] = (),
    max_shared: int = 5,
    batch: int = 100_000,
) -> Projection:
    """Pull labels and relationship types from the store into a :class:`Projection`.

    Parameters
    ----------
    labels, rel_types : iterables of str, optional
        What to project; all of the schema by default. A relationship type is pulled
        between those of its declared endpoint labels that are projected.
    division : str, optional
        A division code. Nodes that carry a division (``village_code``, ``code``,
        ``jurisdiction_code``, ``division_code``) are kept when it lies within it;
        nodes that carry none (enterprises, vehicles, accounts...) are kept when a kept
        node links to them directly. Relationships are kept when both ends are.
    at : str, optional
        An ISO date. Relationships of temporal types (``HOLDS``, ``OWNS``) are kept
        only when valid that day: ``valid_from`` empty or not after it, ``valid_to``
        empty or not before it.
    node_properties : mapping label → property names, optional
        Properties pulled with the nodes (``{"Contract": ["amount"]}``).
    rel_properties : sequence of str
        Relationship properties pulled onto edges.
    link_shared : sequence of str
        Node properties (``"phone"``, ``"address"``) whose equal values link their
        nodes with a derived ``SAME_<PROP>`` relationship; values shared by more than
        ``max_shared`` nodes (a switchboard, a government office) link nothing.
    batch : int
        A label of up to twenty times ``batch`` nodes is read in one query, and its
        relationships in one query per type and end label. A larger label comes in pages
        ordered by key, and its relationships in pages of about ``batch`` rows, by
        batches of start-node keys matched through the key index.
    """
    spec = _pull.Spec.make(
        labels, rel_types, division, at, node_properties, rel_properties, link_shared
    )
    nodes = {lab: page.sorted() for lab, page in _pull.nodes(store, spec, 20 * batch).items()}
    edges = _pull.edges(store, spec, nodes, batch, unpaged=20 * batch)
    offsets = np.cumsum([0, *(len(nodes[lab].keys) for lab in spec.labels)])
    src, dst = _pull.endpoint_vids(nodes, edges, spec, offsets)
    tcodes = np.concatenate(
        [np.zeros(0, np.int16)]
        + [np.full(len(p.start_keys), spec.types.index(p.type), np.int16) for p in edges]
    )
    rprops = {
        name: np.concatenate([np.empty(0, object)] + [p.props[name] for p in edges])
        for name in spec.rel_properties
    }
    keep_node = np.concatenate([np.zeros(0, bool)] + [nodes[lab].keep for lab in spec.labels])
    keep_edge = (src >= 0) & (dst >= 0)
    if division is not None:
        keep_node = _pull.division_closure(keep_node, nodes, spec, src, dst, keep_edge)
        keep_edge &= keep_node[np.maximum(src, 0)] & keep_node[np.maximum(dst, 0)]
    # Renumber the kept vertices densely; the order (label, then key) stays.
    new_id = np.cumsum(keep_node) - 1
    keys = np.concatenate([np.empty(0, object)] + [nodes[lab].keys for lab in spec.labels])
    lcodes = np.repeat(np.arange(len(spec.labels), dtype=np.int16), np.diff(offsets))
    nprops = {
        name: np.concatenate([np.empty(0, object)] + [nodes[lab].prop(name) for lab in spec.labels])
        for name in spec.all_node_props
    }
    src, dst = new_id[src[keep_edge]], new_id[dst[keep_edge]]
    tcodes = tcodes[keep_edge]
    rprops = {k: v[keep_edge] for k, v in rprops.items()}
    keys, lcodes = keys[keep_node], lcodes[keep_node]
    nprops = {k: v[keep_node] for k, v in nprops.items()}
    types = list(spec.types)
    for prop in spec.link_shared:
        a, b = _pull.shared_pairs(nprops.get(prop), max_shared)
        types.append(f"SAME_{prop.upper()}")
        src, dst = np.concatenate([src, a]), np.concatenate([dst, b])
        tcodes = np.concatenate([tcodes, np.full(len(a), len(types) - 1, np.int16)])
        rprops = {k: np.concatenate([v, np.full(len(a), None, object)]) for k, v in rprops.items()}
    # Edges in (source, target, type) order: with vertices in (label, key) order, the graph
    # is the same whichever engine or read path it came from, and so is what a seeded
    # community detection finds on it.
    order = np.lexsort((tcodes, dst, src))
    src, dst, tcodes = src[order], dst[order], tcodes[order]
    rprops = {k: v[order] for k, v in rprops.items()}
    return Projection(
        graph=_build(len(keys), src, dst),
        keys=keys,
        label_codes=lcodes,
        label_names=tuple(spec.labels),
        type_codes=tcodes,
        type_names=tuple(types),
        node_props={k: v for k, v in nprops.items() if k in spec.kept_node_props},
        rel_props=rprops,
        derived={f"SAME_{p.upper()}": p for p in spec.link_shared},
        store=store,
        division=spec.division,
        at=at,
    )


def _build(n: int, src: IntArray, dst: IntArray) -> Any:
    frame = pd.DataFrame({"source": src, "target": dst})
    g = (
        ig.Graph.DataFrame(frame, directed=True, use_vids=True)
        if len(frame)
        else ig.Graph(directed=True)
    )
    if g.vcount() < n:
        g.add_vertices(n - g.vcount())
    return g


def _split_id(node_id: Any) -> tuple[str, str]:
    label, _, key = str(node_id).partition(":")
    return label, key


def _columns(rows: list[dict[str, Any]]) -> dict[str, ObjArray]:
    names = sorted({k for r in rows for k in r})
    return {k: np.array([r.get(k) for r in rows], dtype=object) for k in names}
