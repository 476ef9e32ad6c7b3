"""Every read of the public site: Cypher whose columns each name their label and property,
run read-only and passed through the publication policy (:func:`public.policy.present`).

Only villages inside the published divisions are answered: the caller checks the code
(:meth:`PublicReader.village`) before any of its records are read, and every query below is
bound to one village code or to the household of a matched resident in a published village.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from public.policy import AGGREGATE, Audience, Col, on_the_way, present, published


class Reader(Protocol):
    """What the public side may do with the graph: read. (GraphStore.read runs as a
    read-only query: GRAPH.RO_QUERY on FalkorDB, a READ transaction on Neo4j.)"""

    def read(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Query:
    cypher: str
    columns: Mapping[str, Col]


def _agg(name: str) -> Col:
    return Col(name, AGGREGATE)


DIVISION = {
    "code": Col("code", "Division"),
    "name": Col("name", "Division"),
    "level": Col("level", "Division"),
    "parent_code": Col("parent_code", "Division"),
}

CHILDREN = Query(
    "MATCH (d:Division) WHERE d.parent_code = $parent "
    "RETURN d.code AS code, d.name AS name, d.level AS level, d.parent_code AS parent_code "
    "ORDER BY d.code",
    DIVISION,
)
ROOTS = Query(
    "MATCH (d:Division) WHERE d.level = 'county' "
    "RETURN d.code AS code, d.name AS name, d.level AS level, d.parent_code AS parent_code "
    "ORDER BY d.code",
    DIVISION,
)
ONE_DIVISION = Query(
    "MATCH (d:Division {code: $code}) "
    "RETURN d.code AS code, d.name AS name, d.level AS level, d.parent_code AS parent_code",
    DIVISION,
)
VILLAGES_NAMED = Query(
    "MATCH (d:Division) WHERE d.level = 'village' AND d.name CONTAINS $q "
    "RETURN d.code AS code, d.name AS name, d.level AS level, d.parent_code AS parent_code "
    "ORDER BY d.code LIMIT 200",
    DIVISION,
)
# Programmes by month: households paid, amount, payments.
PROGRAMMES = Query(
    "MATCH (d:Disbursement {village_code: $v})-[:UNDER]->(p:Program) "
    "RETURN p.program_code AS program_code, p.name AS programme, d.period AS month, "
    "count(DISTINCT d.household_id) AS households, sum(d.amount) AS amount, "
    "count(d) AS payments ORDER BY program_code, month",
    {
        "program_code": Col("program_code", "Program"),
        "programme": Col("name", "Program"),
        "month": Col("period", "Disbursement"),
        "households": _agg("households"),
        "amount": _agg("amount"),
        "payments": _agg("payments"),
    },
)
# Households paid by each programme in each year (a household paid every month counts once).
PROGRAMME_YEARS = Query(
    "MATCH (d:Disbursement {village_code: $v})-[:UNDER]->(p:Program) "
    "RETURN p.program_code AS program_code, substring(d.period, 0, 4) AS year, "
    "count(DISTINCT d.household_id) AS households",
    {
        "program_code": Col("program_code", "Program"),
        "year": _agg("year"),
        "households": _agg("households"),
    },
)
# The 公示 list of one month: recipient (masked), programme, amount, period.
PAYMENT_LIST = Query(
    "MATCH (d:Disbursement {village_code: $v}) WHERE d.period = $period "
    "MATCH (d)-[:UNDER]->(p:Program) "
    "OPTIONAL MATCH (r)-[:RECEIVED]->(d) "
    "RETURN CASE WHEN r IS NULL THEN 'Person' ELSE labels(r)[0] END AS recipient_label, "
    "r.name AS recipient, p.name AS programme, d.amount AS amount, d.period AS period, "
    "d.paid_date AS paid_date ORDER BY programme, paid_date, amount LIMIT 5000",
    {
        "recipient": Col("name", label_from="recipient_label"),
        "programme": Col("name", "Program"),
        "amount": Col("amount", "Disbursement"),
        "period": Col("period", "Disbursement"),
        "paid_date": Col("paid_date", "Disbursement"),
    },
)
SPENDING_BY_MONTH = Query(
    "MATCH (x:Payment {payer_code: $v}) "
    "RETURN substring(x.paid_date, 0, 7) AS month, sum(x.amount) AS amount, count(x) AS vouchers "
    "ORDER BY month",
    {"month": _agg("month"), "amount": _agg("amount"), "vouchers": _agg("vouchers")},
)
INCOME_BY_MONTH = Query(
    "MATCH (x:Income {village_code: $v}) "
    "RETURN substring(x.received_date, 0, 7) AS month, sum(x.amount) AS amount, "
    "count(x) AS vouchers ORDER BY month",
    {"month": _agg("month"), "amount": _agg("amount"), "vouchers": _agg("vouchers")},
)
# Vouchers of one month; the payee is an enterprise by name or a person masked.
SPENDING = Query(
    "MATCH (x:Payment {payer_code: $v}) WHERE x.paid_date STARTS WITH $month "
    "OPTIONAL MATCH (x)-[:PAID_TO]->(to) "
    "RETURN x.voucher_no AS voucher_no, x.paid_date AS date, x.purpose AS purpose, "
    "x.amount AS amount, CASE WHEN to IS NULL THEN 'Person' ELSE labels(to)[0] END AS payee_label, "
    "to.name AS payee ORDER BY date, voucher_no LIMIT 2000",
    {
        "voucher_no": Col("voucher_no", "Payment"),
        "date": Col("paid_date", "Payment"),
        "purpose": Col("purpose", "Payment"),
        "amount": Col("amount", "Payment"),
        "payee": Col("name", label_from="payee_label"),
    },
)
INCOME = Query(
    "MATCH (x:Income {village_code: $v}) WHERE x.received_date STARTS WITH $month "
    "OPTIONAL MATCH (x)-[:PAID_IN_BY]->(by) "
    "RETURN x.voucher_no AS voucher_no, x.received_date AS date, x.source AS source, "
    "x.amount AS amount, CASE WHEN by IS NULL THEN 'Person' ELSE labels(by)[0] END AS payer_label, "
    "by.name AS payer ORDER BY date, voucher_no LIMIT 2000",
    {
        "voucher_no": Col("voucher_no", "Income"),
        "date": Col("received_date", "Income"),
        "source": Col("source", "Income"),
        "amount": Col("amount", "Income"),
        "payer": Col("name", label_from="payer_label"),
    },
)
CONTRACTS = Query(
    "MATCH (c:Contract {village_code: $v}) "
    "OPTIONAL MATCH (c)-[:AWARDED_TO]->(w) "
    "RETURN c.project_name AS project, c.department AS department, c.amount AS amount, "
    "c.signed AS signed, c.procurement AS procurement, c.quantity AS quantity, c.unit AS unit, "
    "c.delivered_quantity AS delivered, c.accepted AS accepted, "
    "CASE WHEN w IS NULL THEN 'Person' ELSE labels(w)[0] END AS contractor_label, "
    "w.name AS contractor ORDER BY signed, project LIMIT 1000",
    {
        "project": Col("project_name", "Contract"),
        "department": Col("department", "Contract"),
        "amount": Col("amount", "Contract"),
        "signed": Col("signed", "Contract"),
        "procurement": Col("procurement", "Contract"),
        "quantity": Col("quantity", "Contract"),
        "unit": Col("unit", "Contract"),
        "delivered": Col("delivered_quantity", "Contract"),
        "accepted": Col("accepted", "Contract"),
        "contractor": Col("name", label_from="contractor_label"),
    },
)
# The look-up: name and ID number must match the same person, in a published village.
HOUSEHOLD = Query(
    "MATCH (p:Person {id_number: $id}) WHERE p.name = $name "
    "MATCH (p)-[:MEMBER_OF]->(h:Household) WHERE h.village_code IN $villages "
    "MATCH (d:Disbursement)-[:FOR_HOUSEHOLD]->(h) MATCH (d)-[:UNDER]->(g:Program) "
    "OPTIONAL MATCH (r)-[:RECEIVED]->(d) "
    "RETURN g.name AS programme, d.amount AS amount, d.period AS period, "
    "d.paid_date AS paid_date, CASE WHEN r IS NULL THEN 'Person' ELSE labels(r)[0] END "
    "AS recipient_label, r.name AS recipient ORDER BY period DESC, programme LIMIT 2000",
    {
        "programme": Col("name", "Program"),
        "amount": Col("amount", "Disbursement"),
        "period": Col("period", "Disbursement"),
        "paid_date": Col("paid_date", "Disbursement"),
        "recipient": Col("name", label_from="recipient_label"),
    },
)
HOUSEHOLD_VILLAGE = Query(
    "MATCH (p:Person {id_number: $id}) WHERE p.name = $name "
    "OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household) "
    "RETURN coalesce(h.village_code, p.village_code) AS code LIMIT 1",
    {"code": Col("code", "Division")},
)
STUDENT_AID = Query(
    "MATCH (p:Person {id_number: $id}) WHERE p.name = $name "
    "OPTIONAL MATCH (p)-[:MEMBER_OF]->(h:Household)<-[:MEMBER_OF]-(m:Person) "
    "WITH p, collect(DISTINCT m) AS ms UNWIND ms + [p] AS s "
    "MATCH (s)-[:AIDED]->(a:StudentAid) "
    "OPTIONAL MATCH (a)-[:AT_SCHOOL]->(sc:School) "
    "OPTIONAL MATCH (a)-[:UNDER]->(g:Program) "
    "RETURN DISTINCT s.name AS student, a.year AS year, a.grade AS grade, "
    "a.category AS category, a.school_type AS stage, a.amount AS amount, sc.name AS school, "
    "collect(DISTINCT g.name) AS programmes "
    "ORDER BY year DESC, student",
    {
        "student": Col("name", "Person"),
        "year": Col("year", "StudentAid"),
        "grade": Col("grade", "StudentAid"),
        "category": Col("category", "StudentAid"),
        "stage": Col("school_type", "StudentAid"),
        "amount": Col("amount", "StudentAid"),
        "school": Col("name", "School"),
        "programmes": Col("name", "Program"),
    },
)

ALL_QUERIES: tuple[Query, ...] = (
    CHILDREN,
    ROOTS,
    ONE_DIVISION,
    VILLAGES_NAMED,
    PROGRAMMES,
    PROGRAMME_YEARS,
    PAYMENT_LIST,
    SPENDING_BY_MONTH,
    INCOME_BY_MONTH,
    SPENDING,
    INCOME,
    CONTRACTS,
    HOUSEHOLD,
    HOUSEHOLD_VILLAGE,
    STUDENT_AID,
)


class PublicReader:
    """The public site's view of the graph: published divisions only, through the policy."""

    def __init__(self, graph: Reader, prefixes: Sequence[str], timeout: float = 10.0) -> None:
        self._graph = graph
        self.prefixes = tuple(prefixes)
        self.timeout = timeout

    def run(
        self, q: Query, params: Mapping[str, Any], audience: Audience = Audience.NOTICE
    ) -> list[dict[str, Any]]:
        return present(
            self._graph.read(q.cypher, params, timeout=self.timeout), q.columns, audience
        )

    def division(self, code: str) -> dict[str, Any] | None:
        """A division a resident may browse to (published or on the way to one)."""
        if not on_the_way(code, self.prefixes):
            return None
        rows = self.run(ONE_DIVISION, {"code": code})
        return rows[0] if rows else None

    def village(self, code: str) -> dict[str, Any] | None:
        """A published village, or None (the page answers 404)."""
        if not published(code, self.prefixes):
            return None
        d = self.division(code)
        return d if d is not None and d.get("level") == "village" else None

    def children(self, code: str | None) -> list[dict[str, Any]]:
        rows = self.run(CHILDREN, {"parent": code}) if code else self.run(ROOTS, {})
        return [r for r in rows if on_the_way(str(r["code"]), self.prefixes)]

    def villages_named(self, q: str) -> list[dict[str, Any]]:
        rows = self.run(VILLAGES_NAMED, {"q": q})
        return [r for r in rows if published(str(r["code"]), self.prefixes)]

    def trail(self, code: str) -> list[dict[str, Any]]:
        """The division and those above it, county first (a breadcrumb)."""
        out: list[dict[str, Any]] = []
        cur: str | None = code
        while cur and len(out) < 6:
            d = self.division(cur)
            if d is None:
                break
            out.append(d)
            cur = d.get("parent_code") or None
        return out[::-1]

    def household(self, name: str, id_number: str) -> dict[str, Any]:
        """A matched resident's household benefits and students' aid; empty lists when
        nothing matches (the same shape either way)."""
        params = {"name": name, "id": id_number}
        where = self.run(HOUSEHOLD_VILLAGE, params)
        code = str(where[0]["code"]) if where and where[0]["code"] else ""
        if not published(code, self.prefixes):
            return {"benefits": [], "aid": []}
        benefits = self.run(HOUSEHOLD, {**params, "villages": [code]}, Audience.OWN)
        aid = self.run(STUDENT_AID, params, Audience.OWN)
        return {"benefits": benefits, "aid": aid}
