"""Division scope: which nodes a caller's divisions reach.

The rule (docs/api.md, "Scope"):

- **Anchored** nodes carry their own division code: ``village_code`` (Person, Household,
  Disbursement, Contract, Income, Complaint), ``jurisdiction_code`` (Post),
  ``division_code`` (Finding), ``code`` (Division), ``payer_code`` (Payment, when it is a
  division code rather than a department's name). They are in scope when the code starts
  with one of the caller's prefixes.
- **Reference** nodes (Program, Organisation, School) hold no personal data and are shared
  by every division: always visible, but they never carry scope to their neighbours.
- **Unanchored** nodes (Enterprise, Vehicle, RealEstate, BankAccount, StudentAid, Mention,
  and anchored labels whose code is missing) are in scope when an in-scope anchored node
  lies within two hops, the hop between (if any) being another unanchored node: the
  vehicle of an in-scope person, the vehicle of the enterprise of an in-scope person.

A subgraph is judged locally first (its own links prove most unanchored nodes in scope);
what remains is checked against the store, batched and cached.

>>> s = Scope(("430422",))
>>> s.covers("430422101201"), s.covers("430423101201"), Scope(("",)).covers("11")
(True, False, True)
>>> division_of({"payer_code": "县水利局"}), division_of({"payer_code": "430422101"})
(None, '430422101')
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graph import schema as sch
from graph.queries.anchors import anchor_expr, division_of, neighbour_divisions
from graph.store import GraphStore

REFERENCE_LABELS = frozenset({"Program", "Organisation", "School"})
# Anchored, but derived from the rest: a finding does not bring its subjects into scope.
NON_CARRIERS = REFERENCE_LABELS | {"Finding"}
NodeId = tuple[str, Any]


def node_id(node: Mapping[str, Any]) -> NodeId:
    labels = node.get("labels") or [""]
    return (str(labels[0]), node.get("key"))


@dataclass(frozen=True)
class Scope:
    prefixes: tuple[str, ...]

    @property
    def unrestricted(self) -> bool:
        return "" in self.prefixes

    def covers(self, code: str | None) -> bool:
        if self.unrestricted:
            return True
        return code is not None and any(code.startswith(p) for p in self.prefixes)

    def predicate(self, var: str, params: dict[str, Any]) -> str:
        """Cypher that keeps ``var`` when it is anchored in scope or unanchored.

        Prefixes go in as ``$scope_i`` parameters, one comparison each: FalkorDB evaluates
        a list-iterating predicate in a multi-hop ``WHERE`` wrongly (engines notes).
        """
        if self.unrestricted:
            return "true"
        expr = anchor_expr(var)
        terms = [f"{expr} IS NULL"]
        for i, p in enumerate(self.prefixes):
            params[f"scope_{i}"] = p
            terms.append(f"{expr} STARTS WITH $scope_{i}")
        return "(" + " OR ".join(terms) + ")"

    def anchored_predicate(self, expr: str, params: dict[str, Any]) -> str:
        """Cypher that keeps a division code expression when it is in scope (not NULL)."""
        if self.unrestricted:
            return "true"
        terms = []
        for i, p in enumerate(self.prefixes):
            params[f"scope_{i}"] = p
            terms.append(f"{expr} STARTS WITH $scope_{i}")
        return "(" + " OR ".join(terms) + ")"


@dataclass(frozen=True)
class _Reach:
    codes: frozenset[str]  # division codes of anchored neighbours
    via: tuple[NodeId, ...]  # unanchored, non-reference neighbours (capped)


class ScopeResolver:
    """Decides scope for nodes; caches each unanchored node's anchored neighbourhood."""

    def __init__(self, store: GraphStore, ttl: float = 300.0, max_entries: int = 100_000) -> None:
        self.store = store
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[NodeId, tuple[float, _Reach]] = OrderedDict()
        self._lock = threading.Lock()

    def allowed(
        self,
        scope: Scope,
        nodes: Iterable[Mapping[str, Any]],
        links: Iterable[tuple[NodeId, NodeId]] = (),
    ) -> set[NodeId]:
        """The ids of ``nodes`` in scope; ``links`` are known adjacencies among them."""
        nodes = list(nodes)
        ids = [node_id(n) for n in nodes]
        if scope.unrestricted:
            return set(ids)
        ok: set[NodeId] = set()
        unanchored: set[NodeId] = set()
        for nid, n in zip(ids, nodes, strict=True):
            if nid[0] in REFERENCE_LABELS:
                ok.add(nid)
                continue
            code = division_of(n.get("properties") or {})
            if code is not None:
                if scope.covers(code):
                    ok.add(nid)
            else:
                unanchored.add(nid)
        if not unanchored:
            return ok
        adj: dict[NodeId, set[NodeId]] = {}
        for a, b in links:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        anchored_ok = {i for i in ok if i[0] not in NON_CARRIERS}
        level1 = {u for u in unanchored if adj.get(u, set()) & anchored_ok}
        level2 = {u for u in unanchored - level1 if adj.get(u, set()) & level1}
        ok |= level1 | level2
        rest = unanchored - level1 - level2
        if rest:
            ok |= self.check(scope, rest)
        return ok

    def check(self, scope: Scope, ids: Iterable[NodeId]) -> set[NodeId]:
        """Store check for unanchored nodes (two hops, as the rule says)."""
        ids = [i for i in ids if i[1] is not None]
        if scope.unrestricted:
            return set(ids)
        reach = self._reach(ids)
        vias = {v for r in reach.values() for v in r.via}
        via_reach = self._reach(vias) if vias else {}
        out = set()
        for i in ids:
            r = reach.get(i)
            if r is None:
                continue
            if any(scope.covers(c) for c in r.codes) or any(
                any(scope.covers(c) for c in via_reach[v].codes) for v in r.via if v in via_reach
            ):
                out.add(i)
        return out

    def _reach(self, ids: Iterable[NodeId]) -> dict[NodeId, _Reach]:
        out: dict[NodeId, _Reach] = {}
        missing: dict[str, list[Any]] = {}
        t = time.monotonic()
        with self._lock:
            for i in ids:
                hit = self._cache.get(i)
                if hit is not None and t - hit[0] < self.ttl:
                    out[i] = hit[1]
                    self._cache.move_to_end(i)
                elif i[0] in sch.NODES:
                    missing.setdefault(i[0], []).append(i[1])
        for label, keys in missing.items():
            for k, r in self._query(label, keys).items():
                out[(label, k)] = r
        with self._lock:
            for label, keys in missing.items():
                for k in keys:
                    r = out.get((label, k)) or _Reach(frozenset(), ())
                    out[(label, k)] = r
                    self._cache[(label, k)] = (t, r)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return out

    def _query(self, label: str, keys: list[Any]) -> dict[Any, _Reach]:
        found = neighbour_divisions(self.store, label, keys, carry_none=REFERENCE_LABELS)
        return {k: _Reach(frozenset(codes), tuple(via)) for k, (codes, via) in found.items()}

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
