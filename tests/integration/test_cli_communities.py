"""`guanxi detect` numbers the communities once; `guanxi communities` and the API's risk
model show that numbering, not one of their own."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from api.services.riskmodel import RiskModel
from cli.main import app as cli
from graph.algorithms import rank_communities
from graph.algorithms.numbering import numbered_projection, stored_partition
from graph.settings import Settings
from graph.store import open_store
from graph.synth import generate

_ROW = re.compile(r"^\W*(\d+)\s*\W\s*(\d+)\s*\W\s*(\d+\.\d\d)\s*\W", re.M)


def test_detect_numbers_communities_that_every_view_shows(tmp_path: Path) -> None:
    county = tmp_path / "county"
    generate(2000, 11, county)
    dd = ["--engine", "embedded", "--data-dir", str(tmp_path / "data")]
    run = CliRunner()
    assert run.invoke(cli, ["load", str(county), *dd]).exit_code == 0
    detected = run.invoke(cli, ["detect", "--format", "jsonl", "--out", str(tmp_path / "f"), *dd])
    assert detected.exit_code == 0, detected.output
    shown = run.invoke(cli, ["communities", "--top", "5", *dd], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    rows = [(int(a), int(b)) for a, b, _ in _ROW.findall(shown.output)]
    assert len(rows) == 5, shown.output

    with open_store(Settings(engine="embedded", data_dir=tmp_path / "data")) as store:
        proj = numbered_projection(store)
        stored = stored_partition(proj)
        assert stored is not None, "detect stored no community numbers"
        ranked = rank_communities(store, 5, proj=proj, partition=stored)
        assert rows == [(r.rank, r.community) for r in ranked]
        model = RiskModel()
        model.build(store)
        assert model.model is not None
        assert [c.id for c in model.model.ranked[:5]] == [r.community for r in ranked]
