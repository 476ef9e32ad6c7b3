"""The synthetic county: every register of the data contract, with planted cases.

Real registers are personal data and cannot ship, so tests, benchmarks and demos run on
a fictional county of Hengyang (蒸阳县, 430428, plates 湘D) generated here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from graph.synth import (
    complaints,
    divisions,
    economy,
    funds,
    mentions,
    officials,
    output,
    people,
    planting,
    works,
)
from graph.synth.common import County

__all__ = ["MIN_PERSONS", "build", "generate"]

# Below this, the fixed cast (cadres of six villages, township and county staff, sixty
# enterprises) leaves too few households free of ties to plant every case and decoy
# (the village-finance and student-aid cases need about 500 more people).
MIN_PERSONS = 2_000


def generate(persons: int, seed: int, out: Path) -> dict[str, Any]:
    """Generate a county of ``persons`` people into folder ``out``; return the truth.

    Same ``persons`` and ``seed`` give the same bytes. Besides the registers
    (see ``truth["files"]``), ``out/truth.json`` holds what was planted::

        {
          "generator": "guanxi.synth/1", "seed": 7, "persons": 2000,
          "as_of": "2025-01-15",                # judge complaint deadlines as of this day
          "county": {"code": "430428", "name": "蒸阳县"},
          "periods": {"first": "2023-01", "last": "2024-12"},
          "row_numbering": "spreadsheet rows: header is row 1, first data row is row 2",
          "files": {"deaths": {"file": "deaths.csv", "encoding": "gb18030", "format": "csv",
                               "bom": false, "header": "zh", "bytes": 1234}, ...},
          "counts": {"persons": 2003, ...},     # data rows written, bad rows included
          "cases": [{"kind": "recipient_vehicle",          # pattern id
                     "subjects": ["4304281960...", "湘DA1234"],   # natural keys a finding
                     "note": "..."}, ...],                  # of that kind must include
          "decoys": [ same shape: honest look-alikes that no finding of the kind may cover ],
          "ring": {"village_codes": [...], "persons": [...], "enterprises": [...],
                   "contracts": [...], "vouchers": [...], "phones": [...], "addresses": [...],
                   "complaints": [...], "note": "..."},
          "mentions": [{"register": "enterprise_roles", "row": 17, "column": "person_name",
                        "name": "劉偉", "variant": "traditional",
                        "true_id_number": "4304...", "ambiguous": false}, ...],
          "bad_rows": [{"register": "persons", "row": 812, "column": "id_number",
                        "reason": "bad_check_char", "value": "..."}, ...],
          "warn_rows": [ same shape: rows to load with a warning (unknown programme) ]
        }

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     truth = generate(2000, 1, Path(d))
    >>> truth["persons"], len({c["kind"] for c in truth["cases"]})
    (2000, 30)
    """
    if persons < MIN_PERSONS:
        raise ValueError(
            f"a county needs at least {MIN_PERSONS:,} persons to hold every planted case "
            f"on honest ground, not {persons:,}"
        )
    started = time.perf_counter()
    ctx = County(n=persons, seed=seed, rng=np.random.Generator(np.random.PCG64(seed)))
    build(ctx)
    truth = output.finish(ctx, Path(out))
    truth["seconds"] = round(time.perf_counter() - started, 1)
    return truth


def build(ctx: County) -> None:
    """Generate every register of one county into ``ctx`` and plant its cases."""
    divisions.build(ctx)
    people.build(ctx)
    mentions.namesakes(ctx)
    funds.programs(ctx)
    funds.select_recipients(ctx)
    officials.build(ctx)
    economy.build(ctx)
    funds.disbursements(ctx)
    funds.students(ctx)
    works.build(ctx)
    complaints.build(ctx)
    planting.plant_all(ctx)
