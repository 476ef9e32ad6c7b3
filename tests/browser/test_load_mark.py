"""Issue 21, item 8: a graph left partly loaded says so in the explorer's status bar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Explorer
from tests.browser.test_explorer import Session
from tests.shapes import OpenEngine

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def marked(explorer: Explorer, open_engine: OpenEngine) -> Iterator[None]:
    store = open_engine("embedded", "browser")  # the graph the explorer serves
    store.set_load_mark({"state": "failed", "since": "2024-06-30T08:00:00+00:00", "error": "x"})
    try:
        yield
    finally:
        store.set_load_mark(None)
        store.close()


def test_a_partial_load_shows_in_the_status_bar(
    browser: Browser, explorer: Explorer, artifacts: Path, marked: None
) -> None:
    s = Session(browser, explorer.url, artifacts)
    try:
        s.sign_in(explorer.keys["investigator"])
        status = s.page.locator("#status")
        s.page.wait_for_function(
            "document.querySelector('#status').textContent.includes('未完整加载')"
        )
        assert "2024-06-30" in status.inner_text()
        assert "warn" in (status.get_attribute("class") or "")
        s.shot("12-partial-load")
        s.assert_local_only()
    finally:
        s.close()
    assert not s.errors, f"errors in the page: {s.errors}"
