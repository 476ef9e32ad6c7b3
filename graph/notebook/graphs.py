"""Subgraphs as networkx graphs and back, and drawn inline in a notebook.

A subgraph from the store (``{"nodes": [...], "relationships": [...]}`` in plain shapes)
becomes a ``networkx.MultiDiGraph`` with the node ids every export uses, ``"Label:key"``.
Nodes carry ``label`` (schema label), ``key``, ``caption`` and their properties, as
:meth:`graph.algorithms.Projection.to_networkx` gives them; relationships carry ``type``
and their properties. Confidential properties (a complaint's reporter) are dropped, as
every exporter drops them.

:func:`inline` wraps a standalone page (``graph.export.to_html``) in an ``<iframe
srcdoc>``, through a plain ``_repr_html_`` object (no IPython import, no warning about
iframes): the page keeps its own scripts and styles apart from the notebook's, loads
nothing from outside, and renders the same in Jupyter, JupyterLab and VS Code.

>>> sub = {"nodes": [{"_kind": "node", "labels": ["Person"], "key": "1",
...                   "properties": {"id_number": "1", "name": "张三"}}],
...        "relationships": []}
>>> g = to_networkx(sub)
>>> g.nodes["Person:1"]["caption"], to_subgraph(g)["nodes"][0]["properties"]["name"]
('张三', '张三')
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from graph import schema as sch
from graph.export import CONFIDENTIAL
from graph.queries.subgraph import parse_ref

__all__ = ["InlineGraph", "inline", "to_networkx", "to_subgraph"]

_NODE_META = frozenset({"label", "key", "caption"})
# Attributes exporters and projections add that are not properties of the node / edge.
_NODE_NOT_PROPS = _NODE_META | {
    "gx_label",
    "gx_label_zh",
    "gx_key",
    "color",
    "r",
    "g",
    "b",
    "viz",
}
_EDGE_NOT_PROPS = frozenset({"type", "gx_type", "gx_type_zh", "label", "id"})


def caption(label: str, key: Any, props: Mapping[str, Any]) -> str:
    """How a node reads: its schema caption property, else its key."""
    nt = sch.NODES.get(label)
    value = props.get(nt.caption) if nt else None
    return str(value) if value not in (None, "") else str(key)


def to_networkx(sub: Mapping[str, Any], **graph_attrs: Any) -> nx.MultiDiGraph:
    """A plain subgraph as a ``MultiDiGraph``; ``graph_attrs`` go to ``g.graph``."""
    g = nx.MultiDiGraph(**graph_attrs)
    for n in sub.get("nodes") or []:
        label = (n.get("labels") or ["Node"])[0]
        props = {k: v for k, v in (n.get("properties") or {}).items() if k not in CONFIDENTIAL}
        attrs = {f"prop_{k}" if k in _NODE_META else k: v for k, v in props.items()}
        g.add_node(
            f"{label}:{n.get('key')}",
            label=label,
            key=n.get("key"),
            caption=caption(label, n.get("key"), props),
            **attrs,
        )
    for r in sub.get("relationships") or []:
        s, e = r.get("start") or {}, r.get("end") or {}
        a, b = f"{s.get('label')}:{s.get('key')}", f"{e.get('label')}:{e.get('key')}"
        if a not in g or b not in g:
            continue  # an end outside the subgraph: nothing to draw it to
        props = {k: v for k, v in (r.get("properties") or {}).items() if k not in CONFIDENTIAL}
        attrs = {f"prop_{k}" if k == "type" else k: v for k, v in props.items()}
        g.add_edge(a, b, type=r.get("type"), **attrs)
    return g


def to_subgraph(g: nx.Graph) -> dict[str, list[dict[str, Any]]]:
    """A networkx graph back in plain shapes, whoever made it.

    Reads graphs from :func:`to_networkx`, from ``Projection.to_networkx`` (``label`` is
    the schema label) and from ``graph.export.to_networkx`` (``gx_label`` / ``gx_key`` /
    ``gx_type``, ``label`` being the caption); otherwise the node id is read as
    ``"Label:key"``.
    """
    nodes = []
    ends: dict[Any, dict[str, Any]] = {}
    for nid, d in g.nodes(data=True):
        label = d.get("gx_label") or (d.get("label") if d.get("label") in sch.NODES else None)
        key = d.get("gx_key", d.get("key"))
        if label is None or key is None:
            parsed, rest = parse_ref(str(nid))
            label = label or parsed or "Node"
            key = rest if key is None else key
        props = {
            (k[5:] if k.startswith("prop_") else k): v
            for k, v in d.items()
            if k not in _NODE_NOT_PROPS
        }
        ends[nid] = {"label": label, "key": key}
        nodes.append({"_kind": "node", "labels": [label], "key": key, "properties": props})
    rels = []
    for a, b, d in _edges(g):
        typ = d.get("gx_type") or d.get("type") or "RELATED"
        props = {
            (k[5:] if k.startswith("prop_") else k): v
            for k, v in d.items()
            if k not in _EDGE_NOT_PROPS
        }
        rels.append(
            {
                "_kind": "relationship",
                "type": str(typ),
                "start": ends[a],
                "end": ends[b],
                "properties": props,
            }
        )
    return {"nodes": nodes, "relationships": rels}


def _edges(g: nx.Graph) -> list[tuple[Any, Any, dict[str, Any]]]:
    if g.is_multigraph():
        return [(a, b, d) for a, b, _k, d in g.edges(keys=True, data=True)]
    return [(a, b, d) for a, b, d in g.edges(data=True)]


class InlineGraph:
    """A standalone page shown in a notebook as an ``<iframe srcdoc>``.

    Jupyter, JupyterLab and VS Code call ``_repr_html_``; ``page`` is the page itself
    (write it to a file to open it in a browser).
    """

    def __init__(self, page: str, height: int = 600) -> None:
        self.page = page
        self.height = int(height)

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 1px solid #d9dee3;" '
            'sandbox="allow-scripts"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        out = Path(path)
        out.write_text(self.page, encoding="utf-8")
        return out


def inline(page: str, height: int = 600) -> InlineGraph:
    """Wrap a standalone HTML page for inline display.

    >>> inline("<p>图</p>", height=200)._repr_html_()[:38]
    '<iframe srcdoc="&lt;p&gt;图&lt;/p&gt;" '
    """
    return InlineGraph(page, height)
