"""Masking by role, refs for navigation, and whistleblowers kept with complaint handlers."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from api.db import AuditEntry, TriageEntry
from api.policy import Role, markdown_matrix
from graph.ids import mask
from tests.api import graphdata as gd
from tests.api.harness import Api

ID_MASKED = mask(gd.P_A1)


def test_investigator_sees_identifiers_masked(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{gd.P_A1}").json()
    node = r["node"]
    assert node["key"] == ID_MASKED
    assert node["properties"]["id_number"] == ID_MASKED
    assert node["properties"]["phone"] == mask("13800138000")
    assert node["properties"]["name"] == "张三"
    assert set(node["masked"]) == {"id_number", "phone"}
    assert gd.P_A1 not in api.get("inv_a", f"/entities/{gd.P_A1}").text


def test_masked_key_is_not_a_way_in_but_the_ref_is(api: Api) -> None:
    node = api.get("inv_a", f"/entities/{gd.P_A1}").json()["node"]
    assert api.get("inv_a", f"/entities/{node['key']}").status_code == 404
    nb = api.get("inv_a", f"/entities/{node['ref']}/neighbours").json()
    assert nb["start"] == node["ref"]
    household = next(n for n in nb["nodes"] if n["label"] == "Household")
    assert api.get("inv_a", f"/entities/{household['ref']}").status_code == 200


def test_plates_accounts_and_usccs_masked_in_every_response(api: Api) -> None:
    for path in (
        f"/entities/{gd.P_A2}/neighbours",
        f"/entities/{gd.E1}",
        f"/entities/{gd.ACCOUNT}/neighbours",
    ):
        text = api.get("inv_a", path).text
        for secret in (gd.PLATE_A, gd.E1, gd.ACCOUNT, gd.P_A2):
            assert secret not in text, (path, secret)


def test_finding_explanation_masked(api: Api) -> None:
    items = api.get("inv_a", "/findings", pattern="recipient_vehicle").json()["items"]
    expl = " ".join(f["explanation"] for f in items)
    assert "李秀英" in expl
    assert gd.PLATE_A not in expl
    assert mask(gd.PLATE_A) in expl
    assert all("*" in s for f in items for s in f["subjects"])


def test_analyst_and_admin_see_identifiers(api: Api) -> None:
    for user in ("analyst_city", "admin"):
        node = api.get(user, f"/entities/{gd.P_A1}").json()["node"]
        assert node["key"] == gd.P_A1
        assert node["masked"] == []


def test_api_consumer_gets_no_personal_data(api: Api) -> None:
    node = api.get("consumer", f"/entities/{gd.P_A1}").json()["node"]
    assert "name" not in node["properties"]
    assert "name" in node["withheld"]
    assert "张三" not in api.get("consumer", f"/entities/{gd.P_A1}").text
    items = api.get("consumer", "/findings").json()["items"]
    assert all(f["explanation"] is None for f in items)


def _reporter_in(text: str) -> bool:
    return gd.REPORTER_NAME in text or gd.REPORTER_PHONE in text


@pytest.mark.parametrize("user", ["inv_a", "admin", "analyst_city"])
def test_reporter_hidden_from_everyone_else(api: Api, user: str) -> None:
    r = api.get(user, "/entities/JB-A-1")
    assert r.status_code == 200
    assert not _reporter_in(r.text)
    # Item 10 of issue 21: ``withheld`` named reporter_name only where a reporter was.
    assert not any("reporter" in w for w in r.json()["node"]["withheld"])
    nb = api.get(user, f"/entities/{gd.P_A3}/neighbours", depth=1)
    assert not _reporter_in(nb.text)
    exp = api.get(user, "/export", entity="JB-A-1", format="json")
    assert not _reporter_in(exp.content.decode())


def test_reporters_left_in_the_graph_are_sealed_at_start(api: Api) -> None:
    """graphdata writes reporters into the graph, as loads before the sealed store did:
    the API takes them out before serving, and the handler still reads them."""
    rows = api.store.read("MATCH (c:Complaint) RETURN properties(c) AS p")
    assert len(rows) == 3
    assert not any(_reporter_in(repr(r["p"])) for r in rows)
    sealed = api.services.sealed.get("Complaint", ["JB-A-1"])
    want = {"reporter_name": gd.REPORTER_NAME, "reporter_phone": gd.REPORTER_PHONE}
    assert sealed["JB-A-1"] == want


def test_reporter_shown_to_the_complaint_handler(api: Api) -> None:
    r = api.get("handler_a", "/complaints", as_of=gd.AS_OF).json()
    c = next(c for c in r["items"] if c["node"]["key"] == "JB-A-1")
    assert c["node"]["properties"]["reporter_name"] == gd.REPORTER_NAME
    assert c["node"]["properties"]["reporter_phone"] == gd.REPORTER_PHONE
    inv = api.get("inv_a", "/complaints", as_of=gd.AS_OF)
    assert not _reporter_in(inv.text)


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (c:Complaint) RETURN c.reporter_name",
        "MATCH (c:Complaint) RETURN c.`reporter_phone`",
        "MATCH (c:Complaint) RETURN c['reporter' + '_name']",
        "MATCH (c:Complaint) WITH c, keys(c) AS ks UNWIND ks AS k RETURN c[k]",
        "MATCH (c:Complaint) RETURN [k IN keys(c) | properties(c)[k]]",
        "MATCH (c:Complaint) RETURN toJSON(c)",
        "MATCH (c:Complaint) WHERE c.reporter_name STARTS WITH '举' RETURN count(c)",
    ],
)
def test_query_cannot_read_the_reporter(api: Api, cypher: str) -> None:
    r = api.post("analyst_city", "/query", {"cypher": cypher})
    assert r.status_code in (400, 403), r.text
    assert not _reporter_in(r.text)


def test_query_results_lose_confidential_keys(api: Api) -> None:
    for cypher in (
        "MATCH (c:Complaint {complaint_id: 'JB-A-1'}) RETURN c",
        "MATCH (c:Complaint {complaint_id: 'JB-A-1'}) RETURN properties(c) AS p",
        "MATCH (c:Complaint {complaint_id: 'JB-A-1'}) RETURN c {.*} AS p",
        "MATCH (c:Complaint {complaint_id: 'JB-A-1'}) RETURN [c] AS cs, labels(c)[0] AS l",
    ):
        r = api.post("analyst_city", "/query", {"cypher": cypher})
        assert r.status_code == 200, (cypher, r.text)
        assert not _reporter_in(r.text), cypher


def test_reporter_never_in_logs_or_audit(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.get("handler_a", "/complaints", as_of=gd.AS_OF)
    api.get("handler_a", "/entities/JB-A-1")
    api.get("handler_a", "/search", q="JB-A-1")
    api.post("analyst_city", "/query", {"cypher": "MATCH (c:Complaint) RETURN c"})
    api.get("admin", "/export", entity="JB-A-1", format="xlsx")
    assert not _reporter_in(caplog.text)
    with api.db.session() as s:
        dump = repr([(e.params, e.returned_keys, e.purpose) for e in s.scalars(select(AuditEntry))])
        dump += repr([(t.note,) for t in s.scalars(select(TriageEntry))])
    assert not _reporter_in(dump)


def test_docs_print_the_role_matrix() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert markdown_matrix() in doc, "regenerate the matrix in docs/api.md"
    for role in Role:
        assert role.value in doc


def test_voucher_and_contract_numbers_are_not_masked(api: Api) -> None:
    """Only identifier classes are masked: a voucher or contract number in a finding's
    subjects and explanation reads as in the graph; the company's USCC stays masked."""
    from graph.queries import detect

    api.store.write("MATCH (p:Payment {voucher_no: $v}) SET p.booked = false", {"v": gd.VOUCHER})
    try:
        detect(api.store, ["unbooked_payment"], as_of=gd.AS_OF)
        items = api.get("inv_a", "/findings", pattern="unbooked_payment").json()["items"]
        assert len(items) == 1
        f = items[0]
        assert gd.VOUCHER in f["subjects"]
        assert gd.CONTRACT in f["subjects"]
        assert mask(gd.E1) in f["subjects"]
        assert gd.VOUCHER in f["explanation"]
        detail = api.get("inv_a", f"/findings/{f['finding_id']}").text
        assert gd.E1 not in detail
        node = api.get("inv_a", f"/entities/{f['ref']}").json()["node"]
        assert gd.VOUCHER in node["properties"]["subjects"]
        assert mask(gd.E1) in node["properties"]["subjects"]
        assert gd.VOUCHER in node["properties"]["explanation"]
        exported = api.get("inv_a", "/export", finding=f["finding_id"], format="json").text
        assert gd.VOUCHER in exported
        assert gd.E1 not in exported
    finally:
        api.store.write("MATCH (f:Finding {pattern: 'unbooked_payment'}) DETACH DELETE f")
        api.store.write("MATCH (p:Payment {voucher_no: $v}) SET p.booked = true", {"v": gd.VOUCHER})


