"""What a dossier shows about one person or enterprise, and how it is read from the store.

:class:`Profile` is plain data (nodes in the store's shapes), so the API can build one,
mask it, and hand it to :func:`graph.export.dossier.dossier_html`. :func:`build_profile`
reads it with Cypher that runs on both engines, drops confidential properties and passes
every node through ``redact`` (the caller's masking for the user's role) before anything
is derived from it, so keys in the neighbourhood's relationships match the masked nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graph import schema as sch
from graph.errors import NotFound
from graph.export._subgraph import clean_props, primary_label
from graph.store import GraphStore, Node, Relationship, Subgraph

__all__ = [
    "ContractLine",
    "DisbursementLine",
    "FindingLine",
    "Holding",
    "Member",
    "Profile",
    "Role",
    "build_profile",
    "summarise_disbursements",
]

Redact = Callable[[Node], Node]
_SEVERITY = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Member:
    """A member of the entity's household (the entity itself included)."""

    person: Node
    relation: str | None = None  # relation to the head of household: 户主, 配偶, 子女 …


@dataclass(frozen=True)
class Holding:
    """Real estate or a vehicle owned by the entity or a household member, for a period."""

    asset: Node
    owner: Node
    valid_from: str | None = None
    valid_to: str | None = None
    co_owner: bool | None = None


@dataclass(frozen=True)
class Role:
    """A post held (HOLDS), a role in an enterprise (ROLE_IN) or a legal representation
    (LEGAL_REP_OF). For a person ``target`` is the post or enterprise; for an enterprise
    ``holder`` is the person."""

    type: str
    holder: Node
    target: Node
    role: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    share_ratio: float | None = None


@dataclass(frozen=True)
class DisbursementLine:
    """Payments of one programme in one year, summed (amounts in integer fen)."""

    program_code: str
    program: str | None
    year: str
    first_period: str
    last_period: str
    count: int
    total_fen: int


@dataclass(frozen=True)
class ContractLine:
    """A contract the entity won (承包方) or approved (审批人), with what was paid on it."""

    contract: Node
    role: str
    payments: int = 0
    paid_fen: int = 0


@dataclass(frozen=True)
class AidLine:
    """One school year of a student's aid (the one-key view), with the household's
    status that year beside it: what the aid category rests on."""

    year: str
    category: str | None
    schools: list[str]
    policies: list[str]
    amount_fen: int | None
    poverty: list[str]  # the household's 建档立卡 status that year
    support: list[str]  # subsistence / extreme-poverty programmes the household received
    certified: bool  # the student held a disability certificate that year


@dataclass(frozen=True)
class FindingLine:
    title: str
    severity: str
    explanation: str
    status: str | None = None
    finding_id: str | None = None
    pattern: str | None = None


@dataclass
class Profile:
    """Everything a one-page dossier shows about ``entity`` (already masked)."""

    entity: Node
    household: Node | None = None
    members: list[Member] = field(default_factory=list)
    assets: list[Holding] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    disbursements: list[DisbursementLine] = field(default_factory=list)
    contracts: list[ContractLine] = field(default_factory=list)
    payments: list[Node] = field(default_factory=list)  # vouchers paid to the entity
    student_aid: list[AidLine] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)
    neighbourhood: Subgraph = field(default_factory=lambda: Subgraph(nodes=[], relationships=[]))

    @property
    def label(self) -> str:
        return primary_label(self.entity.get("labels") or ())


def identity(node: Node) -> Node:
    return node


def summarise_disbursements(rows: Iterable[Mapping[str, Any]]) -> list[DisbursementLine]:
    """Sum payments by programme and year from rows of ``code, program, period, amount``.

    >>> summarise_disbursements([
    ...     {"code": "DB01", "program": "农村低保", "period": "2023-01", "amount": 50000},
    ...     {"code": "DB01", "program": "农村低保", "period": "2023-02", "amount": 50000}])[0]
    ... # doctest: +NORMALIZE_WHITESPACE
    DisbursementLine(program_code='DB01', program='农村低保', year='2023',
        first_period='2023-01', last_period='2023-02', count=2, total_fen=100000)
    """
    acc: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        period = str(r.get("period") or r.get("paid_date") or "")
        key = (str(r.get("code") or ""), period[:4])
        a = acc.setdefault(key, [r.get("program"), period, period, 0, 0])
        a[0] = a[0] or r.get("program")
        a[1] = min(a[1], period) if period else a[1]
        a[2] = max(a[2], period)
        a[3] += 1
        a[4] += int(r.get("amount") or 0)
    return [
        DisbursementLine(code, prog, year, first, last, n, total)
        for (code, year), (prog, first, last, n, total) in sorted(acc.items())
    ]


