"""The public site's FastAPI application: server-rendered Chinese pages, phone first.

Built by :func:`create_public_app` (no import-time globals). Every page is a Jinja2 template
with autoescaping; the only script is ``/static/public.js`` (no inline script, so the
Content-Security-Policy forbids any); every asset is served from ``public/static``. Any path
but the publication views answers 404, also for a method a view does not take; there is no
OpenAPI document.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.db import Database
from api.workflow.intake import Dictionaries, IntakeService
from graph.errors import GuanxiError
from graph.ids import normalise_resident_id
from graph.store import GraphStore, open_store
from public.abuse import Bucket, Challenges, Window
from public.cache import SummaryCache
from public.policy import POLICY
from public.queries import PublicReader
from public.reports import Reports
from public.settings import PublicSettings
from public.views import Views, Village, qty, yuan

HERE = Path(__file__).parent
log = logging.getLogger("guanxi.public")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}
CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
PERIOD = re.compile(r"^\d{4}-\d{2}$")
PHONE = re.compile(r"^[0-9+\- ]{5,20}$")
STATES = {
    "received": "已收到，待受理",
    "accepted": "已受理，正在办理",
    "rejected": "不予受理",
    "closed": "已办结",
}


class Site:
    """Everything the pages need, made once per application."""

    def __init__(self, settings: PublicSettings, store: GraphStore, db: Database) -> None:
        self.settings = settings
        secret = settings.secret()
        self.cache = SummaryCache(store, settings.public_cache_check_seconds, labels=tuple(POLICY))
        self.views = Views(PublicReader(store, settings.published), self.cache)
        intake = IntakeService(db, store, settings.rules, Dictionaries(store))
        self.reports = Reports(intake, secret, settings.public_collapse_days)
        self.challenges = Challenges(secret)
        self.pages = Bucket(settings.public_pages_per_second, settings.public_pages_burst)
        self.report_window = Window(settings.public_reports_per_address_hour, 3600)
        self.report_global = Window(settings.public_reports_per_minute, 60)
        self.lookup_window = Window(settings.public_lookups_per_address_hour, 3600)
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["yuan"] = yuan
        env.filters["qty"] = qty
        self.env = env

    def page(self, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(loading=self.cache.loading, **ctx)
        return HTMLResponse(html, status_code=status)

    def cached(self, key: tuple[Any, ...], make: Callable[[], HTMLResponse]) -> HTMLResponse:
        """A browsing page rendered once per graph generation (the village summary cache):
        rendering a village's tables costs more than reading them from the cache."""

        def render() -> tuple[bytes, int]:
            r = make()
            return bytes(r.body), r.status_code

        body, status = self.cache.get(("html", *key), render, keep=lambda r: r[1] == 200)
        return HTMLResponse(body, status_code=status)

    async def served(self, key: tuple[Any, ...], make: Callable[[], HTMLResponse]) -> HTMLResponse:
        """A cached page straight from the event loop; a miss is built in the thread pool
        (it reads the graph)."""
        hit = self.cache.peek(("html", *key))
        if hit is not None:
            return HTMLResponse(hit[0], status_code=hit[1])
        return await run_in_threadpool(self.cached, key, make)

    def not_found(self) -> HTMLResponse:
        return self.page("error.html", 404, title="页面不存在", message="没有找到这个页面。")


