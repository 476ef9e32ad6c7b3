"""Build the application: ``create_app(settings)``; nothing is created at import time.

>>> from api.settings import ApiSettings
>>> app = create_app(ApiSettings(data_dir="/tmp/guanxi-doctest"), start=False)
>>> app.title
'guanxi'
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.audit import API_PREFIX, UNAUDITED, AuditMiddleware
from api.db import Database
from api.deps import Services
from api.floodgate import AddressThrottle, FailureTally
from api.ratelimit import SharedBuckets
from api.refs import RefCodec, load_secret
from api.routers import ROUTERS
from api.scope import ScopeResolver
from api.services.evidence import EvidenceCache
from api.services.names import NameIndex
from api.services.persisted import Persisted
from api.services.query import AnalystSlots, Coverage
from api.services.riskmodel import RiskModel
from api.settings import ApiSettings
from graph.errors import GuanxiError
from graph.store import GraphStore, SealedStore, open_store, seal_graph

log = logging.getLogger("guanxi.api")
VERSION = "1"
STATIC_DIR = Path(__file__).parent / "static"


def _json_response(max_bytes: int) -> type[JSONResponse]:
    class CappedJSON(JSONResponse):
        """Compact UTF-8 JSON, refused when larger than the configured cap."""

        def render(self, content: Any) -> bytes:
            data = _dumps(content)
            if len(data) > max_bytes:
                raise errors.ResultTooLarge(
                    f"the result would exceed {max_bytes:,} bytes; ask for less "
                    "(a lower limit, depth or page size)"
                )
            return data

    return CappedJSON


# What orjson leaves to ``default`` (str), as the standard library did: dates and
# dataclasses keep the text they had; dict keys that are not strings become strings.
_ORJSON_OPTS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _dumps(content: Any) -> bytes:
    """Compact UTF-8 JSON: orjson (a 300-node neighbourhood in a tenth of the standard
    library's time); NaN and infinities, which JSON cannot carry, go out as null. What
    orjson refuses (integers beyond 64 bits) goes through the standard library."""
    try:
        return orjson.dumps(content, default=str, option=_ORJSON_OPTS)
    except orjson.JSONEncodeError:
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str
        ).encode("utf-8")


def _freeze_when_built(
    names: NameIndex,
    store: GraphStore | None,
    cache: Persisted | None = None,
    risk: threading.Thread | None = None,
) -> threading.Thread:
    """Build the name index (when asked to) in a thread, then move every object alive by
    then out of the garbage collector's reach (``gc.freeze``); again when the risk model's
    build (``risk``) has ended.

    The index and the services live as long as the process; left to the collector, each
    full collection walks them all — measured 250-500 ms at 200,000 persons, during which
    every request in flight waits — and a full collection comes every few thousand
    requests. Frozen objects are still freed by reference counting."""

    def run() -> None:
        if store is not None:
            names.build(store, cache)
        gc.collect()
        gc.freeze()
        if risk is not None:  # a build from the graph takes minutes: frozen again after
            risk.join()
            gc.collect()
            gc.freeze()

    t = threading.Thread(target=run, name="pinyin-index", daemon=True)
    t.start()
    return t


def build_services(settings: ApiSettings, store: GraphStore, database: Database) -> Services:
    """Everything requests use, around one store and one database."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    return Services(
        settings=settings,
        store=store,
        db=database,
        codec=RefCodec(load_secret(secret, settings.data_dir)),
        resolver=ScopeResolver(store),
        # One file per data directory: the processes of `guanxi serve --workers N` share
        # each key's bucket.
        buckets=SharedBuckets(
            settings.rate_per_second, settings.rate_burst, settings.data_dir / "api-ratelimit"
        ),
        names=NameIndex(),
        risk=RiskModel(),
        evidence=EvidenceCache(database, store, timeout=settings.evidence_timeout),
        coverage=Coverage(store),
        # Before authentication, per client address (api.floodgate).
        address_buckets=SharedBuckets(
            settings.address_rate_per_second,
            settings.address_burst,
            settings.data_dir / "api-ratelimit-address",
        ),
        # Reporters' identities, out of the graph; read only by GET /complaints.
        sealed=SealedStore(database.engine),
        slots=AnalystSlots(
            settings.data_dir / "analyst-slots",
            settings.analyst_slots or settings.embedded_threads - 1,
        ),
    )


