"""Entity resolution: guanxi's scorer on FEBRL4 beside recordlinkage's classic pipeline,
and resolution of a synthetic county against its truth.

python bench/resolve.py                        # FEBRL4 only
python bench/resolve.py --persons 1000000      # and a county (generated unless --folder)
python bench/resolve.py --persons 1000000 --folder DIR --no-load --graph NAME

FEBRL4 (shipped inside the ``recordlinkage`` package): two files of 5,000 records with
5,000 true matches. guanxi's scorer is the same machinery as for mentions (blocking on
several keys, Fellegi–Sunter weights with term-frequency ``u``, fixed ``m``, threshold and
margin from :mod:`graph.resolve.decide`), applied to FEBRL's fields. The baseline is the
pipeline of recordlinkage's own documentation for this data set: block on given_name,
compare (exact names/dates/suburb/state, Jaro-Winkler on surname and address), then
either a sum-of-agreements threshold or the ECM classifier.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

# Run as a script, bench/ is on sys.path: the shared machine description sits beside it.
from machine import describe, markdown, peak_rss_mib
from rich.console import Console
from rich.table import Table

from graph.resolve.decide import MARGIN, THRESHOLD, Scored, decide
from graph.resolve.model import Contribution, disagreement, weight
from graph.resolve.normalise import edit_distance

Pair = tuple[str, str]

# -- FEBRL ---------------------------------------------------------------------------------

# field -> m of (exact, one edit, two edits, other): P(level | same person), fixed. Names
# and addresses are typed by hand (typos); codes and dates lose or swap a digit.
FEBRL_M: dict[str, tuple[float, float, float, float]] = {
    "given_name": (0.85, 0.08, 0.03, 0.04),
    "surname": (0.85, 0.08, 0.03, 0.04),
    "address_1": (0.80, 0.10, 0.05, 0.05),
    "address_2": (0.75, 0.10, 0.05, 0.10),
    "suburb": (0.85, 0.08, 0.03, 0.04),
    "street_number": (0.85, 0.08, 0.02, 0.05),
    "postcode": (0.85, 0.10, 0.02, 0.03),
    "state": (0.93, 0.0, 0.0, 0.07),
    "date_of_birth": (0.85, 0.10, 0.02, 0.03),
    "soc_sec_id": (0.85, 0.10, 0.02, 0.03),
}
LEVELS = ("exact", "edit1", "edit2", "other")
BLOCK_KEYS = ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode")


@lru_cache(maxsize=1 << 20)
def _level(a: str, b: str) -> str:
    return LEVELS[edit_distance(a, b, limit=3)]


def febrl_guanxi(
    a: Any, b: Any, block_keys: tuple[str, ...] = BLOCK_KEYS
) -> tuple[set[Pair], int, float]:
    """Link FEBRL's A to B with guanxi's scorer; return links, pairs compared, CPU seconds."""
    t0 = time.process_time()
    recs_a = _records(a)
    recs_b = _records(b)
    n = len(recs_b)
    # candidates: any shared blocking key (guanxi blocks on several keys, not one)
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rid, r in recs_b.items():
        for k in block_keys:
            if r[k]:
                index[(k, r[k])].append(rid)
    # u: a value's own frequency for agreement (term frequency), random pairs for the rest
    freq = {f: Counter(r[f] for r in recs_b.values() if r[f]) for f in FEBRL_M}
    u_levels = _random_pair_levels(recs_a, recs_b)
    links: set[Pair] = set()
    compared = 0
    for aid, ra in recs_a.items():
        cands = {bid for k in block_keys if ra[k] for bid in index.get((k, ra[k]), ())}
        compared += len(cands)
        scored = [
            Scored(bid, "exact", _compare(ra, recs_b[bid], freq, u_levels, n)) for bid in cands
        ]
        d = decide(aid, scored, threshold=THRESHOLD, margin=MARGIN)
        if d.person_id:
            links.add((aid, d.person_id))
    return links, compared, time.process_time() - t0


def _records(df: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for rid, row in df.iterrows():
        out[str(rid)] = {
            f: ("" if not isinstance(row[f], str) else " ".join(row[f].lower().split()))
            for f in FEBRL_M
        }
    return out


def _random_pair_levels(
    a: dict[str, dict[str, str]], b: dict[str, dict[str, str]], k: int = 20_000
) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    ka, kb = list(a), list(b)
    counts: dict[str, Counter[str]] = {f: Counter() for f in FEBRL_M}
    for _ in range(k):
        x, y = a[rng.choice(ka)], b[rng.choice(kb)]
        for f in FEBRL_M:
            if x[f] and y[f]:
                counts[f][_level(x[f], y[f])] += 1
    return {
        f: {lvl: (c[lvl] + 1) / (sum(c.values()) + len(LEVELS)) for lvl in LEVELS}
        for f, c in counts.items()
    }


def _compare(
    ra: dict[str, str],
    rb: dict[str, str],
    freq: dict[str, Counter[str]],
    u_levels: dict[str, dict[str, float]],
    n: int,
) -> list[Contribution]:
    out = [Contribution("prior", "", -math.log2(n))]
    for f, ms in FEBRL_M.items():
        x, y = ra[f], rb[f]
        if not x or not y:
            continue
        lvl = _level(x, y)
        m = ms[LEVELS.index(lvl)]
        if lvl == "exact":
            u = max(freq[f][y], 1) / n
            out.append(Contribution(f, lvl, weight(m, u)))
        elif lvl == "other":
            out.append(disagreement(f, 1 - m, u_levels[f]["exact"]))
        else:
            out.append(Contribution(f, lvl, weight(m, u_levels[f][lvl])))
    return out


def febrl_baseline(a: Any, b: Any) -> list[tuple[str, set[Pair], int, float]]:
    """recordlinkage's documented FEBRL4 pipeline: threshold on summed agreements, and ECM."""
    import recordlinkage

    t0 = time.process_time()
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    pairs = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(pairs, a, b)
    shared = time.process_time() - t0
    t1 = time.process_time()
    by_sum = features[features.sum(axis=1) > 3].index
    sum_links = {(str(x), str(y)) for x, y in by_sum}
    sum_s = shared + time.process_time() - t1
    t2 = time.process_time()
    ecm = recordlinkage.ECMClassifier()
    ecm_links = {(str(x), str(y)) for x, y in ecm.fit_predict(features)}
    ecm_s = shared + time.process_time() - t2
    return [
        ("recordlinkage classic, sum > 3", sum_links, len(pairs), sum_s),
        ("recordlinkage classic, ECM", ecm_links, len(pairs), ecm_s),
    ]


