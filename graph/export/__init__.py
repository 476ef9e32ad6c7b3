"""Exports: a subgraph in, a file out; and the printable dossier of one entity.

Every function here is pure: it takes a subgraph (``{"nodes": [...], "relationships":
[...]}`` in the store's plain shapes, already masked for the caller's role) and returns
text or bytes. Confidential properties (the reporter of a complaint) are dropped by every
exporter whatever it is given. Pages (``to_html``, ``dossier_html``) load nothing from
outside: vis-network is inlined from the installed pyvis package and pictures are inline
SVG, so they work on air-gapped machines opened from disk.

:data:`FORMATS` names each format with its media type and file extension, for ``GET
/export?format=``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph.export._subgraph import CONFIDENTIAL, Subgraph, node_id
from graph.export.dossier import dossier_html
from graph.export.ftm import to_ftm
from graph.export.graphfiles import to_gexf, to_graphml, to_networkx
from graph.export.html import to_html
from graph.export.markup import VIS_VERSION
from graph.export.profile import (
    ContractLine,
    DisbursementLine,
    FindingLine,
    Holding,
    Member,
    Profile,
    Role,
    build_profile,
    summarise_disbursements,
)
from graph.export.tables import to_csv_zip, to_json, to_xlsx

__all__ = [
    "CONFIDENTIAL",
    "FORMATS",
    "VIS_VERSION",
    "ContractLine",
    "DisbursementLine",
    "FindingLine",
    "Format",
    "Holding",
    "Member",
    "Profile",
    "Role",
    "Subgraph",
    "build_profile",
    "dossier_html",
    "export",
    "node_id",
    "summarise_disbursements",
    "to_csv_zip",
    "to_ftm",
    "to_gexf",
    "to_graphml",
    "to_html",
    "to_json",
    "to_networkx",
    "to_xlsx",
]


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    render: Callable[[Subgraph, str], bytes]


def _text(fn: Callable[[Subgraph], str]) -> Callable[[Subgraph, str], bytes]:
    return lambda sub, _title: fn(sub).encode("utf-8")


def _binary(fn: Callable[[Subgraph], bytes]) -> Callable[[Subgraph, str], bytes]:
    return lambda sub, _title: fn(sub)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/json; charset=utf-8", "json", _text(to_json)),
        Format("graphml", "application/graphml+xml; charset=utf-8", "graphml", _binary(to_graphml)),
        Format("gexf", "application/gexf+xml; charset=utf-8", "gexf", _binary(to_gexf)),
        Format("csv", "application/zip", "zip", _binary(to_csv_zip)),
        Format(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            _binary(to_xlsx),
        ),
        Format("ftm", "application/x-ndjson; charset=utf-8", "ftm.json", _text(to_ftm)),
        Format(
            "html",
            "text/html; charset=utf-8",
            "html",
            lambda sub, title: to_html(sub, title=title).encode("utf-8"),
        ),
    )
}


def export(sub: Subgraph, fmt: str, title: str = "关系图 guanxi") -> bytes:
    """Render ``sub`` in the format named ``fmt`` (a key of :data:`FORMATS`).

    >>> export({"nodes": [], "relationships": []}, "json")[:1]
    b'{'
    """
    try:
        f = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; one of {sorted(FORMATS)}") from None
    return f.render(sub, title)
