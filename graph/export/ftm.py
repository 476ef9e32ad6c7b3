"""A subgraph as FollowTheMoney entities (JSON lines), for import into Aleph.

One line per entity: ``{"id", "schema", "properties": {name: [str, ...]}}``, ids stable
(a hash of label and key, or of the relationship's id), values as FtM expects them: ISO
dates, amounts in yuan with currency ``CNY`` (stored fen / 100, exactly), phones in E.164.
The entities are written by hand from the tables below and checked against the published
FtM model in the tests, so exporting does not need ``followthemoney`` and its
dependencies at run time.

Nodes:

- Person → ``Person``; Mention (a name not resolved to a person) → ``Person``.
- Enterprise → ``Company`` (USCC as ``uscCode`` and ``registrationNumber``).
- Organisation and Division → ``PublicBody`` (a division pays as its government).
- Program → ``PublicBody`` standing for the programme's department: the payer of its
  disbursements (FtM's payer must be a legal entity; the programme's name goes to the
  payment's ``programme``).
- School → ``Organization``; Post → ``Position``; Contract → ``Contract``;
  RealEstate → ``RealEstate``; Vehicle → ``Vehicle``; BankAccount → ``BankAccount``.
- Disbursement, Payment (voucher) and Income → ``Payment`` with payer, beneficiary,
  amount, ``CNY``, date. A payment whose beneficiary (or, for vouchers and income, payer)
  is not in the subgraph is left out: FtM requires both ends.
- Finding → ``Note`` on the entities it concerns (title, Chinese explanation).

Relationships:

- HOLDS → ``Occupancy`` (term as start/end date); POST_AT and GOVERNS fill the Position.
- OWNS → ``Ownership`` (period; ``共有`` as ownership type).
- ROLE_IN → ``Ownership`` for shareholders (``股东``/``出资``, or a share ratio, as a
  percentage), ``Membership`` for cooperative members (``成员``/``社员``), else
  ``Directorship`` with the role.
- LEGAL_REP_OF → ``Directorship`` with role ``法定代表人``: the legal representative is
  the company's principal officer under Chinese company law, and Aleph lists directorships
  with a company. ``Representation`` (an intermediary acting for a client) fits none of
  guanxi's relationships and is not used.
- RELATIVE_OF → ``Family``; MEMBER_OF → ``Family`` between the head of household
  (``户主``) and each other member, relationship ``relation_to_head``, when the head is in
  the subgraph.
- AWARDED_TO → ``ContractAward``; SUPERVISED_BY → the contract's ``authority``;
  APPROVED_BY of a contract and RESOLVED_TO → ``UnknownLink`` with the role in Chinese.
- RECEIVED, UNDER, INTO_ACCOUNT, PAID_BY, PAID_TO, FOR_CONTRACT, RECEIVED_BY, PAID_IN_BY
  fill the payment; HANDLED_BY and APPROVED_BY of a payment go to its description (FtM
  links cannot point at a payment). CONCERNS fills the note.

Left out, having no FtM equivalent: Household (kept as the Family links above),
StudentAid, Complaint (and ABOUT; complaints carry reporters), PART_OF, LIVES_IN,
IN_DIVISION, FOR_HOUSEHOLD, EXCLUDES, AIDED, AT_SCHOOL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from graph.export._subgraph import Prepared, Subgraph, XNode, XRel, digest, prepare
from graph.export.ftm_map import (
    CN_SCHEMATA,
    ENTITY_PROPS,
    FILLS,
    LINKS,
    MEMBER_ROLE,
    NODE_SCHEMA,
    PROPS,
    REQUIRED,
    SHARE_ROLE,
    THINGS,
)

__all__ = ["ENTITY_PROPS", "NODE_SCHEMA", "REQUIRED", "to_ftm"]

Entity = dict[str, Any]


def to_ftm(sub: Subgraph) -> str:
    """FtM entities as JSON lines (UTF-8 text, one entity per line, stable order).

    >>> line = to_ftm({"nodes": [{"_kind": "node", "labels": ["Vehicle"], "key": "湘DA1234",
    ...                 "properties": {"plate": "湘DA1234"}}]})
    >>> json.loads(line)["schema"]
    'Vehicle'
    """
    p = prepare(sub)
    by_id = p.by_id()
    ents: dict[str, Entity] = {}
    for n in p.nodes:
        if n.label in NODE_SCHEMA:
            ents[n.id] = _node_entity(n)
    for r in p.rels:
        _link(r, by_id, ents)
    _households(p, by_id, ents)
    _program_payers(p, ents)
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in _valid(ents))


def entity_id(label: str, key: Any) -> str:
    return "gx-" + digest(label, str(key), length=32)


def _new(schema: str, eid: str) -> Entity:
    return {"id": eid, "schema": schema, "properties": {}}


def _add(e: Entity, prop: str, value: Any) -> None:
    if value is None or value == "":
        return
    values = e["properties"].setdefault(prop, [])
    if str(value) not in values:
        values.append(str(value))


def _node_entity(n: XNode) -> Entity:
    schema = NODE_SCHEMA[n.label]
    e = _new(schema, entity_id(n.label, n.key))
    for src, dst, how in PROPS.get(n.label, ()):
        _add(e, dst, _convert(n.props.get(src), how))
    if schema in CN_SCHEMATA:
        _add(e, "country", "cn")
    if schema == "Company":
        _add(e, "jurisdiction", "cn")
    if {"amount", "capital"} & e["properties"].keys():
        _add(e, "currency", "CNY")
    if n.label == "Post":
        _add(
            e,
            "name",
            " ".join(str(x) for x in (n.props.get("organisation"), n.props.get("position")) if x),
        )
    if n.label == "Finding":
        facts = [f"{k}：{n.props[k]}" for k in ("severity", "pattern", "status") if n.props.get(k)]
        _add(e, "summary", "；".join(facts))
    if n.label == "Program" and not n.props.get("department"):
        _add(e, "name", f"{n.caption}主管部门")
    if n.label == "Disbursement" and n.props.get("program_code"):
        # The payer is the programme even when its node is not in the subgraph.
        _add(e, "payer", entity_id("Program", n.props["program_code"]))
    # A node named only by a relationship still needs a name (or title) to be an entity.
    for req in REQUIRED.get(schema, ()):
        if req not in ENTITY_PROPS and req not in e["properties"]:
            _add(e, req, n.caption)
    _provenance(e, n.props.get("src"), interval=schema == "Payment")
    return e


def _convert(v: Any, how: str) -> Any:
    if v is None:
        return None
    if how == "yuan":
        return _yuan(v)
    if how == "g":
        return {"男": "male", "女": "female"}.get(str(v))
    if how == "tel":
        return _e164(str(v))
    if "{}" in how:
        return how.format(v)
    return ", ".join(map(str, v)) if isinstance(v, list) else v


def _yuan(fen: Any) -> str | None:
    try:
        f = int(fen)
    except (TypeError, ValueError):
        return None
    whole, cents = divmod(abs(f), 100)
    sign = "-" if f < 0 else ""
    return f"{sign}{whole}" if cents == 0 else f"{sign}{whole}.{cents:02d}"


def _e164(phone: str) -> str | None:
    """Chinese mobile and landline numbers in E.164; masked or odd numbers are left out."""
    digits = re.sub(r"[\s\-()]", "", phone)
    if not digits.isdigit():
        return None  # masked (138****1234) or foreign text
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return "+86" + digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return "+86" + digits[1:]
    return None


def _provenance(e: Entity, src: Any, *, interval: bool) -> None:
    rows = [str(s) for s in (src if isinstance(src, list) else [src] if src else [])]
    for s in rows:
        _add(e, "publisher", s.split("#", 1)[0])
        if interval:
            _add(e, "recordId", s)
    if rows and not interval:
        _add(e, "notes", "来源：" + "、".join(rows))


def _link(r: XRel, by_id: dict[str, XNode], ents: dict[str, Entity]) -> None:
    s, t = by_id[r.start], by_id[r.end]
    sid, tid = entity_id(s.label, s.key), entity_id(t.label, t.key)
    fill = FILLS.get((r.type, s.label))
    if fill is not None and r.start in ents:
        _add(ents[r.start], fill, tid)
        if r.type == "UNDER" and t.props.get("name"):
            _add(ents[r.start], "programme", t.props["name"])
        return
    if r.type in ("RECEIVED",) and r.end in ents:
        _add(ents[r.end], "beneficiary", sid)
        return
    if r.type == "GOVERNS" and r.start in ents:
        _add(ents[r.start], "subnationalArea", t.caption)
        return
    if r.type in ("HANDLED_BY", "APPROVED_BY") and r.start in ents and s.label != "Contract":
        who = "经办人" if r.type == "HANDLED_BY" else "审批人"
        _add(ents[r.start], "description", f"{who}：{t.caption}")
        return
    spec = _spec(r, s)
    if spec is None:
        return
    schema, start_prop, end_prop = spec
    e = _new(schema, "gx-" + r.id)
    _add(e, start_prop, sid)
    _add(e, end_prop, tid)
    _link_props(e, r, s)
    _provenance(e, r.props.get("src"), interval=True)
    ents[e["id"]] = e


def _spec(r: XRel, s: XNode) -> tuple[str, str, str] | None:
    if r.type == "ROLE_IN":
        role = str(r.props.get("role") or "")
        if MEMBER_ROLE.search(role):
            return ("Membership", "member", "organization")
        if SHARE_ROLE.search(role) or r.props.get("share_ratio") is not None:
            return ("Ownership", "owner", "asset")
        return ("Directorship", "director", "organization")
    if r.type == "APPROVED_BY" and s.label == "Contract":
        return ("UnknownLink", "object", "subject")
    return LINKS.get(r.type)


def _link_props(e: Entity, r: XRel, start: XNode) -> None:
    p = r.props
    _add(e, "startDate", p.get("valid_from"))
    _add(e, "endDate", p.get("valid_to"))
    roles: dict[str, Callable[[], Any]] = {
        "ROLE_IN": lambda: p.get("role"),
        "LEGAL_REP_OF": lambda: "法定代表人",
        "APPROVED_BY": lambda: "审批人",
        "RESOLVED_TO": lambda: "识别为（实体识别）",
        "AWARDED_TO": lambda: "承包方",
    }
    if r.type in roles:
        _add(e, "role", roles[r.type]())
    if e["schema"] == "Ownership":
        if p.get("share_ratio") is not None:
            _add(e, "percentage", f"{float(p['share_ratio']) * 100:g}")
        if p.get("co_owner"):
            _add(e, "ownershipType", "共有")
    if r.type == "RELATIVE_OF":
        _add(e, "relationship", p.get("relation"))
        if p.get("employer"):
            _add(e, "description", f"工作单位：{p['employer']}")
    if r.type == "RESOLVED_TO" and p.get("score") is not None:
        _add(e, "description", f"匹配分 {p['score']}；依据 {p.get('features') or ''}")
    if r.type == "AWARDED_TO":  # the award is for the contract's amount
        amount = _yuan(start.props.get("amount"))
        if amount:
            _add(e, "amount", amount)
            _add(e, "currency", "CNY")


def _households(p: Prepared, by_id: dict[str, XNode], ents: dict[str, Entity]) -> None:
    members: dict[str, list[tuple[XNode, str]]] = {}
    for r in p.rels:
        if r.type == "MEMBER_OF" and by_id[r.start].label == "Person":
            members.setdefault(r.end, []).append(
                (by_id[r.start], str(r.props.get("relation_to_head") or ""))
            )
    for household, people in members.items():
        heads = [n for n, rel in people if rel == "户主"]
        if len(heads) != 1:
            continue
        head = heads[0]
        for n, rel in people:
            if n.id == head.id:
                continue
            e = _new("Family", "gx-" + digest("Family", household, head.id, n.id))
            _add(e, "person", entity_id(head.label, head.key))
            _add(e, "relative", entity_id(n.label, n.key))
            _add(e, "relationship", rel or "同户成员")
            _add(e, "description", f"同户（户号 {by_id[household].key}）")
            ents[e["id"]] = e


def _program_payers(p: Prepared, ents: dict[str, Entity]) -> None:
    """A disbursement's programme not in the subgraph still pays: name it by its code."""
    for n in p.nodes:
        code = n.props.get("program_code") if n.label == "Disbursement" else None
        pid = f"Program:{code}"
        if code and pid not in ents:
            e = _new("PublicBody", entity_id("Program", code))
            _add(e, "name", f"民生资金项目{code}主管部门")
            _add(e, "country", "cn")
            ents[pid] = e


def _valid(ents: dict[str, Entity]) -> list[Entity]:
    """Entities whose required properties are present, with references only to entities
    that are emitted (repeated until nothing more drops)."""
    alive = {e["id"]: e for e in ents.values()}
    while True:
        for e in alive.values():
            props = e["properties"]
            for k in [k for k in props if k in ENTITY_PROPS]:
                props[k] = [v for v in props[k] if v in alive]
                if not props[k]:
                    del props[k]
            if e["schema"] == "Note" and "entity" in props:
                props["entity"] = [v for v in props["entity"] if alive[v]["schema"] in THINGS]
                if not props["entity"]:
                    del props["entity"]
        keep = {
            i: e
            for i, e in alive.items()
            if all(e["properties"].get(req) for req in REQUIRED.get(e["schema"], ()))
        }
        if len(keep) == len(alive):
            return sorted(keep.values(), key=lambda e: (e["schema"], e["id"]))
        alive = keep
