"""Loading a synthetic county: rows/s and seconds per register, peak memory, on either engine.

python bench/load.py --persons 1000000                      # embedded engine, fresh
python bench/load.py --persons 1000000 --engine neo4j       # GUANXI_NEO4J_* from the env
python bench/load.py --persons 20000 --folder DIR --markdown README-bench.md

The county is generated (graph.synth) into ``--folder`` unless it already holds one. The
embedded engine runs in a fresh data directory of its own, so nothing else's graph is
touched; a Neo4j graph is emptied first. Besides wall seconds the table shows CPU seconds
of this process and of the embedded engine, and the load average: on a shared machine the
wall time says as much about the neighbours as about the loader.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import psutil

# Run as a script, bench/ is on sys.path: the shared machine description sits beside it.
from machine import PeakRss, describe, markdown
from rich.console import Console
from rich.table import Table

from graph.loaders import load_folder
from graph.settings import Settings
from graph.store import open_store
from graph.synth import generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["embedded", "neo4j"], default="embedded")
    ap.add_argument("--folder", type=Path, help="county folder (generated if missing)")
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument(
        "--no-background-saves",
        action="store_true",
        help="embedded: no RDB snapshots or AOF rewrites during the run (each forks the "
        "engine and copies the whole graph; the AOF still logs every write)",
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        help="embedded: load into the engine of this directory and leave it there for the "
        "benchmarks that follow (default: a temporary engine, removed at the end)",
    )
    ap.add_argument("--graph", default="bench", help="graph name (embedded engine)")
    ap.add_argument(
        "--merge",
        action="store_true",
        help="write with MERGE statements even into an empty graph (the embedded engine "
        "otherwise builds the first load on disk and creates it with GRAPH.BULK)",
    )
    ap.add_argument("--markdown", type=Path, help="append the table as Markdown here")
    args = ap.parse_args()
    console = Console()

    folder = args.folder or Path(tempfile.gettempdir()) / f"guanxi-county-{args.persons}"
    if not (folder / "truth.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        generate(args.persons, args.seed, folder)
        console.print(f"generated {folder} in {time.perf_counter() - t:.0f} s")

    keep = args.data_dir is not None
    engine_dir = str(args.data_dir) if keep else tempfile.mkdtemp(prefix="guanxi-bench-")
    settings = Settings(engine=args.engine, data_dir=Path(engine_dir), graph=args.graph)
    store = open_store(settings)
    store.clear()
    pids = {"python": os.getpid()}
    server = getattr(store, "server", None)  # the embedded engine's process
    engine_pid = server.pid() if server is not None else None
    if server is not None and args.no_background_saves:
        conn = server.connection()
        conn.config_set("save", "")
        conn.config_set("auto-aof-rewrite-percentage", 0)
    if engine_pid:
        pids["engine"] = engine_pid
    cpu0 = {k: psutil.Process(p).cpu_times() for k, p in pids.items()}
    load0 = os.getloadavg()[0]
    with PeakRss(pids) as rss:
        report = load_folder(
            store,
            folder,
            batch_size=args.batch_size,
            progress=not args.no_progress,
            bulk=False if args.merge else None,
        )
    # user + system, and their forked children: the engine's snapshots and AOF rewrites,
    # the loader's validating workers
    times = {k: psutil.Process(p).cpu_times() for k, p in pids.items()}
    cpu = {k: sum(times[k][:4]) - sum(cpu0[k][:4]) for k in pids}
    workers = sum(times["python"][2:4]) - sum(cpu0["python"][2:4])
    load1 = os.getloadavg()[0]
    info = describe(f"{args.engine} {store.health().version}")

    t = Table(title=f"load: {args.persons:,} persons, {args.engine}, batch {args.batch_size}")
    cols = ("register", "file", "rows", "rejected", "warned", "seconds", "rows/s")
    for c in cols:
        t.add_column(c, justify="left" if c in ("register", "file") else "right")
    md = ["| " + " | ".join(cols) + " |", "|---|---|" + "---:|" * (len(cols) - 2)]
    for r in report.registers:
        if r.status != "loaded":
            continue
        row = [
            r.register,
            r.file,
            f"{r.rows_read:,}",
            f"{r.rejected:,}",
            f"{r.warned:,}",
            f"{r.seconds:.1f}",
            f"{r.rows_per_second:,.0f}",
        ]
        t.add_row(*row)
        md.append("| " + " | ".join(row) + " |")
    tot = report.totals
    total = [
        "total",
        "",
        f"{tot['rows_read']:,}",
        f"{tot['rejected']:,}",
        f"{tot['warned']:,}",
        f"{report.seconds:.1f}",
        f"{tot['rows_read'] / report.seconds:,.0f}",
    ]
    t.add_row(*total, style="bold")
    md.append("| " + " | ".join(f"**{c}**" if c else "" for c in total) + " |")
    summary = {
        "write path": report.method,
        "bulk create s (after the registers, indexes included)": round(report.bulk_seconds, 1),
        "nodes": report.nodes_after,
        "relationships": report.relationships_after,
        "peak RSS python (MiB)": round(rss.peak["python"] / 2**20),
        "peak RSS engine (MiB)": round(rss.peak.get("engine", 0) / 2**20) or "-",
        "CPU s python": round(cpu["python"]),
        "CPU s python, of which validating workers": round(workers),
        "CPU s engine": round(cpu["engine"]) if "engine" in cpu else "-",
        "load average (1 min) before/after": f"{load0:.1f} / {load1:.1f}",
        "background saves": "off" if args.no_background_saves else "engine defaults",
    }
    console.print(markdown(info))
    console.print(t)
    console.print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as f:
            f.write(f"\n### load — {args.persons:,} persons, {args.engine}\n\n")
            f.write(markdown(info) + "\n" + "\n".join(md) + "\n\n")
            f.write("\n".join(f"- {k}: {v}" for k, v in summary.items()) + "\n")
    store.close()
    if server is not None and not keep:  # the engine and its files were the benchmark's own
        server.stop()
        shutil.rmtree(engine_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
