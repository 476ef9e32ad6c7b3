"""graph.pipeline: the load → resolve → detect recipe gives what its stages give by hand."""

from __future__ import annotations

import json
from pathlib import Path

from graph.loaders import load_folder
from graph.notebook import Guanxi
from graph.pipeline import run_pipeline
from graph.queries import detect
from graph.resolve import resolve
from graph.settings import Settings
from graph.store import GraphStore
from graph.synth import generate


def test_pipeline_equals_its_stages_and_reports_them_in_order(
    store: GraphStore, tmp_path: Path
) -> None:
    truth = generate(2000, 3, tmp_path)
    store.clear()
    load_folder(store, tmp_path, progress=False)
    by_hand = resolve(store)
    found = detect(store, as_of=truth["as_of"])
    want = sorted(f.finding_id for f in found.findings)
    counts = (store.count(), store.count_relationships())

    seen: list[tuple[str, bool]] = []
    ran = run_pipeline(
        store,
        tmp_path,
        fresh=True,
        as_of=truth["as_of"],
        on_stage=lambda stage, report: seen.append((stage, report is not None)),
    )
    assert ran.resolve is not None
    assert ran.detect is not None
    assert sorted(f.finding_id for f in ran.detect.findings) == want
    assert ran.resolve.linked == by_hand.linked
    assert (store.count(), store.count_relationships()) == counts
    stages = ["load", "resolve", "detect"]
    assert seen == [(s, done) for s in stages for done in (False, True)]

    g = Guanxi(store, Settings(engine="neo4j" if store.engine == "neo4j" else "embedded"))
    frame = g.run(
        tmp_path, fresh=True, as_of=json.loads((tmp_path / "truth.json").read_text())["as_of"]
    )
    assert len(frame) == len(want)

    only_load = run_pipeline(store, tmp_path, fresh=True, resolve_mentions=False, find=False)
    assert only_load.resolve is None
    assert only_load.detect is None
