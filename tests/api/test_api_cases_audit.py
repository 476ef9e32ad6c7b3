"""The case workflow's look-ups are audited like the rest (issue 21: every look-up of a
person is audited): a lead, a case, its graph and report, a registered complaint each
need a stated purpose (428 without), and the audit row holds it with the keys of the
persons the answer named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import graphdata as gd
from tests.api.harness import Api

PURPOSE = "案件 2024-09 复核"


@pytest.fixture(scope="module")
def workflow(api: Api) -> Iterator[dict[str, str]]:
    """A lead, a case opened on it with a disposition of 赵四, a registered complaint
    naming him; their ids."""
    leads = api.get("inv_a", "/leads", pattern="recipient_vehicle").json()["items"]
    assert leads
    lead = leads[0]
    r = api.post(
        "inv_a",
        "/cases",
        {"source": {"kind": "lead", "id": lead["lead_id"]}, "received": "2024-06-01"},
    )
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    for action in ("accept", "start"):
        r = api.post("inv_a", f"/cases/{no}/{action}", {"on": "2024-06-02", "reason": "核查"})
        assert r.status_code == 200, r.text
    r = api.post(
        "inv_a",
        f"/cases/{no}/dispositions",
        {"dispositions": [{"person": gd.P_A3, "kind": "批评教育"}]},
    )
    assert r.status_code == 200, r.text
    body = {
        "division_code": gd.A,
        "channel": "来信",
        "received": "2024-03-05",
        "summary": "反映大山村村支书赵四虚报工程量",
        "reporter_name": "写信人乙",
    }
    r = api.post("handler_a", "/intake", body)
    assert r.status_code == 201, r.text
    ids = {
        "lead": lead["lead_id"],
        "principal": f"{lead['principal']['label']}:",
        "case": no,
        "complaint": r.json()["complaint_id"],
    }
    yield ids
    api.store.write("MATCH (c:Case) DETACH DELETE c")
    api.store.write("MATCH (k:Complaint) WHERE k.complaint_id STARTS WITH 'JB-4' DETACH DELETE k")


# (path template, audited endpoint, what the returned keys must hold)
LOOKUPS = [
    ("/leads/{lead}", "/api/v1/leads/{lead_id}", "{principal}"),
    ("/cases/{case}", "/api/v1/cases/{case_no}", f"Person:{gd.P_A3}"),
    ("/cases/{case}/graph", "/api/v1/cases/{case_no}/graph", f"Person:{gd.P_A3}"),
    ("/cases/{case}/report", "/api/v1/cases/{case_no}/report", f"Person:{gd.P_A3}"),
    ("/intake/{complaint}", "/api/v1/intake/{complaint_id}", f"Person:{gd.P_A3}"),
    ("/intake", "/api/v1/intake", f"Person:{gd.P_A3}"),
]


@pytest.mark.parametrize(("path", "endpoint", "returned"), LOOKUPS)
def test_a_workflow_lookup_needs_a_purpose_and_is_audited(
    api: Api, workflow: dict[str, str], path: str, endpoint: str, returned: str
) -> None:
    url = path.format(**workflow)
    refused = api.client.get(f"/api/v1{url}", headers=api.headers("inv_a", purpose=None))
    assert refused.status_code == 428, refused.text
    assert "X-Purpose" in refused.json()["error"]
    assert api.last_audit(endpoint).status == 428
    r = api.get("inv_a", url, purpose=PURPOSE)
    assert r.status_code == 200, r.text
    row = api.last_audit(endpoint)
    assert (row.user_name, row.role, row.purpose, row.status) == (
        "inv_a",
        "investigator",
        PURPOSE,
        200,
    )
    want = returned.format(**workflow)
    assert any(k.startswith(want) for k in row.returned_keys), row.returned_keys


def test_workflow_writes_are_audited_with_what_they_changed(
    api: Api, workflow: dict[str, str]
) -> None:
    """Transitions write their own EVENT row; the HTTP row of the request is there too."""
    no = workflow["case"]
    r = api.post("inv_a", f"/cases/{no}/request-extension", {"reason": "涉及人员多"})
    assert r.status_code == 200, r.text
    event = api.last_audit("case:request_extension")
    assert (event.method, event.user_name, event.purpose) == ("EVENT", "inv_a", "涉及人员多")
    http = api.last_audit("/api/v1/cases/{case_no}/request-extension")
    assert http.status == 200
    assert http.params["path.case_no"] == no
