"""Where a node belongs: its own division code and its natural key, in Python and in Cypher,
and the division codes around a set of nodes.

A node is *anchored* when it carries a division code of its own: ``village_code``
(Person, Household, Disbursement, Contract, Income, Complaint), ``jurisdiction_code``
(Post), ``division_code`` (Finding), ``code`` (Division), ``payer_code`` (Payment, when it
is a division code rather than a department's name). Who may see what is the caller's rule
(the API's division scope, ``api/scope.py``); these are the facts it is decided on.

>>> division_of({"payer_code": "县水利局"}), division_of({"payer_code": "430422101"})
(None, '430422101')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph import schema as sch
from graph.queries.subgraph import NodeId
from graph.store import GraphStore

__all__ = ["ANCHOR_PROPS", "anchor_expr", "division_of", "key_expr", "neighbour_divisions"]

ANCHOR_PROPS = ("village_code", "jurisdiction_code", "division_code", "code", "payer_code")


def division_of(props: Mapping[str, Any]) -> str | None:
    """A node's own division code, or None when it has none (it is then unanchored)."""
    for p in ANCHOR_PROPS:
        v = props.get(p)
        if v is None:
            continue
        if p == "payer_code" and not (isinstance(v, str) and v[:1].isdigit()):
            return None  # a department's name: the payment is unanchored
        return str(v)
    return None


def anchor_expr(var: str) -> str:
    """The Cypher twin of :func:`division_of` for node variable ``var``."""
    return (
        f"coalesce({var}.village_code, {var}.jurisdiction_code, {var}.division_code, "
        f"{var}.code, CASE WHEN {var}.payer_code >= '0' AND {var}.payer_code < ':' "
        f"THEN {var}.payer_code END)"
    )


def key_expr(var: str) -> str:
    """A node's natural key whatever its label (``name`` last: persons have names too)."""
    keys = list(dict.fromkeys(n.key for n in sch.NODES.values() if n.key != "name"))
    return "coalesce(" + ", ".join(f"{var}.{k}" for k in [*keys, "name"]) + ")"


def neighbour_divisions(
    store: GraphStore,
    label: str,
    keys: Iterable[Any],
    *,
    carry_none: Iterable[str],
    via_cap: int = 50,
) -> dict[Any, tuple[list[str], list[NodeId]]]:
    """key → (the division codes of the node's anchored neighbours, up to ``via_cap``
    unanchored neighbours as ``(label, key)``), for the ``label`` nodes holding ``keys``.

    Findings and the ``carry_none`` labels (shared reference data) are not neighbours that
    count: a finding is a conclusion, and a programme is shared by every division.
    """
    kp = sch.node(label).key
    refs = " AND ".join(f"yl <> '{r}'" for r in sorted(carry_none))
    q = (
        f"UNWIND $keys AS k MATCH (x:{label} {{{kp}: k}})--(y) "
        "WITH k, y, labels(y)[0] AS yl WHERE yl <> 'Finding' "
        f"WITH k, y, yl, {anchor_expr('y')} AS c "
        f"WITH k, collect(DISTINCT c) AS codes, "
        f"collect(DISTINCT CASE WHEN c IS NULL AND {refs} THEN [yl, {key_expr('y')}] END) "
        f"AS via RETURN k, codes, via[..{int(via_cap)}] AS via"
    )
    out: dict[Any, tuple[list[str], list[NodeId]]] = {}
    for row in store.read(q, {"keys": list(dict.fromkeys(keys))}):
        via = [(str(v[0]), v[1]) for v in row["via"] or [] if v and v[1] is not None]
        out[row["k"]] = ([str(c) for c in row["codes"] or [] if c], via)
    return out
