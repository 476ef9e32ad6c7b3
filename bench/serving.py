"""The API under load: 20 clients, mixed search / expand / paths / finding detail, 60 s.

python bench/serving.py --persons 1000000                 # generate, load, detect once; then serve
python bench/serving.py --persons 20000 --duration 20     # a quick run
python bench/serving.py --data-dir DIR --persons N        # reuse a graph loaded by an earlier run
python bench/serving.py --engine neo4j --persons 100000   # the API on the Neo4j of GUANXI_NEO4J_*

The county (graph.synth) is generated into ``--folder`` unless it already holds one and
loaded into the engine unless a previous run left it there (``bench-api.json`` under
``--data-dir`` records what was loaded and detected). The embedded engine lives under
``--data-dir``; with ``--engine neo4j`` the graph is the server configured by
``GUANXI_NEO4J_*`` (a database that holds the county already is used as it is, otherwise it
is replaced), and ``--data-dir`` keeps only the API's database. The API runs as a real
uvicorn server in a child process (``guanxi serve``), with an investigator key scoped to the
county and a rate limit high enough not to throttle the bench. Before timing, the name
index is awaited and every pattern's evidence is derived once (that first derivation is
timed separately).

Each client loops for ``--duration`` seconds (once per ``--think-ms`` value: without think
time, and with a mean second between a client's requests) picking, by weight: search (a
name, a pinyin, a prefix or an ID number), a 2-hop expand capped at 300 nodes from a
random person, a path between two members of a household (or two recipients sharing an
account), a finding with its evidence, the case board (1,000 open cases in one page)
and one case with its timeline. Printed: p50/p95/p99/max per kind, requests/s and errors;
the targets at 1,000,000 persons are p95 < 150 ms for the 2-hop expand and p95 <= 150 ms
for the board of 1,000 open cases, with zero errors.

Before serving, ``--cases`` open cases (1,000 by default) are opened from the county's
leads through the workflow (api.workflow), at staggered dates and states (received,
accepted, in progress, some with an approved extension), unless the database holds them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import psutil

# Run as a script, bench/ is on sys.path: the shared machine description sits beside it.
import rawhttp
from machine import describe, markdown
from pypinyin import lazy_pinyin
from rich.console import Console
from rich.table import Table

from graph.settings import Settings
from graph.store import GraphStore, embedded_engine, open_store

MARKER = "bench-api.json"
WEIGHTS = {
    "search": 0.3,
    "expand": 0.4,
    "paths": 0.15,
    "finding": 0.15,
    "board": 0.05,
    "case": 0.05,
}
TARGET_MS = 150.0
WARMUP_WINDOW_S = 20.0
BOARD_TARGET_MS = 150.0


def ensure_county(folder: Path, persons: int, seed: int, console: Console) -> dict[str, Any]:
    if not (folder / "truth.json").exists():
        from graph.synth import generate

        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        generate(persons, seed, folder)
        console.print(
            f"generated {persons:,} persons into {folder} in {time.perf_counter() - t:.0f} s"
        )
    truth: dict[str, Any] = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return truth


def graph_where(settings: Settings) -> str:
    """Which graph a marker describes: the engine's data directory, or the Neo4j database."""
    if settings.engine == "neo4j":
        return f"neo4j {settings.neo4j_uri}/{settings.neo4j_database}"
    return f"embedded {settings.data_dir}/{settings.graph}"


