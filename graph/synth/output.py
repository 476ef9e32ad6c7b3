"""Put the registers in a natural order, add bad rows, write the files and truth.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graph.synth import badrows, writer
from graph.synth.common import (
    AS_OF,
    COUNTY_CODE,
    COUNTY_NAME,
    FIRST_MONTH,
    LAST_MONTH,
    NO_DATE,
    County,
    month_str,
)

# registers kept in date order (column), the rest keep their order with planted rows
# slipped in at random places
_DATE_ORDER = {
    "deaths": "death_date",
    "properties": "registered",
    "vehicles": "registered",
    "contracts": "signed",
    "payments": "paid_date",
    "incomes": "received_date",
    "complaints": "received",
}


def deaths(ctx: County) -> None:
    p = ctx.frames["persons"]
    dead = p[p["_death"] != NO_DATE]
    ctx.frames["deaths"] = pd.DataFrame(
        {
            "id_number": dead["id_number"].to_numpy(),
            "name": dead["name"].to_numpy(),
            "death_date": dead["_death"].to_numpy(),
        }
    )


def _order(ctx: County, register: str, df: pd.DataFrame, n_base: int) -> pd.DataFrame:
    if register in _DATE_ORDER:
        col = _DATE_ORDER[register]
        key = pd.to_numeric(df[col], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        return df.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    if register == "disbursements":
        v = pd.to_numeric(df["village_code"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        order = np.lexsort((v, df["_period"].to_numpy(dtype=np.int64)))
        return df.iloc[order].reset_index(drop=True)
    extra = len(df) - n_base
    if extra <= 0:
        return df
    key = np.concatenate(
        [np.arange(n_base) + 0.5, ctx.rng.integers(0, n_base + 1, extra).astype(float)]
    )
    return df.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def finish(ctx: County, out: Path) -> dict[str, Any]:
    """Write every register and truth.json into ``out``; return the truth."""
    out.mkdir(parents=True, exist_ok=True)
    deaths(ctx)
    counts: dict[str, int] = {}
    bad_rows: list[dict[str, Any]] = []
    warn_rows: list[dict[str, Any]] = []
    files: dict[str, Any] = {}
    legacy: list[dict[str, Any]] = ctx.info.get("legacy_ids", [])
    for register in writer.FILES:
        base = ctx.frames.get(register, pd.DataFrame())
        extra = ctx.extra.get(register, [])
        df = pd.concat([base, pd.DataFrame(extra)], ignore_index=True) if extra else base
        df = _order(ctx, register, df, len(base))
        text = writer.format_frame(register, df, ctx.rng)
        text, entries = badrows.inject(ctx, register, text)
        for e in entries:
            (bad_rows if e.pop("_kind") == "bad" else warn_rows).append(e)
        if "_mention" in text:
            marks = pd.to_numeric(text["_mention"], errors="coerce")
            for i in np.flatnonzero(marks.notna().to_numpy()):
                ctx.truth.mentions[int(marks.iloc[i])]["row"] = int(i) + 2
        if "_legacy" in text:
            marks = pd.to_numeric(text["_legacy"], errors="coerce")
            for i in np.flatnonzero(marks.notna().to_numpy()):
                legacy[int(marks.iloc[i])]["row"] = int(i) + 2
        path = writer.write(register, text, out)
        counts[register] = len(text)
        name, encoding, style = writer.FILES[register]
        files[register] = {
            "file": name,
            "encoding": encoding if encoding != "xlsx" else None,
            "format": "xlsx" if encoding == "xlsx" else "csv",
            "bom": encoding == "utf-8-sig",
            "header": style,
            "bytes": path.stat().st_size,
        }
    truth = {
        "generator": "guanxi.synth/1",
        "seed": ctx.seed,
        "persons": ctx.n,
        "as_of": AS_OF.isoformat(),
        "county": {"code": COUNTY_CODE, "name": COUNTY_NAME},
        "periods": {"first": month_str(FIRST_MONTH), "last": month_str(LAST_MONTH)},
        "row_numbering": "spreadsheet rows: header is row 1, first data row is row 2",
        "files": files,
        "counts": counts,
        "cases": ctx.truth.cases,
        "decoys": ctx.truth.decoys,
        "ring": ctx.truth.ring,
        "mentions": ctx.truth.mentions,
        "bad_rows": bad_rows,
        "warn_rows": warn_rows,
        "legacy_ids": legacy,
    }
    (out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return truth
