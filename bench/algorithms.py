"""Benchmark: projection, Leiden, WCC, PageRank and paths on the synthetic county.

    python bench/algorithms.py --persons 1000000 [--engine embedded|neo4j] [--projection risk|full]

Generates the county (``graph.synth.generate``), loads it (``graph.loaders.load_folder``)
unless the graph already holds it, then times each step on the same projection, with
networkx's ``louvain_communities`` as the baseline, and prints a table and the machine.
Peak memory is the growth of the resident set's peak during a step (the kernel's VmHWM,
reset before each step): igraph allocates outside Python, where tracemalloc cannot see, and
tracemalloc would slow the pure-Python baseline several times over. The load average is
printed with the machine, since a busy machine stretches every figure.
Target (issue 7): at 1M persons, projection + Leiden under 60 s, Leiden at least 20x faster
than networkx Louvain. ``leiden()`` runs igraph only on the components whose communities
are not settled in advance; the row "Leiden, whole graph" times igraph's call on every
component, as networkx's Louvain runs, and both ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import psutil

# Run as a script, bench/ is on sys.path: the shared machine description sits beside it.
from machine import describe
from rich.console import Console
from rich.table import Table

from graph.algorithms import (
    components,
    k_shortest_paths,
    leiden,
    pagerank,
    project,
    risk_projection,
)
from graph.algorithms.rng import seeded
from graph.settings import Settings
from graph.store import GraphStore, open_store

console = Console(width=140)


@dataclass
class Step:
    name: str
    seconds: float
    rss_mb: float
    note: str = ""


@contextmanager
def measured(name: str, steps: list[Step], note: Callable[[], str] = lambda: "") -> Iterator[None]:
    """Time a step and its peak memory above the RSS it started from.

    On Linux the kernel keeps the peak (``VmHWM``), reset for each step through
    ``/proc/self/clear_refs``: no sampling thread competes for the GIL with the step being
    timed (one that woke every 10 ms added 1-2 s to igraph's Leiden, which calls back into
    Python for each of its 18 million random numbers). Elsewhere a sampler is the fallback.
    """
    proc = psutil.Process()
    base = proc.memory_info().rss
    kernel_peak = _reset_peak()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], proc.memory_info().rss)

    th = threading.Thread(target=sample, daemon=True)
    if not kernel_peak:
        th.start()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - t0
        if kernel_peak:
            peak[0] = max(_kernel_peak(), proc.memory_info().rss)
        else:
            done.set()
            th.join()
            peak[0] = max(peak[0], proc.memory_info().rss)
        steps.append(Step(name, seconds, (peak[0] - base) / 2**20, note()))
        console.log(f"{name}: {seconds:.2f} s")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _kernel_peak() > 0


def _kernel_peak() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def machine(store: GraphStore) -> dict[str, str]:
    health = store.health()
    info = describe(f"{health.engine} {health.version}")
    info["cores (physical)"] = str(psutil.cpu_count(logical=False))
    info["numpy"] = np.__version__
    info["load average (1/5/15 min)"] = " ".join(f"{x:.1f}" for x in psutil.getloadavg())
    return info


def ensure_loaded(
    store: GraphStore, persons: int, seed: int, work: Path, fresh: bool
) -> dict[str, Any]:
    from graph.pipeline import Stage, run_pipeline
    from graph.synth import generate

    folder = work / f"county-{persons}-{seed}"
    truth_file = folder / "truth.json"
    if store.count("Person") >= persons:
        console.log(f"reusing the county in the store ({store.count():,} nodes)")
        return dict(json.loads(truth_file.read_text())) if truth_file.exists() else {}
    if store.count() and not fresh:
        raise SystemExit(
            "the graph holds other data and not this county: pass --fresh to clear it "
            "(never against a shared database)"
        )
    store.clear()
    t0 = time.perf_counter()
    truth = generate(persons, seed, folder)
    console.log(f"generated {persons} persons in {time.perf_counter() - t0:.0f} s")
    started: dict[Stage, float] = {}

    def timed(stage: Stage, report: Any) -> None:
        if report is None:
            started[stage] = time.perf_counter()
            return
        done = "loaded" if stage == "load" else "detected findings"
        console.log(f"{done} in {time.perf_counter() - started[stage]:.0f} s")

    # Without entity resolution: the algorithms are timed on the graph as loaded.
    run_pipeline(store, folder, resolve_mentions=False, as_of=truth.get("as_of"), on_stage=timed)
    return truth


def run(args: argparse.Namespace) -> None:
    graph = args.graph or f"bench_{args.persons}_{args.seed}"
    settings = Settings(engine=args.engine, graph=graph)
    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    work = Path(args.work or tempfile.gettempdir()) / "guanxi-bench"
    work.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    with open_store(settings) as store:
        ensure_loaded(store, args.persons, args.seed, work, args.fresh)
        # The risk projection is the one rank_communities runs Leiden on.
        risk = args.projection == "risk"
        holder: dict[str, Any] = {}
        with measured("projection", steps, lambda: f"{p.n_nodes:,} nodes, {p.n_edges:,} rels"):
            p = (
                risk_projection(store, batch=args.batch)
                if risk
                else project(store, batch=args.batch)
            )
        with measured("undirected view", steps):
            p.undirected()
        with measured("Leiden (igraph)", steps, lambda: _part(holder["leiden"])):
            holder["leiden"] = leiden(p, seed=args.seed, n_iterations=args.iterations)
        # The same igraph call on every component, in (label, key) order: what leiden()
        # did before it left settled components out and renumbered for locality.
        raw = measured("Leiden, whole graph", steps, lambda: _raw_note(p, holder))
        with raw, seeded(args.seed):
            holder["raw"] = p.undirected().community_leiden(
                objective_function="modularity", n_iterations=args.iterations
            )
        with measured("WCC", steps, lambda: f"{holder['wcc'].n_communities:,} components"):
            holder["wcc"] = components(p)
        with measured("PageRank", steps):
            pagerank(p)
        pairs = _pairs(p, args.seed)
        found = [0]

        def paths_note() -> str:
            return f"{len(pairs)} pairs 2-6 hops apart, k=5, hubs >200 skipped: {found[0]} paths"

        with measured("k shortest paths", steps, paths_note):
            for a, b in pairs:
                found[0] += len(k_shortest_paths(p, p.node_id(a), p.node_id(b), k=5))
        steps[-1].seconds /= len(pairs)
        if not args.skip_networkx:
            with measured("networkx graph", steps, lambda: "undirected, parallel rels as weight"):
                holder["nx"] = _to_nx(p)
            with measured("Louvain (networkx)", steps, lambda: _nx_note(p, holder)):
                holder["nxl"] = nx.community.louvain_communities(
                    holder["nx"], weight="weight", seed=args.seed
                )
        info = machine(store)
    report(args, steps, info)


def _pairs(p: Any, seed: int, n: int = 20) -> list[tuple[int, int]]:
    """Persons and what a short walk avoiding hubs reaches: pairs a path query would ask."""
    rnd = random.Random(seed)
    g = p.undirected()
    deg = np.asarray(g.degree())
    persons = np.flatnonzero((p.labels == "Person") & (deg > 0))
    out: list[tuple[int, int]] = []
    while len(out) < n and len(persons):
        a = v = int(rnd.choice(persons))
        for _ in range(rnd.randint(2, 6)):
            nbrs = [u for u in g.neighbors(v) if deg[u] <= 200]
            if not nbrs:
                break
            v = rnd.choice(nbrs)
        if v != a:
            out.append((a, v))
    return out


def _part(part: Any) -> str:
    return f"{part.n_communities:,} communities, modularity {part.modularity:.4f}"


def _raw_note(p: Any, holder: dict[str, Any]) -> str:
    c = holder["raw"]
    return f"{len(c):,} communities, modularity {c.modularity:.4f}; igraph call alone"


def _to_nx(p: Any) -> nx.Graph:
    el = np.sort(np.column_stack(p.ends()), axis=1)
    pairs, counts = np.unique(el, axis=0, return_counts=True)
    g = nx.Graph()
    g.add_nodes_from(range(p.n_nodes))
    g.add_weighted_edges_from(
        zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), counts.tolist(), strict=True)
    )
    return g


def _nx_note(p: Any, holder: dict[str, Any]) -> str:
    membership = np.zeros(p.n_nodes, np.int64)
    for c, members in enumerate(holder["nxl"]):
        membership[list(members)] = c
    q = p.undirected().modularity(membership.tolist())
    return f"{len(holder['nxl']):,} communities, modularity {q:.4f}"


def report(args: argparse.Namespace, steps: list[Step], info: dict[str, Any]) -> None:
    table = Table(
        title=f"guanxi algorithms — {args.persons:,} persons, {args.projection} projection, "
        f"{args.engine} engine"
    )
    for col in ("step", "seconds", "peak RSS +MB", "result"):
        table.add_column(col, justify="left" if col in ("step", "result") else "right")
    for s in steps:
        table.add_row(s.name, f"{s.seconds:.3f}", f"{s.rss_mb:.0f}", s.note)
    console.print(table)
    by = {s.name: s.seconds for s in steps}
    total = by["projection"] + by["undirected view"] + by["Leiden (igraph)"]
    console.print(f"projection + Leiden: {total:.1f} s (target < 60 s at 1M persons)")
    if "Louvain (networkx)" in by:
        ratio = by["Louvain (networkx)"] / by["Leiden (igraph)"]
        console.print(f"networkx Louvain / igraph Leiden: {ratio:.1f}x (target >= 20x)")
        raw = by["Louvain (networkx)"] / by["Leiden, whole graph"]
        console.print(f"networkx Louvain / igraph Leiden on the whole graph: {raw:.1f}x")
    machine_table = Table(title="machine", show_header=False)
    for k, v in info.items():
        machine_table.add_row(k, str(v))
    console.print(machine_table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["embedded", "neo4j"], default="embedded")
    ap.add_argument(
        "--projection",
        choices=["risk", "full"],
        default="risk",
        help="risk: what communities are found on (RISK_LABELS / RISK_REL_TYPES); full: all",
    )
    ap.add_argument("--iterations", type=int, default=2, help="Leiden iterations")
    ap.add_argument("--batch", type=int, default=100_000, help="rows per projection query")
    ap.add_argument("--data-dir", help="embedded engine data directory (GUANXI_DATA_DIR)")
    ap.add_argument("--graph", help="graph name; a graph already holding the county is reused")
    ap.add_argument("--work", help="where the generated county is kept")
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--fresh", action="store_true", help="clear a graph holding other data")
    run(ap.parse_args())


if __name__ == "__main__":
    main()
