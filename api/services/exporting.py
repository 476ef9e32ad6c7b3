"""Exports and the dossier: the caller's subgraph, masked for the role, through graph.export.

``graph.export`` functions are pure (a subgraph in the store's shapes in, bytes out) and
drop confidential properties themselves; the API hands them only what the caller may see:
nodes in scope, properties masked or withheld by role, and keys replaced by refs where
the role may not see them (so relationships still join up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from api.errors import NotAvailable
from api.present import Presenter
from api.scope import Scope, node_id
from api.services.findings import screen
from graph.store import Node

if TYPE_CHECKING:
    from api.deps import Services

OUTSIDE_KEY = "（辖区外）"


def formats() -> dict[str, tuple[str, str]]:
    """Format name → (media type, file extension), from graph.export.FORMATS."""
    try:
        from graph.export import FORMATS
    except ImportError:  # pragma: no cover - graph.export missing from this build
        return {}
    return {name: (f.media_type, f.extension) for name, f in FORMATS.items()}


def masked_subgraph(
    p: Presenter, nodes: Iterable[Mapping[str, Any]], rels: Iterable[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    return {
        "nodes": [p.export_node(n) for n in nodes],
        "relationships": [p.export_relationship(r) for r in rels],
    }


def render(sub: Mapping[str, Any], fmt: str, title: str) -> bytes:
    try:
        from graph.export import export
    except ImportError as e:  # pragma: no cover
        raise NotAvailable("exports are not available in this build") from e
    data: bytes = export(sub, fmt, title)
    return data


def dossier(svc: Services, p: Presenter, scope: Scope, node: Node, purpose: str) -> str:
    """The dossier page: ``graph.export.build_profile`` with the caller's masking and scope."""
    try:
        from graph.export import build_profile, dossier_html
    except ImportError as e:  # pragma: no cover
        raise NotAvailable("the dossier is not available in this build") from e

    outside = 0

    def redact(n: Node) -> Node:
        nonlocal outside
        screen(svc.store, svc.resolver, scope, p, [n])
        if node_id(n) not in svc.resolver.allowed(scope, [n]):
            outside += 1
            label = str((n.get("labels") or ["?"])[0])
            return {
                "_kind": "node",
                "labels": [label],
                "key": f"{OUTSIDE_KEY}{outside}",
                "properties": {},
            }
        return p.export_node(n)

    label = str(node["labels"][0])
    profile = build_profile(svc.store, label, node["key"], redact)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    generated = f"{p.principal.name}（{p.role.value}） {stamp} · 事由：{purpose[:80]}"
    html: str = dossier_html(profile, generated=generated)
    return html