def _prf(found: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_febrl(console: Console) -> list[list[str]]:
    from recordlinkage.datasets import load_febrl4

    a, b, true_links = load_febrl4(return_links=True)
    truth = {(str(x), str(y)) for x, y in true_links}
    rows = []
    runs = [
        ("guanxi (multi-key blocking, F–S, margin)", *febrl_guanxi(a, b)),
        ("guanxi scorer, baseline's blocking", *febrl_guanxi(a, b, ("given_name",))),
        *febrl_baseline(a, b),
    ]
    t = Table(title=f"FEBRL4: {len(a):,} × {len(b):,} records, {len(truth):,} true matches")
    for c in ("method", "pairs compared", "links", "precision", "recall", "F1", "CPU s"):
        t.add_column(c, justify="left" if c == "method" else "right")
    for name, found, n_pairs, s in runs:
        p, r, f1 = _prf(found, truth)
        row = [
            name,
            f"{n_pairs:,}",
            f"{len(found):,}",
            f"{p:.4f}",
            f"{r:.4f}",
            f"{f1:.4f}",
            f"{s:.1f}",
        ]
        t.add_row(*row)
        rows.append(row)
    console.print(t)
    return rows


# -- synthetic county --------------------------------------------------------------------


def run_county(console: Console, args: argparse.Namespace) -> list[list[str]]:
    from graph.loaders import load_folder
    from graph.resolve import resolve
    from graph.resolve.evaluate import evaluate, linked_persons
    from graph.settings import Settings
    from graph.store import open_store
    from graph.synth import generate

    folder = args.folder or Path(tempfile.mkdtemp()) / f"county-{args.persons}"
    if not (folder / "truth.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(args.persons, args.seed, folder)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    settings = Settings(engine=args.engine, **({"graph": args.graph} if args.graph else {}))
    store = open_store(settings)
    if not args.no_load:
        store.clear()
        t0 = time.perf_counter()
        load_folder(store, folder, progress=False)
        console.print(f"loaded in {time.perf_counter() - t0:.0f} s")
    engine = _engine_process(store)
    engine_cpu0 = _cpu(engine)
    report = resolve(store)
    engine_cpu = _cpu(engine) - engine_cpu0
    mentions = {r["m"] for r in store.read("MATCH (m:Mention) RETURN m.mention_id AS m")}
    ev = evaluate(truth["mentions"], linked_persons(store), mentions)
    persons = store.count("Person")
    t = Table(title=f"resolve: {persons:,} persons, {args.engine}")
    t.add_column("what")
    t.add_column("value", justify="right")
    rows = [
        ["mentions (planted)", f"{len(mentions):,} ({ev.planted:,})"],
        ["linked", f"{report.linked:,}"],
        ["unresolved", ", ".join(f"{k} {v}" for k, v in report.unresolved.items())],
        ["precision", f"{ev.precision:.4f}"],
        ["recall", f"{ev.recall:.4f}"],
        ["ambiguous linked", f"{ev.ambiguous_linked}"],
        ["conflicts", ", ".join(f"{k} {v}" for k, v in report.conflicts_by_kind.items()) or "-"],
        *[[f"  {k} s", f"{v:.1f}"] for k, v in report.stages.items()],
        ["resolve seconds (wall)", f"{report.seconds:.1f}"],
        ["  CPU s: resolver / engine", f"{report.cpu_seconds:.1f} / {engine_cpu:.1f}"],
        ["load average (1 min) after", f"{os.getloadavg()[0]:.1f}"],
        ["peak RSS MiB", f"{peak_rss_mib():.0f}"],
    ]
    for r in rows:
        t.add_row(*r)
    console.print(t)
    if ev.errors:
        console.print(json.dumps(ev.errors[:20], ensure_ascii=False, indent=1))
    return rows


def _engine_process(store: Any) -> Any:
    """The embedded engine's process, to count its CPU time (None for Neo4j)."""
    import psutil

    server = getattr(store, "server", None)
    pid = server.pid() if server is not None else None
    return psutil.Process(pid) if pid else None


def _cpu(proc: Any) -> float:
    if proc is None:
        return 0.0
    t = proc.cpu_times()
    return float(t.user + t.system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--persons", type=int, help="also resolve a synthetic county of N persons")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["embedded", "neo4j"], default="embedded")
    ap.add_argument("--folder", type=Path, help="county folder (generated if missing)")
    ap.add_argument("--graph", help="embedded graph name (default: the settings')")
    ap.add_argument("--no-load", action="store_true", help="graph already holds the county")
    ap.add_argument("--no-febrl", action="store_true")
    ap.add_argument("--markdown", type=Path, help="append the tables as Markdown here")
    args = ap.parse_args()
    console = Console(width=150)
    info = describe()
    for pkg in ("pypinyin", "opencc", "recordlinkage", "pandas"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = "-"
    console.print(markdown(info))
    md = [markdown(info)]
    if not args.no_febrl and info["recordlinkage"] == "-":
        # FEBRL4 and its baselines come with recordlinkage (the bench extra), which holds
        # pandas below 3: without it the county's resolution is still measured.
        note = (
            "FEBRL4 comparison not run: recordlinkage is not installed (`pip install -e .[bench]`)"
        )
        console.print(note)
        md += [note]
    elif not args.no_febrl:
        rows = run_febrl(console)
        md += [
            "| method | pairs | links | precision | recall | F1 | CPU s |",
            "|---|" + "---:|" * 6,
        ]
        md += ["| " + " | ".join(r) + " |" for r in rows]
    if args.persons:
        rows = run_county(console, args)
        md += ["", "| what | value |", "|---|---:|", *("| " + " | ".join(r) + " |" for r in rows)]
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as f:
            f.write("\n### resolve\n\n" + "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
