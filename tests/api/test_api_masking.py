"""Masking by role, refs for navigation, and whistleblowers kept with complaint handlers."""

from __future__ import annotations

import logging

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
    assert "reporter_name" in r.json()["node"]["withheld"]
    nb = api.get(user, f"/entities/{gd.P_A3}/neighbours", depth=1)
    assert not _reporter_in(nb.text)
    exp = api.get(user, "/export", entity="JB-A-1", format="json")
    assert not _reporter_in(exp.content.decode())


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
