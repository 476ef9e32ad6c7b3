"""Seconds per pattern on the configured engine; on Neo4j also PROFILE's db hits and the
operators that spend most of them.

    . tools/neo4j/run/env
    .venv/bin/python tools/neo4j/profile_patterns.py --engine neo4j [--only ID ...] [--json F]

The graph must hold a county (``guanxi load``). Derived properties are computed first, as
``detect`` does; each pattern then runs once to warm the caches and once timed, without
saving findings. ``--json`` keeps each pattern's seconds and finding ids, so two runs (two
engines, or before and after a change) can be compared for identical findings.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from graph.queries.derive import derive_all
from graph.queries.pattern import get, library
from graph.queries.runner import run_pattern
from graph.settings import Settings
from graph.store import open_store
from graph.store.neo4j import Neo4jStore

Operator = tuple[int, int, str, str]


def walk(plan: dict[str, Any], out: list[Operator]) -> int:
    """Total db hits of a profiled plan (the driver's dict); every operator added to ``out``."""
    hits = int(plan.get("dbHits", 0))
    details = " ".join(str(plan.get("args", {}).get("Details", "")).split())
    out.append((hits, int(plan.get("rows", 0)), str(plan.get("operatorType")), details))
    return hits + sum(walk(child, out) for child in plan.get("children", []))


def profile(store: Neo4jStore, cypher: str, params: dict[str, Any]) -> tuple[int, list[Operator]]:
    with store.driver.session(database=store.database) as session:
        summary = session.run(f"PROFILE {cypher}", params).consume()  # type: ignore[arg-type,unused-ignore]
    ops: list[Operator] = []
    total = walk(summary.profile, ops) if summary.profile else 0
    return total, sorted(ops, reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--engine", choices=("embedded", "neo4j"), default="neo4j")
    ap.add_argument("--only", nargs="*", help="pattern ids (default: every pattern)")
    ap.add_argument("--as-of", help="the date patterns judge by (default: today)")
    ap.add_argument("--top", type=int, default=3, help="operators shown per pattern")
    ap.add_argument("--json", type=Path, help="write seconds and finding ids here")
    args = ap.parse_args()
    store = open_store(Settings(engine=args.engine))
    t = time.perf_counter()
    derive_all(store)
    print(f"derive: {time.perf_counter() - t:.2f} s", flush=True)
    out: dict[str, Any] = {}
    total = 0.0
    for pid in args.only or list(library()):
        p = get(pid)
        run_pattern(store, p, as_of=args.as_of, timeout=3600)
        t = time.perf_counter()
        found = run_pattern(store, p, as_of=args.as_of, timeout=3600)
        seconds = time.perf_counter() - t
        total += seconds
        out[pid] = {"seconds": round(seconds, 3), "findings": sorted(f.finding_id for f in found)}
        line = f"{pid:28} {seconds:7.2f} s  {len(found):5} findings"
        if isinstance(store, Neo4jStore):
            hits, ops = profile(store, p.cypher, p.bind(None, as_of=args.as_of))
            out[pid]["db_hits"] = hits
            line += f"  {hits:>12,} db hits"
            for h, rows, op, details in ops[: args.top]:
                line += f"\n    {h:>12,} hits {rows:>10,} rows  {op} {details[:110]}"
        print(line, flush=True)
    print(f"all patterns: {total:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
