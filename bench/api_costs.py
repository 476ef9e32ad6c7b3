"""CPU per API request, by kind: each kind of request alone against one API process.

python bench/api_costs.py --data-dir DIR --folder COUNTY     # after bench/serving.py loaded it
python bench/api_costs.py ... --kinds me,expand --duration 20
python bench/api_costs.py --engine neo4j ...                   # the server of GUANXI_NEO4J_*

Saturated latency on a 2-core machine is queueing, so what a change to the API buys shows
first in CPU per request. This runs a few clients (``--clients``, 4 by default) against
``guanxi serve`` for ``--duration`` seconds per kind and prints, per kind, requests/s,
p50/p95 and the CPU seconds per request spent by the API process(es), the engine and the
client. Kinds: ``search``, ``expand``, ``paths`` and ``finding`` as in ``bench/serving.py``,
``me`` (an authenticated, audited request that does nothing: the floor every request
pays) and ``health`` (neither authenticated nor audited). The machine is shared and
noisy; compare two versions of the code by interleaving runs of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

# Run as a script, bench/ is on sys.path: the request mix and server control of the
# serving benchmark sit beside it.
import serving

from graph.settings import Settings
from graph.store import open_store

KINDS = ("me", "health", "search", "expand", "paths", "finding")


def request_for(
    kind: str, w: dict[str, list[Any]], rng: random.Random
) -> tuple[str, dict[str, Any]]:
    if kind == "me":
        return "/me", {}
    if kind == "health":
        return "/health", {}
    path: str
    params: dict[str, Any]
    path, params = serving.request_for(kind, w, rng)
    return path, params


async def _client(
    i: int, base: str, key: str, kind: str, w: dict[str, list[Any]], until: float
) -> tuple[list[float], int]:
    rng = random.Random(i)
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "bench"}
    c = serving.rawhttp.Client(base, headers, timeout=30)
    times: list[float] = []
    errors = 0
    try:
        while time.perf_counter() < until:
            path, params = request_for(kind, w, rng)
            t = time.perf_counter()
            status, _body = await c.get(path, params)
            times.append((time.perf_counter() - t) * 1000)
            errors += status != 200
    finally:
        await c.close()
    return times, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--engine", choices=("embedded", "neo4j"), default="embedded")
    ap.add_argument("--data-dir", type=Path, required=True, help="as bench/serving.py left it")
    ap.add_argument("--folder", type=Path, required=True, help="the county folder")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for k in kinds:
        if k not in KINDS:
            raise SystemExit(f"unknown kind {k!r}; known: {', '.join(KINDS)}")
    truth = json.loads((args.folder / "truth.json").read_text(encoding="utf-8"))
    county = str(truth["county"]["code"])
    keys = serving.make_keys(args.data_dir, county)
    settings = Settings(engine=args.engine, data_dir=args.data_dir)
    store = open_store(settings)
    w = serving.workload(store, args.seed, county)
    version = store.health().version
    store.close()
    engine_pid = serving.engine_pid(settings)
    port = serving.free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    server = serving.start_server(args.data_dir, args.engine, port, args.workers)
    print(serving.markdown(serving.describe(f"{args.engine} {version}")))
    print(
        f"{args.clients} clients, {args.duration:.0f} s per kind, "
        f"{args.workers} API process(es); CPU is per request\n"
    )
    cols = ("kind", "requests", "req/s", "p50 ms", "p95 ms", "API CPU ms", "engine CPU ms")
    print("| " + " | ".join((*cols, "client CPU ms", "errors")) + " |")
    print("|---|" + "---:|" * (len(cols) + 1))
    try:
        serving.wait_ready(base, keys["bench-admin"], args.workers)
        admin = {"Authorization": f"Bearer {keys['bench-admin']}", "X-Purpose": "bench warm-up"}
        for fid in w["findings"][:50]:  # derive the findings' evidence before timing
            httpx.get(f"{base}/findings/{quote(fid, safe='')}", headers=admin, timeout=900)
        for kind in kinds:
            meter = serving.CpuMeter(server.pid, engine_pid)
            meter.start()
            t0 = time.perf_counter()
            until = t0 + args.duration

            async def run(kind: str = kind, until: float = until) -> list[tuple[list[float], int]]:
                return await asyncio.gather(
                    *(
                        _client(i, base, keys["bench-investigator"], kind, w, until)
                        for i in range(args.clients)
                    )
                )

            results = asyncio.run(run())
            wall = time.perf_counter() - t0
            cpu = meter.stop()
            times = [x for ts, _ in results for x in ts]
            n = max(1, len(times))
            print(
                f"| {kind} | {len(times):,} | {len(times) / wall:.1f} "
                f"| {serving.pct(times, 0.5):.1f} | {serving.pct(times, 0.95):.1f} "
                f"| {cpu['api'] / n * 1000:.2f} | {cpu.get('engine', 0.0) / n * 1000:.2f} "
                f"| {cpu['client'] / n * 1000:.2f} | {sum(e for _, e in results)} |",
                flush=True,
            )
    finally:
        serving.stop_server(server)


if __name__ == "__main__":
    main()
