"""bench/serving.py runs on either engine, and bench/run_all.py hands it the engine."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_run_all_passes_the_engine_to_the_api_bench(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))  # the scripts import their neighbours as top-level modules
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    opts = run_all.options("serving")
    assert {"--engine", "--persons", "--seed", "--folder", "--data-dir", "--markdown"} <= opts
    plan = run_all.Plan(
        persons=3000,
        seed=1,
        work=tmp_path,
        county=tmp_path / "county",
        data_dir=tmp_path / "engine",
        graph="bench_3000_1",
        timeout=None,
    )
    neo4j = plan.argv("serving", opts, "neo4j", loaded=True, first=False)
    assert neo4j[neo4j.index("--engine") + 1] == "neo4j"
    # The embedded engine's directory is not the API's database on a Neo4j run.
    assert "--data-dir" not in neo4j
    embedded = plan.argv("serving", opts, "embedded", loaded=True, first=True)
    assert embedded[embedded.index("--engine") + 1] == "embedded"
    assert embedded[embedded.index("--data-dir") + 1] == str(tmp_path / "engine")