def _resolved(api: Api, user: str) -> dict[str, Any]:
    nb = api.get(user, f"/entities/{gd.P_A1}/neighbours", depth=1)
    assert nb.status_code == 200, nb.text
    link = next(r for r in nb.json()["relationships"] if r["type"] == "RESOLVED_TO")
    return {"text": nb.text, "features": json.loads(link["properties"]["features"])}


def test_resolution_features_masked_and_scoped(api: Api) -> None:
    """Issue 21, item 4: the runner-up's ID number (county B) and the employer's USCC were
    returned unmasked to an investigator of county A, in neighbours and exports."""
    inv = _resolved(api, "inv_a")
    assert "runner_up" not in {f["feature"] for f in inv["features"]}  # outside A: dropped
    employer = next(f for f in inv["features"] if f["feature"] == "employer")
    assert employer["detail"] == mask(gd.E1)
    for secret in (gd.P_B2, mask(gd.P_B2), gd.E1):
        assert secret not in inv["text"]
    for fmt in ("json", "csv", "graphml", "ftm"):
        exp = api.get("inv_a", "/export", entity=gd.MENTION, format=fmt, depth=1)
        assert exp.status_code == 200, (fmt, exp.text)
        body = exp.content.decode("utf-8", "replace")
        assert gd.P_B2 not in body, fmt
        assert gd.E1 not in body, fmt
    # An analyst of county A sees identifiers, but not a candidate from county B.
    analyst = _resolved(api, "analyst_a")["features"]
    assert [f["feature"] for f in analyst] == ["name", "employer"]
    assert analyst[1]["detail"] == gd.E1
    # Whoever sees every division sees the runner-up.
    admin = _resolved(api, "admin")["features"]
    assert {"feature": "runner_up", "level": "similar", "bits": 1.2, "detail": gd.P_B2} in admin


