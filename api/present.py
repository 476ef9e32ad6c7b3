"""From store results to what a caller may see: masking, withholding, refs, captions.

One :class:`Presenter` per request. Every node it shows goes through the role's view of
each property's privacy class (``api.policy``) and is remembered, so the audit log can
record exactly which keys were returned.

>>> from api.refs import RefCodec
>>> from api.users import Principal
>>> from api.policy import Role
>>> p = Presenter(Principal("w", Role.INVESTIGATOR, ("430422",)), RefCodec(b"k"))
>>> out = p.node({"_kind": "node", "labels": ["Person"], "key": "43042219900101123X",
...               "properties": {"id_number": "43042219900101123X", "name": "张三"}})
>>> out["key"], out["properties"]["id_number"], out["masked"]
('430422********123X', '430422********123X', ['id_number'])
>>> p.returned
['Person:43042219900101123X']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from api.policy import Role, View, view
from api.refs import RefCodec
from api.users import Principal
from graph import schema as sch
from graph.ids import is_uscc, mask
from graph.schema import Privacy
from graph.store import Node

# Properties guanxi computes on nodes that the schema does not declare.
_DERIVED_PUBLIC = frozenset({"community", "risk", "pagerank"})
CONFIDENTIAL_NAMES = frozenset(
    p.name for n in sch.NODES.values() for p in n.props if p.privacy is Privacy.CONFIDENTIAL
)
_ID_LIKE = re.compile(r"(?<![0-9A-Z])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9X])(?![0-9A-Z])")
_PHONE_LIKE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")
_USCC_LIKE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])")
# Entity resolution's evidence (RESOLVED_TO.features, JSON): the contributions whose
# ``detail`` is an identifier — the runner-up candidate's ID number, the shared employer's
# USCC, the shared household number.
_FEATURE_IDENTIFIERS = frozenset({"runner_up", "employer", "household"})
# Asks which persons (by ID number) lie in the caller's divisions.
PeopleInScope = Callable[[list[str]], set[str]]


# Properties holding free text, which may quote identifiers (a finding's explanation).
_FREE_TEXT = frozenset({"explanation", "note", "summary", "context"})


@lru_cache(maxsize=4096)
def _node_privacy(label: str, prop: str) -> Privacy:
    if prop in _DERIVED_PUBLIC:
        return Privacy.PUBLIC
    return sch.privacy_of(label, prop)


@lru_cache(maxsize=1024)
def _rel_privacy(type_: str, prop: str) -> Privacy:
    rt = sch.RELATIONSHIPS.get(type_)
    if rt is not None:
        for p in rt.props:
            if p.name == prop:
                return p.privacy
    return Privacy.PERSONAL


@lru_cache(maxsize=16384)
def _prop_view(role: Role, label: str, prop: str, rel: bool) -> View:
    """How ``role`` sees property ``prop`` of a ``label`` node (or relationship type):
    one cached look-up per property of every node shown, instead of three."""
    privacy = _rel_privacy(label, prop) if rel else _node_privacy(label, prop)
    if prop in CONFIDENTIAL_NAMES:
        privacy = Privacy.CONFIDENTIAL  # whatever label carries it
    return view(role, privacy)


@lru_cache(maxsize=4096)
def _views(
    role: Role, label: str, keys: tuple[str, ...], rel: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The keys ``role`` sees, sees masked and may not see, for one set of property keys:
    nodes of a label mostly come with the same keys, so a node shown costs one look-up."""
    views = [(k, _prop_view(role, label, k, rel)) for k in keys]
    return (
        tuple(k for k, v in views if v is View.SHOW),
        tuple(k for k, v in views if v is View.MASK),
        tuple(k for k, v in views if v is View.WITHHOLD),
    )


def identifier_subjects(finding: Mapping[str, Any]) -> list[str]:
    """The subjects of a finding (its properties) that are identifiers: ID numbers, plates,
    certificates, accounts, not voucher or contract numbers. The schema's privacy class of
    each subject's label key decides; a finding saved without ``subject_labels`` counts
    every subject.

    >>> identifier_subjects({"subjects": ["43042219900101123X", "PZ2024001"],
    ...                      "subject_labels": ["Person", "Payment"]})
    ['43042219900101123X']
    """
    subjects = [str(s) for s in finding.get("subjects") or []]
    labels = finding.get("subject_labels")
    if not isinstance(labels, list) or len(labels) != len(subjects):
        return subjects
    return [
        s
        for s, label in zip(subjects, labels, strict=True)
        if sch.key_privacy(str(label)) is not Privacy.PUBLIC
    ]


def mask_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    return mask(str(value))


