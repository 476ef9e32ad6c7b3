"""The API over the synthetic county (graph.synth → load → detect), on each engine.

What an investigator of the county does first: find a planted person, open the finding
about them with its evidence, follow the path from the village secretary of the collusion
ring to one of its companies, and check the complaint deadlines that were planted late.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypinyin import lazy_pinyin

from api.app import create_app
from api.db import Database
from api.deps import Services
from api.users import add_user
from graph.loaders import load_folder
from graph.queries import detect
from graph.store import GraphStore
from tests.api.harness import make_settings
from tests.shapes import MakeCounty, OpenEngine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def synth(
    request: pytest.FixtureRequest,
    open_engine: OpenEngine,
    synthetic_county: MakeCounty,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, dict[str, str], dict[str, Any], GraphStore]]:
    folder, truth = synthetic_county(3000, 11)
    store = open_engine(request.param, "api_synth")
    store.clear()
    store.ensure_schema()
    load_folder(store, folder, progress=False)
    detect(store, as_of=truth["as_of"])
    settings = make_settings(tmp_path_factory.mktemp("synth-api"))
    db = Database(settings.db_url)
    db.create()
    code = truth["county"]["code"]
    keys = {
        "inv": add_user(db, "inv", "investigator", [code]),
        "other": add_user(db, "other", "investigator", ["430499"]),
        "handler": add_user(db, "handler", "complaint_handler", [code]),
        "admin": add_user(db, "admin", "admin", [""]),
    }
    app = create_app(settings, store=store, db=db)
    with TestClient(app) as client:
        svc: Services = app.state.services
        svc.names.build(store)
        yield client, keys, truth, store
    store.close()


def _get(client: TestClient, key: str, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "synthetic-county"}
    return client.get(f"/api/v1{path}", params=params, headers=headers)


def test_planted_case_end_to_end(
    synth: tuple[TestClient, dict[str, str], dict[str, Any], Any],
) -> None:
    client, keys, truth, _ = synth
    case = next(c for c in truth["cases"] if c["kind"] == "recipient_vehicle")
    person, plate = case["subjects"][0], case["subjects"][-1]
    hit = _get(client, keys["inv"], "/search", q=person).json()["items"][0]
    assert hit["match"] == "exact_key"
    ref = hit["node"]["ref"]
    name = hit["node"]["properties"]["name"]
    by_pinyin = _get(client, keys["inv"], "/search", q="".join(lazy_pinyin(name)), size=100)
    assert ref in {h["node"]["ref"] for h in by_pinyin.json()["items"]}
    entity = _get(client, keys["inv"], f"/entities/{ref}").json()
    found = [f for f in entity["findings"] if f["pattern"] == "recipient_vehicle"]
    assert found, entity["findings"]
    detail = _get(client, keys["admin"], f"/findings/{found[0]['finding_id']}").json()
    assert detail["evidence_status"] in ("computed", "stored")
    keys_in_evidence = {n["key"] for n in detail["evidence"]["nodes"]}
    assert {person, plate} <= keys_in_evidence
    assert _get(client, keys["other"], f"/entities/{ref}").status_code == 403


def test_ring_secretary_to_company(
    synth: tuple[TestClient, dict[str, str], dict[str, Any], Any],
) -> None:
    client, keys, truth, _ = synth
    ring = truth["ring"]
    secretary = ring["roles"]["secretary"]
    reached = []
    for company in ring["enterprises"]:
        r = _get(client, keys["inv"], "/paths", **{"from": secretary, "to": company, "max_hops": 4})
        assert r.status_code == 200, r.text
        reached += r.json()["paths"]
    assert reached, "no path from the ring's secretary to any of its companies"
    assert all(h["text"] for p in reached for h in p["hops"])


def test_planted_complaint_deadlines(
    synth: tuple[TestClient, dict[str, str], dict[str, Any], Any],
) -> None:
    client, keys, truth, _ = synth
    late = {c["subjects"][0] for c in truth["cases"] if c["kind"] == "complaint_deadline"}
    seen: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        r = _get(
            client, keys["handler"], "/complaints", as_of=truth["as_of"], page=page, size=100
        ).json()
        seen.update({c["node"]["key"]: c for c in r["items"]})
        if not r["has_more"]:
            break
        page += 1
    assert late <= set(seen)
    bad = {"acceptance_overdue", "closure_overdue", "closed_late"}
    for cid in late:
        assert seen[cid]["deadline_status"] in bad or seen[cid]["accepted_late"], seen[cid]