def test_mention_context_masked(api: Api) -> None:
    r = api.get("inv_a", f"/entities/{quote(gd.MENTION, safe='')}")
    assert r.status_code == 200, r.text
    context = r.json()["node"]["properties"]["context"]
    assert gd.E1 not in context
    assert mask(gd.E1) in context


def test_student_aid_key_masked(api: Api) -> None:
    """Issue 21, item 6: the StudentAid key ``<ID number>|<year>`` was never masked."""
    aid = f"{gd.P_A4}|2023"
    api.store.write(
        "MATCH (p:Person {id_number: $p}) "
        "CREATE (p)-[:AIDED]->(:StudentAid {aid_id: $aid, year: '2023', grade: '初一'})",
        {"p": gd.P_A4, "aid": aid},
    )
    try:
        nb = api.get("inv_a", f"/entities/{gd.P_A4}/neighbours", depth=1)
        assert nb.status_code == 200, nb.text
        shown = next(n for n in nb.json()["nodes"] if n["label"] == "StudentAid")
        assert shown["key"] == mask(aid)
        assert shown["properties"]["aid_id"] == mask(aid)
        assert gd.P_A4 not in nb.text
        for fmt in ("json", "csv", "graphml", "xlsx"):
            exp = api.get("inv_a", "/export", entity=gd.P_A4, format=fmt, depth=1)
            assert exp.status_code == 200, (fmt, exp.text)
            if fmt != "xlsx":
                assert gd.P_A4 not in exp.content.decode("utf-8", "replace"), fmt
        full = api.get("admin", f"/entities/{gd.P_A4}/neighbours", depth=1).json()
        assert aid in {n["key"] for n in full["nodes"]}
    finally:
        api.store.write("MATCH (a:StudentAid {aid_id: $aid}) DETACH DELETE a", {"aid": aid})
        api.services.resolver.clear()
