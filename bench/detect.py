"""Per-pattern recall, findings and seconds on a synthetic county, on either engine.

python bench/detect.py --persons 1000000 --engine embedded [--folder DIR] [--no-load]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

# Run as a script, bench/ is on sys.path: the shared machine description sits beside it.
from machine import describe, markdown
from rich.console import Console
from rich.table import Table

from graph.loaders import load_folder
from graph.queries import detect, library
from graph.queries.evaluate import score
from graph.resolve import resolve
from graph.settings import Settings
from graph.store import open_store
from graph.synth import generate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engine", choices=["embedded", "neo4j"], default="embedded")
    ap.add_argument("--folder", type=Path, help="county folder (generated if missing)")
    ap.add_argument("--no-load", action="store_true", help="graph already holds the county")
    ap.add_argument("--markdown", type=Path, help="append the table as Markdown here")
    args = ap.parse_args()
    console = Console()

    folder = args.folder or Path(tempfile.mkdtemp()) / f"county-{args.persons}"
    if not (folder / "truth.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate(args.persons, args.seed, folder)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    store = open_store(Settings(engine=args.engine))
    if not args.no_load:
        store.clear()
        load_folder(store, folder, progress=False)
    # As `guanxi load` does: some planted links go through name-only mentions (a
    # shareholder without an ID number), which only resolution ties to the person. A graph
    # loaded by bench/load.py is not resolved; resolving again changes nothing.
    resolve(store)
    t0 = time.perf_counter()
    result = detect(store, as_of=truth["as_of"])
    total = time.perf_counter() - t0
    scores = score(result.findings, truth)
    info = describe(f"{args.engine} {store.health().version}")

    t = Table(title=f"detect: {args.persons:,} persons, {args.engine}")
    for c in ("pattern", "planted", "recall", "decoys flagged", "findings", "seconds"):
        t.add_column(c, justify="right" if c != "pattern" else "left")
    md = [
        "| pattern | planted | recall | decoys flagged | findings | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in result.runs:
        s = scores.get(run.pattern)
        planted = s.planted if s else 0
        recall = f"{s.recall:.0%}" if s and s.recall is not None else "-"
        flagged = f"{s.decoys_flagged}/{s.decoys}" if s else "-"
        row = [
            run.pattern,
            str(planted),
            recall,
            flagged,
            str(len(run.findings)),
            f"{run.seconds:.2f}",
        ]
        t.add_row(*row)
        md.append("| " + " | ".join(row) + " |")
    t.add_row("derive + all", "", "", "", str(len(result.findings)), f"{total:.2f}")
    md.append(f"| derive + all patterns | | | | {len(result.findings)} | {total:.2f} |")
    console.print(markdown(info))
    console.print(t)
    if args.markdown:
        with args.markdown.open("a", encoding="utf-8") as f:
            f.write(f"\n### detect — {args.persons:,} persons, {args.engine}\n\n")
            f.write(markdown(info) + "\n" + "\n".join(md) + "\n")
    missing = set(library()) - {r.pattern for r in result.runs}
    if missing:
        console.print(f"[red]patterns not run: {missing}")


if __name__ == "__main__":
    main()
