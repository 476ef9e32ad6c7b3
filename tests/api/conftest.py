"""The API under test: the two-county graph on each engine, a user per role and scope.

``api`` is module-scoped: the graph is built once per engine per test module, and tests
that change it (triage, judgements) put it back. Requests go through Starlette's
TestClient (the real ASGI app, middleware and all).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.deps import Services
from api.users import add_user
from graph.store import GraphStore
from tests.api import graphdata as gd
from tests.api.harness import USERS, Api, make_settings
from tests.shapes import OpenEngine


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def graph_store(request: pytest.FixtureRequest, open_engine: OpenEngine) -> Iterator[GraphStore]:
    st = open_engine(request.param, "api")
    st.clear()
    st.ensure_schema()
    gd.build(st)
    yield st
    st.close()


@pytest.fixture(scope="module")
def api(graph_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("api")
    settings = make_settings(tmp)
    db = Database(settings.db_url)
    db.create()
    keys = {name: add_user(db, name, role, divs) for name, (role, divs) in USERS.items()}
    app = create_app(settings, store=graph_store, db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        svc: Services = app.state.services
        svc.names.build(graph_store)
        svc.risk.build(graph_store)
        yield Api(client, app, db, graph_store, keys)
