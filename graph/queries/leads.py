"""Leads (线索): findings grouped by the subject that acts, and by shared evidence.

A finding's *principal* is the person or enterprise that acts in it: the approver or
handler who paid himself, the recipient household, the contractor, the official; which
one is declared per pattern in :data:`PRINCIPALS` (a pattern without an entry falls back
to its most connected person or enterprise). Findings with the same principal form one
lead, and so do findings that share a piece of evidence (a voucher, a contract, a bank
account, a disbursement record): a voucher flagged both as the cadre paying himself and
as unbooked is one matter.

Lead ids are stable: a lead is named after its principal's natural key
(``lead:<sha1>``), and once a finding belongs to a lead it keeps it (``Finding.lead_id``
is written once), so a case opened on a lead does not lose its findings to the next
``detect``. A new finding joins the lead of its principal, or of a finding it shares
evidence with; only otherwise does it start a new one.

What each finding contributes is kept on its Finding node when it is saved (``principal``,
``shared``, ``money``), so leads can be rebuilt from the graph alone (:func:`rebuild`).
Money is counted once per voucher or payment record: a lead's amount is the sum over the
distinct Payment / Disbursement nodes of its findings' evidence (contract amounts for
findings whose evidence holds no payment).

>>> lead_id("Person", "430422196803032345")
'lead:ff7d8267311ab43c'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import schema as sch
from graph.queries.findings import Finding, is_open, yuan
from graph.store import GraphStore, Node

__all__ = [
    "PRINCIPALS",
    "Lead",
    "Rule",
    "annotate",
    "division_names",
    "lead_id",
    "lead_with_findings",
    "leads",
    "rebuild",
    "update",
]

SEVERITY_WEIGHT = {"high": 3, "medium": 2, "low": 1}
# Evidence that, shared by two findings, makes them one matter. Persons and enterprises
# are not among them: a relative named in two cadres' findings does not merge the cadres.
SHARED_LABELS = (
    "Payment",
    "Contract",
    "Disbursement",
    "Income",
    "Complaint",
    "BankAccount",
    "Vehicle",
    "RealEstate",
    "StudentAid",
)
ACTORS = ("Person", "Enterprise", "Mention", "Household")


@dataclass(frozen=True)
class Rule:
    """Which evidence node is a pattern's principal: the first of ``labels`` that is a
    subject (or, for households, in the evidence) and, when ``via`` is given, sits at
    the ``side`` end of an evidence relationship of one of those types."""

    labels: tuple[str, ...]
    via: tuple[str, ...] = ()
    side: str = "end"


_CONTRACTOR = Rule(("Enterprise", "Person", "Mention"), ("AWARDED_TO", "PAID_TO"))
_OFFICIAL = Rule(("Person",), ("HOLDS", "RELATIVE_OF"), "start")
PRINCIPALS: dict[str, Rule] = {
    "recipient_vehicle": Rule(("Household",)),
    "recipient_real_estate": Rule(("Household",)),
    "recipient_business": Rule(("Household",)),
    "recipient_public_payroll": Rule(("Household",)),
    "recipient_cadre_relative": Rule(("Household",)),
    "deceased_recipient": Rule(("Person",)),
    "duplicate_payment": Rule(("Person",)),
    "exclusive_programs": Rule(("Person",)),
    "ghost_recipient": Rule(("Person",)),
    "shared_bank_account": Rule(("BankAccount",)),
    "official_relative_contract": _OFFICIAL,
    "contractor_shares_contact": _OFFICIAL,
    "cadre_pays_self": Rule(("Person", "Mention"), ("APPROVED_BY", "HANDLED_BY")),
    "paid_beyond_delivery": _CONTRACTOR,
    "unbooked_payment": _CONTRACTOR,
    "split_contracts": _CONTRACTOR,
    "new_company_contract": _CONTRACTOR,
    "contract_concentration": _CONTRACTOR,
    "complaint_deadline": Rule(("Complaint",)),
}


def lead_id(label: str, key: str) -> str:
    """A lead's id, from its principal's label and natural key."""
    return "lead:" + hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]


def _ref(label: str, key: Any) -> str:
    return f"{label}:{key}"


def _split(ref: str) -> tuple[str, str]:
    label, _, key = ref.partition(":")
    return label, key


def principal_of(f: Finding) -> tuple[str, str] | None:
    """``(label, key)`` of the finding's principal subject, or None."""
    subjects = set(f.subjects)
    nodes = [
        (str(n["labels"][0]) if n.get("labels") else "", str(n["key"]))
        for n in f.evidence["nodes"]
        if n.get("key") is not None
    ]
    rule = PRINCIPALS.get(f.pattern)
    if rule is not None:
        touching: set[tuple[str, str]] | None = None
        if rule.via:
            touching = set()
            for r in f.evidence["relationships"]:
                if r.get("type") in rule.via:
                    e = r.get(rule.side) or {}
                    touching.add((str(e.get("label")), str(e.get("key"))))
        for want in rule.labels:
            cands = sorted(
                k
                for lab, k in nodes
                if lab == want
                and (k in subjects or want == "Household")
                and (touching is None or (lab, k) in touching)
            )
            if cands:
                return want, cands[0]
    # Fallback: the most connected acting subject of the evidence.
    degree: Counter[tuple[str, str]] = Counter()
    for r in f.evidence["relationships"]:
        for side in ("start", "end"):
            e = r.get(side) or {}
            degree[(str(e.get("label")), str(e.get("key")))] += 1
    actors = [(lab, k) for lab, k in nodes if lab in ACTORS and k in subjects]
    if not actors:
        return None
    return min(actors, key=lambda n: (-degree[n], n))