def _seal_graph(store: GraphStore, sealed: SealedStore) -> None:
    """Take confidential values that an older load left in the graph out of it, before
    any query can read them (graph.store.sealed)."""
    try:
        moved = seal_graph(store, sealed)
    except GuanxiError as e:
        log.error("could not check the graph for confidential values: %s", e)
        return
    if moved:
        log.warning("moved the confidential values of %d nodes out of the graph", moved)


def create_app(
    settings: ApiSettings | None = None,
    *,
    store: GraphStore | None = None,
    db: Database | None = None,
    start: bool = True,
) -> FastAPI:
    """The API. ``store`` and ``db`` may be injected (tests); otherwise they are opened
    from ``settings`` when the application starts, and closed when it stops. With
    ``start=False`` nothing is opened (documentation, schema export)."""
    settings = settings or ApiSettings()
    database = db or Database(settings.db_url)
    tally = FailureTally(database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not start:
            yield
            return
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        database.create()
        own_store = store is None
        st = store if store is not None else open_store(settings)
        app.state.services = build_services(settings, st, database)
        _seal_graph(st, app.state.services.sealed)
        names, risk = app.state.services.names, app.state.services.risk
        # Copies built from the graph's current version are read back, not rebuilt.
        name_cache = Persisted(settings.data_dir, "name-index")
        risk_cache = Persisted(settings.data_dir, "risk-model")
        building = risk.build_in_background(st, risk_cache) if settings.risk_model else None
        if own_store:  # a served process (tests inject their store and keep the collector)
            index_from = st if settings.pinyin_index else None
            _freeze_when_built(names, index_from, name_cache, building)
        elif settings.pinyin_index:
            names.build_in_background(st, name_cache)
        if settings.evidence_warm:
            app.state.services.evidence.warm_in_background()
        try:
            yield
        finally:
            tally.close()
            app.state.services.buckets.close()
            app.state.services.address_buckets.close()
            if own_store:
                st.close()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="guanxi",
        version=VERSION,
        summary="Relationship analysis of public-money registers: search, expand, paths, "
        "findings, communities, exports — with roles, division scope, masking and an audit log.",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # FastAPI's own pages load Swagger UI from a CDN; guanxi runs air-gapped, so its
        # page at /api/v1/docs is served from the copy fastapi-offline ships (_mount_docs).
        docs_url=None,
        redoc_url=None,
        default_response_class=_json_response(settings.response_max_bytes),
        responses={k: v for k, v in errors.COMMON_RESPONSES.items() if k in (401, 429, 503)},
    )
    errors.install(app)
    app.state.failure_tally = tally
    # Added first, so it runs inside the audit middleware, which counts its refusals.
    app.add_middleware(AddressThrottle, prefix=API_PREFIX, unthrottled=UNAUDITED)
    app.add_middleware(AuditMiddleware, db=database, tally=tally)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    _custom_openapi(app)
    _mount_docs(app)
    vis = _vis_dir()
    if vis is not None:  # the explorer draws with the vis-network copy pyvis ships
        app.mount("/vendor/vis-network", StaticFiles(directory=vis), name="vis-network")
    if STATIC_DIR.is_dir():
        app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="explorer")
    return app


def _vis_dir() -> Path | None:
    """vis-network (JS and CSS) inside the installed pyvis package; None without pyvis."""
    try:
        from graph.export.markup import vis_dir

        d = vis_dir()
    except ImportError:  # pragma: no cover - pyvis is a dependency
        return None
    return d if (d / "vis-network.min.js").is_file() else None


DOCS_PATH = f"{API_PREFIX}/docs"
SWAGGER_PATH = "/vendor/swagger-ui"


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI at /api/v1/docs, its script and style from the installed fastapi-offline
    package (Swagger UI 5, which reads OpenAPI 3.1), so the page works air-gapped."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(SWAGGER_PATH, StaticFiles(directory=assets), name="swagger-ui")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API_PREFIX}/openapi.json",
            title="guanxi API",
            swagger_js_url=f"{SWAGGER_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_PATH}/favicon.png",
            # validatorUrl: Swagger UI would send the document to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )


def _custom_openapi(app: FastAPI) -> None:
    """Every 422 is the one error shape, not FastAPI's validation detail."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            routes=app.routes,
        )
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        for path in spec.get("paths", {}).values():
            for op in path.values():
                for code, resp in op.get("responses", {}).items():
                    # Errors are JSON even where the success is HTML or a file.
                    if code.isdigit() and int(code) >= 400:
                        resp["content"] = {"application/json": {"schema": ref}}
                        if code == "422":
                            resp["description"] = "invalid parameters"
        schemas = spec.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