def ensure_loaded(
    settings: Settings, folder: Path, truth: dict[str, Any], console: Console
) -> dict[str, Any]:
    marker = settings.data_dir / MARKER
    if settings.engine == "embedded":
        eng = embedded_engine(settings)
        if not eng.is_running():
            eng.start(owned=False)  # a daemon: the API process (and later runs) reuse it
    from graph.loaders import load_folder
    from graph.queries import detect

    store = open_store(settings)
    # A server database outlives the marker (another run may have replaced it): the marker
    # is believed only while the graph still holds the county.
    holds = store.count("Person") >= 0.95 * truth["persons"]
    if marker.exists() and holds:
        done: dict[str, Any] = json.loads(marker.read_text())
        if done.get("folder") == str(folder) and done.get("graph") == graph_where(settings):
            store.close()
            return done
    loaded: float | None = None
    # A graph that holds the county already (bench/run_all.py loads it once for every
    # script, GUANXI_GRAPH names it) is used as it is.
    if not holds:
        store.clear()
        t = time.perf_counter()
        load_folder(store, folder, progress=True)
        loaded = time.perf_counter() - t
    t = time.perf_counter()
    found = detect(store, as_of=truth["as_of"])
    done = {
        "folder": str(folder),
        "graph": graph_where(settings),
        "persons": truth["persons"],
        "load_seconds": round(loaded) if loaded is not None else "reused",
        "detect_seconds": round(time.perf_counter() - t),
        "findings": len(found.findings),
    }
    marker.write_text(json.dumps(done))
    store.close()
    console.print(f"loaded in {done['load_seconds']} s, detected in {done['detect_seconds']} s")
    return done


def make_keys(data_dir: Path, county: str) -> dict[str, str]:
    from api.db import Database
    from api.settings import ApiSettings
    from api.users import add_user, revoke_user

    db = Database(ApiSettings(data_dir=data_dir).db_url)
    db.create()
    keys = {}
    for name, role, divisions in (
        ("bench-investigator", "investigator", [county]),
        ("bench-admin", "admin", [""]),
    ):
        revoke_user(db, name)
        keys[name] = add_user(db, name, role, divisions, rate_per_second=100_000)
    db.dispose()
    return keys


def seed_cases(
    data_dir: Path, store: GraphStore, county: str, n: int, seed: int, console: Console
) -> list[str]:
    """``n`` open cases of the county, opened from its leads (again and again when there are
    fewer leads), received over the last four months so the board has every flag."""
    import datetime as dt

    from sqlalchemy import select

    from api.db import Database
    from api.policy import Role
    from api.settings import ApiSettings
    from api.workflow.cases import Source, Workflow
    from api.workflow.mirror import GraphMirror
    from api.workflow.models import Case
    from api.workflow.rules import Actor

    settings = ApiSettings(data_dir=data_dir)
    db = Database(settings.db_url)
    db.create()
    with db.session() as s:
        have = list(
            s.scalars(
                select(Case.case_no).where(
                    Case.state.in_(("received", "accepted", "in_progress")),
                    Case.division_code.startswith(county),
                )
            )
        )
    if len(have) >= n:
        db.dispose()
        return have
    q = (
        "MATCH (l:Lead) WHERE l.division_code STARTS WITH $c "
        "OPTIONAL MATCH (f:Finding)-[:IN_LEAD]->(l) "
        "RETURN l.lead_id AS id, l.division_code AS d, l.title AS t, collect(f.finding_id) AS fs"
    )
    leads = store.read(q, {"c": county})
    if not leads:  # loaded by a guanxi without leads: group the findings now
        from graph.queries.leads import rebuild

        rebuild(store)
        leads = store.read(q, {"c": county})
    if not leads:
        raise SystemExit("no leads in the county: run detect first")
    rng = random.Random(seed)
    wf = Workflow(db, settings.rules, GraphMirror(store))
    clerk = Actor("bench-clerk", Role.INVESTIGATOR, (county,))
    city = Actor("bench-city", Role.INVESTIGATOR, (county[:4],))
    today = dt.date.today()
    t = time.perf_counter()
    made = list(have)
    while len(made) < n:
        lead = leads[len(made) % len(leads)]
        src = Source("lead", lead["id"], str(lead["d"]), str(lead["t"] or lead["id"]),
                     [("finding", f) for f in lead["fs"]])  # fmt: skip
        received = today - dt.timedelta(days=rng.randint(0, 120))
        no = wf.open(
            clerk, src, received=received.isoformat(), assignee=f"承办人{rng.randint(1, 30)}"
        )
        step = rng.random()
        if step > 0.2:
            acc = min(today, received + dt.timedelta(days=rng.randint(0, 9)))
            wf.act(clerk, no, "accept", on=acc.isoformat())
            if step > 0.5:
                wf.act(clerk, no, "start", on=acc.isoformat())
            if step > 0.9:
                wf.act(clerk, no, "request_extension", on=acc.isoformat(), reason="案情复杂")
                wf.act(city, no, "approve_extension", on=acc.isoformat(), reason="同意")
        made.append(no)
    db.dispose()
    console.print(f"opened {n - len(have):,} cases in {time.perf_counter() - t:.0f} s")
    return made