def build_profile(
    store: GraphStore, label: str, key: Any, redact: Redact = identity, *, limit: int = 1000
) -> Profile:
    """Read the dossier of one node (a Person or an Enterprise; other labels get what
    applies). ``limit`` caps the neighbourhood per direction; sums are over everything.

    Raises :class:`graph.errors.NotFound` when there is no such node.
    """
    nt = sch.node(label)
    match = f"MATCH (n:{label} {{{nt.key}: $key}})"
    rows = store.read(f"{match} RETURN n LIMIT 1", {"key": key})
    if not rows:
        raise NotFound(f"no {label} with {nt.key} {key!r}")
    masked: dict[tuple[str, Any], Node] = {}

    def mask(n: Node) -> Node:
        ref = (primary_label(n.get("labels") or ()), n.get("key"))
        if ref not in masked:
            masked[ref] = redact({**n, "properties": clean_props(n.get("properties"))})
        return masked[ref]

    entity = mask(rows[0]["n"])
    edges: list[tuple[str, dict[str, Any], Node, Node]] = []  # type, props, start, end
    for pattern, outgoing in (("-[r]->(m)", True), ("<-[r]-(m)", False)):
        q = f"{match}{pattern} RETURN r, m LIMIT $limit"
        for row in store.read(q, {"key": key, "limit": limit}):
            other = mask(row["m"])
            props = clean_props(row["r"]["properties"])
            ends = (entity, other) if outgoing else (other, entity)
            edges.append((row["r"]["type"], props, *ends))

    p = Profile(entity=entity)
    p.neighbourhood = _subgraph(entity, edges)
    if label == "Person":
        _household(store, key, p, mask)
    _assets(store, key, p, edges, mask)
    p.roles = sorted(
        (
            Role(
                t,
                s,
                e,
                props.get("role"),
                props.get("valid_from"),
                props.get("valid_to"),
                props.get("share_ratio"),
            )
            for t, props, s, e in edges
            if t in ("HOLDS", "ROLE_IN", "LEGAL_REP_OF")
        ),
        key=lambda r: (r.valid_from or "", r.type),
        reverse=True,
    )
    p.disbursements = summarise_disbursements(
        store.read(
            f"{match}-[:RECEIVED]->(d:Disbursement) OPTIONAL MATCH (d)-[:UNDER]->(pg:Program) "
            "RETURN d.program_code AS code, pg.name AS program, d.period AS period, "
            "d.paid_date AS paid_date, d.amount AS amount",
            {"key": key},
        )
    )
    p.contracts = _contracts(store, match, key, mask)
    if label == "Person":
        p.student_aid = _student_aid(store, match, key)
    p.payments = sorted(
        (s for t, _, s, _e in edges if t == "PAID_TO"),
        key=lambda n: str(n["properties"].get("paid_date") or ""),
        reverse=True,
    )
    p.findings = sorted(
        (_finding(s) for t, _, s, _e in edges if t == "CONCERNS"),
        key=lambda f: (_SEVERITY.get(f.severity, 3), f.title),
    )
    return p


def _subgraph(entity: Node, edges: list[tuple[str, dict[str, Any], Node, Node]]) -> Subgraph:
    nodes = {(_label(entity), entity["key"]): entity}
    rels: list[Relationship] = []
    for t, props, s, e in edges:
        for n in (s, e):
            nodes.setdefault((_label(n), n["key"]), n)
        rels.append(
            {
                "_kind": "relationship",
                "type": t,
                "start": {"label": _label(s), "key": s["key"]},
                "end": {"label": _label(e), "key": e["key"]},
                "properties": props,
            }
        )
    return {"nodes": list(nodes.values()), "relationships": rels}


def _label(n: Mapping[str, Any]) -> str:
    return primary_label(n.get("labels") or ())


def _household(store: GraphStore, key: Any, p: Profile, mask: Redact) -> None:
    rows = store.read(
        "MATCH (:Person {id_number: $key})-[:MEMBER_OF]->(h:Household) "
        "MATCH (o:Person)-[m:MEMBER_OF]->(h) "
        "RETURN h, o, m.relation_to_head AS relation",
        {"key": key},
    )
    if not rows:
        return
    p.household = mask(rows[0]["h"])
    order = {"户主": 0, "配偶": 1}
    p.members = sorted(
        (Member(mask(r["o"]), r["relation"]) for r in rows if r["h"]["key"] == rows[0]["h"]["key"]),
        key=lambda m: (
            order.get(m.relation or "", 2),
            str(m.person["properties"].get("birth_date") or ""),
        ),
    )


