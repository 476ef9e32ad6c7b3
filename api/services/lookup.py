"""Find the node a URL names (a ref or a natural key, with or without a label)."""

from __future__ import annotations

from typing import Any

from api.errors import BadRequest, Conflict, Forbidden, NotFoundError
from api.refs import BadRef, RefCodec, is_ref
from api.scope import Scope, ScopeResolver, node_id
from graph import ids
from graph import schema as sch
from graph.errors import InvalidValue, SchemaError
from graph.queries.lookup import by_key, fetch
from graph.store import GraphStore, Node

_NORMALISERS = {
    "Person": ids.normalise_resident_id,
    "Enterprise": ids.normalise_uscc,
    "Vehicle": ids.normalise_plate,
    "RealEstate": ids.normalise_cert_no,
}


def check_label(label: str | None) -> str | None:
    if label is None or label == "":
        return None
    try:
        return sch.node(label).label
    except SchemaError:
        raise BadRequest(f"unknown label {label!r}; known: {', '.join(sch.NODES)}") from None


def check_types(types: str | None) -> list[str] | None:
    """A comma-separated list of relationship types, checked against the schema."""
    if not types:
        return None
    out = []
    for t in types.split(","):
        t = t.strip()
        if not t:
            continue
        if t not in sch.RELATIONSHIPS:
            raise BadRequest(
                f"unknown relationship type {t!r}; known: {', '.join(sch.RELATIONSHIPS)}"
            )
        out.append(t)
    return out or None


def check_labels(labels: str | None) -> list[str] | None:
    """A comma-separated list of node labels, checked against the schema."""
    out = [x.strip() for x in (labels or "").split(",") if x.strip()]
    for x in out:
        if x not in sch.NODES:
            raise BadRequest(f"unknown label {x!r}; known: {', '.join(sch.NODES)}")
    return out or None


def _normalised(label: str, key: str) -> str:
    fn = _NORMALISERS.get(label)
    if fn is None:
        return key
    try:
        return fn(key)
    except InvalidValue:
        return key


def _is_plate(text: str) -> bool:
    try:
        ids.normalise_plate(text)
    except InvalidValue:
        return False
    return True


# Identifier shapes that name one label (a checked USCC is an Enterprise's). A bank account
# number that happens to pass the resident ID check would be found as the person; such a
# collision needs ?label= (or the ref) to reach the account.
_SHAPES: tuple[tuple[str, Any], ...] = (
    ("Person", ids.is_resident_id),
    ("Enterprise", ids.is_uscc),
    ("Vehicle", _is_plate),
)


def find(store: GraphStore, codec: RefCodec, ident: str, label: str | None = None) -> Node:
    """The node ``ident`` names; 404 if none, 409 if a bare key names several labels."""
    label = check_label(label)
    if is_ref(ident):
        try:
            ref_label, key = codec.decode(ident)
        except BadRef:
            raise NotFoundError("unknown or altered ref") from None
        if label is not None and label != ref_label:
            raise NotFoundError(f"ref names a {ref_label}, not a {label}")
        by_ref = fetch(store, ref_label, key)
        if by_ref is None:
            raise NotFoundError(f"no {ref_label} with this ref (deleted since?)")
        return by_ref
    ident = ids.clean(ident)
    if not ident:
        raise NotFoundError("empty key")
    if label is not None:
        found = fetch(store, label, _normalised(label, ident))
        if found is None:
            raise NotFoundError(f"no {label} {ident}")
        return found
    # The shape of most keys names their label: try that first (one index look-up).
    for guess, test in _SHAPES:
        if test(ident):
            hit = fetch(store, guess, _normalised(guess, ident))
            if hit is not None:
                return hit
            break
    nodes = by_key(store, {label: _normalised(label, ident) for label in sch.NODES})
    if not nodes:
        raise NotFoundError(f"nothing has the key {ident}")
    if len(nodes) > 1:
        labels = sorted({str(n["labels"][0]) for n in nodes})
        raise Conflict(f"the key {ident} names several labels ({', '.join(labels)}); give ?label=")
    return nodes[0]


def ensure_in_scope(resolver: ScopeResolver, scope: Scope, node: Node) -> None:
    if node_id(node) not in resolver.allowed(scope, [node]):
        raise Forbidden(f"this {node_id(node)[0]} lies outside your divisions")


def find_visible(
    store: GraphStore,
    codec: RefCodec,
    resolver: ScopeResolver,
    scope: Scope,
    ident: str,
    label: str | None = None,
) -> Node:
    node = find(store, codec, ident, label)
    ensure_in_scope(resolver, scope, node)
    return node