def annotate(f: Finding) -> dict[str, Any]:
    """What a finding contributes to its lead, as stored on its Finding node."""
    p = principal_of(f)
    subjects = set(f.subjects)
    shared, money, contracts = set(), {}, {}
    for n in f.evidence["nodes"]:
        label = n["labels"][0] if n.get("labels") else ""
        key = n.get("key")
        if key is None:
            continue
        amount = (n.get("properties") or {}).get("amount")
        if label in SHARED_LABELS and str(key) in subjects:
            shared.add(_ref(label, key))
        if label in ("Payment", "Disbursement") and isinstance(amount, int):
            money[_ref(label, key)] = amount
        elif label == "Contract" and isinstance(amount, int) and str(key) in subjects:
            contracts[_ref(label, key)] = amount
    items = money or contracts
    return {
        "finding_id": f.finding_id,
        "principal": _ref(*p) if p else None,
        "shared": sorted(shared),
        "money": sorted(f"{k}={v}" for k, v in items.items()),
    }


ANNOTATE = """
UNWIND $rows AS row MATCH (f:Finding {finding_id: row.finding_id})
SET f.principal = row.principal, f.shared = row.shared, f.money = row.money
"""


def update(store: GraphStore, findings: Iterable[Finding], today: str | None = None) -> int:
    """Record each finding's principal, shared evidence and money, then rebuild leads."""
    rows = [annotate(f) for f in findings]
    store.write_batches(ANNOTATE, rows, batch_size=2000)
    return rebuild(store, today=today)


