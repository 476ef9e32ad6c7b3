"""The publication policy, property-based: graphs with random values in every field (on the
embedded engine), every public page fetched, and no response may hold an identifier, a
confidential or street-address value, a person's full name, or anything of a village
outside the published divisions. Free text (purposes, project names, sources, enterprise
names) sometimes carries an identifier of the graph inside it, as a clerk may type one."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from api.db import Database
from graph.ids import resident_id_check_char, uscc_check_char
from graph.store import GraphStore
from public.app import create_public_app
from tests.public.conftest import public_settings
from tests.shapes import OpenEngine

COUNTY, TOWN, VILLAGE = "430428", "430428001", "430428001001"
HIDDEN_TOWN, HIDDEN = "430428101", "430428101001"
NAME_CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
TEXT_CHARS = st.characters(
    codec="utf-8",
    exclude_characters=NAME_CHARS,
    exclude_categories=("Cs", "Cc"),  # surrogates and control characters
)


@dataclass
class Secrets:
    """What must never appear, and what must not appear unmasked."""

    values: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


id_numbers = st.builds(
    lambda area, born, seq: (lambda b: b + resident_id_check_char(b))(area + born + seq),
    st.just("430428"),
    st.sampled_from(["19500101", "19781231", "19990615", "20120304"]),
    digits(3),
)
phones = st.builds(lambda d: "1" + d, digits(10))
accounts = st.builds(lambda d: "62" + d, digits(16))
usccs = st.builds(
    lambda org: (lambda b: b + uscc_check_char(b))("91430428" + org),
    st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
)
names = st.text(NAME_CHARS, min_size=2, max_size=4)
texts = st.text(TEXT_CHARS, min_size=1, max_size=30)


@st.composite
def free_text(draw: st.DrawFn, secrets: list[str]) -> str:
    """Random text, sometimes with one of the graph's identifiers typed into it."""
    t = draw(texts)
    if secrets and draw(st.booleans()):
        t = t + " " + draw(st.sampled_from(secrets)) + " " + draw(texts)
    return t


