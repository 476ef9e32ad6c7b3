"""Every person look-up and every export is audited: who, when, why, and what came back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from api.db import AuditEntry
from api.users import add_user
from tests.api import graphdata as gd
from tests.api.harness import Api


@pytest.mark.parametrize(
    ("path", "params", "endpoint", "must_return"),
    [
        (f"/entities/{gd.P_A1}", {}, "/api/v1/entities/{ident}", f"Person:{gd.P_A1}"),
        (
            f"/entities/{gd.P_A1}/neighbours",
            {},
            "/api/v1/entities/{ident}/neighbours",
            "Household:HA1",
        ),
        ("/search", {"q": "张三"}, "/api/v1/search", f"Person:{gd.P_A1}"),
        ("/paths", {"from": gd.P_A3, "to": gd.E1}, "/api/v1/paths", f"Enterprise:{gd.E1}"),
        ("/export", {"entity": gd.P_A1, "format": "csv"}, "/api/v1/export", f"Person:{gd.P_A1}"),
        (
            f"/entities/{gd.P_A1}/dossier",
            {},
            "/api/v1/entities/{ident}/dossier",
            f"Person:{gd.P_A1}",
        ),
    ],
)
def test_lookups_and_exports_are_audited(
    api: Api, path: str, params: dict[str, str], endpoint: str, must_return: str
) -> None:
    r = api.get("inv_a", path, purpose="案件 2024-07 线索核查", **params)
    assert r.status_code == 200, r.text
    row = api.last_audit(endpoint)
    assert row.user_name == "inv_a"
    assert row.role == "investigator"
    assert row.purpose == "案件 2024-07 线索核查"
    assert row.status == 200
    assert must_return in row.returned_keys
    assert row.at
    assert row.method == "GET"
    for k, v in params.items():
        assert row.params[k] == v


@pytest.mark.parametrize(
    "path", [f"/entities/{gd.P_A1}", "/search?q=x", f"/export?entity={gd.P_A1}", "/complaints"]
)
def test_purpose_is_required(api: Api, path: str) -> None:
    r = api.client.get(f"/api/v1{path}", headers=api.headers("inv_a", purpose=None))
    assert r.status_code == 428
    assert "X-Purpose" in r.json()["error"]
    assert api.last_audit("/api/v1" + path.split("?")[0].replace(gd.P_A1, "{ident}")).status == 428


def test_export_of_on_screen_nodes_audited(api: Api) -> None:
    ref = api.ref("inv_a", "Person", gd.P_A1)
    r = api.post("inv_a", "/export", {"nodes": [ref], "format": "csv"}, purpose="案件 2024-09")
    assert r.status_code == 200, r.text
    row = api.last_audit("/api/v1/export")
    assert row.method == "POST"
    assert row.purpose == "案件 2024-09"
    assert f"Person:{gd.P_A1}" in row.returned_keys


def test_refusals_are_audited_too(api: Api) -> None:
    api.get("inv_a", f"/entities/{gd.P_B1}")
    row = api.last_audit("/api/v1/entities/{ident}")
    assert row.status == 403
    assert row.returned_keys == []
    api.client.get("/api/v1/schema")
    # Refused before anyone is identified: counted per address and minute (api.floodgate).
    api.app.state.failure_tally.flush(everything=True)
    row = api.last_audit("auth-failures")
    assert row.status == 401
    assert row.user_name is None
    assert row.params["address"] == "testclient"
    assert row.params["endpoints"].get("/api/v1/schema", 0) >= 1


def test_triage_audited_with_its_note(api: Api) -> None:
    fid = api.get("inv_a", "/findings").json()["items"][0]["finding_id"]
    api.patch("inv_a", f"/findings/{fid}", {"status": "dismissed", "note": "误报"})
    row = api.last_audit("/api/v1/findings/{finding_id}")
    assert row.method == "PATCH"
    assert row.params["status"] == "dismissed"
    assert row.params["note"] == "误报"
    api.patch("inv_a", f"/findings/{fid}", {"status": "new"})


def test_query_text_is_audited(api: Api) -> None:
    cypher = f"MATCH (p:Person {{id_number: '{gd.P_A1}'}}) RETURN p.id_number AS id"
    api.post("analyst_city", "/query", {"cypher": cypher})
    row = api.last_audit("/api/v1/query")
    assert row.params["cypher"] == cypher
    assert f"Value:{gd.P_A1}" in row.returned_keys


def test_audit_log_for_admins_only(api: Api) -> None:
    assert api.get("inv_a", "/audit").status_code == 403
    r = api.get("admin", "/audit", user="inv_a", size=5)
    assert r.status_code == 200
    assert r.json()["items"]
    assert all(e["user"] == "inv_a" for e in r.json()["items"])


def test_audit_log_is_append_only(api: Api) -> None:
    with pytest.raises(DBAPIError, match="append-only"), api.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = 'x'"))
    with pytest.raises(DBAPIError, match="append-only"), api.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))

    def rewrite() -> None:
        with api.db.session() as s:
            row = s.scalars(select(AuditEntry)).first()
            assert row is not None
            row.purpose = "rewritten"

    with pytest.raises(PermissionError):
        rewrite()
    ops = {p: set(v) for p, v in api.app.openapi()["paths"].items() if "audit" in p}
    assert ops == {"/api/v1/audit": {"get"}}


def test_audit_log_scoped_for_a_scoped_admin(api: Api) -> None:
    """Issue 21, item 5: an admin scoped to one township read every user's rows, with
    other townships' identifiers."""
    if "admin_township" not in api.keys:
        api.keys["admin_township"] = add_user(api.db, "admin_township", "admin", ["430422101"])
    api.get("inv_b", f"/entities/{gd.P_B1}")  # county B: outside the township
    api.get("inv_village", f"/entities/{gd.P_A1}")  # one village of the township: inside
    api.get(None, "/search", q="x")  # unauthenticated
    api.app.state.failure_tally.flush(everything=True)
    r = api.get("admin_township", "/audit", size=500)
    assert r.status_code == 200, r.text
    users = {e["user"] for e in r.json()["items"]}
    assert "inv_village" in users
    assert users <= {"inv_village", "admin_township"}, users
    assert gd.P_B1 not in r.text
    assert api.get("admin_township", "/audit", user="inv_b").json()["items"] == []
    everyone = {e["user"] for e in api.get("admin", "/audit", size=500).json()["items"]}
    assert {"inv_b", "inv_village", None} <= everyone