def mask_text(text: str, secrets_: Iterable[str] = ()) -> str:
    """Mask identifiers inside free text: the given values, and anything ID- or phone-shaped."""
    for s in sorted({str(s) for s in secrets_ if s and len(str(s)) >= 4}, key=len, reverse=True):
        text = text.replace(s, mask(s))
    text = _ID_LIKE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
    text = _USCC_LIKE.sub(lambda m: mask(m.group(0)) if is_uscc(m.group(0)) else m.group(0), text)
    return _PHONE_LIKE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class Presenter:
    def __init__(
        self, principal: Principal, codec: RefCodec, people_in_scope: PeopleInScope | None = None
    ) -> None:
        self.principal = principal
        self.role: Role = principal.role
        self.codec = codec
        # None: every person counts as in scope (an unrestricted caller, or a unit test).
        self.people_in_scope = people_in_scope
        self._returned: dict[str, None] = {}
        # Findings whose text names something outside the caller's divisions (set by
        # api.services.findings.screen): shown without explanation, note and subjects.
        self.opaque_findings: set[str] = set()

    # -- what was shown (for the audit) -------------------------------------------------
    @property
    def returned(self) -> list[str]:
        return list(self._returned)

    def note(self, label: str, key: Any) -> None:
        if key is not None and label not in ("Program", "Organisation", "School", "Division"):
            self._returned[f"{label}:{key}"] = None

    # -- pieces ---------------------------------------------------------------------------
    def ref(self, label: str, key: Any) -> str:
        return self.codec.encode(label, key)

    def shows(self, privacy: Privacy) -> View:
        return view(self.role, privacy)

    def key(self, label: str, key: Any) -> Any:
        nt = sch.NODES.get(label)
        if nt is None or key is None:
            return key
        v = self.shows(_node_privacy(label, nt.key))
        return mask_value(key) if v is View.MASK else (None if v is View.WITHHOLD else key)

    def subjects(self, finding: Mapping[str, Any]) -> list[str]:
        """A finding's subjects (from its properties), the identifiers among them masked
        if need be."""
        raw = [str(s) for s in finding.get("subjects") or []]
        if self.shows(Privacy.IDENTIFIER) is not View.MASK:
            return raw
        hide = set(identifier_subjects(finding))
        return [str(mask_value(s)) if s in hide else s for s in raw]

    def properties(
        self, label: str, props: Mapping[str, Any], rel: bool = False
    ) -> tuple[dict[str, Any], list[str], list[str]]:
        show, masked, withheld = _views(self.role, label, tuple(props), rel)
        if not masked:
            return {k: props[k] for k in show}, [], list(withheld)
        # In the properties' own order (the explorer lists them so).
        shown = {
            k: mask_value(v) if k in masked else v for k, v in props.items() if k not in withheld
        }
        return shown, list(masked), list(withheld)

    def _screen(self, label: str, key: Any, shown: dict[str, Any]) -> list[str]:
        if label != "Finding" or key not in self.opaque_findings:
            return []
        gone: list[str] = [k for k in ("explanation", "note", "subjects") if k in shown]
        for k in gone:
            del shown[k]
        return gone

    def _subjects(self, label: str, raw: Mapping[str, Any], shown: dict[str, Any]) -> None:
        """A finding's subjects masked one by one: only the identifiers among them."""
        if label == "Finding" and "subjects" in shown:
            shown["subjects"] = self.subjects(raw)

    def _mask_free_text(self, label: str, raw: Mapping[str, Any], shown: dict[str, Any]) -> None:
        """Free text (a finding's explanation) may quote identifiers: mask them in it too."""
        # Most nodes have no free text at all: one set test, not a loop over properties.
        if _FREE_TEXT.isdisjoint(shown) or self.shows(Privacy.IDENTIFIER) is not View.MASK:
            return
        texts = [k for k, v in shown.items() if k in _FREE_TEXT and isinstance(v, str)]
        if not texts:
            return
        secrets_ = [
            str(x)
            for k, v in raw.items()
            if _node_privacy(label, k) is Privacy.IDENTIFIER and k != "subjects"
            for x in (v if isinstance(v, list) else [v])
            if x is not None
        ]
        if label == "Finding":
            secrets_ += identifier_subjects(raw)
        for k in texts:
            shown[k] = mask_text(shown[k], secrets_)

    def caption(self, label: str, props: Mapping[str, Any], key: Any) -> str | None:
        nt = sch.NODES.get(label)
        if nt is None:
            return None if key is None else str(key)
        raw = props.get(nt.caption)
        if raw is None:
            raw = key
        how = self.shows(_node_privacy(label, nt.caption))
        if how is View.WITHHOLD:
            return f"{nt.zh} {self.key(label, key) or ''}".strip()
        if raw is None:
            return None
        return str(mask_value(raw)) if how is View.MASK else str(raw)

    # -- whole items ------------------------------------------------------------------------
    def node(self, n: Mapping[str, Any]) -> dict[str, Any]:
        label = str((n.get("labels") or ["?"])[0])
        key = n.get("key")
        props = n.get("properties") or {}
        shown, masked, withheld = self.properties(label, props)
        self._subjects(label, props, shown)
        self._mask_free_text(label, props, shown)
        withheld += self._screen(label, key, shown)
        self.note(label, key)
        return {
            "ref": self.ref(label, key),
            "label": label,
            "key": self.key(label, key),
            "caption": self.caption(label, props, key),
            "properties": shown,
            "masked": masked,
            "withheld": withheld,
        }

    def features(self, raw: Any) -> Any:
        """Entity resolution's evidence for this caller: a runner-up candidate outside the
        caller's divisions is left out, and identifiers in the rest masked by role."""
        try:
            items = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            items = None
        if not isinstance(items, list):
            return mask_value(raw) if self.shows(Privacy.IDENTIFIER) is View.MASK else raw
        masks = self.shows(Privacy.IDENTIFIER) is not View.SHOW
        others = [
            str(it["detail"])
            for it in items
            if isinstance(it, dict) and it.get("feature") == "runner_up" and it.get("detail")
        ]
        visible = set(others) if self.people_in_scope is None else self.people_in_scope(others)
        out = []
        for it in items:
            if not isinstance(it, dict):
                continue
            detail = it.get("detail")
            if it.get("feature") == "runner_up" and detail and str(detail) not in visible:
                continue  # a candidate outside the caller's divisions: not even masked
            if masks and detail and it.get("feature") in _FEATURE_IDENTIFIERS:
                it = {**it, "detail": mask_value(detail)}
            out.append(it)
        return json.dumps(out, ensure_ascii=False)

    def _rel_properties(self, type_: str, props: Mapping[str, Any]) -> dict[str, Any]:
        shown, _, _ = self.properties(type_, props, rel=True)
        if type_ == "RESOLVED_TO" and "features" in shown:
            shown["features"] = self.features(props["features"])  # parsed, not masked whole
        return shown

    def relationship(self, r: Mapping[str, Any]) -> dict[str, Any]:
        s, e = r.get("start") or {}, r.get("end") or {}
        shown = self._rel_properties(str(r.get("type")), r.get("properties") or {})
        return {
            "type": r.get("type"),
            "start": self.ref(str(s.get("label")), s.get("key")),
            "end": self.ref(str(e.get("label")), e.get("key")),
            "properties": shown,
        }

    # -- the store's shapes, masked (exports, dossier) ---------------------------------------
    def export_key(self, label: str, key: Any) -> Any:
        """The key an export may carry: the real one if this role sees it, else the ref."""
        shown = self.key(label, key)
        return key if shown == key else self.ref(label, key)

    def export_node(self, n: Mapping[str, Any]) -> Node:
        label = str((n.get("labels") or ["?"])[0])
        key = n.get("key")
        shown, _, _ = self.properties(label, n.get("properties") or {})
        self._subjects(label, n.get("properties") or {}, shown)
        self._mask_free_text(label, n.get("properties") or {}, shown)
        self._screen(label, key, shown)
        nt = sch.NODES.get(label)
        if nt is not None and nt.key in shown:
            shown[nt.key] = self.key(label, key)
        if label == "Finding":
            raw = identifier_subjects(n.get("properties") or {})
            for k in ("explanation", "note"):
                if k in shown:
                    shown[k] = self.text(shown[k], raw)
        self.note(label, key)
        return {
            "_kind": "node",
            "labels": [label],
            "key": self.export_key(label, key),
            "properties": shown,
        }

    def export_relationship(self, r: Mapping[str, Any]) -> dict[str, Any]:
        s, e = r.get("start") or {}, r.get("end") or {}
        shown = self._rel_properties(str(r.get("type")), r.get("properties") or {})
        return {
            "_kind": "relationship",
            "type": r.get("type"),
            "start": {
                "label": s.get("label"),
                "key": self.export_key(str(s.get("label")), s.get("key")),
            },
            "end": {
                "label": e.get("label"),
                "key": self.export_key(str(e.get("label")), e.get("key")),
            },
            "properties": shown,
        }

    def subgraph(
        self, nodes: Iterable[Mapping[str, Any]], rels: Iterable[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "nodes": [self.node(n) for n in nodes],
            "relationships": [self.relationship(r) for r in rels],
        }

    def text(self, text: str | None, identifiers: Iterable[str] = ()) -> str | None:
        """Free text written about entities (a finding's explanation), fit for this role."""
        if text is None:
            return None
        if self.shows(Privacy.PERSONAL) is View.WITHHOLD:
            return None
        if self.shows(Privacy.IDENTIFIER) is View.MASK:
            return mask_text(text, identifiers)
        return text

    def value(self, v: Any) -> Any:
        """Any result value (POST /query): nodes presented, confidential map keys dropped."""
        if isinstance(v, dict):
            kind = v.get("_kind")
            if kind == "node":
                return self.node(v)
            if kind == "relationship":
                return self.relationship(v)
            if kind == "path":
                return {
                    "nodes": [self.node(n) for n in v.get("nodes", [])],
                    "relationships": [self.relationship(r) for r in v.get("relationships", [])],
                }
            return {
                k: self.value(x)
                for k, x in v.items()
                if k not in CONFIDENTIAL_NAMES or self.shows(Privacy.CONFIDENTIAL) is View.SHOW
            }
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v
