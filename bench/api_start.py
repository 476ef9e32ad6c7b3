"""How soon the API serves after `guanxi serve`: every process answering with its name
index and risk model ready.

    python bench/api_start.py --persons 1000000                 # the target county
    python bench/api_start.py --persons 20000 --workers 1,2     # a quick check
    python bench/api_start.py --engine neo4j --persons 3000000 --folder F --data-dir D

The county is generated and loaded as bench/serving.py does it (same ``--folder`` and
``--data-dir``, reused when they hold it; on Neo4j the server of ``GUANXI_NEO4J_*``); the
embedded engine runs as a daemon before the clock starts, as it does in a deployment.
Three starts are timed, each polling ``GET /api/v1/status`` every 0.2 s: after the
derived copies (``derived/*.pickle``) are removed, so the first start builds the name
index and the risk model from the graph; then once per ``--workers`` value, reading them
back. Targets: ready within 10 s up to 1,000,000 persons, within 30 s up to 3,000,000.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# Run as a script, bench/ is on sys.path: the shared helpers sit beside it.
from machine import describe, markdown
from rich.console import Console
from serving import ensure_county, ensure_loaded, free_port, make_keys

from graph.settings import Settings
from graph.store import embedded_engine

# persons up to → seconds to be ready after reading the derived copies back
TARGETS = ((1_000_000, 10.0), (3_000_000, 30.0))


def target_for(persons: int) -> float | None:
    return next((s for upto, s in TARGETS if persons <= upto), None)


def time_start(
    data_dir: Path, admin: str, workers: int, timeout: float, engine: str = "embedded"
) -> dict[str, Any]:
    """Seconds from the command to the first answer and to every process being ready."""
    port = free_port()
    env = {**os.environ, "GUANXI_DATA_DIR": str(data_dir), "GUANXI_ENGINE": engine}
    cmd = [sys.executable, "-m", "cli.main", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    log = (data_dir / "bench-api-start.log").open("ab")
    base = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {admin}"}
    out: dict[str, Any] = {"workers": workers}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    streak = 0
    try:
        while time.perf_counter() - t0 < timeout:
            try:
                r = httpx.get(f"{base}/status", headers=headers, timeout=5)
                status = r.json() if r.status_code == 200 else {}
            except httpx.HTTPError:
                status = {}
            now = round(time.perf_counter() - t0, 1)
            if status:
                out.setdefault("answering s", now)
            ready = all(status.get(k, {}).get("state") == "ready" for k in ("names", "risk"))
            # Several answers in a row: each comes from whichever process took it.
            streak = streak + 1 if ready else 0
            if streak >= 4 * workers:
                out["ready s"] = now
                return out
            time.sleep(0.2)
        out["ready s"] = None
        return out
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--engine",
        choices=("embedded", "neo4j"),
        default="embedded",
        help="neo4j: the server of GUANXI_NEO4J_* (loaded unless it holds the county)",
    )
    ap.add_argument("--folder", type=Path, help="county folder (generated if missing)")
    ap.add_argument("--data-dir", type=Path, help="engine and API data (loaded if missing)")
    ap.add_argument(
        "--workers", default="1,2", help="API processes per timed start, comma-separated"
    )
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--markdown", type=Path, help="append the table as Markdown here")
    args = ap.parse_args()
    console = Console()
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    folder = args.folder or tmp / f"guanxi-county-{args.persons}-{args.seed}"
    suffix = "" if args.engine == "embedded" else f"-{args.engine}"
    data_dir = args.data_dir or tmp / f"guanxi-bench-api-{args.persons}-{args.seed}{suffix}"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(engine=args.engine, data_dir=data_dir)
    truth = ensure_county(folder, args.persons, args.seed, console)
    ensure_loaded(settings, folder, truth, console)
    if args.engine == "embedded":
        engine = embedded_engine(settings)
        if not engine.is_running():
            engine.start(owned=False)
    admin = make_keys(data_dir, str(truth["county"]["code"]))["bench-admin"]

    def timed(workers: int) -> dict[str, Any]:
        return time_start(data_dir, admin, workers, args.timeout, args.engine)

    shutil.rmtree(data_dir / "derived", ignore_errors=True)
    first = int(args.workers.split(",")[0])
    rows = [("first start after a load (builds both)", timed(first))]
    for w in (int(x) for x in args.workers.split(",")):
        rows.append(("start reading both back", timed(w)))

    info = describe(args.engine)
    lines = [
        "| start | processes | first answer s | ready s |",
        "|---|---:|---:|---:|",
    ]
    for what, r in rows:
        ready = "not ready" if r["ready s"] is None else f"{r['ready s']:.1f}"
        lines.append(f"| {what} | {r['workers']} | {r.get('answering s', '-')} | {ready} |")
    back = [r["ready s"] for what, r in rows[1:] if r["ready s"] is not None]
    target = target_for(truth["persons"])
    verdict = f"ready after reading back: {max(back):.1f} s at most" if back else "never ready"
    if target is not None:
        met = bool(back) and len(back) == len(rows) - 1 and max(back) <= target
        verdict += f" — target <= {target:.0f} s: " + ("met" if met else "NOT met")
    console.print(markdown(info))
    console.print("\n".join(lines))
    console.print(verdict)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as f:
            f.write(f"\n### API start — {args.persons:,} persons\n\n")
            f.write(markdown(info) + "\n" + "\n".join(lines) + f"\n\n{verdict}\n")


if __name__ == "__main__":
    main()