@dataclass
class Lead:
    lead_id: str
    principal: tuple[str, str] | None
    findings: list[dict[str, Any]] = field(default_factory=list)

    def props(
        self, names: dict[str, str], principal_name: str | None, exposure: int
    ) -> dict[str, Any]:
        fs = self.findings
        money: dict[str, int] = {}
        for f in fs:
            for item in f.get("money") or []:
                ref, _, fen = str(item).rpartition("=")
                money[ref] = int(fen)
        amount = sum(money.values())
        patterns = sorted({str(f["pattern"]) for f in fs})
        severity = max(
            (str(f.get("severity") or "low") for f in fs), key=lambda s: SEVERITY_WEIGHT.get(s, 0)
        )
        codes = sorted({str(f["division_code"]) for f in fs if f.get("division_code")})
        code = _common_division(codes)
        titles = Counter(str(f.get("title") or f["pattern"]) for f in fs)
        top_title = min(titles, key=lambda t: (-titles[t], t))
        who = principal_name or "（对象不详）"
        where = "、".join(dict.fromkeys(names.get(c, c) for c in codes)) or "（区划不详）"
        title = f"{who}：{top_title}" + (f"等{len(fs)}条疑点" if len(fs) > 1 else "")
        if amount:
            title += f"，涉及{yuan(amount)}"
        return {
            "lead_id": self.lead_id,
            "title": title,
            "principal_label": self.principal[0] if self.principal else None,
            "principal_key": self.principal[1] if self.principal else None,
            "principal_name": principal_name,
            "division_code": code,
            "division_name": names.get(code, code) if code else None,
            "division_codes": codes,
            "division_names": where.split("、") if codes else [],
            "amount": amount,
            "vouchers": len(money),
            "severity": severity,
            "patterns": patterns,
            "finding_count": len(fs),
            "open_count": sum(1 for f in fs if is_open(f.get("status"))),
            "exposure": exposure,
            "score": score(amount, severity, len(patterns), len(fs), exposure),
            "first_detected": min(
                (str(f.get("first_detected") or f.get("detected_at") or "") for f in fs),
                default=None,
            )
            or None,
            "detected_at": max((str(f.get("detected_at") or "") for f in fs), default=None) or None,
        }


def score(amount_fen: int, severity: str, n_patterns: int, n_findings: int, exposure: int) -> float:
    """Rank leads: money (log scale, 10 million yuan scores full), the worst severity, how
    many patterns agree, and the principal's risk exposure (findings around it). Findings
    count only as a small tie-break, so thirteen vouchers of one kind do not outrank a
    lead where several patterns agree.

    >>> score(9_600_000, "high", 1, 1, 1) < score(9_600_000, "high", 2, 2, 1)
    True
    """
    money = min(1.0, math.log10(1 + amount_fen / 100) / 7)
    sev = SEVERITY_WEIGHT.get(severity, 1) / 3
    pats = min(1.0, n_patterns / 4)
    expo = min(1.0, math.log2(1 + exposure) / 6)
    bulk = min(1.0, math.log2(1 + n_findings) / 6)
    return round(0.35 * money + 0.25 * sev + 0.2 * pats + 0.15 * expo + 0.05 * bulk, 4)


def _common_division(codes: Sequence[str]) -> str | None:
    """The most specific division containing every code (village 12, township 9, county 6,
    city 4, province 2 digits)."""
    if not codes:
        return None
    prefix = codes[0]
    for c in codes[1:]:
        n = 0
        while n < min(len(prefix), len(c)) and prefix[n] == c[n]:
            n += 1
        prefix = prefix[:n]
    for size in (12, 9, 6, 4, 2):
        if len(prefix) >= size:
            return prefix[:size]
    return None


