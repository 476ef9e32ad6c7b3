"""The 案件 view in real Chromium: a county investigator opens a case from a lead, accepts,
starts and asks for an extension; the city (the parent division) approves it while the
requester sees no approve button; the investigator records a disposition naming a person
and closes with an outcome; the board shows it closed and the printable report opens.
Then: a role without the capabilities sees no buttons, a complaint handler registers a
complaint and judges guanxi's suggestions, and the statistics panel draws its chart and
downloads its workbook. Screenshots in tests/artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from test_explorer import TIMEOUT, Session, _untranslated

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.browser.conftest import Explorer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CASE_NO = re.compile(r"^[0-9]{2,12}-[0-9]{4}-[0-9]{4,6}$")


@pytest.fixture(scope="module")
def shared() -> dict[str, Any]:
    """What one test leaves for the next (the case number)."""
    return {}


def _session(browser: Browser, explorer: Explorer, artifacts: Path) -> Iterator[Session]:
    s = Session(browser, explorer.url, artifacts)
    yield s
    s.close()
    assert not s.errors, f"errors in the page: {s.errors}"


@pytest.fixture
def county(browser: Browser, explorer: Explorer, artifacts: Path) -> Iterator[Session]:
    yield from _session(browser, explorer, artifacts)


@pytest.fixture
def city(browser: Browser, explorer: Explorer, artifacts: Path) -> Iterator[Session]:
    yield from _session(browser, explorer, artifacts)


def _open_case_page(s: Session, case_no: str) -> None:
    url = f"{s.base}#case={case_no}"
    if s.page.url == url:  # the same address: no navigation, so load it afresh
        s.page.reload()
    else:
        s.page.goto(url)
    s.page.wait_for_selector("#app:not([hidden])")
    s.page.locator("#case-page .case-head code", has_text=case_no).wait_for()


def _state(page: Page) -> str:
    return page.locator("#case-page .case-head ~ .case-columns table.props tr").first.inner_text()


def _press(page: Page, action: str) -> None:
    page.click(f"#case-page .case-actions button[data-action={action}]")


def _buttons(page: Page) -> list[str]:
    actions: list[str] = page.eval_on_selector_all(
        "#case-page .case-actions button[data-action]", "bs => bs.map(b => b.dataset.action)"
    )
    return actions


def _wait_state(page: Page, zh: str) -> None:
    page.wait_for_function(
        "s => document.querySelector('#case-page table.props td')?.textContent === s", arg=zh
    )


def test_case_from_lead_to_closure_with_an_approved_extension(
    county: Session, city: Session, explorer: Explorer, shared: dict[str, Any]
) -> None:
    s, page = county, county.page
    s.sign_in(explorer.keys["investigator"])

    # The findings tab lists leads, best first, by division name; a lead whose principal is
    # a person, so that the case's graph offers that person for a disposition.
    page.click("#tab-findings")
    page.wait_for_selector("#findings-body table.leads")
    scores = [
        float(x)
        for x in page.eval_on_selector_all(
            "#findings-body tr.lead-row td.num:nth-child(2)", "tds => tds.map(t => t.textContent)"
        )
    ]
    assert scores
    assert scores == sorted(scores, reverse=True), scores
    places = page.eval_on_selector_all(
        "#findings-body tr.lead-row td.place", "tds => tds.map(t => t.textContent)"
    )
    assert places
    assert not any(re.fullmatch(r"[0-9]+", p) for p in places), places
    lead = s.js(
        "async () => { for (let p = 1; p < 6; p++) {"
        " const r = await window.explorer.api.leads({ page: p, size: 20 });"
        " const l = r.items.find(l => l.principal.label === 'Person' && l.principal.ref);"
        " if (l) return l; } return null; }"
    )
    assert lead, "no lead about a person"
    row = page.locator(f"#findings-body tr.lead-row[data-lead='{lead['lead_id']}']")
    if not row.count():  # not on the first page: show that page by the lead's pattern
        page.select_option("#findings-filter select[name=pattern]", lead["patterns"][0])
        page.click("#findings-filter button[type=submit]")
    row.wait_for()

    # Expanded: its findings, with division names and triage per finding.
    row.locator("button.expand").click()
    detail = page.locator("#findings-body tr.lead-detail:not([hidden]) table.lead-findings")
    detail.wait_for()
    assert detail.locator("tbody tr").count() == lead["finding_count"]
    assert detail.locator("button.confirm").count() >= 1
    s.shot("cases-01-lead")

    # Open a case from the lead.
    row.locator("button.open-case").click()
    dialog = page.locator("dialog.dialog")
    dialog.wait_for()
    dialog.locator("input[name=assignee]").fill("wang")
    dialog.locator("button[type=submit]").click()
    page.locator("#case-page .case-head").wait_for()
    case_no = page.locator("#case-page .case-head code").inner_text()
    assert CASE_NO.match(case_no), case_no
    assert case_no.startswith(explorer.truth["county"]["code"] + "-")  # the county's case
    shared["case_no"] = case_no
    _wait_state(page, "待受理")
    assert set(_buttons(page)) == {"accept", "reject", "assign"}
    links = page.locator("#case-page ul.case-links li")
    assert links.count() == 1 + lead["finding_count"]  # the lead and its findings
    s.shot("cases-02-received")

    _press(page, "assign")
    page.locator("form.form-assign input[name=assignee]").fill("li")
    page.locator("form.form-assign button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#case-page ol.timeline').textContent.includes('指定承办人')"
    )
    _press(page, "accept")
    _wait_state(page, "已受理")
    _press(page, "start")
    _wait_state(page, "办理中")
    _press(page, "request_extension")
    form = page.locator("form.form-request_extension")
    form.locator("button[type=submit]").click()  # no reason: the form says so, no request
    assert "理由" in form.locator(".error").inner_text()
    form.locator("textarea[name=reason]").fill("涉及人员多，需调取银行流水")
    form.locator("button[type=submit]").click()
    page.locator("#case-page .case-head .chip.pending").wait_for()
    # The requester may not approve it (nor may a county approve its own extension).
    assert "approve_extension" not in _buttons(page)
    assert "request_extension" not in _buttons(page)
    s.shot("cases-03-extension-requested")

    # The city approves it in the explorer.
    city.sign_in(explorer.keys["city"])
    _open_case_page(city, case_no)
    assert {"approve_extension", "refuse_extension"} <= set(_buttons(city.page))
    city.shot("cases-04-city-approves")
    _press(city.page, "approve_extension")
    city.page.wait_for_function(
        "() => !document.querySelector('#case-page .case-head .chip.pending')"
    )
    assert "已延期" in city.page.locator("#case-page table.props").inner_text()
    city.assert_local_only()

    # The county's page still shows the case as it was: a change made from it now is
    # refused (409, the API's reason beside the form), not applied over the approval.
    _press(page, "assign")
    page.locator("form.form-assign input[name=assignee]").fill("wang")
    page.locator("form.form-assign button[type=submit]").click()
    page.locator("form.form-assign .error:not([hidden])").wait_for()
    assert "changed meanwhile" in page.locator("form.form-assign .error").inner_text()

    # Reloaded: the deadline moved; a disposition naming the lead's person.
    _open_case_page(s, case_no)
    facts = page.locator("#case-page table.props").inner_text()
    assert "已延期" in facts
    assert "延期待批准" not in page.locator("#case-page").inner_text()
    assert "request_extension" not in _buttons(page)  # no second extension
    pick = page.locator("#case-page select.person-pick")
    page.wait_for_function(
        "ref => [...document.querySelectorAll('#case-page select.person-pick option')]"
        ".some(o => o.value === ref)",
        arg=lead["principal"]["ref"],
        timeout=TIMEOUT,
    )
    pick.select_option(lead["principal"]["ref"])
    disp = page.locator("#case-page form.dispose-form")
    disp.locator("select[name=kind]").select_option("党纪处分")
    disp.locator("button[type=submit]").click()  # no measure yet: refused in the form
    assert "档次" in disp.locator(".error").inner_text()
    disp.locator("select[name=measure]").select_option("警告")
    disp.locator("button[type=submit]").click()
    table = page.locator("#case-page table.dispositions")
    table.wait_for()
    assert lead["principal"]["name"] in table.inner_text()
    assert "党纪处分" in table.inner_text()
    assert "警告" in table.inner_text()
    # A second person, found by search (ID number): an admonishment talk, no measure.
    disp.locator("input.person-search").fill(explorer.planted.secretary_id)
    disp.locator("input.person-search").press("Enter")
    disp.locator("ul.person-found button").first.click()
    disp.locator("select[name=kind]").select_option("诫勉谈话")
    assert disp.locator("select[name=measure]").is_hidden()
    disp.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#case-page table.dispositions tbody tr').length === 2"
    )
    assert explorer.planted.secretary_name in table.inner_text()

    # Close: without an outcome the form refuses; with one, closed.
    _press(page, "close")
    close = page.locator("form.form-close")
    close.locator("button[type=submit]").click()
    assert "办理结果" in close.locator(".error").inner_text()
    close.locator("select[name=outcome]").select_option("查实")
    close.locator("input[name=amount_involved]").fill("101,000")
    close.locator("input[name=amount_recovered]").fill("96000")
    close.locator("textarea[name=summary]").fill("合同13口井，实际挖12口，追缴多付款项。")
    close.locator("button[type=submit]").click()
    _wait_state(page, "已办结")
    facts = page.locator("#case-page table.props").inner_text()
    assert "查实" in facts
    assert "101,000.00" in facts
    assert "96,000.00" in facts
    assert "延期后办结期限" in page.locator("#case-page ol.timeline").inner_text()
    assert _buttons(page) == []
    timeline = page.locator("#case-page ol.timeline").inner_text()
    steps = ("立案登记", "指定承办人", "受理", "开始办理", "申请延期", "批准延期")
    steps += ("作出处理", "办结")
    for step in steps:
        assert step in timeline, (step, timeline)
    # The case's graph is fetched and drawn after the page's facts: wait for its canvas.
    graph = page.locator("#case-page .case-graph canvas")
    graph.wait_for(state="attached", timeout=TIMEOUT)
    assert graph.count() == 1
    assert not _untranslated(s, "case page")  # no codes or English words in Chinese
    s.shot("cases-05-closed")

    # The board: not among the open cases any more, closed among all.
    page.click("#case-page button.back")
    page.wait_for_selector("#cases-body table.board, #cases-body p")
    s.idle()
    assert page.locator(f"#cases-body tr[data-case='{case_no}']").count() == 0
    page.select_option("#cases-filter select[name=state]", "closed")
    page.click("#cases-filter button[type=submit]")
    closed = page.locator(f"#cases-body tr[data-case='{case_no}']")
    closed.wait_for()
    assert "due-done" in (closed.get_attribute("class") or "")
    assert "已办结" in closed.inner_text()
    assert not _untranslated(s, "board")
    s.shot("cases-06-board")

    # The printable report opens in a new tab.
    closed.locator("button.case-link").click()
    page.locator("#case-page .case-head").wait_for()
    with page.context.expect_page() as popup:
        page.click("#case-page button.report")
    report = popup.value
    report.wait_for_load_state()
    text = report.locator("body").inner_text()
    assert case_no in text
    assert "查实" in text
    assert lead["principal"]["name"] in text
    report.screenshot(path=str(s.artifacts / "explorer-cases-07-report.png"))
    report.close()
    s.assert_local_only()


def test_overdue_case_in_red_and_no_buttons_without_the_capability(
    county: Session, city: Session, explorer: Explorer, shared: dict[str, Any]
) -> None:
    s, page = county, county.page
    s.sign_in(explorer.keys["investigator"])
    # A case received 20 days ago and not accepted: acceptance overdue, red on the board.
    page.click("#tab-findings")
    page.select_option("#findings-filter select[name=group]", "finding")
    page.wait_for_selector("#findings-body table")
    finding = s.js("(async () => (await window.explorer.api.findings({ size: 1 })).items[0])()")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/cases") and r.status == 201):
        s.js(
            "([id, day]) => window.explorer.api.openCase({ source: { kind: 'finding', id },"
            " received: day })",
            [finding["finding_id"], (dt.date.today() - dt.timedelta(days=20)).isoformat()],
        )
    page.click("#tab-cases")
    page.wait_for_selector("#cases-body table.board")
    late = page.locator("#cases-body tr.case-row.due-overdue").first
    late.wait_for()
    chip = late.locator(".due")
    assert "超期" in chip.inner_text()
    colour = chip.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 227, 227)", colour
    assert int(re.search(r"已超期 (\d+)", page.locator("#cases-counts").inner_text()).group(1)) >= 1  # type: ignore[union-attr]
    s.shot("cases-08-overdue")

    # An analyst reads cases but may not handle them: the case page shows no buttons, no
    # disposition form, no "open a case" in the findings tab; the report still opens.
    city.sign_in(explorer.keys["analyst"])
    _open_case_page(city, shared["case_no"])
    assert _buttons(city.page) == []
    assert city.page.locator("#case-page form.dispose-form").count() == 0
    assert city.page.locator("#case-page button.report").count() == 1
    late_no = late.get_attribute("data-case")
    _open_case_page(city, str(late_no))
    assert _buttons(city.page) == []  # received, yet no accept/reject for this role
    city.page.click("#tab-findings")
    city.page.wait_for_selector("#findings-body table.leads")
    assert city.page.locator("#findings-body button.open-case").count() == 0
    city.shot("cases-09-analyst")
    city.assert_local_only()


def _register(page: Page, summary: str, reporter: str | None) -> Any:
    form = page.locator("#intake-form")
    form.wait_for()
    form.locator("select[name=channel]").select_option("来信")
    form.locator("textarea[name=summary]").fill(summary)
    if reporter:
        form.locator("input[name=reporter_name]").fill(reporter)
    else:
        form.locator("input[name=anonymous]").check()
    before = (
        page.locator("#intake .intake-one").get_attribute("data-complaint")
        if (page.locator("#intake .intake-one").count())
        else None
    )
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "b => { const e = document.querySelector('#intake .intake-one');"
        " return e && e.dataset.complaint !== b; }",
        arg=before,
    )
    return page.locator("#intake .intake-one")


def test_complaint_registered_by_staff_with_suggestions(
    county: Session, explorer: Explorer
) -> None:
    """A handler registers a letter, confirms what guanxi suggests it is about, opens a case
    from it; a second letter about the same company is offered that case to merge into."""
    s, page, pl = county, county.page, explorer.planted
    s.sign_in(explorer.keys["no_rights"])  # the complaint handler
    page.click("#tab-cases")
    page.click("#cases-nav button[data-section=intake]")
    form = page.locator("#intake-form")
    form.wait_for()
    form.locator("textarea[name=summary]").fill("")
    form.locator("button[type=submit]").click()  # no summary: the form says so
    assert "反映内容" in form.locator(".error").inner_text()

    one = _register(
        page, f"反映{pl.secretary_name}把工程交给{pl.company_name}承包，质量很差。", "李举报"
    )
    assert "李举报" in one.inner_text()  # the handler sees the reporter
    assert "工程项目" in one.inner_text()  # the category by keywords
    suggestion = one.locator("ul.suggested li", has_text=pl.company_name).first
    suggestion.wait_for()
    assert "待确认" in suggestion.inner_text()
    suggestion.locator("button.confirm").click()
    confirmed = page.locator("#intake .intake-one ul.suggested li.suggestion-confirmed")
    confirmed.first.wait_for()
    assert pl.company_name in confirmed.first.inner_text()
    s.shot("cases-10-intake")

    # A case from this complaint.
    page.locator("#intake .intake-one button.open-case").click()
    page.locator("dialog.dialog button[type=submit]").click()
    page.locator("#case-page .case-head").wait_for()
    case_no = page.locator("#case-page .case-head code").inner_text()
    assert "举报" in page.locator("#case-page ul.case-links").inner_text()

    # A second letter about the same company: offered as a duplicate of that case, merged.
    page.click("#cases-nav button[data-section=intake]")
    second = _register(page, f"{pl.company_name}承包的工程偷工减料。", None)
    assert "匿名举报" in second.inner_text()
    dup = second.locator(f"ul.duplicates li[data-case='{case_no}']")
    dup.wait_for()
    assert pl.company_name in dup.inner_text()
    dup.locator("button.merge").click()
    page.wait_for_function(
        "no => [...document.querySelectorAll('#intake .intake-one table.props td')]"
        ".some(td => td.textContent === no)",
        arg=case_no,
    )
    s.shot("cases-10b-merged")
    s.assert_local_only()


def test_statistics_panel_chart_and_workbook(city: Session, explorer: Explorer) -> None:
    s, page = city, city.page
    s.sign_in(explorer.keys["city"])
    page.click("#tab-cases")
    page.click("#cases-nav button[data-section=stats]")
    table = page.locator("#stats table.stats")
    table.wait_for()
    total = page.locator("#stats table.stats tr.total").inner_text()
    cells = [c.strip() for c in total.split("\t")]
    assert int(cells[1]) >= 2, cells  # received
    assert int(cells[5]) >= 1, cells  # closed
    assert page.locator("#stats svg.chart rect").count() >= 1
    assert "党纪处分 · 警告: 1" in page.locator("#stats").inner_text()  # the disposition above
    s.shot("cases-11-stats")
    assert not _untranslated(s, "statistics")
    page.locator("#app .lang-toggle").click()  # English: the same panel, other words
    assert page.locator("#cases-nav button[data-section=stats]").inner_text() == "Statistics"
    page.locator("#stats table.stats th", has_text="substantiated").wait_for()
    page.locator("#app .lang-toggle").click()
    with page.expect_download() as dl:
        page.click("#stats button.xlsx")
    path = dl.value.path()
    assert path is not None
    assert Path(path).read_bytes()[:2] == b"PK"
    s.assert_local_only()
