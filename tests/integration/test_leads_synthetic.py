"""Leads on a synthetic county: the ring's village secretary, flagged once per voucher he
approved for his family's company, is one lead; lead ids survive detect runs; a finding
that comes back joins its old lead; money is counted once per voucher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.loaders import load_folder
from graph.queries import detect
from graph.queries import leads as gl
from graph.resolve import resolve
from graph.store import GraphStore
from graph.synth import generate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county")
    generate(3000, 11, out)
    return out


def test_the_secretary_is_one_lead(store: GraphStore, county: Path) -> None:
    truth = json.loads((county / "truth.json").read_text(encoding="utf-8"))
    secretary = truth["ring"]["roles"]["secretary"]
    planted = [
        c for c in truth["cases"] if c["kind"] == "cadre_pays_self" and secretary in c["subjects"]
    ]
    assert len(planted) >= 5, "the ring should pay the secretary's family several times"
    load_folder(store, county, progress=False)
    resolve(store)
    first = detect(store, as_of=truth["as_of"])
    mine = [f for f in first.findings if f.pattern == "cadre_pays_self" and secretary in f.subjects]
    assert len(mine) >= len(planted)
    rows = store.read(
        "MATCH (f:Finding {pattern: 'cadre_pays_self'}) WHERE $s IN f.subjects "
        "RETURN DISTINCT f.lead_id AS lead",
        {"s": secretary},
    )
    assert len(rows) == 1, "one lead, not one row per voucher"
    lead_id = rows[0]["lead"]
    assert lead_id == gl.lead_id("Person", secretary)
    lead = store.read("MATCH (l:Lead {lead_id: $id}) RETURN l", {"id": lead_id})[0]["l"]
    props = lead["properties"]
    assert props["principal_key"] == secretary
    assert props["finding_count"] >= len(mine)
    assert "经手人向本人或亲属付款" in props["title"] or props["principal_name"] in props["title"]
    assert props["division_names"]
    assert not any(n.isdigit() for n in props["division_names"])
    # Money: each voucher once, however many findings name it.
    vouchers = store.read(
        "MATCH (f:Finding {lead_id: $id})-[:CONCERNS]->(p:Payment) "
        "RETURN DISTINCT p.voucher_no AS v, p.amount AS a",
        {"id": lead_id},
    )
    assert props["amount"] >= sum(r["a"] for r in vouchers)
    monies = store.read("MATCH (f:Finding {lead_id: $id}) RETURN f.money AS m", {"id": lead_id})
    items = [m for r in monies for m in r["m"] or []]
    assert len(items) > len(set(items)) or props["vouchers"] == len(set(items))
    assert props["amount"] == sum(int(m.rpartition("=")[2]) for m in set(items))
    # The same lead ranks above single findings of the pattern: no longer tied.
    top = gl.leads(store, size=5)[0]
    assert lead_id in [r["lead_id"] for r in top]

    # Stable across runs, and a finding that disappears and returns rejoins its lead.
    before = {
        r["f"]: r["l"]
        for r in store.read("MATCH (f:Finding) RETURN f.finding_id AS f, f.lead_id AS l")
    }
    gone = mine[0].finding_id
    store.write("MATCH (f:Finding {finding_id: $id}) DETACH DELETE f", {"id": gone})
    gl.rebuild(store)
    detect(store, as_of=truth["as_of"])
    after = {
        r["f"]: r["l"]
        for r in store.read("MATCH (f:Finding) RETURN f.finding_id AS f, f.lead_id AS l")
    }
    assert after == before
    assert (
        store.read("MATCH (l:Lead) WHERE NOT (l)<-[:IN_LEAD]-() RETURN count(l) AS n")[0]["n"] == 0
    )
