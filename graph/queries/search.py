"""Candidate look-ups for a search box: a property's exact value, a name's prefix, names
found elsewhere (an in-process name index), each capped and index-backed.

Candidates come back as briefs — ``{"k": key, "name": name, "d": division code}`` — so a
caller reads in full (:func:`graph.queries.lookup.fetch_many`) only the page it shows.
The brief's division code (:func:`graph.queries.anchors.anchor_expr`) lets a caller that
restricts what may be seen judge a candidate without reading it; such callers also pass
``where(var, params)``, a Cypher predicate on the node variable, as for
:mod:`graph.queries.subgraph`. Labels and properties come from the schema, values go in as
parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph import schema as sch
from graph.queries.anchors import anchor_expr
from graph.queries.subgraph import Where, everywhere
from graph.store import GraphStore

__all__ = ["Brief", "by_names", "by_prefix", "with_value"]

Brief = dict[str, Any]


def _brief(label: str) -> str:
    kp = sch.node(label).key
    return f"RETURN n.{kp} AS k, n.name AS name, {anchor_expr('n')} AS d"


def _per_label(
    store: GraphStore, branches: dict[str, str], params: dict[str, Any], timeout: float | None
) -> dict[str, list[Brief]]:
    """One ``UNION ALL`` statement for every label's branch (one round trip, not one per
    label); each branch returns its label as ``l`` and keeps its own ``LIMIT``."""
    out: dict[str, list[Brief]] = {lb: [] for lb in branches}
    if not branches:
        return out
    q = " UNION ALL ".join(f"{b}, '{lb}' AS l LIMIT $cap" for lb, b in branches.items())
    for row in store.read(q, params, timeout=timeout):
        out[str(row["l"])].append(row)
    return out


def with_value(
    store: GraphStore,
    labels: Iterable[str],
    prop: str,
    value: Any,
    *,
    where: Where | None = None,
    cap: int = 500,
    timeout: float | None = None,
) -> dict[str, list[Brief]]:
    """Label → briefs of the nodes whose ``prop`` equals ``value`` (at most ``cap`` each);
    labels without the property are skipped."""
    params: dict[str, Any] = {"v": value, "cap": cap}
    pred = (where or everywhere)("n", params)
    branches = {
        lb: f"MATCH (n:{lb}) WHERE n.{prop} = $v AND {pred} {_brief(lb)}"
        for lb in labels
        if sch.node(lb).has(prop)
    }
    return _per_label(store, branches, params, timeout)


def by_prefix(
    store: GraphStore,
    label: str,
    text: str,
    *,
    where: Where | None = None,
    cap: int = 500,
    timeout: float | None = None,
) -> list[Brief]:
    """Briefs of ``label`` nodes whose name starts with ``text``: a scan, capped (for when
    no name index is at hand)."""
    params: dict[str, Any] = {"v": text, "cap": cap}
    pred = (where or everywhere)("n", params)
    brief = _brief(label)
    return store.read(
        f"MATCH (n:{label}) WHERE n.name STARTS WITH $v AND {pred} {brief} LIMIT $cap",
        params,
        timeout=timeout,
    )


def by_names(
    store: GraphStore,
    labels: Iterable[str],
    names: list[str],
    *,
    where: Where | None = None,
    cap: int = 500,
    timeout: float | None = None,
) -> dict[str, list[Brief]]:
    """Label → briefs of the nodes named exactly one of ``names`` (at most ``cap`` each)."""
    params: dict[str, Any] = {"names": names, "cap": cap}
    pred = (where or everywhere)("n", params)
    branches = {
        lb: f"UNWIND $names AS nm MATCH (n:{lb} {{name: nm}}) WHERE {pred} " + _brief(lb)
        for lb in labels
    }
    return _per_label(store, branches, params, timeout)
