"""Run every benchmark under bench/ on both engines at one scale; report that one run.

    python bench/run_all.py --persons 1000000                  # the acceptance run
    python bench/run_all.py --persons 20000 --engines embedded # a quick check

The county is generated once (``graph.synth``) into ``--work``. For each engine the scripts
run in pipeline order — load, resolve, detect, algorithms, api, then any other
``bench/*.py`` — each as its own process, so one script's memory does not weigh on the
next; a script without ``--engine`` runs on the embedded engine only. Each script's command
line is read from its ``--help``: the scale, seed, engine, county folder, graph and data
directory are passed to those that take them, ``--no-load`` once the graph holds the
county, and ``--markdown`` to collect its tables; a script that prints its tables only is
quoted as it printed them. A script that fails is reported with the tail of its output and
the run goes on. What was measured goes to ``bench/results.json``, rendered by
``bench/results.py`` into ``bench/RESULTS.md`` and the README's benchmark block.

The embedded engine runs as one daemon over a fresh data directory under ``--work`` (graph
``bench_<persons>_<seed>``), shared by every script; Neo4j is the server configured by
``GUANXI_NEO4J_*`` and **its database is replaced**. Without ``GUANXI_NEO4J_URI`` the
Neo4j column says so. Logs of every script: ``<work>/logs/``.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, bench/ is on sys.path: the machine description and the report sit beside it.
from machine import describe
from results import FULL_SCALE, README, TAIL_LINES, load_growth, publish

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ORDER = ("load", "resolve", "detect", "algorithms", "serving")
# growth.py runs several sizes of its own (python bench/growth.py --sizes ...): not one scale.
NOT_BENCHMARKS = {"machine", "run_all", "results", "rawhttp", "growth"}


@dataclass
class Run:
    """One script on one engine."""

    script: str
    engine: str
    argv: list[str] = field(default_factory=list)
    seconds: float = 0.0
    status: str = "not run"  # ok | failed (rc) | skipped: reason
    markdown: str = ""
    output: str = ""


def scripts(only: list[str] | None) -> list[str]:
    """Benchmark scripts present, in pipeline order, then the rest by name."""
    present = sorted(
        p.stem
        for p in BENCH.glob("*.py")
        if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_")
    )
    ordered = [s for s in ORDER if s in present] + [s for s in present if s not in ORDER]
    if only:
        unknown = set(only) - set(ordered)
        if unknown:
            raise SystemExit(f"no such benchmark script(s): {sorted(unknown)}; have {ordered}")
        ordered = [s for s in ordered if s in only]
    return ordered


def options(script: str) -> set[str]:
    """The long options a script's ``--help`` lists."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=_env({}),
    )
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", proc.stdout))


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # Rich prints plain, wide tables when it writes to a file.
    env.update({"COLUMNS": "160", "NO_COLOR": "1", "TERM": "dumb", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


@dataclass
class Plan:
    persons: int
    seed: int
    work: Path
    county: Path
    data_dir: Path
    graph: str
    timeout: float | None

    def argv(
        self, script: str, opts: set[str], engine: str, loaded: bool, first: bool
    ) -> list[str]:
        """The arguments a script gets, from the options it has."""
        a: list[str] = []

        def give(opt: str, *values: str) -> None:
            if opt in opts:
                a.extend([opt, *values])

        give("--persons", str(self.persons))
        give("--seed", str(self.seed))
        give("--engine", engine)
        give("--folder", str(self.county))
        # algorithms.py keeps its county at <work>/guanxi-bench/county-<persons>-<seed>.
        give("--work", str(self.county.parent.parent))
        give("--graph", self.graph)
        if engine == "embedded":
            give("--data-dir", str(self.data_dir))
        if loaded:
            give("--no-load")
        if not first:
            give("--no-febrl")  # FEBRL4 does not depend on the engine: once is enough
        give("--no-progress")
        return a


def ensure_county(plan: Plan) -> float:
    """Generate the county unless the folder holds it; return the seconds it took."""
    if (plan.county / "truth.json").exists():
        return 0.0
    from graph.synth import generate

    plan.county.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    generate(plan.persons, plan.seed, plan.county)
    return time.perf_counter() - t0


def settings_for(plan: Plan, engine: str):  # type: ignore[no-untyped-def]
    from graph.settings import Settings

    return Settings(engine=engine, data_dir=plan.data_dir, graph=plan.graph)


def holds_county(plan: Plan, engine: str) -> bool:
    """Whether the bench graph already holds (about) this county."""
    from graph.store import open_store

    with open_store(settings_for(plan, engine)) as store:
        return store.count("Person") >= 0.95 * plan.persons


def load_county(plan: Plan, engine: str) -> Run:
    """Load the county into the bench graph for the scripts that follow (timed)."""
    from graph.loaders import load_folder
    from graph.store import open_store

    run = Run("load for the other benchmarks", engine)
    t0 = time.perf_counter()
    with open_store(settings_for(plan, engine)) as store:
        store.clear()
        report = load_folder(store, plan.county, progress=False)
    run.seconds = time.perf_counter() - t0
    rows = report.totals["rows_read"]
    run.status = "ok"
    run.markdown = (
        f"{rows:,} rows → {report.nodes_after:,} nodes, {report.relationships_after:,} "
        f"relationships in {report.seconds:.0f} s ({rows / max(report.seconds, 1e-9):,.0f} "
        "rows/s), by `graph.loaders.load_folder` into the graph the other scripts read.\n"
    )
    return run


def run_script(plan: Plan, script: str, engine: str, argv: list[str], logs: Path) -> Run:
    run = Run(script, engine, argv)
    md_file = logs / f"{engine}-{script}.md"
    md_file.unlink(missing_ok=True)
    if "--markdown" in argv:
        i = argv.index("--markdown")
        argv[i + 1 : i + 2] = [str(md_file)]
    cmd = [sys.executable, str(BENCH / f"{script}.py"), *argv]
    env = _env({"GUANXI_ENGINE": engine, "GUANXI_GRAPH": plan.graph})
    if engine == "embedded":
        env["GUANXI_DATA_DIR"] = str(plan.data_dir)
    print(f"[{engine}] {script}: {shlex.join(cmd[1:])}", flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=plan.timeout,
        )
        run.output, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
        run.output, rc = out, -1
        run.status = f"failed: timed out after {plan.timeout:.0f} s"
    run.seconds = time.perf_counter() - t0
    (logs / f"{engine}-{script}.log").write_text(run.output, encoding="utf-8")
    if rc == 0:
        run.status = "ok"
    elif rc != -1:
        run.status = f"failed (exit {rc})"
    if md_file.exists():
        run.markdown = md_file.read_text(encoding="utf-8")
    print(f"[{engine}] {script}: {run.status} in {run.seconds:.0f} s", flush=True)
    return run


def engine_version(plan: Plan, engine: str) -> str:
    from graph.store import open_store

    try:
        with open_store(settings_for(plan, engine)) as store:
            h = store.health()
            return f"{h.engine} {h.version}"
    except Exception as e:  # the report says why rather than failing at the end
        return f"unavailable ({e})"


def run_engine(plan: Plan, engine: str, names: list[str], first: bool, logs: Path) -> list[Run]:
    runs: list[Run] = []
    loaded = False
    for name in names:
        opts = options(name)
        if "--engine" not in opts and engine != "embedded":
            runs.append(Run(name, engine, status="embedded only (no --engine option)"))
            continue
        if name != "load" and not loaded:
            if holds_county(plan, engine):
                loaded = True
            else:
                pre = load_county(plan, engine)
                runs.append(pre)
                print(f"[{engine}] {pre.script}: {pre.seconds:.0f} s", flush=True)
                loaded = True
        argv = plan.argv(name, opts, engine, loaded and "--no-load" in opts, first)
        if "--markdown" in opts:
            argv += ["--markdown", "-"]
        runs.append(run_script(plan, name, engine, argv, logs))
    return runs


def record(
    plan: Plan,
    runs: dict[str, list[Run]],
    skipped: dict[str, str],
    synth_seconds: float,
    versions: dict[str, str],
    command: str,
) -> dict[str, Any]:
    """The run as the data ``bench/results.py`` renders: what was measured, where, when."""
    info = describe()
    date = info.pop("date")
    info.update({f"engine ({e})": v for e, v in versions.items()})
    info["load average (1/5/15 min) at the end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())

    def kept(r: Run) -> dict[str, Any]:
        d = asdict(r)
        # The output is the report's text only for a failure (its tail) or a script that
        # prints its tables instead of writing Markdown; the logs keep the rest.
        if r.status != "ok":
            d["output"] = "\n".join(r.output.strip().splitlines()[-TAIL_LINES:])
        elif r.markdown:
            d["output"] = ""
        return d

    return {
        "command": command,
        "date": date,
        "persons": plan.persons,
        "seed": plan.seed,
        "synth_seconds": round(synth_seconds, 1),
        "machine": info,
        "skipped": skipped,
        "runs": {e: [kept(r) for r in rs] for e, rs in runs.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    ap.add_argument("--persons", type=int, default=FULL_SCALE)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engines", default="embedded,neo4j", help="comma-separated")
    ap.add_argument("--scripts", help="comma-separated subset (default: every script)")
    ap.add_argument("--work", type=Path, help="county, engine data and logs (default: a tmp dir)")
    ap.add_argument(
        "--out",
        type=Path,
        default=BENCH,
        help="folder for results.json and RESULTS.md; the README's block is rewritten only "
        "when it is bench/ itself",
    )
    ap.add_argument("--timeout", type=float, help="seconds allowed to each script")
    args = ap.parse_args()

    work = (args.work or Path(tempfile.gettempdir()) / "guanxi-run-all").resolve()
    plan = Plan(
        persons=args.persons,
        seed=args.seed,
        work=work,
        county=work / "guanxi-bench" / f"county-{args.persons}-{args.seed}",
        data_dir=work / "engine",
        graph=f"bench_{args.persons}_{args.seed}",
        timeout=args.timeout,
    )
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    names = scripts(args.scripts.split(",") if args.scripts else None)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"benchmarks {names} on {engines}, {args.persons:,} persons; work: {work}", flush=True)
    synth_seconds = ensure_county(plan)

    from graph.store import embedded_engine

    # A TERM (a timeout, a Ctrl-C from a wrapper) still stops the engine started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    daemon = None
    runs: dict[str, list[Run]] = {}
    skipped: dict[str, str] = {}
    versions: dict[str, str] = {}
    try:
        for i, engine in enumerate(engines):
            if engine == "neo4j" and not os.environ.get("GUANXI_NEO4J_URI"):
                skipped[engine] = "GUANXI_NEO4J_URI is unset (source tools/neo4j/run/env)"
                continue
            if engine == "embedded":
                daemon = embedded_engine(settings_for(plan, engine))
                if daemon.is_running():
                    daemon = None  # someone else's: leave it running
                else:
                    # A fresh directory: an engine restarted over a big graph replays its
                    # whole append-only file first, which takes longer than loading anew.
                    shutil.rmtree(plan.data_dir, ignore_errors=True)
                    daemon.start(owned=False, wait=300)
            versions[engine] = engine_version(plan, engine)
            runs[engine] = run_engine(plan, engine, names, i == 0, logs)
    finally:
        if daemon is not None:
            daemon.stop()
    command = "python bench/run_all.py " + shlex.join(sys.argv[1:])
    data = record(plan, runs, skipped, synth_seconds, versions, command.strip())
    out = args.out.resolve()
    written = publish(data, out, README if out == BENCH else None, growth=load_growth())
    failed = [
        f"{e}/{r.script}" for e, rs in runs.items() for r in rs if r.status.startswith("fail")
    ]
    names_written = ", ".join(str(p) for p in written)
    print(f"wrote {names_written}" + (f"; failed: {failed}" if failed else ""), flush=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
