"""enterprises and enterprise_roles: the market-entity registry and its people.

Graph (enterprises): ``(:Enterprise {uscc, name, name_norm, legal_rep_name, kind,
industry, address, phone, established, status, deregistered, registered_capital})``
and ``(:Person | :Mention)-[:LEGAL_REP_OF]->(Enterprise)``; a legal representative
named without an ID is a Mention (context: the enterprise's name, address, phone).
Graph (enterprise_roles): ``(:Person | :Mention)-[:ROLE_IN {role, share_ratio,
valid_from, valid_to}]->(:Enterprise)``, one relationship per role and term (the
registry's change records date them; no start means since the enterprise was
established, no end means current). A row whose role is 法定代表人 is a dated
``LEGAL_REP_OF`` instead.
"""

from __future__ import annotations

import re

from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_order, mention, name_norm, person
from graph.loaders.validate import Record

_CLOSED = ("注销", "吊销")
_LEGAL_REP = "法定代表人"


def build_enterprise(rec: Record, ctx: Context, b: Batch) -> None:
    check_order(rec, "established", "deregistered", "deregistered_before_established")
    if rec["status"] in _CLOSED and not rec["deregistered"]:
        rec.warn("no_deregistration_date", "deregistered", f"status {rec['status']}")
    if rec["status"] == "存续" and rec["deregistered"]:
        rec.warn("deregistered_but_active", "deregistered")
    uscc = rec["uscc"]
    props = {
        "name": rec["name"],
        "name_norm": name_norm(rec["name"]),
        **{
            c: rec[c]
            for c in (
                "legal_rep_name",
                "kind",
                "industry",
                "address",
                "phone",
                "established",
                "status",
                "deregistered",
                "registered_capital",
            )
        },
        **rec.extra,
    }
    code = industry_code(rec["industry"])
    if code:
        props["industry_code"] = code
    b.upsert("Enterprise", uscc, props, src=rec.src, warnings=rec.warning_texts())
    if rec["legal_rep_id_number"]:
        rep = person(b, rec, rec["legal_rep_id_number"], rec["legal_rep_name"])
    else:
        rep = mention(
            b,
            rec,
            "legal_rep_name",
            {"employer": rec["name"], "address": rec["address"], "phone": rec["phone"]},
        )
    b.rel("LEGAL_REP_OF", rep, ("Enterprise", uscc), src=rec.src)


_INDUSTRY_CODE = re.compile(r"^\s*([A-T])?\s*(\d{2,4})(?!\d)")


def industry_code(text: str | None) -> str | None:
    """The GB/T 4754 code an industry cell carries (section letter dropped), if any.

    >>> industry_code("H6210 正餐服务"), industry_code("6210"), industry_code("正餐服务")
    ('6210', '6210', None)
    """
    if not text:
        return None
    m = _INDUSTRY_CODE.match(text)
    return m.group(2) if m else None


def build_role(rec: Record, ctx: Context, b: Batch) -> None:
    check_order(rec, "start", "end", "role_ended_before_it_started")
    uscc = rec["uscc"]
    b.ref("Enterprise", uscc, src=rec.src)
    if rec["person_id_number"]:
        who = person(b, rec, rec["person_id_number"], rec["person_name"])
    else:
        who = mention(b, rec, "person_name", {"enterprise": uscc})
    dates = {"valid_from": rec["start"], "valid_to": rec["end"]}
    if rec["role"] == _LEGAL_REP:
        # A change record naming a (former) legal representative: dated LEGAL_REP_OF,
        # beside the undated one enterprises.csv gives its current representative.
        b.rel(
            "LEGAL_REP_OF",
            who,
            ("Enterprise", uscc),
            {**dates, **rec.extra},
            merge_on=("valid_from",),
            src=rec.src,
            warnings=rec.warning_texts(),
        )
        return
    props = {"role": rec["role"], "share_ratio": rec["share_ratio"], **dates, **rec.extra}
    # A person can hold one role twice (sold out, bought back): terms told apart by start.
    b.rel(
        "ROLE_IN",
        who,
        ("Enterprise", uscc),
        props,
        merge_on=("role", "valid_from"),
        src=rec.src,
        warnings=rec.warning_texts(),
    )


BUILDERS: dict[str, Builder] = {"enterprises": build_enterprise, "enterprise_roles": build_role}
