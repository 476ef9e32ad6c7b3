"""A subgraph as a graph file: GraphML and GEXF, written by networkx, read by Gephi/yEd.

Nodes are ``Label:key``; each carries ``label`` (its caption, which Gephi shows),
``gx_label`` / ``gx_label_zh`` (人员 / Person), ``gx_key`` and its properties. Edges carry
``label`` (the relationship's Chinese name), ``gx_type`` / ``gx_type_zh`` and their
properties, with the stable relationship id as edge id. Property types follow the schema
(money and counts as 64-bit ``long``, ratios and areas as ``double``, flags as
``boolean``, dates as ISO text); lists are JSON text, as neither format has a list type.
Colours come from the schema: ``viz:color`` in GEXF, ``color`` plus ``r``/``g``/``b``
(Gephi's GraphML importer reads those) in GraphML.

>>> import networkx as nx, io
>>> g = nx.read_graphml(io.BytesIO(to_graphml({"nodes": [{"_kind": "node",
...     "labels": ["Vehicle"], "key": "湘DA1234", "properties": {"plate": "湘DA1234"}}]})))
>>> g.nodes["Vehicle:湘DA1234"]["gx_label_zh"]
'机动车'
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx

from graph import schema as sch
from graph.export._subgraph import Prepared, Subgraph, prepare, scalar

__all__ = ["to_gexf", "to_graphml", "to_networkx"]

# Attribute names the exporters or the file formats give a meaning; a property with one of
# these names is written as ``prop_<name>``.
_NODE_RESERVED = frozenset(
    {"label", "gx_label", "gx_label_zh", "gx_key", "color", "r", "g", "b", "viz", "id", "pid"}
    | {"start", "end", "key", "networkx_key"}
)
_EDGE_RESERVED = frozenset(
    {"label", "gx_type", "gx_type_zh", "id", "type", "weight", "start", "end", "viz", "key"}
    | {"networkx_key"}
)
_CASTS = {
    sch.PropType.INT: int,
    sch.PropType.MONEY: int,
    sch.PropType.FLOAT: float,
    sch.PropType.BOOL: bool,
    sch.PropType.STR: str,
    sch.PropType.DATE: str,
    sch.PropType.MONTH: str,
}


def to_networkx(sub: Subgraph, *, viz: bool = False) -> nx.MultiDiGraph:
    """The subgraph as a networkx ``MultiDiGraph`` with typed, file-safe attributes.

    ``viz=True`` adds GEXF's ``viz`` dictionaries (colour, size), which GraphML cannot hold.
    """
    return _graph(prepare(sub), viz=viz)


def to_graphml(sub: Subgraph) -> bytes:
    """GraphML (UTF-8) of the subgraph; ``networkx.read_graphml`` reads it back."""
    g = _graph(prepare(sub), viz=False)
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True, edge_id_from_attribute="id")
    return buf.getvalue()


def to_gexf(sub: Subgraph) -> bytes:
    """GEXF 1.2 (UTF-8) of the subgraph with ``viz:color``; ``networkx.read_gexf`` reads it."""
    g = _graph(prepare(sub), viz=True)
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8", prettyprint=True, version="1.2draft")
    return buf.getvalue()


def _graph(p: Prepared, *, viz: bool) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in p.nodes:
        r, gr, b = _rgb(n.color)
        attrs: dict[str, Any] = {
            "label": n.caption,
            "gx_label": n.label,
            "gx_label_zh": n.zh,
            "gx_key": str(n.key),
        }
        if viz:
            attrs["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}, "size": 10.0}
        else:
            attrs.update(color=n.color, r=r, g=gr, b=b)
        attrs.update(_typed(n.label, n.props, _NODE_RESERVED))
        g.add_node(n.id, **attrs)
    for rel in p.rels:
        attrs = {"label": rel.zh, "gx_type": rel.type, "gx_type_zh": rel.zh}
        attrs.update(_typed(rel.type, rel.props, _EDGE_RESERVED))
        g.add_edge(rel.start, rel.end, key=rel.id, id=rel.id, **attrs)
    _unify_types(g)
    return g


def _typed(owner_name: str, props: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    owner = sch.NODES.get(owner_name) or sch.RELATIONSHIPS.get(owner_name)
    declared = {p.name: p.type for p in owner.props} if owner else {}
    out: dict[str, Any] = {}
    for k, v in props.items():
        name = f"prop_{k}" if k in reserved else k
        cast = _CASTS.get(declared[k]) if k in declared else None
        try:
            out[name] = (
                cast(v) if cast is not None and not isinstance(v, list | dict) else scalar(v)
            )
        except (TypeError, ValueError):
            out[name] = scalar(v) if not isinstance(v, str) else v
    return out


def _unify_types(g: nx.MultiDiGraph) -> None:
    """One type per attribute name, as both formats declare a key's type once: ints mixed
    with floats become floats, anything else mixed becomes text."""
    for items in (
        [d for _, d in g.nodes(data=True)],
        [d for _, _, d in g.edges(data=True)],
    ):
        kinds: dict[str, set[type]] = {}
        for d in items:
            for k, v in d.items():
                if k != "viz":
                    kinds.setdefault(k, set()).add(type(v))
        for k, ts in kinds.items():
            if len(ts) < 2:
                continue
            to: type = float if ts <= {int, float} else str
            for d in items:
                if k in d:
                    d[k] = to(d[k]) if to is float else _text(d[k])


def _text(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    if len(c) != 6:
        return (173, 181, 189)
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16))
