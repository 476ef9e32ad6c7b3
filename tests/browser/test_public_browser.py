"""The public site under Debian's Chromium, at a phone's 390×844 and a desktop's 1440×900:
a resident browses county → township → village, reads its programmes, the 公示 list and
the village's finance, reports a project from its page and follows the report by its
code while a handler accepts and closes the case through the investigators' API.
The phone run writes the screenshots docs/public.md shows (docs/img/public-*.png)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.users import add_user
from graph.loaders import load_folder
from public.app import create_public_app
from tests.api.harness import make_settings
from tests.public.conftest import busiest_village, public_settings
from tests.public.resident import from_chinese
from tests.shapes import MakeCounty, OpenEngine

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@dataclass
class Site:
    url: str
    api: TestClient
    key: str
    county: str
    township: str
    village: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def site(
    chromium_path: str,
    open_engine: OpenEngine,
    synthetic_county: MakeCounty,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    import uvicorn

    county, truth = synthetic_county(3000, 7)
    store = open_engine("embedded", "public_browser")
    store.clear()
    store.ensure_schema()
    load_folder(store, county, progress=False)
    township = str(
        store.read("MATCH (d:Division {level: 'township'}) RETURN d.code AS c ORDER BY c LIMIT 1")[
            0
        ]["c"]
    )
    tmp = tmp_path_factory.mktemp("public_browser")
    settings = public_settings(tmp, public_divisions=township)
    db = Database(settings.db_url)
    db.create()
    app = create_public_app(settings, store=store, db=db)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="public-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    code = truth["county"]["code"]
    key = add_user(db, "handler", "complaint_handler", [code])
    with TestClient(create_app(make_settings(tmp), store=store, db=db)) as api:
        try:
            yield Site(
                f"http://127.0.0.1:{port}",
                api,
                key,
                code,
                township,
                busiest_village(store, township),
            )
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            store.close()
            db.dispose()


def _handle(site: Site, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {site.key}", "X-Purpose": "handling"}
    r = site.api.request(method, f"/api/v1{path}", json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


def _shot(page: Page, name: str, phone: bool) -> None:
    if phone:
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"public-{name}.png"), full_page=False)


def _answer(page: Page) -> str:
    label = page.locator("label[for=answer]").inner_text()
    m = re.search(r"验证题：(.+?)(加|减)(.+?)等于几", label)
    assert m, label
    a, b = from_chinese(m.group(1)), from_chinese(m.group(3))
    return str(a + b if m.group(2) == "加" else a - b)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)], ids=["phone", "desktop"])
def test_browse_report_and_follow(browser: Browser, site: Site, width: int, height: int) -> None:
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(site.url + "/")
    assert page.locator("h1").inner_text() == "一站式查询"
    _shot(page, "home", phone)
    page.locator(f'a[href="/d/{site.county}"]').click()
    page.locator(f'a[href="/d/{site.township}"]').click()
    page.locator(f'a[href="/d/{site.village}"]').click()
    village_name = page.locator("h1").inner_text()
    assert page.locator("#programmes details").count() > 0
    page.locator("#programmes details summary").first.click()
    assert page.locator("#programmes details table").first.is_visible()
    _shot(page, "village", phone)

    page.locator(".tabs a", has_text="发放名单").click()
    names = page.locator("table.list tbody tr td:first-child").all_inner_texts()
    assert names
    assert all("*" in n or len(n) <= 1 for n in names)
    _shot(page, "list", phone)

    page.goto(f"{site.url}/v/{site.village}#finance")
    page.locator("#finance table a").first.click()
    assert page.locator("h1").inner_text().endswith("村级财务")
    assert page.locator("article.record").count() > 0
    _shot(page, "finance", phone)

    page.goto(f"{site.url}/v/{site.village}#contracts")
    page.locator("#contracts a.report-link").first.click()
    assert "所涉事项：工程项目" in page.locator(".form").inner_text()
    assert village_name in page.locator(".where").first.inner_text()
    page.fill("#text", f"这个工程没有按合同完工，请核查。（{width}）")
    if phone:
        page.check("#anonymous")
        assert not page.locator("#name").is_visible()  # public.js hides it
    else:
        page.fill("#name", "李四")
        page.fill("#phone", "13800000000")
    page.fill("#answer", _answer(page))
    _shot(page, "report", phone)
    page.locator(".form button[type=submit]").click()
    assert page.locator("h1").inner_text() == "已收到您的反映"
    code = page.locator("#receipt").inner_text().strip()
    assert len(code) >= 20
    _shot(page, "receipt", phone)

    def follow() -> str:
        page.goto(site.url + "/progress")
        page.fill("#code", code)
        page.locator(".form button[type=submit]").click()
        return page.locator("#status").inner_text()

    assert "已收到，待受理" in follow()
    complaint = site.api.get(
        "/api/v1/intake",
        params={"size": 100},
        headers={"Authorization": f"Bearer {site.key}", "X-Purpose": "handling"},
    ).json()
    items = complaint["items"] if isinstance(complaint, dict) else complaint
    mine = [i for i in items if f"（{width}）" in (i.get("summary") or "")]
    assert mine, items[:2]
    case = _handle(
        site, "POST", "/cases", {"source": {"kind": "complaint", "id": mine[0]["complaint_id"]}}
    )
    day = case["received"]
    _handle(site, "POST", f"/cases/{case['case_no']}/accept", {"on": day})
    assert "已受理，正在办理" in follow()
    _handle(site, "POST", f"/cases/{case['case_no']}/start", {"on": day})
    _handle(
        site,
        "POST",
        f"/cases/{case['case_no']}/close",
        {
            "on": day,
            "outcome": "查实",
            "public_outcome": "经核查，问题属实，已责令施工方返工并追回多付款项。",
        },
    )
    status = follow()
    assert "已办结" in status
    assert "已责令施工方返工" in status
    _shot(page, "progress", phone)
    assert not problems, problems  # no CSP violation, no script error
    context.close()
