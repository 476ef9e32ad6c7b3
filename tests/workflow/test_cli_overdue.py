"""`guanxi cases overdue`: what is due or overdue, for a daily cron (exit 1 when overdue)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.db import Database
from api.settings import ApiSettings
from api.workflow.cases import Source, Workflow
from cli.main import app
from tests.workflow.wfdata import A_HANDLER, COUNTY_A


def test_overdue_lists_and_fails_the_cron(tmp_path: Path) -> None:
    db = Database(ApiSettings(data_dir=tmp_path).db_url)
    db.create()
    wf = Workflow(db)
    src = Source("finding", "f:1", COUNTY_A, "疑点")
    late = wf.open(A_HANDLER, src, received="2024-01-02")
    soon = wf.open(A_HANDLER, src, received="2024-03-01")
    wf.act(A_HANDLER, soon, "accept", on="2024-03-02")
    fine = wf.open(A_HANDLER, src, received="2024-03-01")
    wf.act(A_HANDLER, fine, "reject", on="2024-03-02", reason="不属于受理范围")
    db.dispose()
    runner = CliRunner()
    r = runner.invoke(
        app, ["cases", "overdue", "--as-of", "2024-05-30", "--format", "jsonl",
              "--data-dir", str(tmp_path)],
    )  # fmt: skip
    assert r.exit_code == 1, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [(x["case_no"], x["overdue"]) for x in rows] == [(late, True), (soon, False)]
    assert rows[1]["due"] == "2024-06-02"
    assert rows[1]["days_left"] == 3
    r = runner.invoke(
        app, ["cases", "overdue", "--as-of", "2024-01-03", "--data-dir", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    assert late in r.output
