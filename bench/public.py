"""The public site under load: 200 residents browsing village pages and 5 reports a second.

python bench/public.py --persons 20000 --duration 30        # a quick run
python bench/public.py --persons 1000000                    # the target county (120 s)

The county (graph.synth) is generated into ``--folder`` unless it holds one, and loaded
into the embedded engine under ``--data-dir`` unless it is loaded there already. The site
runs as a real ``guanxi public`` child process (its own process and port, the whole county
published), with its per-address limits raised: every simulated resident comes from
127.0.0.1. Each resident loops: a village page, then (by weight) its 公示 list of a period,
its finance of a month, or the township above it, with ``--think-ms`` mean think time
between requests (exponential). A reporter posts ``--reports`` reports a second: it
fetches the report form of a random village, answers its challenge, and posts (a tenth of
them repeat an earlier text, so collapsing is exercised). Printed: p50/p95/p99/max per
kind, requests/s, errors, and the village cache's hit rate. Target on the 1M county on
2 cores: p95 <= 200 ms and 0 errors.

Village summaries are cached per graph generation (public/cache.py): the first visit of
each village pays its queries; the report counts first visits apart ("cold") from the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# Run as a script, bench/ is on sys.path: the lean client the API bench uses too.
import rawhttp
from rich.console import Console
from rich.table import Table

from graph.settings import Settings
from graph.store import embedded_engine, open_store

DIGITS = "零一二三四五六七八九"
TEXTS = [
    "低保名单里有不符合条件的人，请核查。",
    "村里道路硬化工程质量差，没有按合同施工。",
    "村干部亲属领取了补贴，家里有车有房。",
    "村集体收入没有入账，账目不公开。",
    "学生资助名单有问题，困难学生没有评上。",
]


def from_chinese(s: str) -> int:
    if "十" not in s:
        return DIGITS.index(s)
    tens, _, ones = s.partition("十")
    return (DIGITS.index(tens) if tens else 1) * 10 + (DIGITS.index(ones) if ones else 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ensure_loaded(data_dir: Path, folder: Path, persons: int, seed: int, console: Console) -> str:
    """The county's code, after generating and loading it if needed."""
    if not (folder / "truth.json").exists():
        from graph.synth import generate

        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        generate(persons, seed, folder)
        console.print(f"generated {persons:,} persons in {time.perf_counter() - t:.0f} s")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    eng = embedded_engine(Settings(data_dir=data_dir))
    if not eng.is_running():
        eng.start(owned=False)  # a daemon the public process reuses
    store = open_store(Settings(data_dir=data_dir))
    try:
        if store.count("Person") < 0.95 * truth["persons"]:
            from graph.loaders import load_folder

            store.clear()
            t = time.perf_counter()
            load_folder(store, folder, progress=True)
            console.print(f"loaded in {time.perf_counter() - t:.0f} s")
    finally:
        store.close()
    return str(truth["county"]["code"])


def villages(data_dir: Path) -> list[dict[str, Any]]:
    store = open_store(Settings(data_dir=data_dir))
    try:
        rows = store.read(
            "MATCH (d:Division {level: 'village'}) OPTIONAL MATCH (x:Disbursement "
            "{village_code: d.code}) WITH d, collect(DISTINCT x.period) AS periods "
            "OPTIONAL MATCH (p:Payment {payer_code: d.code}) "
            "RETURN d.code AS code, d.parent_code AS parent, periods, "
            "collect(DISTINCT substring(p.paid_date, 0, 7)) AS months"
        )
    finally:
        store.close()
    return [dict(r) for r in rows]


class Stats:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.seen: set[str] = set()

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        self.times.setdefault(kind, []).append(seconds)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1


async def resident(
    base: str,
    vs: list[dict[str, Any]],
    stats: Stats,
    until: float,
    think: float,
    rng: random.Random,
) -> None:
    # One keep-alive connection per resident, with the lean client: httpx's own CPU per
    # request would be taken from the server it measures (both share 2 cores).
    client = rawhttp.Client(base, {})
    while time.perf_counter() < until:
        v = rng.choice(vs)
        code = v["code"]
        roll = rng.random()
        if roll < 0.5 or not (v["periods"] or v["months"]):
            kind = "village" if code in stats.seen else "village (cold)"
            path = f"/v/{code}"
            stats.seen.add(code)
        elif roll < 0.7 and v["periods"]:
            kind, path = "公示 list", f"/v/{code}/list?period={rng.choice(v['periods'])}"
        elif roll < 0.9 and v["months"]:
            kind, path = "finance", f"/v/{code}/finance?month={rng.choice(v['months'])}"
        else:
            kind, path = "township", f"/d/{v['parent']}"
        t = time.perf_counter()
        try:
            status, _ = await client.get(path)
            ok = status == 200
        except (rawhttp.HttpError, TimeoutError):
            ok = False
        stats.add(kind, time.perf_counter() - t, ok)
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))
    await client.close()


