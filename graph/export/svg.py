"""A drawing of an entity's 1-hop neighbourhood as inline SVG, for the printable dossier.

The layout is concentric and deterministic: the entity in the middle, its neighbours on a
ring in schema order, so the same profile always prints the same picture (no random
seed, no browser, no external assets). Many neighbours of one kind over one relationship
(a year of monthly payments) are drawn as one node, ``资金发放 ×12``.

>>> svg = neighbourhood_svg({"nodes": [], "relationships": []},
...                         {"labels": ["Person"], "key": "P1", "properties": {"name": "张三"}})
>>> svg.startswith("<svg") and "张三" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph import schema as sch
from graph.export._subgraph import Subgraph, XNode, node_id, prepare, primary_label
from graph.export.markup import esc

__all__ = ["neighbourhood_svg"]

_LABEL_ORDER = {lbl: i for i, lbl in enumerate(sch.NODES)}


@dataclass(frozen=True)
class _Spot:
    caption: str
    label: str
    color: str
    rel: str
    outgoing: bool


def neighbourhood_svg(
    sub: Subgraph,
    centre: Mapping[str, Any],
    *,
    width: int = 340,
    height: int = 300,
    group_over: int = 4,
    max_spots: int = 24,
) -> str:
    """SVG of ``centre`` and the nodes ``sub`` links to it.

    Neighbours sharing a label and a relationship type are merged into one spot when
    there are more than ``group_over`` of them; at most ``max_spots`` spots are drawn and
    the rest counted in a note.
    """
    p = prepare(sub)
    label = primary_label(centre.get("labels") or ())
    cid = node_id(label, centre.get("key"))
    by_id = p.by_id()
    groups: dict[tuple[str, str, bool], list[XNode]] = {}
    for r in p.rels:
        if cid not in (r.start, r.end) or r.start == r.end:
            continue
        other = by_id[r.end if r.start == cid else r.start]
        groups.setdefault((other.label, r.zh, r.start == cid), []).append(other)
    spots: list[_Spot] = []
    for (lbl, rel, out), nodes in sorted(
        groups.items(), key=lambda kv: (_LABEL_ORDER.get(kv[0][0], 99), kv[0][1], not kv[0][2])
    ):
        uniq = list({n.id: n for n in nodes}.values())
        if len(uniq) > group_over:
            spots.append(_Spot(f"{uniq[0].zh} ×{len(uniq)}", lbl, uniq[0].color, rel, out))
        else:
            spots += [
                _Spot(n.caption, lbl, n.color, rel, out)
                for n in sorted(uniq, key=lambda n: n.caption)
            ]
    hidden = max(0, len(spots) - max_spots)
    spots = spots[:max_spots]
    return _draw(centre, label, spots, hidden, width, height)


def _draw(
    centre: Mapping[str, Any], label: str, spots: list[_Spot], hidden: int, w: int, h: int
) -> str:
    cx, cy = w / 2, h / 2
    radius = min(w, h) / 2 - 34
    nt = sch.NODES.get(label)
    caption = _caption(centre, nt)
    parts = [
        f'<svg class="neighbourhood" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{esc(caption)} 的关系图">',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    pos = []
    for i, _ in enumerate(spots):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(spots))
        r = radius * (0.78 if len(spots) > 12 and i % 2 else 1.0)  # stagger crowded rings
        pos.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    for (x, y), s in zip(pos, spots, strict=True):
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
            'stroke="#9aa5b1" stroke-width="1"/>'
        )
        mx, my = (cx + x) / 2, (cy + y) / 2
        arrow = "→" if s.outgoing else "←"
        parts.append(
            f'<text x="{mx:.1f}" y="{my:.1f}" font-size="7" fill="#616e7c" '
            f'text-anchor="middle">{esc(arrow + s.rel)}</text>'
        )
    for (x, y), s in zip(pos, spots, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{esc(s.color)}"/>')
        anchor = "start" if x > cx + 4 else "end" if x < cx - 4 else "middle"
        dx = 9 if anchor == "start" else -9 if anchor == "end" else 0
        dy = 3 if anchor != "middle" else (-10 if y < cy else 16)
        parts.append(
            f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" font-size="8" text-anchor="{anchor}">'
            f"{esc(_short(s.caption))}</text>"
        )
    color = nt.color if nt else "#adb5bd"
    parts.append(
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="12" fill="{esc(color)}" '
        'stroke="#1f2933" stroke-width="1.5"/>'
    )
    parts.append(
        f'<text x="{cx:.1f}" y="{cy + 24:.1f}" font-size="10" font-weight="bold" '
        f'text-anchor="middle">{esc(_short(caption, 12))}</text>'
    )
    if hidden:
        parts.append(
            f'<text x="4" y="{h - 4}" font-size="8" fill="#616e7c">另有 {hidden} 组未画出</text>'
        )
    if not spots:
        parts.append(
            f'<text x="{cx:.1f}" y="{cy - 20:.1f}" font-size="9" fill="#616e7c" '
            'text-anchor="middle">无直接关联</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _caption(node: Mapping[str, Any], nt: sch.NodeType | None) -> str:
    props = node.get("properties") or {}
    value = props.get(nt.caption) if nt else None
    return str(value) if value not in (None, "") else str(node.get("key"))


def _short(text: str, limit: int = 10) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