def workload(store: GraphStore, seed: int, county: str, n: int = 2000) -> dict[str, list[Any]]:
    """Inputs drawn from the graph: persons, names, household pairs, and the findings the
    county's investigator can open (their list shows no others: a finding whose evidence
    names no division is for unrestricted roles only, docs/api.md)."""
    rng = random.Random(seed)
    people = store.read(
        "MATCH (p:Person)-[:MEMBER_OF]->(h:Household) "
        "RETURN p.id_number AS id, p.name AS name, h.household_id AS h LIMIT 200000"
    )
    rng.shuffle(people)
    by_household: dict[str, list[str]] = {}
    for p in people:
        by_household.setdefault(p["h"], []).append(p["id"])
    pairs = [tuple(ids[:2]) for ids in by_household.values() if len(ids) >= 2]
    rng.shuffle(pairs)
    shared = store.read(
        "MATCH (a:BankAccount)<-[:INTO_ACCOUNT]-(:Disbursement)<-[:RECEIVED]-(p:Person) "
        "WITH a, collect(DISTINCT p.id_number) AS ps WHERE size(ps) >= 2 "
        "RETURN ps[0] AS a, ps[1] AS b LIMIT 200"
    )
    pairs += [(r["a"], r["b"]) for r in shared]
    names = [p["name"] for p in people[:n] if p["name"]]
    searches = (
        [("name", nm) for nm in names[: n // 4]]
        + [("prefix", nm[:1]) for nm in names[: n // 8]]
        + [("pinyin", "".join(lazy_pinyin(nm))) for nm in names[: n // 4]]
        + [("id", p["id"]) for p in people[: n // 4]]
    )
    findings = [
        r["id"]
        for r in store.read(
            "MATCH (f:Finding) WHERE f.division_code STARTS WITH $county "
            "RETURN f.finding_id AS id LIMIT 500",
            {"county": county},
        )
    ]
    return {
        "persons": [p["id"] for p in people[:n]],
        "pairs": pairs[:n],
        "searches": searches,
        "findings": findings,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data_dir: Path, engine: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GUANXI_DATA_DIR": str(data_dir),
        "GUANXI_RISK_MODEL": "false",  # not in the mix; its build would compete for CPU
        "GUANXI_ENGINE": engine,
        # The load comes from one address: the per-address throttle would cap it.
        "GUANXI_ADDRESS_RATE_PER_SECOND": "1000000",
        "GUANXI_ADDRESS_BURST": "1000000",
    }
    cmd = [
        sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)
    ]  # fmt: skip
    log = (data_dir / "bench-api-server.log").open("wb")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGINT, as Ctrl-C would; killed if it has not stopped after 30 s."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def wait_ready(base: str, admin: str, workers: int, timeout: float = 1800) -> float:
    """Seconds until every worker's name index is built (several answers in a row)."""
    t0 = time.perf_counter()
    headers = {"Authorization": f"Bearer {admin}"}
    streak = 0
    while time.perf_counter() - t0 < timeout:
        try:
            r = httpx.get(f"{base}/status", headers=headers, timeout=5)
            ready = r.status_code == 200 and r.json().get("names", {}).get("state") == "ready"
        except httpx.HTTPError:
            ready = False
        streak = streak + 1 if ready else 0
        if streak >= 4 * workers:
            return time.perf_counter() - t0
        time.sleep(0.2 if ready else 1)
    raise SystemExit("the API did not become ready")


def request_for(
    kind: str, w: dict[str, list[Any]], rng: random.Random
) -> tuple[str, dict[str, Any]]:
    if kind == "search":
        _how, q = rng.choice(w["searches"])
        return "/search", {"q": q, "size": 20}
    if kind == "expand":
        p = rng.choice(w["persons"])
        return f"/entities/{quote(p, safe='')}/neighbours", {"depth": 2, "limit": 300}
    if kind == "paths":
        a, b = rng.choice(w["pairs"])
        return "/paths", {"from": a, "to": b, "max_hops": 4}
    if kind == "board":
        return "/cases", {"size": 1000}
    if kind == "case":
        return f"/cases/{rng.choice(w['cases'])}", {}
    return f"/findings/{quote(rng.choice(w['findings']), safe='')}", {}


async def client(
    i: int,
    base: str,
    key: str,
    w: dict[str, list[Any]],
    until: float,
    out: dict[str, list[float]],
    errors: dict[str, list[str]],
    think_ms: float = 0.0,
    lean: bool = True,
) -> None:
    rng = random.Random(i)
    kinds = [k for k in WEIGHTS if k not in ("finding", "case") or w[k + "s"]]
    weights = [WEIGHTS[k] for k in kinds]
    headers = {"Authorization": f"Bearer {key}", "X-Purpose": "bench"}
    c: Any = (
        rawhttp.Client(base, headers, timeout=30)
        if lean
        else httpx.AsyncClient(base_url=base, headers=headers, timeout=30)
    )
    try:
        while time.perf_counter() < until:
            kind = rng.choices(kinds, weights)[0]
            path, params = request_for(kind, w, rng)
            t = time.perf_counter()
            try:
                if lean:
                    status, _body = await c.get(path, params)
                else:
                    status = (await c.get(path, params=params)).status_code
                ok = status == 200
                why = f"{status} {path}" if not ok else ""
            except (httpx.HTTPError, rawhttp.HttpError, TimeoutError) as e:
                ok, why = False, f"{type(e).__name__} {path}"
            out.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
            if not ok:
                errors.setdefault(kind, []).append(why)
            if think_ms:  # a person reading the answer before the next click
                await asyncio.sleep(rng.expovariate(1000.0 / think_ms))
    finally:
        await (c.close() if lean else c.aclose())


class CpuMeter:
    """CPU seconds spent by the load generator (this process), the API process(es) and the
    engine between ``start`` and ``stop``: on a shared 2-core machine, CPU per request is
    what bounds throughput, and a greedy client steals it from the server it measures."""

    def __init__(self, server_pid: int, engine_pid: int | None) -> None:
        self.procs = {"client": psutil.Process(), "api": psutil.Process(server_pid)}
        if engine_pid is not None:
            self.procs["engine"] = psutil.Process(engine_pid)
        self._t0: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        out = {}
        for name, p in self.procs.items():
            ps = [p] + (p.children(recursive=True) if name == "api" else [])
            total = 0.0
            for q in ps:
                try:
                    t = q.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
            out[name] = total
        return out

    def start(self) -> None:
        self._t0 = self._now()

    def stop(self) -> dict[str, float]:
        t1 = self._now()
        return {k: t1[k] - self._t0.get(k, 0.0) for k in t1}


def engine_pid(settings: Settings) -> int | None:
    """The engine's process, for the CPU meter: the embedded daemon, or a Neo4j server
    listening on this machine's loopback (a remote server's CPU is not ours to meter)."""
    if settings.engine == "embedded":
        daemon: int | None = embedded_engine(settings).pid()
        return daemon
    url = urlsplit(settings.neo4j_uri)
    if url.hostname not in ("127.0.0.1", "localhost", "::1") or url.port is None:
        return None
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == url.port:
                return int(c.pid) if c.pid is not None else None
    except psutil.AccessDenied:
        pass
    return None


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--engine",
        choices=("embedded", "neo4j"),
        default="embedded",
        help="the API's engine; neo4j: the server of GUANXI_NEO4J_* (its database is replaced "
        "unless it holds the county)",
    )
    ap.add_argument("--folder", type=Path, help="county folder (generated if missing)")
    ap.add_argument("--data-dir", type=Path, help="engine and API data (loaded if missing)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument(
        "--warmup",
        type=float,
        default=300.0,
        help="at most this many seconds of the same mix, untimed, before the timed runs (0: "
        f"none), in windows of {WARMUP_WINDOW_S:.0f} s until two in a row set no new high "
        "in throughput (by more than 5 %%); "
        "each window's figures are printed and kept in the summary",
    )
    ap.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="API processes (guanxi serve --workers); one per core by default",
    )
    ap.add_argument(
        "--think-ms",
        default="0,1000",
        help="comma-separated mean think times (ms, exponential) between a client's requests, "
        "one timed run each: 0 saturates the server (latency is then queueing: clients / "
        "throughput), 1000 is 20 investigators clicking about once a second",
    )
    ap.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="raw: a lean asyncio HTTP/1.1 keep-alive client (bench/rawhttp.py); httpx: "
        "httpx.AsyncClient, which costs the shared CPU about a millisecond more per request",
    )
    ap.add_argument("--cases", type=int, default=1000, help="open cases on the board")
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
    loaded = ensure_loaded(settings, folder, truth, console)
    county = str(truth["county"]["code"])
    keys = make_keys(data_dir, county)
    store = open_store(settings)
    w = workload(store, args.seed, county)
    w["cases"] = seed_cases(data_dir, store, county, args.cases, args.seed, console)
    info = describe(f"{args.engine} {store.health().version}")
    store.close()
    pid = engine_pid(settings)

    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    server = start_server(data_dir, args.engine, port, args.workers)
    try:
        ready = wait_ready(base, keys["bench-admin"], args.workers)
        warmup: list[dict[str, float]] = []
        # Derive every pattern's evidence once (kept in the API database from then on).
        warm: dict[str, float] = {}
        admin = {"Authorization": f"Bearer {keys['bench-admin']}", "X-Purpose": "bench warm-up"}
        for fid in w["findings"]:
            pattern = fid.split(":")[0]
            if pattern in warm:
                continue
            t = time.perf_counter()
            httpx.get(f"{base}/findings/{quote(fid, safe='')}", headers=admin, timeout=900)
            warm[pattern] = time.perf_counter() - t
        runs: list[
            tuple[float, dict[str, list[float]], dict[str, list[str]], float, dict[str, float]]
        ] = []

        Timings = dict[str, list[float]]

        def drive(seconds: float, think: float) -> tuple[Timings, dict[str, list[str]]]:
            out: Timings = {}
            errors: dict[str, list[str]] = {}
            until = time.perf_counter() + seconds

            async def run() -> None:
                lean = args.client == "raw"
                key = keys["bench-investigator"]
                await asyncio.gather(
                    *(
                        client(i, base, key, w, until, out, errors, think, lean)
                        for i in range(args.clients)
                    )
                )

            asyncio.run(run())
            return out, errors

        if args.warmup > 0:
            # A server just started or just loaded runs its queries cold (Neo4j: before the
            # JIT has compiled them, with an empty page cache) and gets faster for minutes:
            # the tables are its steady state, taken as reached when two windows in a row
            # set no new high in throughput (by more than 5 %). After a restart of Neo4j at
            # 1 M the windows went 35, 111, 151, 152, 193, 218, 234, 221, 188 requests/s.
            windows: list[dict[str, float]] = []
            while sum(x["seconds"] for x in windows) < args.warmup:
                t0 = time.perf_counter()
                out, _ = drive(WARMUP_WINDOW_S, 0.0)
                every = [x for xs in out.values() for x in xs]
                windows.append({
                    "seconds": round(time.perf_counter() - t0, 1),
                    "requests/s": round(len(every) / (time.perf_counter() - t0), 1),
                    "expand p95 ms": round(pct(out.get("expand", []), 0.95), 1),  # nan if none
                })  # fmt: skip
                rates = [x["requests/s"] for x in windows]
                if len(rates) >= 3 and max(rates[-2:]) <= max(rates[:-2]) * 1.05:
                    break
            warmup = windows
            console.print(f"warm-up, not in the tables (same mix, no think time): {warmup}")
        for think in [float(x) for x in args.think_ms.split(",") if x.strip()]:
            meter = CpuMeter(server.pid, pid)
            meter.start()
            t0 = time.perf_counter()
            out, errors = drive(args.duration, think)
            wall = time.perf_counter() - t0
            runs.append((think, out, errors, wall, meter.stop()))
    finally:
        stop_server(server)

    console.print(markdown(info))
    sections = []
    all_errors: list[str] = []
    for think, out, errors, wall, cpu in runs:
        scenario = (
            "no think time (saturation)" if not think else f"think time {think:.0f} ms (mean)"
        )
        title = (
            f"API under load on {args.engine}: {truth['persons']:,} persons, {args.clients} "
            f"clients, {scenario}, "
            f"{wall:.0f} s, {args.workers} API process(es) (investigator scoped to {county})"
        )
        table = Table(title=title)
        cols = ("kind", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
        for c in cols:
            table.add_column(c, justify="left" if c == "kind" else "right")
        md = ["| " + " | ".join(cols) + " |", "|---|" + "---:|" * (len(cols) - 1)]
        every = [x for xs in out.values() for x in xs]
        rows = [*((k, out.get(k, [])) for k in WEIGHTS), ("all", every)]
        for kind, xs in rows:
            errs = (
                sum(len(v) for v in errors.values()) if kind == "all" else len(errors.get(kind, []))
            )
            row = [
                kind,
                f"{len(xs):,}",
                f"{len(xs) / wall:.1f}",
                f"{pct(xs, 0.5):.0f}",
                f"{pct(xs, 0.95):.0f}",
                f"{pct(xs, 0.99):.0f}",
                f"{max(xs, default=float('nan')):.0f}",
                str(errs),
            ]
            table.add_row(*row, style="bold" if kind == "all" else None)
            md.append("| " + " | ".join(row) + " |")
        expand_p95 = pct(out.get("expand", []), 0.95)
        verdict = (
            f"{scenario}: 2-hop expand (cap 300) p95 {expand_p95:.0f} ms — target < "
            f"{TARGET_MS:.0f} ms: " + ("met" if expand_p95 < TARGET_MS else "NOT met")
        )
        board_p95 = pct(out.get("board", []), 0.95)
        verdict += (
            f"; board of {args.cases:,} open cases p95 {board_p95:.0f} ms — target <= "
            f"{BOARD_TARGET_MS:.0f} ms: " + ("met" if board_p95 <= BOARD_TARGET_MS else "NOT met")
        )
        n = max(1, sum(len(xs) for xs in out.values()))
        cpu_line = (
            "CPU per request (ms): "
            + ", ".join(f"{k} {v * 1000 / n:.1f}" for k, v in cpu.items())
            + f", total {sum(cpu.values()) * 1000 / n:.1f}; machine busy "
            + f"{sum(cpu.values()) / wall / (os.cpu_count() or 1):.0%} "
            + f"({args.client} client)"
        )
        console.print(table)
        console.print(cpu_line)
        console.print(verdict)
        all_errors += [e for es in errors.values() for e in es]
        sections.append(
            f"#### {scenario}\n\n" + "\n".join(md) + "\n\n" + cpu_line + "\n\n" + verdict + "\n"
        )
    summary = {
        "load (s)": loaded.get("load_seconds"),
        "detect (s)": loaded.get("detect_seconds"),
        "findings": len(w["findings"]),
        "API ready after (s)": round(ready, 1),
        "warm-up": warmup,
        "first evidence derivation per pattern (s)": {k: round(v, 1) for k, v in warm.items()},
        "errors (first 5)": all_errors[:5],
    }
    console.print(json.dumps(summary, ensure_ascii=False, indent=1))
    if runs and args.markdown:
        with args.markdown.open("a", encoding="utf-8") as f:
            f.write(
                f"\n### API on {args.engine} — {truth['persons']:,} persons, "
                f"{args.clients} clients\n\n"
            )
            f.write(markdown(info) + "\n" + "\n".join(sections))


if __name__ == "__main__":
    main()
