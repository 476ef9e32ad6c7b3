"""A staff-registered complaint's reporter reaches no one but complaint handlers.

The reporter of a complaint registered through ``POST /intake`` stays in the workflow
database. This registers one, opens and accepts a case on it, then asks every endpoint
a county investigator, an analyst and an admin can call about it — the registered
complaint, the complaints listing, the case board, the case with its timeline, the case
graph and report, statistics, the entity, its neighbours and dossier, every export
format, search, ``/query``, the audit log — and scans each answer (JSON, HTML, and the
files inside zips and workbooks) and the server log for the reporter's name, phone and
address.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api import graphdata as gd
from tests.api.harness import Api

NAME, PHONE, ADDRESS = "来访人丁秀珍", "13955556666", "大山村五组十八号"
SECRETS = (NAME, PHONE, ADDRESS)
EXPORTS = ("json", "csv", "xlsx", "graphml", "gexf", "ftm", "html")


@pytest.fixture(scope="module")
def registered(api: Api) -> Iterator[tuple[Api, str, str]]:
    body = {
        "division_code": gd.A,
        "channel": "来访",
        "received": "2024-03-05",
        "summary": "反映大山村村支书赵四在大山村安全饮水工程中虚报工程量",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_address": ADDRESS,
    }
    r = api.post("handler_a", "/intake", body)
    assert r.status_code == 201, r.text
    got = r.json()
    cid = got["complaint_id"]
    # The positive control: the handler sees the reporter, so the scan can find it.
    assert (got["reporter_name"], got["reporter_phone"]) == (NAME, PHONE)
    person = next(s for s in got["suggestions"] if s["label"] == "Person")
    r = api.post(
        "handler_a", f"/intake/{cid}/suggestions/{person['id']}", {"decision": "confirmed"}
    )
    assert r.status_code == 200, r.text
    r = api.post("handler_a", "/cases", {"source": {"kind": "complaint", "id": cid}})
    assert r.status_code == 201, r.text
    no = r.json()["case_no"]
    r = api.post("handler_a", f"/cases/{no}/accept", {"on": "2024-03-06", "reason": "来访受理"})
    assert r.status_code == 200, r.text
    yield api, cid, no
    api.store.write("MATCH (c:Case) DETACH DELETE c")
    api.store.write("MATCH (k:Complaint) WHERE k.complaint_id STARTS WITH 'JB-4' DETACH DELETE k")


def _texts(content: bytes) -> list[str]:
    """The body as text a reader would see: zips (CSV bundles, XLSX) opened, JSON's
    escapes and HTML's entities undone."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return [t for name in z.namelist() for t in _texts(z.read(name))]
    text = content.decode("utf-8", "replace")
    out = [text, html.unescape(text)]
    with contextlib.suppress(ValueError):  # not JSON
        out.append(json.dumps(json.loads(text), ensure_ascii=False))
    return out


def _leaks(content: bytes) -> list[str]:
    return sorted({s for t in _texts(content) for s in SECRETS if s in t})


def _responses(api: Api, user: str, cid: str, no: str) -> dict[str, Any]:
    gets: list[tuple[str, dict[str, Any]]] = [
        ("/intake", {"size": 100}),
        (f"/intake/{cid}", {}),
        ("/complaints", {"size": 100, "as_of": "2024-12-31"}),
        ("/cases", {"state": "all", "size": 1000}),
        (f"/cases/{no}", {}),
        (f"/cases/{no}/graph", {}),
        (f"/cases/{no}/report", {}),
        ("/cases/overdue", {"as_of": "2024-12-31"}),
        ("/cases/stats", {"division": gd.A}),
        ("/cases/stats.xlsx", {"division": gd.A}),
        (f"/entities/{cid}", {}),
        (f"/entities/{cid}/neighbours", {"depth": 2}),
        (f"/entities/{cid}/dossier", {}),
        # Not the whole name: the audit log keeps what was searched, and an admin reads it.
        ("/search", {"q": "丁秀珍"}),
        *[("/export", {"entity": cid, "format": f}) for f in EXPORTS],
        ("/audit", {"size": 500}),
    ]
    out = {f"GET {path} {params}": api.get(user, path, **params) for path, params in gets}
    for cypher in (
        "MATCH (c:Complaint {complaint_id: $id}) RETURN properties(c) AS p, c",
        "MATCH (c:Case)-[r]-(x) RETURN c, r, x",
        "MATCH (n) WHERE any(v IN [n.name, n.summary, n.title] WHERE v CONTAINS '丁秀珍') RETURN n",
    ):
        body = {"cypher": cypher, "params": {"id": cid}}
        out[f"POST /query {cypher}"] = api.post(user, "/query", body)
    return out


@pytest.mark.parametrize("user", ["inv_a", "analyst_a", "analyst_city", "admin"])
def test_no_response_about_a_registered_complaint_names_its_reporter(
    registered: tuple[Api, str, str], user: str, caplog: pytest.LogCaptureFixture
) -> None:
    api, cid, no = registered
    with caplog.at_level(logging.DEBUG):
        responses = _responses(api, user, cid, no)
    answered = [k for k, r in responses.items() if r.status_code == 200]
    # The scan must have read what each role may read about the complaint, not 403s.
    must = {f"GET /cases/{no} {{}}", f"GET /cases/{no}/report {{}}", f"GET /entities/{cid} {{}}"}
    if not user.startswith("analyst"):
        must |= {f"GET /intake/{cid} {{}}", "GET /complaints {'size': 100, 'as_of': '2024-12-31'}"}
    if user == "admin":
        must.add("GET /audit {'size': 500}")
    if user in ("analyst_city", "admin"):  # /query needs a scope covering the whole graph
        must.add("POST /query MATCH (c:Complaint {complaint_id: $id}) RETURN properties(c) AS p, c")
    assert must <= set(answered), {k: responses[k].text[:200] for k in must - set(answered)}
    leaks = {k: _leaks(r.content) for k, r in responses.items()}
    assert not {k: v for k, v in leaks.items() if v}
    logged = [r.getMessage() for r in caplog.records if r.name.startswith(("guanxi", "api"))]
    assert not [m for m in logged if any(s in m for s in SECRETS)]


def test_the_handler_sees_the_reporter_of_the_registered_complaint(
    registered: tuple[Api, str, str],
) -> None:
    api, cid, _ = registered
    got = api.get("handler_a", f"/intake/{cid}").json()
    assert (got["reporter_name"], got["reporter_phone"], got["reporter_address"]) == SECRETS
    # The complaints listing, too: a staff-registered reporter is in the workflow database.
    page = api.get("handler_a", "/complaints", size=100, as_of="2024-12-31").json()
    props = next(c["node"]["properties"] for c in page["items"] if c["node"]["key"] == cid)
    assert (props["reporter_name"], props["reporter_phone"]) == (NAME, PHONE)