def create_public_app(
    settings: PublicSettings, store: GraphStore | None = None, db: Database | None = None
) -> FastAPI:
    own_store = store is None
    graph = store if store is not None else open_store(settings)
    database = db if db is not None else Database(settings.db_url)
    database.create()
    site = Site(settings, graph, database)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = site
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(Guard, site=site)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # A method a view does not take is as unknown as a path it does not have.
        return site.not_found()

    @app.exception_handler(Exception)
    async def any_error(request: Request, exc: Exception) -> Response:
        # The kind of error and where, never its message: a database error's message holds
        # the statement's parameters, and a report's parameters are its reporter.
        log.error("public site: %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return site.page("error.html", 503, title="暂时无法访问", message="请稍后再试。")

    @app.get("/", response_class=HTMLResponse)
    async def home() -> HTMLResponse:
        return await site.served(
            ("home",),
            lambda: site.page("home.html", title="首页", children=site.views.children(None)),
        )

    @app.get("/d/{code}", response_class=HTMLResponse)
    async def division(code: str) -> HTMLResponse:
        return await site.served(("d", code), lambda: _division(code))

    def _division(code: str) -> HTMLResponse:
        if not CODE.match(code):
            return site.not_found()
        d = site.views.division(code)
        if d is None:
            return site.not_found()
        if d.get("level") == "village":
            return _village(code)
        return site.page(
            "division.html",
            title=d["name"],
            division=d,
            trail=site.views.trail(code),
            children=site.views.children(code),
        )

    @app.get("/search", response_class=HTMLResponse)
    def search(q: str = "") -> HTMLResponse:
        q = q.strip()[:30]
        found = site.views.reader.villages_named(q) if q else []
        return site.page("search.html", title="查找村（社区）", q=q, found=found)

    @app.get("/v/{code}", response_class=HTMLResponse)
    async def village(code: str) -> HTMLResponse:
        return await site.served(("v", code), lambda: _village(code))

    def _village(code: str) -> HTMLResponse:
        v = site.views.village(code) if CODE.match(code) else None
        if v is None:
            return site.not_found()
        return site.page("village.html", title=v.name, v=v, village=v.code, trail=v.trail)

    @app.get("/v/{code}/list", response_class=HTMLResponse)
    async def payment_list(code: str, period: str = "") -> HTMLResponse:
        return await site.served(("list", code, period), lambda: _payment_list(code, period))

    def _payment_list(code: str, period: str) -> HTMLResponse:
        v = site.views.village(code) if CODE.match(code) else None
        if v is None or (period and period not in v.periods):
            return site.not_found()
        period = period or (v.periods[0] if v.periods else "")
        rows = site.views.payment_list(code, period) if period else []
        return site.page(
            "list.html",
            title=f"{v.name} 发放名单",
            v=v,
            village=v.code,
            trail=v.trail,
            period=period,
            rows=rows,
        )

    @app.get("/v/{code}/finance", response_class=HTMLResponse)
    async def finance(code: str, month: str = "") -> HTMLResponse:
        return await site.served(("finance", code, month), lambda: _finance(code, month))

    def _finance(code: str, month: str) -> HTMLResponse:
        v = site.views.village(code) if CODE.match(code) else None
        months = [f["month"] for f in v.finance] if v is not None else []
        if v is None or (month and month not in months) or not PERIOD.match(month or "0000-00"):
            return site.not_found()
        month = month or (months[0] if months else "")
        vouchers = site.views.vouchers(code, month) if month else {"spending": [], "income": []}
        return site.page(
            "finance.html",
            title=f"{v.name} 村级财务",
            v=v,
            village=v.code,
            trail=v.trail,
            month=month,
            vouchers=vouchers,
        )

    # -- the own-household look-up ----------------------------------------------------------
    @app.get("/lookup", response_class=HTMLResponse)
    def lookup_form() -> HTMLResponse:
        return site.page("lookup.html", title="本户享受情况查询", result=None)

    @app.post("/lookup", response_class=HTMLResponse)
    async def lookup(request: Request) -> Response:
        started = time.monotonic()
        form = await _form(request)
        if form is None:
            return site.not_found()
        if not site.lookup_window.allow(_address(request)):
            return site.page(
                "lookup.html",
                429,
                title="本户享受情况查询",
                result=None,
                error="查询过于频繁，请一小时后再试。",
            )
        name = form.get("name", "").strip()[:30]
        id_number = _id_number(form.get("id_number", ""))
        result: dict[str, Any] = {"benefits": [], "aid": []}
        if name and id_number:
            result = await run_in_threadpool(site.views.reader.household, name, id_number)
        # The same answer, at the same time, whether or not such a person exists.
        wait = settings.public_lookup_seconds - (time.monotonic() - started)
        if wait > 0:
            await asyncio.sleep(wait)
        return site.page("lookup.html", title="本户享受情况查询", result=result)

    # -- the one-click report ---------------------------------------------------------------
    @app.get("/report", response_class=HTMLResponse)
    def report_form(village: str = "", item: str = "", q: str = "") -> HTMLResponse:
        v = site.views.village(village) if CODE.match(village) else None
        described = site.views.item(village, item) if v is not None and item else None
        q = q.strip()[:30]
        found = site.views.reader.villages_named(q) if v is None and q else []
        return _report_page(v, item if described else "", described, {}, None, 200, q, found)

    def _report_page(
        v: Any,
        item: str,
        described: str | None,
        form: dict[str, str],
        error: str | None,
        status: int,
        q: str = "",
        found: list[dict[str, Any]] | None = None,
    ) -> HTMLResponse:
        question, token = site.challenges.issue()
        return site.page(
            "report.html",
            status,
            title="一键举报",
            on_report=True,
            v=v,
            village=v.code if v is not None else "",
            item=item,
            described=described,
            form=form,
            error=error,
            question=question,
            token=token,
            max_chars=settings.public_report_max_chars,
            q=q,
            found=found or [],
        )

    @app.post("/report", response_class=HTMLResponse)
    async def report(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return site.not_found()
        code = form.get("village", "")
        item = form.get("item", "")

        def picked() -> tuple[Village | None, str | None]:
            # The village's summary may be cold (its queries read the graph): never on
            # the event loop, where every other resident's page waits behind it.
            v = site.views.village(code) if CODE.match(code) else None
            return v, (site.views.item(code, item) if v is not None and item else None)

        v, described = await run_in_threadpool(picked)
        text = form.get("text", "").strip()
        anonymous = form.get("anonymous") == "1"
        name = "" if anonymous else form.get("name", "").strip()
        phone = "" if anonymous else form.get("phone", "").strip()

        def again(error: str, status: int = 400) -> HTMLResponse:
            return _report_page(v, item if described else "", described, form, error, status)

        if not site.challenges.check(form.get("token", ""), form.get("answer", "")):
            return again("验证题答案不对或已过期，请重新作答。")
        if v is None:
            return again("请先选择被反映问题所在的村（社区）。")
        if len(text) < 5:
            return again("请写明反映的问题（至少5个字）。")
        if len(text) > settings.public_report_max_chars:
            return again(f"内容过长，请控制在{settings.public_report_max_chars}字以内。")
        if len(name) > 30 or (phone and not PHONE.match(phone)):
            return again("姓名或电话格式不对（也可以匿名反映）。")
        addr = _address(request)
        if not site.report_window.allow(addr) or not site.report_global.allow("*"):
            return again("提交过于频繁，请稍后再试。", 429)
        receipt, collapsed = await run_in_threadpool(
            lambda: site.reports.file(
                village=v.code, text=text, item=described, name=name, phone=phone
            )
        )
        return site.page(
            "receipt.html",
            title="已收到您的反映",
            v=v,
            village=v.code,
            receipt=receipt,
            collapsed=collapsed,
        )

    @app.get("/progress", response_class=HTMLResponse)
    def progress_form() -> HTMLResponse:
        return site.page("progress.html", title="办理进度查询", found=None, asked=False)

    @app.post("/progress", response_class=HTMLResponse)
    async def progress(request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return site.not_found()
        if not site.lookup_window.allow("progress:" + _address(request)):
            return site.page(
                "progress.html",
                429,
                title="办理进度查询",
                found=None,
                asked=False,
                error="查询过于频繁，请稍后再试。",
            )
        found = await run_in_threadpool(site.reports.progress, form.get("code", ""))
        return site.page(
            "progress.html",
            title="办理进度查询",
            found=found,
            state=STATES.get(found["state"], "") if found else "",
            asked=True,
        )

    def warm_division(code: str, level: str) -> None:
        if level == "village":
            site.cached(("v", code), lambda: _village(code))
        else:
            site.cached(("d", code), lambda: _division(code))

    warmer = app.state.warmer = Warmer(site, warm_division)
    if settings.public_warm:
        app.router.on_startup.append(warmer.start)
        app.router.on_shutdown.append(warmer.stop)
    if own_store:
        app.router.on_shutdown.append(graph.close)
    app.router.on_shutdown.append(database.dispose)
    return app


class Warmer:
    """Builds every published division's page in a background thread, one at a time: at
    start, and again whenever the cache moves to a new graph generation (a load), so the
    first resident at a village does not wait for its queries (about 25 ms each at 1M).
    ``GUANXI_PUBLIC_WARM``, off by default: under 200 residents arriving at once it
    competes with them (docs/public.md)."""

    def __init__(self, site: Site, warm: Callable[[str, str], None]) -> None:
        self.site = site
        self.warm = warm
        self.warmed = -1  # the generation last warmed completely
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="public-warmer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        cache = self.site.cache
        while not self._stop.is_set():
            try:
                cache.check()
                generation = cache.generation
                fresh = generation != self.warmed and not cache.loading
                if fresh and self._walk(generation):
                    self.warmed = generation
            except GuanxiError as e:  # the engine restarting, say: try again later
                log.warning("public site: warming the pages stopped: %s", type(e).__name__)
            self._stop.wait(cache.check_seconds)

    def _walk(self, generation: int) -> bool:
        """Every published division under the roots, breadth first; False when stopped or
        overtaken by a newer generation."""
        views = self.site.views
        todo = [(str(d["code"]), str(d.get("level") or "")) for d in views.children(None)]
        while todo:
            if self._stop.is_set() or self.site.cache.generation != generation:
                return False
            code, level = todo.pop(0)
            self.warm(code, level)
            if level != "village":
                todo += [(str(d["code"]), str(d.get("level") or "")) for d in views.children(code)]
        return True


def _id_number(value: str) -> str:
    try:
        return normalise_resident_id(value[:40])
    except (GuanxiError, ValueError):
        return ""


class Guard:
    """Every response's security headers, and the per-address page limit (429), as plain
    ASGI: Starlette's BaseHTTPMiddleware costs a task and a stream copy per request."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site
        self.headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
        self.static = [(k, v) for k, v in self.headers if k != b"cache-control"] + [
            (b"cache-control", b"public, max-age=3600")
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if not self.site.pages.allow(client[0] if client else "-"):
            resp = self.site.page("error.html", 429, title="访问过于频繁", message="请稍后再试。")
            resp.headers.update(HEADERS)
            resp.headers["Retry-After"] = "5"
            await resp(scope, receive, send)
            return
        extra = self.static if scope["path"].startswith("/static/") else self.headers

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


async def _form(request: Request) -> dict[str, str] | None:
    """An urlencoded form of at most ``max_body`` bytes, one value per field (None: refused).
    A Chinese character is 9 bytes percent-encoded: room for the longest report and its
    other fields, and no more."""
    max_body = 9 * request.app.state.site.settings.public_report_max_chars + 4096
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            return None
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in parsed.items()}
