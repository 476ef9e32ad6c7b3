"""The explorer, driven in real Chromium: an investigator's session from sign-in to export,
and a user without rights who sees a refusal. Every step asserts on what the page shows
and leaves a screenshot in tests/artifacts/. No request may leave localhost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import networkx as nx
import pytest

from graph.ids import mask

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from tests.browser.conftest import Explorer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PURPOSE = "案件 2024-001 线索核查"
TIMEOUT = 60_000  # ms; the machine running the suite may be busy


class Session:
    """One browser context: its page, every URL it requested, and its screenshots."""

    def __init__(self, browser: Browser, base: str, artifacts: Path) -> None:
        self.base = base
        self.artifacts = artifacts
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="zh-CN"
        )
        self.context.set_default_timeout(TIMEOUT)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shot(self, name: str) -> None:
        self.page.mouse.move(2, 2)  # no tooltip over the picture
        self.page.wait_for_timeout(150)
        self.page.screenshot(path=str(self.artifacts / f"explorer-{name}.png"))

    def idle(self) -> None:
        """Nothing loading, layout settled."""
        self.page.wait_for_timeout(200)
        self.page.wait_for_function("window.explorer && window.explorer.idle()", timeout=TIMEOUT)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def node_point(self, ref: str) -> tuple[float, float]:
        """Where a node is drawn, in page coordinates: centred and zoomed in first, so that
        a click there hits this node and not a neighbour drawn over it."""
        box = self.page.locator("#graph canvas").bounding_box()
        assert box is not None
        self.js(
            "r => window.explorer.graph.network.focus(r, { scale: 1.5, animation: false })", ref
        )
        p = self.js("r => window.explorer.graph.domPosition(r)", ref)
        assert p is not None, f"{ref} is not on the canvas"
        hit = self.js("p => window.explorer.graph.network.getNodeAt(p) ?? null", p)
        assert hit == ref, f"the point of {ref} shows {hit}"
        return box["x"] + p["x"], box["y"] + p["y"]

    def ref_where(self, predicate: str) -> str | None:
        """The ref of the first node on screen whose API node satisfies ``predicate`` (JS)."""
        result: str | None = self.js(
            f"[...window.explorer.graph.recs.values()].filter(r => r.node && ({predicate}))"
            ".map(r => r.id)[0] || null"
        )
        return result

    def counts(self) -> dict[str, Any]:
        c: dict[str, Any] = self.js("window.explorer.graph.counts()")
        return c

    def sign_in(self, key: str) -> None:
        self.page.goto(self.base)
        self.page.fill("#signin-key", key)
        self.page.fill("#signin-purpose", PURPOSE)
        self.page.click("#signin-form button[type=submit]")
        self.page.wait_for_selector("#app:not([hidden])")

    def assert_local_only(self) -> None:
        outside = [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob")
            and urlsplit(u).hostname not in ("127.0.0.1", "localhost")
        ]
        assert self.requests, "no request was recorded"
        assert not outside, f"requests left localhost: {outside}"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser: Browser, explorer: Explorer, artifacts: Path) -> Iterator[Session]:
    s = Session(browser, explorer.url, artifacts)
    yield s
    s.close()
    assert not s.errors, f"errors in the page: {s.errors}"


def _edges_shown(text: str) -> int:
    m = re.search(r"关系\s*(\d+)", text)
    assert m, text
    return int(m.group(1))


def test_investigator_session(session: Session, explorer: Explorer) -> None:
    s, page, pl = session, session.page, explorer.planted

    # 1. Sign in: role and division are shown.
    page.goto(explorer.url)
    page.wait_for_selector("#signin-form")
    page.fill("#signin-key", explorer.keys["investigator"])
    page.fill("#signin-purpose", PURPOSE)
    s.shot("01-signin")
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")
    who = page.locator("#who").inner_text()
    assert "调查人员" in who
    assert explorer.truth["county"]["code"] in who
    assert page.locator("#purpose-input").input_value() == PURPOSE
    s.shot("02-signed-in")

    # 2. Search a planted person by name: the suggestion appears, opening it draws a graph.
    page.fill("#expand-limit", "100")
    page.fill("#search-input", pl.secretary_name)
    masked = mask(pl.secretary_id)
    suggestion = page.locator(".suggestion", has_text=masked)
    suggestion.wait_for()
    assert pl.secretary_name in suggestion.inner_text()
    s.shot("03-search")
    suggestion.click()
    s.idle()
    assert page.locator("#panel .panel-head h2").inner_text() == pl.secretary_name
    assert masked in page.locator("#panel").inner_text()  # the API masked the ID for the role
    secretary = s.js("window.explorer.state.context.id")
    opened = s.counts()
    assert opened["nodes"] > 5
    assert "人员" in page.locator("#legend").inner_text()
    s.shot("04-opened")

    # 3. Expand a neighbour by double-clicking it: more nodes, more types in the legend.
    # The first page shows every small group whole (the household and its members), so
    # pick a neighbour whose own neighbours are not all on screen yet.
    neighbour = s.js(
        f"""(async () => {{
          const shown = new Set(window.explorer.graph.recs.keys());
          for (const r of window.explorer.graph.recs.values()) {{
            if (!r.node || r.id === {secretary!r}) continue;
            if (!["Household", "Person"].includes(r.node.label)) continue;
            const res = await window.explorer.api.neighbours(r.id, {{ limit: 100 }});
            if (res.nodes.some((n) => !shown.has(n.ref))) return r.id;
          }}
          return null;
        }})()"""
    )
    assert neighbour, "no household or relative on screen has more to show"
    page.mouse.dblclick(*s.node_point(neighbour))
    page.wait_for_function(f"window.explorer.graph.counts().nodes > {opened['nodes']}")
    s.idle()
    expanded = s.counts()
    assert expanded["nodes"] > opened["nodes"]
    legend = page.locator("#legend").inner_text()
    for word in ("户", "人员", "疑点光晕"):
        assert word in legend
    s.shot("05-expanded")

    # 4. Open the secretary's finding and its evidence: the Chinese explanation, the
    #    evidence drawn and emphasised on the canvas.
    page.mouse.click(*s.node_point(secretary))
    card = page.locator(".finding-card", has_text="公职人员亲属承揽工程").first
    card.wait_for()
    card.locator("button.finding-open").click()
    page.wait_for_selector("form.triage")
    s.idle()
    explanation = page.locator("#panel .explanation").first.inner_text()
    assert pl.secretary_name in explanation
    assert "承包方" in explanation or "承接" in explanation
    assert "证据状态" in page.locator("#panel").inner_text()
    lit: list[str] = s.js("[...window.explorer.graph.lit.nodes]")
    assert len(lit) >= 4, "the evidence subgraph is not on the canvas"
    assert all(s.js("r => window.explorer.graph.isVisible(r)", r) for r in lit)
    assert secretary in lit
    s.shot("06-finding-evidence")

    # 5. How are the village secretary and the contractor company connected?
    page.fill("#search-input", pl.company_uscc)
    company_hit = page.locator(".suggestion", has_text=pl.company_name)
    company_hit.wait_for()
    company_hit.click()
    page.wait_for_function(
        "n => document.querySelector('#panel .panel-head h2')?.textContent === n",
        arg=pl.company_name,
    )
    s.idle()
    company = s.js("window.explorer.state.context.id")
    page.click("[data-action=fit]")
    page.mouse.click(*s.node_point(secretary))
    page.keyboard.down("Control")
    page.mouse.click(*s.node_point(company))
    page.keyboard.up("Control")
    assert sorted(s.js("window.explorer.graph.selection()")) == sorted([secretary, company])
    page.click("[data-action=paths]")
    page.wait_for_selector(".hop")
    s.idle()
    title = page.locator("#panel h2").first.inner_text()
    assert pl.secretary_name in title
    assert pl.company_name in title
    hops = page.locator(".hop").all_inner_texts()
    assert hops, "no hop listed"
    first_path = page.locator(".path").first.locator(".hop").all_inner_texts()
    assert pl.secretary_name in "".join(first_path)
    assert pl.company_name in "".join(first_path)
    assert s.js("window.explorer.graph.lit.edges.size") >= len(first_path)
    s.shot("07-paths")

    # 6. The time filter hides relationships not valid at the chosen date.
    before = _edges_shown(page.locator("#counts").inner_text())
    page.check("#time-on")
    page.focus("#time-slider")
    page.keyboard.press("Home")  # the earliest date on screen
    date = page.locator("#time-value").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
    after = _edges_shown(page.locator("#counts").inner_text())
    assert after < before, f"time filter at {date}: {before} -> {after} relationships"
    s.shot("08-time-filter")
    page.uncheck("#time-on")
    assert _edges_shown(page.locator("#counts").inner_text()) == before

    # 7. Export what is on screen as PNG.
    page.select_option("#export-format", "png")
    with page.expect_download() as info:
        page.click("[data-action=export]")
    png = s.artifacts / "explorer-export.png"
    info.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000, f"PNG of {len(data)} bytes"
    assert "已导出" in page.locator("#status").inner_text()
    s.shot("09-exported")

    # ...and as GraphML, made by the API from the nodes shown (masked, audited).
    shown = s.js("window.explorer.graph.visibleSubgraph().nodes.length")
    page.select_option("#export-format", "graphml")
    with page.expect_download() as info:
        page.click("[data-action=export]")
    graphml = s.artifacts / "explorer-export.graphml"
    info.value.save_as(graphml)
    exported = nx.read_graphml(graphml)
    assert exported.number_of_nodes() == shown
    assert exported.number_of_edges() > 0

    s.assert_local_only()


def test_user_without_rights_sees_a_refusal(session: Session, explorer: Explorer) -> None:
    s, page = session, session.page
    s.sign_in(explorer.keys["no_rights"])
    assert "信访举报受理" in page.locator("#who").inner_text()
    page.click("#tab-findings")
    refusal = page.locator("#findings-body .refusal")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "没有权限" in text
    assert "may not read findings" in text  # the API's own message
    assert page.locator("#findings-body table").count() == 0  # not an empty list
    s.shot("10-refusal")
    page.click("#tab-communities")
    page.locator("#communities-body .refusal").wait_for()
    s.assert_local_only()


def test_unknown_key_returns_to_sign_in(session: Session, explorer: Explorer) -> None:
    s, page = session, session.page
    page.goto(explorer.url)
    page.fill("#signin-key", "gx_000000000000_not-a-key")
    page.fill("#signin-purpose", PURPOSE)
    page.click("#signin-form button[type=submit]")
    page.wait_for_function("document.querySelector('#signin-error').textContent.includes('无效')")
    assert page.locator("#app").is_hidden()
    s.shot("11-bad-key")
    s.assert_local_only()


def test_supernode_paging_undo_triage_and_views(session: Session, explorer: Explorer) -> None:
    s, page, pl = session, session.page, explorer.planted
    s.sign_in(explorer.keys["investigator"])

    # A small limit leaves "+N more" pseudo-nodes; clicking one loads the next page.
    page.fill("#expand-limit", "20")
    page.fill("#search-input", pl.secretary_id)
    page.locator(".suggestion", has_text=mask(pl.secretary_id)).click()
    s.idle()
    secretary = s.js("window.explorer.state.context.id")
    more = s.js(
        "[...window.explorer.graph.recs.values()].filter(r => r.kind === 'more')"
        ".sort((a, b) => b.more.count - a.more.count).map(r => [r.id, r.more.count])"
    )
    assert more, "a limit of 20 should leave neighbours out"
    pseudo, left = more[0]
    before = s.counts()["nodes"]
    page.click("[data-action=fit]")
    page.mouse.click(*s.node_point(pseudo))
    page.wait_for_function(f"window.explorer.graph.counts().nodes > {before}")
    s.idle()
    paged = s.counts()["nodes"]
    assert paged - before <= 20
    remaining = s.js(f"window.explorer.graph.recs.get({pseudo!r})?.more.count ?? 0")
    assert remaining < left
    s.shot("12-more")

    # Undo takes the page back off the canvas, redo puts it back.
    page.click("[data-action=undo]")
    assert s.counts()["nodes"] == before
    page.click("[data-action=redo]")
    assert s.counts()["nodes"] == paged

    # Hide the selection, then show everything again.
    page.mouse.click(*s.node_point(secretary))
    page.click("[data-action=hide]")
    assert s.counts()["hidden"] == 1
    assert "隐藏 1" in page.locator("#counts").inner_text()
    page.click("[data-action=showall]")
    assert s.counts()["hidden"] == 0

    # Triage a finding with a note, then put it back to new.
    page.mouse.click(*s.node_point(secretary))
    page.locator(".finding-card button.finding-open").first.click()
    page.wait_for_selector("form.triage")
    s.idle()
    page.fill("#triage-note", "已调取合同原件，情况属实")
    page.click("form.triage button.confirm")
    page.wait_for_function(
        "document.querySelector('.triage-result')?.textContent.includes('已确认')"
    )
    panel = page.locator("#panel").inner_text()
    assert "已确认" in panel
    assert "已调取合同原件" in panel  # the history lists the note
    s.shot("13-triage")
    page.click("form.triage button:has-text('重新标为新')")
    page.wait_for_function("document.querySelector('.triage-result')?.textContent.includes('新')")

    # The findings view, one by one and filtered, opens a finding in the graph.
    page.click("#tab-findings")
    page.select_option("#findings-filter select[name=group]", "finding")
    page.select_option("#findings-filter select[name=pattern]", "official_relative_contract")
    page.click("#findings-filter button[type=submit]")
    page.wait_for_selector("#findings-body table")
    rows = page.locator("#findings-body tbody tr")
    assert rows.count() >= 1
    assert "公职人员亲属承揽工程" in rows.first.inner_text()
    s.shot("14-findings")
    rows.first.locator("button.link").click()
    page.wait_for_selector("form.triage")
    assert page.locator("#view-graph").is_visible()

    # The communities view ranks by risk and opens one in the graph.
    page.click("#tab-communities")
    page.wait_for_selector("#communities-body table")
    s.shot("15-communities")
    page.locator("#communities-body tbody tr button.link").first.click()
    page.wait_for_selector("#panel .members")
    s.idle()
    assert s.counts()["nodes"] > 5

    # English on request, kept for the next visit.
    page.click("#app .lang-toggle")
    assert page.locator("#tab-findings").inner_text() == "Findings"
    assert s.js("localStorage.getItem('guanxi.lang')") == "en"
    page.click("#app .lang-toggle")
    assert page.locator("#tab-findings").inner_text() == "疑点"
    s.assert_local_only()


def test_a_large_neighbourhood_settles_then_stops(session: Session, explorer: Explorer) -> None:
    """Hundreds of nodes: the layout stabilises in a capped number of iterations, then
    physics is off (nothing moves), and a redraw stays cheap."""
    s, page = session, session.page
    s.sign_in(explorer.keys["investigator"])
    page.fill("#expand-limit", "1000")
    page.fill("#search-input", "DB01")  # the rural subsistence programme: a supernode
    page.locator(".suggestion", has_text="DB01").click()
    s.idle()
    n = s.counts()["nodes"]
    assert n >= 300, f"only {n} nodes around the programme"
    still = s.js(
        """() => new Promise(done => {
             const net = window.explorer.graph.network;
             const a = net.getPositions();
             setTimeout(() => {
               const b = net.getPositions();
               done(Object.keys(a).every(id => a[id].x === b[id].x && a[id].y === b[id].y));
             }, 1000);
           })"""
    )
    assert still, "nodes still move after the layout settled"
    ms = s.js(
        """() => { const net = window.explorer.graph.network, t0 = performance.now();
                   for (let i = 0; i < 5; i++) net.redraw();
                   return (performance.now() - t0) / 5; }"""
    )
    assert ms < 500, f"a redraw of {n} nodes takes {ms:.0f} ms"
    s.shot("16-supernode")
    s.assert_local_only()


# Lower-case ASCII words in the Chinese interface are codes that escaped translation (a
# rule's id, a status, a property name). Data is exempt: users' names, provenance
# (register file names), keys and codes (upper case and digits).
_CODE_WORD = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![A-Za-z0-9])")
_SCAN = """() => {
  const skip = (el) => el.closest('.provenance, #who, .user, [hidden], script, style');
  const out = [];
  const walk = document.createTreeWalker(document.querySelector('#app'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement && !skip(n.parentElement) && n.textContent.trim()) out.push(n.textContent);
  }
  for (const el of document.querySelectorAll('#app [title], #app [aria-label]')) {
    if (!skip(el)) out.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '');
  }
  return out;
}"""
# A finding's id (its key: rule and hash, cadre_pays_self:2dac7f3085548703) is data too.
_FINDING_ID = re.compile(r"[a-z_]+:[0-9a-f]{16}")
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _untranslated(s: Session, where: str) -> list[str]:
    found = []
    for text in s.js(_SCAN):
        text = _FINDING_ID.sub("", text)
        found += [f"{where}: {w!r} in {text.strip()[:80]!r}" for w in _CODE_WORD.findall(text)]
    return found


def test_chinese_interface_shows_no_codes(session: Session, explorer: Explorer) -> None:
    """Rule ids, evidence states, risk methods, property names: all in Chinese; the
    community number in the panel's header is the one in its property table; and the
    status line follows a switch to English."""
    s, page, pl = session, session.page, explorer.planted
    s.sign_in(explorer.keys["investigator"])
    found: list[str] = []

    page.fill("#search-input", pl.secretary_id)
    page.locator(".suggestion", has_text=mask(pl.secretary_id)).click()
    s.idle()
    page.locator("#panel .risk").wait_for()
    found += _untranslated(s, "entity")
    risk = page.locator("#panel .risk").inner_text()
    header = re.search(r"社区\s*(\d+)", risk)
    assert header, risk
    row = s.js(
        "[...document.querySelectorAll('#panel table.props tr')]"
        ".filter(tr => tr.querySelector('th').textContent === '社区')"
        ".map(tr => tr.querySelector('td').textContent)[0] ?? null"
    )
    assert row == header.group(1), (risk, row)

    card = page.locator(".finding-card").first
    card.locator("button.finding-open").click()
    page.wait_for_selector("form.triage")
    s.idle()
    found += _untranslated(s, "finding")
    finding = s.js("window.explorer.state.context.id")
    page.mouse.click(*s.node_point(finding))
    page.wait_for_function("document.querySelector('#panel table.props') !== null")
    s.idle()
    found += _untranslated(s, "finding node")

    page.click("[data-action=undo]")
    assert "已撤销" in page.locator("#status").inner_text()
    found += _untranslated(s, "status")

    page.click("#tab-findings")
    page.locator("#findings-body table").wait_for()
    found += _untranslated(s, "findings")
    page.click("#tab-communities")
    page.locator("#communities-body table").wait_for()
    found += _untranslated(s, "communities")
    page.locator("#communities-body button.link").first.click()
    page.locator("#panel .members").wait_for()
    s.idle()
    found += _untranslated(s, "community")
    s.shot("13-no-codes")
    assert not found, "\n".join(found)

    page.click("[data-action=undo]")
    assert _CJK.search(page.locator("#status").inner_text())
    page.locator("#app .lang-toggle").click()
    status = page.locator("#status").inner_text()
    assert status.startswith("Undone"), status
    assert not _CJK.search(status), status
    page.locator("#app .lang-toggle").click()  # back to Chinese for the other tests


def test_api_documentation_renders_its_operations(browser: Browser, explorer: Explorer) -> None:
    """Swagger UI at /api/v1/docs, from local files only, lists the API's operations."""
    context = browser.new_context(locale="zh-CN")
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(explorer.url.rstrip("/") + "/api/v1/docs")
        page.locator(".opblock-summary-path", has_text="/api/v1/search").first.wait_for(
            timeout=TIMEOUT
        )
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/entities/" in p for p in paths)
        assert len(paths) > 20
        page.screenshot(path=str(Path(__file__).resolve().parents[1] / "artifacts" / "docs.png"))
    finally:
        context.close()
    outside = [u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert not outside, f"requests left localhost: {outside}"
    assert not errors, errors
