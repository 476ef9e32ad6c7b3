"""Small hand-built graphs with known answers, like networkx's ``karate_club_graph``.

:func:`collusion_county` builds a few ordinary villages and one planted collusion ring: a
village party secretary, his declared wife and brother-in-law, two front companies that
share a phone and an address, contracts of his village awarded to them, and findings and
a complaint about them. Tests, doctests and notebooks use it through
:meth:`Projection.from_records <graph.algorithms.projection.Projection.from_records>` or,
written to a store with :func:`load_records`, through :func:`~graph.algorithms.project`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from graph import schema as sch
from graph.store.base import GraphStore, WriteSummary

__all__ = ["RING_KEYS", "collusion_county", "load_records"]

Node = tuple[str, str, dict[str, Any]]
Rel = tuple[str, str, str, dict[str, Any]]

#: Natural keys of the planted ring's members (persons, companies, contracts).
RING_KEYS = (
    "430422196501011234",
    "430422196803032345",
    "430422197005053456",
    "91430422MA4L000010",
    "91430422MA4L000020",
    "HT-2023-R1",
    "HT-2023-R2",
    "HT-2023-R3",
)


def _pid(village: int, i: int) -> str:
    return f"4304221980{village:02d}{i:04d}X"[:18]


def collusion_county(
    villages: int = 6, people: int = 40, seed: int = 0
) -> tuple[list[Node], list[Rel]]:
    """A county of ordinary villages plus one planted collusion ring, as records.

    Returns ``(nodes, relationships)``: nodes ``(label, key, props)``, relationships
    ``("Label:key", TYPE, "Label:key", props)``.

    >>> nodes, rels = collusion_county(villages=3, people=10)
    >>> sum(1 for n in nodes if n[0] == "Contract"), sum(1 for r in rels if r[1] == "HOLDS")
    (8, 4)
    """
    rnd = random.Random(seed)
    nodes: list[Node] = []
    rels: list[Rel] = []
    fam = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]
    for v in range(villages):
        code = f"430422101{v + 201:03d}"
        nodes.append(("Division", code, {"name": f"第{v + 1}村", "level": "village"}))
        post = f"第{v + 1}村委会|村主任|{code}"
        nodes.append(("Post", post, {"position": "村主任", "kind": "village_cadre"}))
        members = []
        for i in range(people):
            pid = _pid(v, i)
            members.append(pid)
            nodes.append(
                (
                    "Person",
                    pid,
                    {
                        "name": f"{rnd.choice(fam)}{v}{i}",
                        "village_code": code,
                        "phone": f"138{v:02d}{i:06d}",
                    },
                )
            )
            hh = f"H{v:02d}{i // 4:03d}"
            rels.append((f"Person:{pid}", "MEMBER_OF", f"Household:{hh}", {}))
            if i % 4 == 0:
                nodes.append(("Household", hh, {"village_code": code}))
                rels.append((f"Household:{hh}", "LIVES_IN", f"Division:{code}", {}))
        rels.append((f"Person:{members[0]}", "HOLDS", f"Post:{post}", {"valid_from": "2018-01-01"}))
        for i in range(0, people, 3):  # livelihood payments to every third villager
            rec = f"D{v:02d}{i:04d}"
            nodes.append(("Disbursement", rec, {"village_code": code, "amount": 30000}))
            rels.append((f"Person:{members[i]}", "RECEIVED", f"Disbursement:{rec}", {}))
            rels.append(
                (f"Disbursement:{rec}", "FOR_HOUSEHOLD", f"Household:H{v:02d}{i // 4:03d}", {})
            )
        for _ in range(people // 2):  # neighbours and kin: the village hangs together
            a, b = rnd.sample(members, 2)
            rels.append((f"Person:{a}", "RELATIVE_OF", f"Person:{b}", {"relation": "亲属"}))
        firm = f"9143042200000{v:04d}X"[:18]
        nodes.append(
            (
                "Enterprise",
                firm,
                {"name": f"第{v + 1}建筑队", "phone": "07318888000", "address": f"县城路{v}号"},
            )
        )
        rels.append((f"Person:{members[5]}", "LEGAL_REP_OF", f"Enterprise:{firm}", {}))
        for c in range(2 if v else 1):
            cid = f"HT-2023-{v:02d}{c}"
            nodes.append(
                (
                    "Contract",
                    cid,
                    {
                        "project_name": f"第{v + 1}村道路{c}",
                        "amount": rnd.randrange(50_000, 200_000) * 100,
                        "village_code": code,
                    },
                )
            )
            rels.append((f"Contract:{cid}", "AWARDED_TO", f"Enterprise:{firm}", {}))
            rels.append((f"Contract:{cid}", "IN_DIVISION", f"Division:{code}", {}))
        if v == 1:  # an ordinary finding elsewhere, so that findings alone do not decide
            fid = "F-other"
            nodes.append(
                ("Finding", fid, {"severity": "low", "status": "new", "title": "车辆与低保"})
            )
            rels.append((f"Finding:{fid}", "CONCERNS", f"Person:{members[3]}", {}))
    _plant_ring(nodes, rels)
    return nodes, rels


def _plant_ring(nodes: list[Node], rels: list[Rel]) -> None:
    code = "430422101201"
    sec, wife, bro, co1, co2, *contracts = RING_KEYS
    post = f"第1村党支部|书记|{code}"
    nodes += [
        ("Post", post, {"position": "村党支部书记", "kind": "village_cadre"}),
        ("Person", sec, {"name": "周建国", "village_code": code, "phone": "13900000001"}),
        ("Person", wife, {"name": "吴秀英", "village_code": code, "phone": "13900000002"}),
        ("Person", bro, {"name": "吴志强", "village_code": code, "phone": "13900000003"}),
        (
            "Enterprise",
            co1,
            {"name": "宏达建筑有限公司", "phone": "13900000003", "address": "城关镇建设路8号"},
        ),
        (
            "Enterprise",
            co2,
            {"name": "鑫盛劳务有限公司", "phone": "13900000003", "address": "城关镇建设路8号"},
        ),
    ]
    rels += [
        (f"Person:{sec}", "HOLDS", f"Post:{post}", {"valid_from": "2016-01-01"}),
        (f"Person:{sec}", "RELATIVE_OF", f"Person:{wife}", {"relation": "配偶"}),
        (f"Person:{sec}", "RELATIVE_OF", f"Person:{bro}", {"relation": "配偶的兄弟"}),
        (f"Person:{wife}", "ROLE_IN", f"Enterprise:{co1}", {"role": "股东", "share_ratio": 0.6}),
        (f"Person:{bro}", "LEGAL_REP_OF", f"Enterprise:{co1}", {}),
        (f"Person:{bro}", "LEGAL_REP_OF", f"Enterprise:{co2}", {}),
    ]
    for i, cid in enumerate(contracts):
        nodes.append(
            (
                "Contract",
                cid,
                {
                    "project_name": f"第1村水利工程{i + 1}",
                    "amount": (980_000 + 10_000 * i) * 100,
                    "village_code": code,
                },
            )
        )
        rels += [
            (f"Contract:{cid}", "AWARDED_TO", f"Enterprise:{co1 if i % 2 == 0 else co2}", {}),
            (f"Contract:{cid}", "APPROVED_BY", f"Person:{sec}", {}),
            (f"Contract:{cid}", "IN_DIVISION", f"Division:{code}", {}),
        ]
    findings = [
        ("F-ring-1", "high", [sec, co1]),
        ("F-ring-2", "high", [bro, co2]),
        ("F-ring-3", "medium", [co1, co2]),
    ]
    for fid, sev, subjects in findings:
        nodes.append(("Finding", fid, {"severity": sev, "status": "new", "title": "亲属承揽工程"}))
        for s in subjects:
            label = "Person" if s[0].isdigit() and len(s) == 18 and s[:2] == "43" else "Enterprise"
            rels.append((f"Finding:{fid}", "CONCERNS", f"{label}:{s}", {}))
    nodes.append(("Complaint", "TS-2023-001", {"summary": "村书记亲属包揽工程"}))
    rels.append(("Complaint:TS-2023-001", "ABOUT", f"Person:{sec}", {}))


def load_records(
    store: GraphStore, nodes: Iterable[Node], relationships: Iterable[Rel]
) -> WriteSummary:
    """Write records to a store with ``UNWIND`` batches, one statement per label / type."""
    total = WriteSummary()
    by_label: dict[str, list[dict[str, Any]]] = {}
    for label, key, props in nodes:
        by_label.setdefault(label, []).append({"key": key, "props": props})
    for label, rows in by_label.items():
        kp = sch.node(label).key
        q = f"UNWIND $rows AS row MERGE (n:{label} {{{kp}: row.key}}) SET n += row.props"
        total.add(store.write_batches(q, rows))
    by_type: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for a, t, b, props in relationships:
        (la, ka), (lb, kb) = a.split(":", 1), b.split(":", 1)
        by_type.setdefault((t, la, lb), []).append({"a": ka, "b": kb, "props": props})
    for (t, la, lb), rows in by_type.items():
        sch.relationship(t)
        q = (
            f"UNWIND $rows AS row MATCH (a:{la} {{{sch.node(la).key}: row.a}}) "
            f"MATCH (b:{lb} {{{sch.node(lb).key}: row.b}}) "
            f"CREATE (a)-[r:{t}]->(b) SET r += row.props"
        )
        total.add(store.write_batches(q, rows))
    return total
