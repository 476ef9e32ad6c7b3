"""The findings tab by lead, in real Chromium: a triage inside an expanded lead shows at
once on the lead's row (its count of findings not dismissed), and the count holds after
a reload, since the API keeps the lead's count with the findings' statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

# The explorer tests' own session fixture: a page that may raise no error.
from tests.browser.test_explorer import Session, session  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from tests.browser.conftest import Explorer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _count(row: Locator) -> str:
    return row.locator("td:nth-child(6)").inner_text()


def _lead_row(s: Session, lead: dict[str, Any]) -> Locator:
    page = s.page
    page.click("#tab-findings")
    page.wait_for_selector("#findings-body table.leads")
    # Filtered by the lead's pattern, so that the lead is on the first page.
    page.select_option("#findings-filter select[name=pattern]", lead["patterns"][0])
    page.click("#findings-filter button[type=submit]")
    row = page.locator(f"#findings-body tr.lead-row[data-lead='{lead['lead_id']}']")
    row.wait_for()
    return row


def test_a_triage_in_an_expanded_lead_updates_its_open_count(
    session: Session,  # noqa: F811  (the fixture imported above)
    explorer: Explorer,
) -> None:
    s, page = session, session.page
    s.sign_in(explorer.keys["investigator"])
    lead = s.js(
        "async () => { for (let p = 1; p < 6; p++) {"
        " const r = await window.explorer.api.leads({ page: p, size: 20 });"
        " const l = r.items.find(l => l.finding_count >= 2 && l.open_count === l.finding_count);"
        " if (l) return l; } return null; }"
    )
    assert lead, "no lead with two findings, none dismissed"
    n = lead["finding_count"]
    row = _lead_row(s, lead)
    assert _count(row) == f"{n} 条（未排除 {n}）"

    row.locator("button.expand").click()
    detail = page.locator("#findings-body tr.lead-detail:not([hidden]) table.lead-findings")
    detail.wait_for()
    first = detail.locator("tbody tr").first
    finding = first.get_attribute("data-finding")
    first.locator("button", has_text="排除").click()
    # The findings below show the new status, and the lead's row its new count.
    page.locator(
        f"#findings-body tr.lead-detail tr[data-finding='{finding}'] button", has_text="重新标为新"
    ).wait_for()
    page.wait_for_function(
        "([id, text]) => document.querySelector(`tr.lead-row[data-lead='${id}'] td:nth-child(6)`)"
        "?.textContent === text",
        arg=[lead["lead_id"], f"{n} 条（未排除 {n - 1}）"],
    )
    s.shot("leads-01-dismissed")

    # After a reload the list says the same.
    page.reload()
    page.wait_for_selector("#app:not([hidden])")
    row = _lead_row(s, lead)
    assert _count(row) == f"{n} 条（未排除 {n - 1}）"

    # Reopened: the count goes back up, again without a reload.
    row.locator("button.expand").click()
    back = page.locator(
        f"#findings-body tr.lead-detail tr[data-finding='{finding}'] button", has_text="重新标为新"
    )
    back.click()
    page.wait_for_function(
        "([id, text]) => document.querySelector(`tr.lead-row[data-lead='${id}'] td:nth-child(6)`)"
        "?.textContent === text",
        arg=[lead["lead_id"], f"{n} 条（未排除 {n}）"],
    )
