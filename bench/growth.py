"""Growth: how load, resolve, detect and projection + Leiden scale with the population.

    python bench/growth.py --sizes 250000,1000000,3000000 --engines embedded,neo4j
    python bench/growth.py --sizes 20000,50000 --engines embedded      # a quick check

For each size a county (``--preset county``) or a city of several counties (``--preset
city``) is generated once into ``--work``; for each engine the graph is loaded fresh
(``run_pipeline``: load, resolve, detect; a first Neo4j load goes through
``neo4j-admin database import`` when ``GUANXI_NEO4J_HOME`` is set, by MERGE otherwise),
then the risk projection is pulled and Leiden run, and on Neo4j with GDS the same is done
inside the database (projection, Leiden, the numbers written). Each stage records wall
seconds and the peak resident memory of this process and of the engine (the embedded
engine's daemon; the Neo4j server's process when ``--neo4j-pid`` or ``--neo4j-pid-file``
is given); detect is broken into derive, patterns and leads. The table ends with the
slope between consecutive sizes (seconds and MiB per million persons) and the growth
exponent (log ratio of times over log ratio of sizes: 1.0 is linear). Recall of the
planted cases and decoys flagged are checked at every size.

An embedded load that would not fit in memory is refused by the loader before writing
(graph/loaders/memory.py); the table says so for that size. API latency is measured by
bench/serving.py at each size on the graph just loaded (``--api``), and its verdicts kept.

The rows are kept size by size in ``--record`` (``bench/growth.json`` by default, which is
published into bench/RESULTS.md and the README's block by bench/results.py; a size measured
again replaces its row). ``--rows <work>/growth.jsonl`` records the rows of an earlier run.
Neo4j's database is replaced.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Run as a script, bench/ is on sys.path: the shared machine helpers sit beside it.
from machine import PeakRss, commit, describe
from results import (
    GROWTH_JSON,
    growth_markdown,
    load,
    load_growth,
    merge_growth,
    publish,
    save_growth,
)
from serving import MARKER, graph_where

from graph.algorithms.gds import gds_available, gds_number_communities
from graph.algorithms.numbering import PROP, SEED
from graph.errors import LoadFailed
from graph.settings import Settings
from graph.store import open_store

BENCH = Path(__file__).resolve().parent


@contextlib.contextmanager
def stage(row: dict[str, Any], name: str, pids: dict[str, int]) -> Iterator[None]:
    t = time.perf_counter()
    with PeakRss(pids) as peak:
        yield
    row[name] = {
        "seconds": round(time.perf_counter() - t, 1),
        **{f"{k}_mib": v >> 20 for k, v in peak.peak.items()},
    }


def generate(preset: str, persons: int, seed: int, folder: Path) -> dict[str, Any]:
    """The county or city of this size, generated once. In a child process: the generator
    of a 3M county peaks at several GiB, which this process would keep as resident memory
    and count in every stage's Python peak after it."""
    truth_file = folder / "truth.json"
    if not truth_file.exists():
        cli = [sys.executable, "-m", "cli.main", "synth", "--preset", preset]
        cli += ["--persons", str(persons), "--seed", str(seed), "--out", str(folder)]
        done = subprocess.run(cli, cwd=BENCH.parent, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not truth_file.exists():
            raise SystemExit(f"synth failed ({done.returncode}): {done.stderr[-2000:]}")
    truth: dict[str, Any] = json.loads(truth_file.read_text(encoding="utf-8"))
    return truth


def run_size(args: argparse.Namespace, engine: str, persons: int) -> dict[str, Any]:
    from graph.algorithms import leiden, risk_projection
    from graph.pipeline import run_pipeline
    from graph.queries.evaluate import score

    folder = args.work / f"{args.preset}-{persons}-{args.seed}"
    t = time.perf_counter()
    truth = generate(args.preset, persons, args.seed, folder)
    row: dict[str, Any] = {
        "preset": args.preset,
        "engine": engine,
        "persons": persons,
        "command": args.command,
        "date": describe()["date"],
        "commit": args.commit,
        **({"note": args.note} if args.note else {}),
        "synth_s": round(time.perf_counter() - t, 1),
    }
    settings = Settings(
        engine="neo4j" if engine == "neo4j" else "embedded",
        data_dir=args.work / f"data-{engine}",
        graph=f"growth_{persons}",
    )
    store = open_store(settings)
    pids = {"python": os.getpid()}
    daemon = getattr(store, "server", None)
    if daemon is not None and hasattr(daemon, "pid") and daemon.pid():
        pids["engine"] = daemon.pid()
    elif engine == "neo4j" and args.neo4j_pid:
        pids["engine"] = args.neo4j_pid
    timer: dict[str, tuple[float, PeakRss]] = {}

    def on_stage(name: str, report: Any) -> None:
        if report is None:
            if engine == "neo4j" and args.neo4j_pid_file and args.neo4j_pid_file.exists():
                pids["engine"] = int(args.neo4j_pid_file.read_text().split()[0])
            peak = PeakRss(pids)
            peak.__enter__()
            timer[name] = (time.perf_counter(), peak)
            return
        started, peak = timer.pop(name)
        peak.__exit__()
        row[name] = {
            "seconds": round(time.perf_counter() - started, 1),
            **{f"{k}_mib": v >> 20 for k, v in peak.peak.items()},
        }
        if name == "load" and getattr(report, "method", "") == "bulk":
            # Where a first load's time goes: the registers (read, validate, build), then
            # handing the graph to the engine, step by step where the store says.
            row[name]["registers_s"] = round(sum(r.seconds for r in report.registers), 1)
            row[name]["bulk_s"] = round(report.bulk_seconds, 1)
            if report.bulk_stages:
                row[name]["bulk_stages"] = report.bulk_stages
        if name == "detect":
            # The targets are for the patterns alone: derive, patterns (with saving
            # their findings) and leads are kept apart.
            row[name]["derive_s"] = round(report.derive_seconds, 1)
            row[name]["patterns_s"] = round(sum(r.seconds for r in report.runs), 1)
            row[name]["leads_s"] = round(report.leads_seconds, 1)

    try:
        ran = run_pipeline(store, folder, fresh=True, as_of=truth["as_of"], on_stage=on_stage)
    except LoadFailed as e:
        for _, peak in timer.values():
            peak.__exit__()
        row["refused"] = str(e)
        store.close()
        return row
    except Exception as e:  # a stage failed after the load: keep what was measured
        for _, peak in timer.values():
            peak.__exit__()
        where = ", ".join(timer) or "pipeline"
        row["failed"] = f"{where}: {type(e).__name__}: {e}"[:400]
        store.close()
        return row
    row["load_method"] = getattr(ran.load, "method", "")
    assert ran.detect is not None
    scores = score(ran.detect.findings, truth)
    row["recall"] = (
        f"{sum(s.found for s in scores.values())}/{sum(s.planted for s in scores.values())}"
    )
    row["decoys_flagged"] = sum(s.decoys_flagged for s in scores.values())
    # Which patterns missed or flagged what: the first thing to read when recall drops.
    row["missed"] = {p: [c["subjects"] for c in s.missed] for p, s in scores.items() if s.missed}
    row["flagged"] = {p: [d["subjects"] for d in s.flagged] for p, s in scores.items() if s.flagged}
    if args.leiden in ("pulled", "both"):
        with stage(row, "leiden", pids):
            leiden(risk_projection(store), seed=args.seed)
    if engine == "neo4j" and args.leiden in ("gds", "both") and gds_available(store):
        # In the database: projection, seeded Leiden and writing the numbers to the nodes.
        try:
            with stage(row, "gds", pids):
                numbered = gds_number_communities(store, PROP, SEED)
            row["gds"]["steps"] = numbered.seconds
        except Exception as e:  # the row keeps what was measured before it
            row["gds_failed"] = f"{type(e).__name__}: {e}"[:300]
    row["disk_mib"] = disk_mib(settings)
    row["load_average_at_end"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    store.close()
    if args.api:
        row["api"] = serve(args, settings, folder, truth, ran, row)
        row["api_start"] = bench_script(args, settings, folder, truth, "api_start.py", [])
    if engine == "embedded":
        # The engine holds every graph it has in memory: the next size needs the room.
        done = open_store(settings)
        done.clear()
        done.close()
    return row


def disk_mib(settings: Settings) -> int | None:
    """The graph's size on disk: the embedded engine's data directory, or the Neo4j
    run directory's databases when this machine runs the server (GUANXI_NEO4J_RUN_DIR)."""
    if settings.engine == "neo4j":
        run = os.environ.get("GUANXI_NEO4J_RUN_DIR")
        if not run:
            return None
        where = Path(run) / "data"
    else:
        where = settings.data_dir
    total = sum(p.stat().st_size for p in where.rglob("*") if p.is_file())
    return total >> 20


def serve(
    args: argparse.Namespace,
    settings: Settings,
    folder: Path,
    truth: dict[str, Any],
    ran: Any,
    row: dict[str, Any],
) -> str:
    """bench/serving.py on the graph just loaded: its marker says the county is loaded and
    detected, so it goes straight to seeding cases and timing the API."""
    (settings.data_dir / MARKER).write_text(
        json.dumps(
            {
                "folder": str(folder),
                "graph": graph_where(settings),
                "persons": truth["persons"],
                "load_seconds": round(row["load"]["seconds"]),
                "detect_seconds": round(row["detect"]["seconds"]),
                "findings": len(ran.detect.findings),
            }
        )
    )
    duration = ["--duration", str(args.api_duration)]
    return bench_script(args, settings, folder, truth, "serving.py", duration)


def bench_script(
    args: argparse.Namespace,
    settings: Settings,
    folder: Path,
    truth: dict[str, Any],
    script: str,
    extra: list[str],
) -> str:
    """Another bench script on the graph just loaded; the end of what it printed."""
    cmd = [
        sys.executable,
        str(BENCH / script),
        "--engine",
        settings.engine,
        "--persons",
        str(truth["persons"]),
        "--seed",
        str(args.seed),
        "--folder",
        str(folder),
        "--data-dir",
        str(settings.data_dir),
        *extra,
    ]
    env = {**os.environ, "GUANXI_GRAPH": settings.graph}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    return (done.stdout if done.returncode == 0 else done.stdout + done.stderr)[-4000:]


def record(rows: list[dict[str, Any]], where: Path) -> None:
    """Keep ``rows`` in ``where`` (replacing earlier rows of the same sizes); into
    bench/growth.json they are published to bench/RESULTS.md and the README too."""
    growth = merge_growth(load_growth(where), rows, describe())
    save_growth(growth, where)
    if where.resolve() == GROWTH_JSON:
        publish(load(), growth=growth)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="250000,1000000,3000000", help="persons, comma-separated")
    ap.add_argument("--engines", default="embedded,neo4j")
    ap.add_argument("--preset", choices=["county", "city"], default="county")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("out/growth"))
    ap.add_argument("--neo4j-pid", type=int, help="the Neo4j server's pid, for its peak memory")
    ap.add_argument(
        "--neo4j-pid-file",
        type=Path,
        help="the Neo4j server's pid file, read at every stage (an import restarts the server)",
    )
    ap.add_argument(
        "--leiden",
        choices=("pulled", "gds", "both"),
        default="both",
        help="projection + Leiden: pulled over Bolt into igraph, in Neo4j (GDS), or both; a "
        "city's pulled projection holds several GiB in this process",
    )
    ap.add_argument("--api", action="store_true", help="also run bench/serving.py at each size")
    ap.add_argument(
        "--api-duration", type=float, default=30.0, help="seconds of each serving.py run"
    )
    ap.add_argument(
        "--note",
        default="",
        help="kept with each row: what the figures should be read with (a machine shared "
        "with another run, ...)",
    )
    ap.add_argument(
        "--record",
        type=Path,
        default=GROWTH_JSON,
        help="keep the rows here, size by size (default bench/growth.json, which is also "
        "published to bench/RESULTS.md and the README)",
    )
    ap.add_argument(
        "--rows",
        type=Path,
        help="record the rows of an earlier run (its <work>/growth.jsonl) instead of running",
    )
    ap.add_argument(
        "--rows-command", help="with --rows: the command that ran them, for rows that lack it"
    )
    ap.add_argument("--rows-commit", help="with --rows: the commit they ran, for rows that lack it")
    args = ap.parse_args()
    args.command = "python bench/growth.py " + shlex.join(sys.argv[1:])
    args.commit = commit()  # the code this process loaded, whatever is committed meanwhile
    if args.rows:
        rows = [json.loads(x) for x in args.rows.read_text(encoding="utf-8").splitlines() if x]
        ended = dt.datetime.fromtimestamp(args.rows.stat().st_mtime, dt.UTC)
        for r in rows:
            r.setdefault("preset", args.preset)
            r.setdefault("command", args.rows_command or "(not recorded)")
            r.setdefault("commit", args.rows_commit or "-")
            r.setdefault("date", ended.strftime("%Y-%m-%d %H:%M UTC") + " (run ended)")
        record(rows, args.record)
        print("\n".join(growth_markdown({"machine": describe(), "rows": rows})))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for persons in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            row = run_size(args, engine, persons)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            with (args.work / "growth.jsonl").open("a", encoding="utf-8") as f:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
            record([row], args.record)
    print("\n".join(growth_markdown({"machine": describe(), "rows": rows})))


if __name__ == "__main__":
    main()
