"""Entity resolution on a synthetic county, both engines: the issue's acceptance bar.

The generator plants name-only mentions (exact, typo'd, homophone, traditional; relatives
absent from the registers; pairs of namesakes in one village that nothing tells apart).
"""

from __future__ import annotations

import json

import pytest

from graph.loaders import load_folder
from graph.resolve import resolve
from graph.resolve.evaluate import evaluate, linked_persons
from graph.store import GraphStore
from tests.shapes import MakeCounty

pytestmark = pytest.mark.slow


def test_planted_mentions_resolved(store: GraphStore, synthetic_county: MakeCounty) -> None:
    county, truth = synthetic_county(5000, 3)
    assert any(t["ambiguous"] for t in truth["mentions"]), "the county plants no ambiguous pair"
    load_folder(store, county, progress=False)
    report = resolve(store)
    mention_ids = {r["m"] for r in store.read("MATCH (m:Mention) RETURN m.mention_id AS m")}
    ev = evaluate(truth["mentions"], linked_persons(store), mention_ids)
    assert ev.missing == 0, "a planted mention did not become a Mention node"
    detail = json.dumps(ev.errors, ensure_ascii=False, indent=1)
    assert ev.precision >= 0.99, detail
    assert ev.recall >= 0.95, detail
    assert ev.ambiguous_linked == 0, detail
    assert report.linked == ev.true_positives + ev.false_positives
    # a second run is a no-op
    again = resolve(store, find_conflicts=False)
    assert (again.created, again.removed) == (0, 0)