async def reporter(
    client: httpx.AsyncClient,
    vs: list[dict[str, Any]],
    stats: Stats,
    until: float,
    rate: float,
    rng: random.Random,
) -> None:
    n = 0
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()

    async def one(i: int) -> None:
        code = rng.choice(vs)["code"]
        text = rng.choice(TEXTS) if rng.random() < 0.1 else f"{rng.choice(TEXTS)}（第{i}号）"
        t = time.perf_counter()
        ok = False
        try:
            page = (await client.get("/report", params={"village": code})).text
            m = re.search(r"验证题：(.+?)(加|减)(.+?)等于几？", page)
            token = re.search(r'name="token" value="([^"]+)"', page)
            if m and token:
                a, b = from_chinese(m.group(1)), from_chinese(m.group(3))
                answer = a + b if m.group(2) == "加" else a - b
                r = await client.post(
                    "/report",
                    data={
                        "village": code,
                        "text": text,
                        "answer": str(answer),
                        "token": token.group(1),
                    },
                )
                ok = r.status_code == 200 and "受理码" in r.text
        except httpx.HTTPError:
            ok = False
        stats.add("report (form + post)", time.perf_counter() - t, ok)

    while time.perf_counter() < until:
        n += 1
        task = asyncio.create_task(one(n))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
    if tasks:
        await asyncio.gather(*tasks)


async def run(base: str, vs: list[dict[str, Any]], args: argparse.Namespace) -> Stats:
    stats = Stats()
    rng = random.Random(args.seed)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        until = time.perf_counter() + args.duration
        jobs = [
            resident(base, vs, stats, until, args.think_ms / 1000, random.Random(rng.random()))
            for _ in range(args.residents)
        ]
        jobs.append(reporter(client, vs, stats, until, args.reports, rng))
        await asyncio.gather(*jobs)
    return stats


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(p * len(s)))] * 1000 if s else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--folder", type=Path, default=None)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--residents", type=int, default=200)
    ap.add_argument("--reports", type=float, default=5.0, help="reports a second")
    # Long enough for the warm pages to outnumber the first visits of 455 villages at 1M.
    ap.add_argument("--duration", type=float, default=120.0)
    ap.add_argument("--think-ms", type=float, default=1000.0)
    args = ap.parse_args()
    console = Console()
    root = Path("out") / f"bench-public-{args.persons}"
    folder = args.folder or root / "county"
    data_dir = args.data_dir or root / "data"
    county = ensure_loaded(data_dir, folder, args.persons, args.seed, console)
    vs = villages(data_dir)
    port = free_port()
    env = {
        **os.environ,
        "GUANXI_DATA_DIR": str(data_dir),
        "GUANXI_PUBLIC_DIVISIONS": county,
        "GUANXI_PUBLIC_PORT": str(port),
        # Every simulated resident is 127.0.0.1: lift the per-address limits, keep the
        # global report limit above the offered rate.
        "GUANXI_PUBLIC_PAGES_PER_SECOND": "100000",
        "GUANXI_PUBLIC_PAGES_BURST": "100000",
        "GUANXI_PUBLIC_REPORTS_PER_ADDRESS_HOUR": "1000000",
        "GUANXI_PUBLIC_REPORTS_PER_MINUTE": str(int(args.reports * 60 * 2)),
        "GUANXI_DATABASE_URL": f"sqlite:///{data_dir / 'bench-public.db'}",
    }
    guanxi = Path(sys.executable).with_name("guanxi")
    proc = subprocess.Popen([str(guanxi), "public"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the public site did not start")
            time.sleep(0.3)
        t = time.perf_counter()
        stats = asyncio.run(run(base, vs, args))
        wall = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    table = Table(
        title=(
            f"public site: {args.residents} residents ({args.think_ms:.0f} ms think) + "
            f"{args.reports:g} reports/s, {args.duration:.0f} s, {args.persons:,} persons, "
            f"{len(vs)} villages"
        )
    )
    for col in ("kind", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"):
        table.add_column(col, justify="right" if col != "kind" else "left")
    every: list[float] = []
    for kind, xs in sorted(stats.times.items()):
        if kind != "village (cold)":
            every.extend(xs)
        table.add_row(
            kind,
            str(len(xs)),
            f"{pct(xs, 0.5):.1f}",
            f"{pct(xs, 0.95):.1f}",
            f"{pct(xs, 0.99):.1f}",
            f"{max(xs) * 1000:.1f}",
            str(stats.errors.get(kind, 0)),
        )
    console.print(table)
    total = sum(len(x) for x in stats.times.values())
    console.print(
        f"{total / wall:.0f} requests/s; p95 of warm pages and reports {pct(every, 0.95):.1f} ms "
        f"(target <= 200 ms); errors {sum(stats.errors.values())} (target 0)"
    )


if __name__ == "__main__":
    main()
