"""``/communities`` for a caller with a scope is ordered by what the caller sees.

The toy county's collusion ring (:mod:`graph.algorithms.toy`) is the riskiest community
of the county; here the secretary's wife and brother-in-law live in the next village
and the ring's findings are anchored in the secretary's. An investigator of that next
village sees the relatives and their companies, not the secretary, his contracts or the
findings: that part of the ring weighs less than the village's own communities, and the
list ranks it by that, not by the whole ring's score.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.deps import Services
from api.users import add_user
from graph.algorithms import community_score
from graph.algorithms.toy import RING_KEYS, collusion_county, load_records
from tests.api.harness import Api, make_settings
from tests.shapes import OpenEngine

SECRETARY_VILLAGE, NEXT_VILLAGE = "430422101201", "430422101202"


def _county() -> tuple[list, list]:  # type: ignore[type-arg]
    nodes, rels = collusion_county()
    moved = set(RING_KEYS[1:3])
    out = []
    for label, key, props in nodes:
        if key in moved:
            props = {**props, "village_code": NEXT_VILLAGE}
        elif label == "Finding" and props.get("title") == "亲属承揽工程":
            props = {**props, "division_code": SECRETARY_VILLAGE}
        out.append((label, key, props))
    return out, rels


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def api(
    request: pytest.FixtureRequest,
    open_engine: OpenEngine,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Api]:
    store = open_engine(request.param, "communities-scope")
    store.clear()
    store.ensure_schema()
    load_records(store, *_county())
    tmp = tmp_path_factory.mktemp("communities-scope")
    settings = make_settings(tmp)
    db = Database(settings.db_url)
    db.create()
    keys = {
        "admin": add_user(db, "admin", "admin", [""]),
        "next": add_user(db, "next", "investigator", [NEXT_VILLAGE]),
    }
    app = create_app(settings, store=store, db=db)
    with TestClient(app, raise_server_exceptions=False) as client:
        svc: Services = app.state.services
        svc.risk.build(store)
        yield Api(client, app, db, store, keys)
    store.clear()
    store.close()


def _ring(api: Api) -> int:
    model = api.services.risk.model
    assert model is not None
    return int(model.membership[model.vertex("Person", RING_KEYS[0])])


def test_a_scoped_list_ranks_by_the_score_of_what_the_caller_sees(api: Api) -> None:
    ring = _ring(api)
    every = api.get("admin", "/communities", size=100).json()["items"]
    assert every[0]["id"] == ring, "the whole ring is the county's riskiest community"
    mine = api.get("next", "/communities", size=100).json()["items"]
    ids = [c["id"] for c in mine]
    assert ring in ids
    whole = [c for c in mine if c["risk"] is not None]
    assert whole, "the village's own communities are listed whole"
    assert ids.index(ring) > 0, "the ring's part in the village weighs less than its own"
    # Each whole community keeps its score; the ring's part sits where its own score puts it.
    model = api.services.risk.model
    assert model is not None
    c = model.by_id[ring]
    seen = np.array(
        [d is None or str(d).startswith(NEXT_VILLAGE) for d in model.division[c.members]]
    )
    # Of its findings and complaints the caller's part holds those it sees.
    visible = {str(k) for k in model.keys[c.members[seen]]}
    facts = dataclasses.replace(
        model.facts,
        findings=model.facts.findings[model.facts.findings["finding_id"].isin(visible)],
        complaints=model.facts.complaints[model.facts.complaints["complaint_id"].isin(visible)],
    )
    part = community_score(model.labels, facts, c.members[seen])
    assert part < c.score
    above = [x["risk"] for x in mine[: ids.index(ring)]]
    below = [x["risk"] for x in mine[ids.index(ring) + 1 :] if x["risk"] is not None]
    assert all(r is not None and r >= part for r in above)
    assert all(r <= part for r in below)
    risks = [x["risk"] for x in whole]
    assert risks == sorted(risks, reverse=True)


def test_the_order_by_size_and_an_unscoped_caller_are_unchanged(api: Api) -> None:
    every = api.get("admin", "/communities", size=100).json()["items"]
    risks = [c["risk"] for c in every]
    assert risks == sorted(risks, reverse=True)
    by_size = api.get("next", "/communities", size=100, order="size").json()["items"]
    assert [c["size"] for c in by_size] == sorted((c["size"] for c in by_size), reverse=True)
