"""`guanxi leads --top N` on a graph kept in a data directory: names and places, no codes."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from graph.settings import Settings
from graph.store import open_store

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from tests.api import graphdata as gd


def test_leads_top(tmp_path: Path) -> None:
    store = open_store(Settings(data_dir=tmp_path))
    try:
        store.ensure_schema()
        gd.build(store)  # detects two patterns, which groups their findings into leads
    finally:
        store.close()
    r = CliRunner().invoke(
        app, ["leads", "--top", "5", "--format", "jsonl", "--data-dir", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    assert "张三户" in r.output
    assert "车江镇大山村" in r.output
    r = CliRunner().invoke(app, ["leads", "--top", "1", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "leads (top 1 of" in r.output