@st.composite
def village_data(draw: st.DrawFn, code: str, tag: str = "") -> dict[str, Any]:
    """One village's registers; ``tag`` starts its free texts, so that another village's
    text is told apart from this one's."""
    n = draw(st.integers(1, 3))
    people = [
        {
            "id": draw(id_numbers),
            "name": draw(names),
            "phone": draw(phones),
            "address": "住址" + draw(texts),
            "household": code + draw(digits(4)),
            "account": draw(accounts),
        }
        for _ in range(n)
    ]
    ids = list({p["id"] for p in people})
    people = [next(p for p in people if p["id"] == i) for i in ids]
    firms = [
        {
            "uscc": draw(usccs),
            "phone": draw(phones),
            "rep": draw(names),
            "address": "地址" + draw(texts),
        }
        for _ in range(draw(st.integers(1, 2)))
    ]
    secrets = [p["id"] for p in people] + [p["phone"] for p in people]
    secrets += [p["account"] for p in people] + [f["uscc"] for f in firms]
    for f in firms:
        f["name"] = tag + draw(free_text(secrets))
    month = st.sampled_from(["2023-01", "2023-02", "2024-07"])
    paid = [
        {
            "record": code + "R" + draw(digits(8)),
            "who": draw(st.sampled_from(people)),
            "programme": tag + draw(free_text(secrets)),
            "pcode": draw(st.sampled_from(["DB01", "TK01", "CJ02"])),
            "amount": draw(st.integers(0, 10**9)),
            "period": draw(month),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    payments = [
        {
            "no": "PZ" + code[-6:] + draw(digits(6)),
            "purpose": tag + draw(free_text(secrets)),
            "amount": draw(st.integers(0, 10**9)),
            "day": draw(month) + "-1" + draw(digits(1)),
            "to_person": draw(st.booleans()),
            "person": draw(st.sampled_from(people)),
            "firm": draw(st.sampled_from(firms)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    incomes = [
        {
            "no": "SR" + code[-6:] + draw(digits(6)),
            "source": tag + draw(free_text(secrets)),
            "amount": draw(st.integers(0, 10**9)),
            "day": draw(month) + "-2" + draw(digits(1)),
            "from_person": draw(st.booleans()),
            "person": draw(st.sampled_from(people)),
            "firm": draw(st.sampled_from(firms)),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    contracts = [
        {
            "id": "HT" + code[-6:] + draw(digits(8)),
            "project": tag + draw(free_text(secrets)),
            "amount": draw(st.integers(0, 10**10)),
            "signed": draw(month) + "-05",
            "to_person": draw(st.booleans()),
            "person": draw(st.sampled_from(people)),
            "firm": draw(st.sampled_from(firms)),
            "unit": draw(texts),
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    aid = {
        "student": draw(st.sampled_from(people)),
        "school": tag + draw(free_text(secrets)),
        "category": draw(texts),
        "amount": draw(st.integers(0, 10**6)),
    }
    complaint = {"reporter": draw(names), "phone": draw(phones), "summary": draw(texts)}
    return {
        "code": code,
        "people": people,
        "firms": firms,
        "paid": paid,
        "payments": payments,
        "incomes": incomes,
        "contracts": contracts,
        "aid": aid,
        "complaint": complaint,
    }


def write_village(store: GraphStore, v: dict[str, Any], town: str) -> None:
    code = v["code"]
    w = store.write
    w(
        "MERGE (d:Division {code: $code}) SET d.name = $name, d.level = 'village', "
        "d.parent_code = $town",
        {"code": code, "name": "村" + code[-3:], "town": town},
    )
    for p in v["people"]:
        w(
            "CREATE (p:Person {id_number: $id, name: $name, phone: $phone, address: $address, "
            "village_code: $v}) "
            "MERGE (h:Household {household_id: $h}) SET h.village_code = $v, h.address = $address "
            "CREATE (p)-[:MEMBER_OF]->(h)",
            {**p, "h": p["household"], "v": code},
        )
    for f in v["firms"]:
        w(
            "MERGE (e:Enterprise {uscc: $uscc}) SET e.name = $name, e.phone = $phone, "
            "e.legal_rep_name = $rep, e.address = $address",
            f,
        )
    for d in v["paid"]:
        w(
            "MERGE (g:Program {program_code: $pcode}) SET g.name = $programme "
            "CREATE (d:Disbursement {record_id: $record, program_code: $pcode, amount: $amount, "
            "period: $period, paid_date: $period + '-10', household_id: $h, village_code: $v}) "
            "CREATE (d)-[:UNDER]->(g) WITH d "
            "MATCH (p:Person {id_number: $pid}) CREATE (p)-[:RECEIVED]->(d) WITH d "
            "MATCH (h:Household {household_id: $h}) CREATE (d)-[:FOR_HOUSEHOLD]->(h) WITH d "
            "MERGE (a:BankAccount {account_no: $account}) CREATE (d)-[:INTO_ACCOUNT]->(a)",
            {
                **d,
                "pid": d["who"]["id"],
                "h": d["who"]["household"],
                "account": d["who"]["account"],
                "v": code,
            },
        )
    for x in v["payments"]:
        to = (
            ("Person", "id_number", x["person"]["id"])
            if x["to_person"]
            else ("Enterprise", "uscc", x["firm"]["uscc"])
        )
        w(
            "CREATE (x:Payment {voucher_no: $no, payer_code: $v, amount: $amount, "
            "paid_date: $day, purpose: $purpose}) WITH x "
            f"MATCH (t:{to[0]} {{{to[1]}: $to}}) CREATE (x)-[:PAID_TO]->(t) WITH x "
            "MATCH (d:Division {code: $v}) CREATE (x)-[:PAID_BY]->(d)",
            {**x, "v": code, "to": to[2]},
        )
    for x in v["incomes"]:
        by = (
            ("Person", "id_number", x["person"]["id"])
            if x["from_person"]
            else ("Enterprise", "uscc", x["firm"]["uscc"])
        )
        w(
            "CREATE (x:Income {voucher_no: $no, village_code: $v, amount: $amount, "
            "received_date: $day, source: $source}) WITH x "
            f"MATCH (t:{by[0]} {{{by[1]}: $by}}) CREATE (x)-[:PAID_IN_BY]->(t)",
            {**x, "v": code, "by": by[2]},
        )
    for c in v["contracts"]:
        to = (
            ("Person", "id_number", c["person"]["id"])
            if c["to_person"]
            else ("Enterprise", "uscc", c["firm"]["uscc"])
        )
        w(
            "CREATE (c:Contract {contract_id: $id, project_name: $project, village_code: $v, "
            "amount: $amount, signed: $signed, quantity: 2.5, unit: $unit, "
            "delivered_quantity: 2.0, accepted: $signed}) WITH c "
            f"MATCH (t:{to[0]} {{{to[1]}: $to}}) CREATE (c)-[:AWARDED_TO]->(t)",
            {**c, "v": code, "to": to[2]},
        )
    a = v["aid"]
    w(
        "MATCH (p:Person {id_number: $pid}) "
        "CREATE (p)-[:AIDED]->(s:StudentAid {aid_id: $pid + '|2023-2024', year: '2023-2024', "
        "category: $category, amount: $amount, household_id: $h, policies: ['JY01']}) "
        "MERGE (sc:School {name: $school}) CREATE (s)-[:AT_SCHOOL]->(sc)",
        {**a, "pid": a["student"]["id"], "h": a["student"]["household"]},
    )
    k = v["complaint"]
    w(
        "CREATE (k:Complaint {complaint_id: $id, village_code: $v, summary: $summary, "
        "reporter_name: $reporter, reporter_phone: $phone})",
        {**k, "id": "JB-" + code, "v": code},
    )


def secrets_of(v: dict[str, Any], hidden: bool) -> Secrets:
    s = Secrets()
    for p in v["people"]:
        s.values |= {p["id"], p["phone"], p["account"], p["household"], p["address"]}
        s.names.add(p["name"])
    for f in v["firms"]:
        s.values |= {f["uscc"], f["phone"], f["address"]}
        s.names.add(f["rep"])
    s.values |= {d["record"] for d in v["paid"]}
    s.values |= {v["complaint"]["reporter"], v["complaint"]["phone"]}
    s.values |= {x["id"] for x in v["contracts"]}
    if hidden:
        # Programmes and schools are the county's (shared by villages): not in this list.
        s.hidden |= {x["no"] for x in v["payments"] + v["incomes"]}
        s.hidden |= {
            t.strip()
            for t in [x["purpose"] for x in v["payments"]]
            + [c["project"] for c in v["contracts"]]
            + [f["name"] for f in v["firms"]]
            if t.strip()
        }
        shared = [d["programme"] for d in v["paid"]] + [v["aid"]["school"]]
        s.hidden = {t for t in s.hidden if not any(t in x for x in shared)}
    return s


@pytest.fixture(scope="module")
def prop_site(
    open_engine: OpenEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[GraphStore, TestClient]]:
    store = open_engine("embedded", "public_prop")
    tmp: Path = tmp_path_factory.mktemp("public_prop")
    db = Database(f"sqlite:///{tmp / 'api.db'}")
    db.create()
    app = create_public_app(public_settings(tmp, public_divisions=TOWN), store=store, db=db)
    with TestClient(app) as client:
        yield store, client
    store.clear()
    store.close()
    db.dispose()


def pages(client: TestClient, v: dict[str, Any]) -> list[tuple[str, str]]:
    code = v["code"]
    out = []
    for path in ("/", f"/d/{COUNTY}", f"/d/{TOWN}", f"/v/{code}"):
        out.append((path, client.get(path).text))
    village = out[-1][1]
    for period in sorted({d["period"] for d in v["paid"]}):
        out.append((f"list {period}", client.get(f"/v/{code}/list?period={period}").text))
    for m in sorted(set(re.findall(r"finance\?month=(\d{4}-\d{2})", village))):
        out.append((f"finance {m}", client.get(f"/v/{code}/finance?month={m}").text))
    items = set(re.findall(r"item=([^\"&]+)", "".join(t for _, t in out)))
    for item in sorted(items):
        out.append((f"report {item}", client.get(f"/report?village={code}&item={item}").text))
    out.append(("search", client.get("/search", params={"q": "村"}).text))
    for p in v["people"]:
        got = client.post("/lookup", data={"name": p["name"], "id_number": p["id"]}).text
        out.append((f"lookup {p['name']}", got))
    return out


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shown=village_data(VILLAGE), hidden=village_data(HIDDEN, tag="别村"))
def test_no_public_response_holds_an_identifier(
    prop_site: tuple[GraphStore, TestClient], shown: dict[str, Any], hidden: dict[str, Any]
) -> None:
    store, client = prop_site
    keys = {p["id"] for p in shown["people"]} | {f["uscc"] for f in shown["firms"]}
    assume(not keys & ({p["id"] for p in hidden["people"]} | {f["uscc"] for f in hidden["firms"]}))
    households = {p["household"] for p in shown["people"] + hidden["people"]}
    assume(len(households) == len(shown["people"]) + len(hidden["people"]))
    store.clear()
    store.write(
        "CREATE (:Division {code: $c, name: '测试县', level: 'county'}), "
        "(:Division {code: $t, name: '测试镇', level: 'township', parent_code: $c}), "
        "(:Division {code: $h, name: '别的镇', level: 'township', parent_code: $c})",
        {"c": COUNTY, "t": TOWN, "h": HIDDEN_TOWN},
    )
    write_village(store, shown, TOWN)
    write_village(store, hidden, HIDDEN_TOWN)
    client.app.state.site.cache.clear()  # type: ignore[attr-defined]
    forbidden = secrets_of(shown, hidden=False)
    other = secrets_of(hidden, hidden=True)
    responses = pages(client, shown)
    assert client.get(f"/v/{HIDDEN}").status_code == 404
    village_page = dict(responses)[f"/v/{VILLAGE}"]
    assert "工程项目" in village_page
    for where, raw in responses:
        text = html.unescape(raw)
        for value in forbidden.values | other.values | other.hidden:
            assert value not in text, (where, value)
        for name in forbidden.names | other.names:
            assert f">{name}<" not in raw, (where, name)
            if len(name) >= 2:
                assert name not in text, (where, name)
