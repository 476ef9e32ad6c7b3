"""A subgraph as one standalone HTML page, drawn with vis-network through pyvis.

pyvis builds the node and edge data; the page is guanxi's own template, not pyvis's, whose
output is not offline even with ``cdn_resources="in_line"`` (pyvis 0.3.2 still adds
bootstrap from a CDN). vis-network's JS and CSS are inlined from the copy inside the
installed pyvis package, so the file works opened from disk with no network. Nodes are
coloured and captioned from the schema, edges labelled with the relationship's Chinese
name; a legend lists what is shown; the layout stabilises, then physics stops.
"""

from __future__ import annotations

from typing import Any

from pyvis.network import Network

from graph.export._subgraph import Prepared, Subgraph, XNode, header, prepare, type_zh
from graph.export.markup import esc, script_json, vis_css, vis_js

__all__ = ["to_html"]

_OPTIONS: dict[str, Any] = {
    "nodes": {"shape": "dot", "size": 14, "font": {"size": 13, "face": "sans-serif"}},
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "font": {"size": 10, "align": "middle", "color": "#555555"},
        "color": {"color": "#9aa5b1", "highlight": "#34495e"},
        "smooth": {"enabled": True, "type": "dynamic"},
    },
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
        "stabilization": {"enabled": True, "iterations": 400, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
}

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>
body {{ margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "SimSun", sans-serif; color: #1f2933; }}
header {{ padding: 8px 14px; border-bottom: 1px solid #d9dee3; display: flex; gap: 12px;
  align-items: baseline; }}
header h1 {{ font-size: 18px; margin: 0; }}
header .meta {{ color: #616e7c; font-size: 13px; }}
header button {{ font: inherit; font-size: 13px; }}
main {{ display: flex; height: calc(100vh - 46px); }}
#graph {{ flex: 1; min-width: 0; }}
aside {{ width: 300px; border-left: 1px solid #d9dee3; overflow: auto; padding: 8px 12px;
  font-size: 13px; }}
aside h2 {{ font-size: 14px; margin: 10px 0 4px; }}
.legend li {{ list-style: none; margin: 2px 0; }}
.legend ul {{ padding: 0; margin: 0; }}
.dot {{ display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 6px; vertical-align: middle; }}
#details table {{ border-collapse: collapse; width: 100%; }}
#details td {{ border-top: 1px solid #eef0f2; padding: 2px 4px; vertical-align: top;
  word-break: break-all; }}
#details td:first-child {{ color: #616e7c; white-space: nowrap; }}
</style>
<script>{vis_js}</script>
</head>
<body>
<header><h1>{title}</h1>
<span class="meta">{count}</span>
<button type="button" id="fit">适应窗口 Fit</button>
<button type="button" id="physics">恢复布局 Re-layout</button></header>
<main>
<div id="graph"></div>
<aside>
<h2>图例 Legend</h2>
<div class="legend">{legend}</div>
<h2>详情 Details</h2>
<div id="details">点击节点查看属性。Click a node to see its properties.</div>
</aside>
</main>
<script>
(function () {{
  var nodes = new vis.DataSet({nodes});
  var edges = new vis.DataSet({edges});
  var options = {options};
  var network = new vis.Network(document.getElementById("graph"),
                                {{nodes: nodes, edges: edges}}, options);
  // Stabilise once, then stop: a frozen layout stays fluid with many nodes.
  network.once("stabilizationIterationsDone", function () {{
    network.setOptions({{physics: {{enabled: false}}}});
    network.fit();
  }});
  document.getElementById("fit").onclick = function () {{ network.fit(); }};
  document.getElementById("physics").onclick = function () {{
    network.setOptions({{physics: {{enabled: true}}}});
    network.stabilize(200);
  }};
  network.on("click", function (params) {{
    var box = document.getElementById("details");
    if (!params.nodes.length) {{ return; }}
    var n = nodes.get(params.nodes[0]);
    box.textContent = "";
    var h = document.createElement("div");
    h.textContent = n.kind + "：" + n.label;
    box.appendChild(h);
    var t = document.createElement("table");
    n.props.forEach(function (row) {{
      var tr = t.insertRow(), a = tr.insertCell(), b = tr.insertCell();
      a.textContent = row[0];
      b.textContent = row[1];
    }});
    box.appendChild(t);
  }});
}})();
</script>
</body>
</html>
"""


def to_html(sub: Subgraph, title: str = "关系图 guanxi") -> str:
    """A standalone page showing the subgraph; everything it needs is inside the file.

    >>> page = to_html({"nodes": [], "relationships": []}, title="空图")
    >>> "<title>空图</title>" in page and "://" not in page
    True
    """
    p = prepare(sub)
    net = Network(directed=True, cdn_resources="in_line", heading="")
    for n in p.nodes:
        net.add_node(
            n.id,
            label=_short(n.caption),
            title=_tooltip(n),
            color=n.color,
            gx_label=n.label,  # not "group": pyvis drops the colour of grouped nodes
            kind=f"{n.zh} {n.label}",
            props=_rows(n),
            borderWidth=3 if n.label == "Finding" else 1,
        )
    for r in p.rels:
        net.add_edge(
            r.start, r.end, id=r.id, label=r.zh, title=_edge_tooltip(r.zh, r.type, r.props)
        )
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    return _PAGE.format(
        title=esc(title),
        vis_css=vis_css(),
        vis_js=vis_js(),
        count=esc(f"{len(p.nodes)} 个节点 nodes · {len(p.rels)} 条关系 relationships"),
        legend=_legend(p),
        nodes=script_json(nodes),
        edges=script_json(edges),
        options=script_json(_OPTIONS),
    )


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(n: XNode) -> list[list[str]]:
    rows = [["节点编号 id", n.id]]
    rows += [[header(n.label, k), _text(v)] for k, v in n.props.items()]
    return rows


def _tooltip(n: XNode) -> str:
    # vis-network shows string titles as text (innerText), never as HTML.
    lines = [f"{n.zh} {n.label}", n.caption]
    lines += [f"{header(n.label, k)}: {_text(v)}" for k, v in list(n.props.items())[:12]]
    return "\n".join(lines)


def _edge_tooltip(zh: str, type_: str, props: dict[str, Any]) -> str:
    lines = [f"{zh} {type_}"]
    lines += [f"{header(type_, k)}: {_text(v)}" for k, v in props.items()]
    return "\n".join(lines)


def _text(v: Any) -> str:
    if isinstance(v, list):
        return "; ".join(map(str, v))
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def _legend(p: Prepared) -> str:
    counts: dict[str, int] = {}
    for n in p.nodes:
        counts[n.label] = counts.get(n.label, 0) + 1
    items = []
    for label in p.labels():
        color = next(n.color for n in p.nodes if n.label == label)
        items.append(
            f'<li><span class="dot" style="background:{esc(color)}"></span>'
            f"{esc(type_zh(label))} {esc(label)} ({counts[label]})</li>"
        )
    rel_counts: dict[str, int] = {}
    for r in p.rels:
        rel_counts[r.type] = rel_counts.get(r.type, 0) + 1
    rels = [f"<li>→ {esc(type_zh(t))} {esc(t)} ({rel_counts[t]})</li>" for t in p.types()]
    return f"<ul>{''.join(items)}</ul><ul>{''.join(rels)}</ul>"