def division_names(store: GraphStore, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Readable names of division codes: a village with its township (``城关镇东风村``),
    a township or county by itself."""
    rows = store.read(
        "MATCH (d:Division) "
        "RETURN d.code AS code, d.name AS name, d.parent_code AS parent, d.level AS level"
    )
    by_code = {str(r["code"]): r for r in rows if r["code"] is not None}
    out: dict[str, str] = {}
    for code, r in by_code.items():
        name = str(r["name"] or code)
        parent = by_code.get(str(r["parent"] or ""))
        if r["level"] == "village" and parent is not None and parent["name"]:
            name = str(parent["name"]) + name
        out[code] = name
    if codes is not None:
        wanted = set(codes)
        return {c: n for c, n in out.items() if c in wanted}
    return out


FINDINGS = """
MATCH (f:Finding)
RETURN f.finding_id AS finding_id, f.pattern AS pattern, f.severity AS severity,
       f.title AS title, f.division_code AS division_code, f.principal AS principal,
       f.shared AS shared, f.money AS money, f.lead_id AS lead_id, f.status AS status,
       f.detected_at AS detected_at, f.first_detected AS first_detected
"""


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(rows: list[dict[str, Any]]) -> dict[str, Lead]:
    """Assign every finding row a lead id (kept when it has one); the leads by id."""
    uf = _Union()
    for r in rows:
        fid = "f|" + str(r["finding_id"])
        uf.find(fid)
        if r.get("principal"):
            uf.join(fid, "p|" + str(r["principal"]))
        for s in r.get("shared") or []:
            uf.join(fid, "s|" + str(s))
    comps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        comps[uf.find("f|" + str(r["finding_id"]))].append(r)
    leads: dict[str, Lead] = {}
    for members in comps.values():
        members.sort(key=lambda r: str(r["finding_id"]))
        existing = [r for r in members if r.get("lead_id")]
        principals = Counter(str(r["principal"]) for r in members if r.get("principal"))
        # The lead's own principal: whose findings are most numerous (ties: smallest key).
        main = min(principals, key=lambda p: (-principals[p], p)) if principals else None
        fresh = lead_id(*_split(main)) if main else "lead:" + str(members[0]["finding_id"])
        by_principal = {
            str(r["principal"]): str(r["lead_id"]) for r in existing if r.get("principal")
        }
        counts = Counter(str(r["lead_id"]) for r in existing)
        default = min(counts, key=lambda k: (-counts[k], k)) if counts else fresh
        for r in members:
            if not r.get("lead_id"):
                r["lead_id"] = by_principal.get(str(r.get("principal")), default)
        for r in members:
            lid = str(r["lead_id"])
            lead = leads.get(lid)
            if lead is None:
                lead = leads[lid] = Lead(lid, None)
            lead.findings.append(r)
    for lead in leads.values():
        ps = Counter(str(r["principal"]) for r in lead.findings if r.get("principal"))
        if ps:
            best = min(ps, key=lambda p: (-ps[p], p))
            lead.principal = _split(best)
    return leads


def _principal_names(
    store: GraphStore, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for label, key in refs:
        if label in sch.NODES:
            by_label[label].append(key)
    out: dict[tuple[str, str], str] = {}
    for label, keys in by_label.items():
        nt = sch.NODES[label]
        cap = "name" if nt.has("name") else nt.caption
        if nt.prop(cap).privacy is sch.Privacy.IDENTIFIER:
            # A title is read by roles that see identifiers masked: an account number
            # must not become a name. The last four digits tell accounts apart.
            for k in keys:
                out[(label, k)] = f"{nt.zh}（尾号{k[-4:]}）"
            continue
        rows = store.read(
            f"UNWIND $keys AS k MATCH (x:{label} {{{nt.key}: k}}) RETURN k, x.{cap} AS name",
            {"keys": sorted(set(keys))},
        )
        for r in rows:
            if r["name"] is not None:
                out[(label, str(r["k"]))] = str(r["name"])
        if label == "Household":  # a household reads as its head's name
            heads = store.read(
                "UNWIND $keys AS k MATCH (h:Household {household_id: k})<-[m:MEMBER_OF]-(p:Person) "
                "WITH k, p, m "
                "ORDER BY CASE WHEN m.relation_to_head = '户主' THEN 0 ELSE 1 END, p.name "
                "WITH k, collect(p.name)[0] AS head RETURN k, head",
                {"keys": sorted(set(keys))},
            )
            for r in heads:
                if r["head"]:
                    out[(label, str(r["k"]))] = f"{r['head']}户"
    return out


def _exposure(store: GraphStore, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Findings concerning the principal or a direct neighbour of it (its household, its
    enterprises, the vouchers it approved): how exposed the subject is, across patterns."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for label, key in refs:
        if label in sch.NODES:
            by_label[label].append(key)
    out: dict[tuple[str, str], int] = {}
    for label, keys in by_label.items():
        kp = sch.NODES[label].key
        rows = store.read(
            f"UNWIND $keys AS k MATCH (x:{label} {{{kp}: k}}) "
            "OPTIONAL MATCH (x)<-[:CONCERNS]-(f0:Finding) "
            "WITH k, x, collect(DISTINCT f0.finding_id) AS own "
            "OPTIONAL MATCH (x)--(y)<-[:CONCERNS]-(f1:Finding) "
            "WITH k, own, collect(DISTINCT f1.finding_id) AS near "
            "RETURN k, size(own) + size([i IN near WHERE NOT i IN own]) AS n",
            {"keys": sorted(set(keys))},
        )
        for r in rows:
            out[(label, str(r["k"]))] = int(r["n"] or 0)
    return out


WRITE_LEADS = """
UNWIND $rows AS row
MERGE (l:Lead {lead_id: row.lead_id})
SET l += row.props, l.src = ['detect#leads']
"""
LINK_MEMBERS = """
UNWIND $rows AS row
MATCH (f:Finding {finding_id: row.finding_id}) SET f.lead_id = row.lead_id
WITH f, row MATCH (l:Lead {lead_id: row.lead_id}) MERGE (f)-[:IN_LEAD]->(l)
"""


def rebuild(store: GraphStore, today: str | None = None) -> int:
    """Group every Finding of the graph into leads and write the Lead nodes; returns their
    number. Leads left without findings are removed."""
    rows = [dict(r) for r in store.read(FINDINGS)]
    leads = group(rows)
    refs = [lead.principal for lead in leads.values() if lead.principal]
    names = division_names(store)
    pnames = _principal_names(store, refs)
    expo = _exposure(store, refs)
    out = []
    for lead in leads.values():
        props = lead.props(
            names,
            pnames.get(lead.principal) if lead.principal else None,
            expo.get(lead.principal, 0) if lead.principal else 0,
        )
        props["updated"] = today or dt.date.today().isoformat()
        out.append({"lead_id": lead.lead_id, "props": props})
    store.write_batches(WRITE_LEADS, out, batch_size=1000)
    members = [{"finding_id": r["finding_id"], "lead_id": r["lead_id"]} for r in rows]
    store.write_batches(LINK_MEMBERS, members, batch_size=2000)
    subjects = [
        {"lead_id": lead.lead_id, "label": lead.principal[0], "key": lead.principal[1]}
        for lead in leads.values()
        if lead.principal and lead.principal[0] in sch.NODES
    ]
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in subjects:
        by_label[s["label"]].append(s)
    for label, srows in by_label.items():
        kp = sch.NODES[label].key
        store.write_batches(
            f"UNWIND $rows AS row MATCH (l:Lead {{lead_id: row.lead_id}}) "
            f"MATCH (x:{label} {{{kp}: row.key}}) MERGE (l)-[:LEAD_SUBJECT]->(x)",
            srows,
            batch_size=2000,
        )
    store.write(
        "MATCH (l:Lead) WHERE NOT l.lead_id IN $keep DETACH DELETE l",
        {"keep": [lead.lead_id for lead in leads.values()]},
    )
    return len(leads)


def leads(
    store: GraphStore,
    *,
    where: str = "true",
    params: dict[str, Any] | None = None,
    offset: int = 0,
    size: int = 20,
    timeout: float | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Lead nodes' properties, best score first; ``where`` filters on ``l`` (scope)."""
    params = {**(params or {}), "offset": offset, "size": size}
    total = store.read(f"MATCH (l:Lead) WHERE {where} RETURN count(l) AS n", params)[0]["n"]
    rows = store.read(
        f"MATCH (l:Lead) WHERE {where} RETURN l ORDER BY l.score DESC, l.lead_id "
        "SKIP $offset LIMIT $size",
        params,
        timeout=timeout,
    )
    return [dict(r["l"]["properties"]) for r in rows], int(total)


def lead_findings(store: GraphStore, lead: str, timeout: float | None = None) -> list[Node]:
    """A lead's findings (nodes, as the store returns them), best score first."""
    rows = store.read(
        "MATCH (f:Finding {lead_id: $id}) RETURN f ORDER BY f.score DESC, f.finding_id",
        {"id": lead},
        timeout=timeout,
    )
    return [r["f"] for r in rows]


def lead_with_findings(store: GraphStore, lead: str) -> tuple[Node, list[str]] | None:
    """A lead's node and the ids of the findings in it (``IN_LEAD``), or None."""
    rows = store.read(
        "MATCH (l:Lead {lead_id: $id}) OPTIONAL MATCH (f:Finding)-[:IN_LEAD]->(l) "
        "RETURN l, collect(f.finding_id) AS fs",
        {"id": lead},
    )
    if not rows or rows[0]["l"] is None:
        return None
    return rows[0]["l"], [str(f) for f in rows[0]["fs"] or []]