def _assets(
    store: GraphStore,
    key: Any,
    p: Profile,
    edges: list[tuple[str, dict[str, Any], Node, Node]],
    mask: Redact,
) -> None:
    held = [
        Holding(e, s, props.get("valid_from"), props.get("valid_to"), props.get("co_owner"))
        for t, props, s, e in edges
        if t == "OWNS" and s is p.entity
    ]
    if any(m.person is not p.entity for m in p.members):  # same objects: mask() caches
        # By the entity's own key: the members' keys in the profile may be masked.
        rows = store.read(
            "MATCH (:Person {id_number: $key})-[:MEMBER_OF]->(h:Household) "
            "MATCH (o:Person)-[:MEMBER_OF]->(h) WHERE o.id_number <> $key "
            "MATCH (o)-[r:OWNS]->(a) RETURN o, r, a",
            {"key": key},
        )
        for row in rows:
            props = clean_props(row["r"]["properties"])
            held.append(
                Holding(
                    mask(row["a"]),
                    mask(row["o"]),
                    props.get("valid_from"),
                    props.get("valid_to"),
                    props.get("co_owner"),
                )
            )
    p.assets = sorted(
        held, key=lambda h: (_label(h.asset), str(h.valid_from or ""), str(h.asset["key"]))
    )


def _contracts(store: GraphStore, match: str, key: Any, mask: Redact) -> list[ContractLine]:
    rows = store.read(
        f"{match}<-[r]-(c:Contract) WITH c, type(r) AS t "
        "WHERE t = 'AWARDED_TO' OR t = 'APPROVED_BY' "
        "OPTIONAL MATCH (pay:Payment)-[:FOR_CONTRACT]->(c) "
        "RETURN c, t, count(pay) AS n, sum(coalesce(pay.amount, 0)) AS paid",
        {"key": key},
    )
    role = {"AWARDED_TO": "承包方", "APPROVED_BY": "审批人"}
    lines = [
        ContractLine(mask(r["c"]), role[r["t"]], int(r["n"]), int(r["paid"] or 0)) for r in rows
    ]
    return sorted(
        lines, key=lambda c: str(c.contract["properties"].get("signed") or ""), reverse=True
    )


def _student_aid(store: GraphStore, match: str, key: Any) -> list[AidLine]:
    """Every school year of aid, with the household's status that year."""
    rows = store.read(
        f"{match}-[:AIDED]->(a:StudentAid) "
        "OPTIONAL MATCH (a)-[:AT_SCHOOL]->(sc:School) "
        "OPTIONAL MATCH (a)-[:UNDER]->(g:Program) "
        "WITH n, a, substring(coalesce(a.year, ''), 0, 4) AS y, "
        "collect(DISTINCT sc.name) AS schools, "
        "collect(DISTINCT coalesce(g.name, g.program_code)) AS policies "
        "OPTIONAL MATCH (n)-[:MEMBER_OF]->(:Household)-[:REGISTERED_POOR]->(r:PovertyRecord) "
        "WHERE r.year = y "
        "WITH n, a, y, schools, policies, collect(DISTINCT r.status) AS poverty "
        "OPTIONAL MATCH (n)-[:MEMBER_OF]->(:Household)<-[:MEMBER_OF]-(:Person)-[:RECEIVED]->"
        "(d:Disbursement)-[:UNDER]->(s:Program) "
        "WHERE d.period STARTS WITH y AND s.kind IN ['subsistence', 'extreme_poverty'] "
        "WITH n, a, y, schools, policies, poverty, "
        "collect(DISTINCT coalesce(s.name, s.program_code)) AS support "
        "OPTIONAL MATCH (n)-[:CERTIFIED]->(c:DisabilityCertificate) "
        "WHERE (c.issued IS NULL OR c.issued <= y + '-12-31') "
        "AND (c.revoked IS NULL OR c.revoked >= y + '-01-01') "
        "RETURN a.year AS year, a.category AS category, a.amount AS amount, schools, policies, "
        "poverty, support, count(c) AS certs ORDER BY year",
        {"key": key},
    )
    return [
        AidLine(
            str(r["year"] or ""),
            r["category"],
            sorted(r["schools"] or []),
            sorted(r["policies"] or []),
            r["amount"],
            sorted(r["poverty"] or []),
            sorted(r["support"] or []),
            bool(r["certs"]),
        )
        for r in rows
    ]


def _finding(n: Node) -> FindingLine:
    p = n["properties"]
    return FindingLine(
        title=str(p.get("title") or ""),
        severity=str(p.get("severity") or ""),
        explanation=str(p.get("explanation") or ""),
        status=p.get("status"),
        finding_id=p.get("finding_id"),
        pattern=p.get("pattern"),
    )
