"""``python -m graph.synth --persons N --seed S --out DIR``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graph.synth import generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m graph.synth", description=__doc__)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    truth = generate(args.persons, args.seed, args.out)
    summary = {
        "out": str(args.out),
        "seconds": truth["seconds"],
        "counts": truth["counts"],
        "cases": len(truth["cases"]),
        "decoys": len(truth["decoys"]),
        "mentions": len(truth["mentions"]),
        "bad_rows": len(truth["bad_rows"]),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
