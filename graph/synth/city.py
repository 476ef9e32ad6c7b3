"""A synthetic city: several counties generated one at a time into one set of registers.

The commission's platform covers a whole city (193 townships, 2,741 villages, about 6.6
million people). The county generator (:func:`graph.synth.build`) makes one county in
memory; a city runs it once per county under that county's own codes and streams each
county's registers onto the city's files before the next county starts, so memory is one
county's, whatever the city's size.

Keys must not meet across counties unless the same entity is meant: the county modules
take the county's code, name, plate prefix, area code and number prefixes from module
constants, so each county is generated with those constants rebound (see
:func:`county_constants`), and the serial counters behind contract, voucher and complaint
numbers start where the previous county stopped. One cross-county case per county pair
is planted: a resident of one county holds a post in the next, and his household member's
company (registered at home) wins a contract there; the same company's contract at home,
where he holds no post, is the decoy.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook, load_workbook

from graph.synth import build, funds, output, people, writer
from graph.synth.common import (
    AREA_CODE,
    AS_OF,
    CITY_NAME,
    COUNTY_CODE,
    COUNTY_NAME,
    FIRST_MONTH,
    LAST_MONTH,
    NO_DATE,
    OTHER_PREFIXES,
    PLATE_PREFIX,
    RETIRED_PREFIXES,
    County,
    date_of,
    month_str,
)
from graph.synth.plant import Planter
from graph.synth.plant_kin import contract, firm, on, pay

__all__ = ["CITY", "CountyPlan", "county_constants", "generate_city", "plan"]

# The platform's city: persons by default, townships, villages overall.
CITY = {"persons": 6_600_000, "townships": 193, "villages": 2_741}
# Fictional counties of the fictional Hengyang; the first is the county preset's.
_COUNTIES = (
    (COUNTY_CODE, COUNTY_NAME),
    ("430429", "湘南县"),
    ("430431", "岣嵝县"),
    ("430432", "雁峰县"),
    ("430433", "耒水县"),
    ("430434", "洣水县"),
    ("430435", "舂陵县"),
)
# Relative sizes of the counties (a big county seat, rural counties around it).
_WEIGHTS = (1.6, 1.2, 1.0, 1.0, 0.9, 0.8, 0.7)
_PLATE_LETTERS = "DEFHJKL"
# Disbursement record ids are a scrambled serial that restarts in each county (民政 "MZ"
# in the first county): each county's records get their own two letters instead.
_RECORD_PREFIXES = ("MZ", "MY", "MX", "MW", "MV", "MU", "MT")
# Serial counters whose numbers are scrambled into keys (contract, voucher, complaint
# numbers): each county starts its counter this far after the previous county's start,
# within the scramble's modulus (10**6, 10**6, 10**5) for seven counties.
_COUNTER_STRIDE = {"contract": 140_000, "voucher": 140_000, "complaint": 14_000}


@dataclass(frozen=True)
class CountyPlan:
    """One county of the city: its codes, its people and its share of divisions."""

    index: int
    code: str
    name: str
    persons: int
    towns: int
    villages: int
    seed: int


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainder: the parts add up exactly)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    return [int(x) for x in out]


def plan(persons: int, seed: int, counties: int | None = None) -> list[CountyPlan]:
    """The counties of a city of ``persons`` people.

    Townships and villages keep the platform's totals at its size and scale with the
    population otherwise (a city of 660,000 has a tenth of them).

    >>> [(c.code, c.persons, c.towns, c.villages) for c in plan(6_600_000, 1)][:2]
    [('430428', 1466667, 43, 609), ('430429', 1100000, 32, 457)]
    >>> sum(c.villages for c in plan(6_600_000, 1)), sum(c.towns for c in plan(6_600_000, 1))
    (2741, 193)
    """
    k = counties or len(_COUNTIES)
    if not 2 <= k <= len(_COUNTIES):
        raise ValueError(f"a city has 2 to {len(_COUNTIES)} counties, not {k}")
    weights = list(_WEIGHTS[:k])
    scale = persons / CITY["persons"]
    towns = _split(max(2 * k, round(CITY["townships"] * scale)), weights)
    villages = _split(max(6 * k, round(CITY["villages"] * scale)), weights)
    return [
        CountyPlan(
            index=i,
            code=_COUNTIES[i][0],
            name=_COUNTIES[i][1],
            persons=n,
            towns=max(2, towns[i]),
            villages=max(2 * max(2, towns[i]), villages[i]),
            seed=seed * 1_000 + i,
        )
        for i, n in enumerate(_split(persons, weights))
    ]


def _own_record(prefix: str, record_id: Any) -> Any:
    """``funds.record_id`` with the county's letters (planted and bad rows' records)."""

    def own(ctx: County, month: int) -> str:
        return prefix + str(record_id(ctx, month))[2:]

    return own


def _own_records(ctx: County, prefix: str) -> None:
    """Give the county's disbursement records, and the truth naming them, its letters."""
    if prefix == _RECORD_PREFIXES[0]:
        return

    def swap(x: Any) -> Any:
        return prefix + x[2:] if isinstance(x, str) and x.startswith("MZ") else x

    frame = ctx.frames["disbursements"]
    frame["record_id"] = [swap(x) for x in frame["record_id"]]
    for row in ctx.extra.get("disbursements", []):
        row["record_id"] = swap(row["record_id"])
    for entry in ctx.truth.cases + ctx.truth.decoys:
        entry["subjects"] = [swap(x) for x in entry["subjects"]]


def _constants(c: CountyPlan, counties: int) -> dict[str, Any]:
    """Module constants for county ``c``: its own codes and disjoint number spaces."""
    phones = people._PHONE_PREFIXES
    first = c.index == 0
    return {
        "record_id": _own_record(_RECORD_PREFIXES[c.index], funds.record_id),
        "COUNTY_CODE": c.code,
        "COUNTY_NAME": c.name,
        "PLATE_PREFIX": PLATE_PREFIX if first else "湘" + _PLATE_LETTERS[c.index],
        "AREA_CODE": AREA_CODE if first else f"07{34 + c.index}",
        "RETIRED_PREFIXES": RETIRED_PREFIXES if first else (f"432{c.code[3:]}", f"439{c.code[3:]}"),
        "OTHER_PREFIXES": (
            OTHER_PREFIXES if first else tuple(f"43{11 + c.index:02d}2{j}" for j in range(1, 7))
        ),
        # Mobile numbers are a prefix and a scrambled serial that restarts in each
        # county: disjoint prefixes keep two counties' numbers apart.
        "_PHONE_PREFIXES": phones[c.index :: counties],
        "_ACCOUNT_PREFIXES": (
            ("6217995", "6228480", "6230901", "6214837", "6215581")
            if first
            else tuple(f"62{20 + c.index:02d}9{j:02d}" for j in range(5))
        ),
    }


@contextlib.contextmanager
def county_constants(values: dict[str, Any]) -> Iterator[None]:
    """Rebind the county constants in every loaded ``graph.synth`` module, then restore.

    The county modules import the constants by name, so each holds its own binding;
    threading a county profile through them instead is the lasting fix.
    """
    saved: list[tuple[Any, str, Any]] = []
    for name, mod in list(sys.modules.items()):
        if name == "graph.synth" or name.startswith("graph.synth."):
            for attr, value in values.items():
                if attr in vars(mod):
                    saved.append((mod, attr, getattr(mod, attr)))
                    setattr(mod, attr, value)
    defaults = people.new_id_number.__defaults__
    people.new_id_number.__defaults__ = (values["COUNTY_CODE"],)
    try:
        yield
    finally:
        people.new_id_number.__defaults__ = defaults
        for mod, attr, value in reversed(saved):
            setattr(mod, attr, value)


def _quiet_village(pl: Planter, year: int) -> int:
    """A village whose contracts of ``year`` carry no concentration case or decoy (a
    contractor's share of the village's contract value, which one more contract would
    change), the fewest planted contracts first."""
    ctx = pl.ctx
    concentrated = {
        cid
        for e in ctx.truth.cases + ctx.truth.decoys
        if e["kind"] == "contract_concentration"
        for cid in e["subjects"][1:]
    }
    planted: dict[str, int] = {}
    held: set[str] = set()
    for r in ctx.extra.get("contracts", []):
        if date_of(int(r["signed"])).year != year:
            continue
        planted[str(r["village_code"])] = planted.get(str(r["village_code"]), 0) + 1
        if r["contract_id"] in concentrated:
            held.add(str(r["village_code"]))
    free = [v for v in range(len(pl.villages)) if pl.vcode(v) not in held]
    if not free:
        raise RuntimeError("synthetic county too small: every village holds a concentration")
    fewest = min(planted.get(pl.vcode(v), 0) for v in free)
    return ctx.pick([v for v in free if planted.get(pl.vcode(v), 0) == fewest])


def _export_commuter(ctx: County) -> dict[str, Any]:
    """Plant at home the half of a cross-county case: a resident whose household member
    runs a company, and that company's contract at home (the decoy: he holds no post
    here). Returns what the next county needs to give him a post there."""
    pl = Planter(ctx)
    h = pl.household(min_size=2, need=2, adult=(32, 58))
    official, member = pl.adults(h, 32, 58)[:2]
    pl.p.at[official, "_tainted"] = True
    code, name = firm(pl, member)
    v = _quiet_village(pl, 2024)
    row = contract(pl, v, code, name, on(2024, 5, 20))
    pay(pl, row, v)
    ctx.truth.decoy(
        "official_relative_contract",
        [pl.new_id(official), row["contract_id"]],
        "his household member's company won a contract in his home county, where he "
        "holds no post (his post is in the next county)",
    )
    return {
        "id_number": pl.new_id(official),
        "name": str(pl.names[official]),
        "member": pl.new_id(member),
        "uscc": code,
        "enterprise": name,
        "home": str(ctx.info["county_name"]),
    }


def _plant_posting(ctx: County, c: CountyPlan, commuter: dict[str, Any]) -> None:
    """The other half: the resident of the previous county heads a bureau of this one, and
    his household member's company wins a contract in a village of this county."""
    pl = Planter(ctx)
    ctx.add(
        "officials",
        {
            "_p": -1,
            "organisation": f"{c.name}交通运输局",
            "position": "局长",
            "kind": "civil_servant",
            "jurisdiction_code": c.code,
            "start_date": on(2022, 3, 1),
            "end_date": NO_DATE,
            "id_number": commuter["id_number"],
            "name": commuter["name"],
        },
    )
    v = _quiet_village(pl, 2024)
    row = contract(pl, v, commuter["uscc"], commuter["enterprise"], on(2024, 6, 12))
    pay(pl, row, v)
    ctx.truth.case(
        "official_relative_contract",
        [commuter["id_number"], row["contract_id"]],
        f"cross-county: a resident of {commuter['home']} heads {c.name}'s transport bureau; "
        f"his household member's company (registered in {commuter['home']}) won this "
        f"contract in {c.name}",
    )


def _append_csv(src: Path, dst: Path) -> None:
    """Append ``src``'s data rows to ``dst`` (its header, BOM included, only once)."""
    with open(src, "rb") as f, open(dst, "ab") as g:
        head = f.readline()
        if not g.tell():
            g.write(head)
        shutil.copyfileobj(f, g, 16 << 20)


def _append_xlsx(src: Path, rows: list[list[Any]]) -> None:
    wb = load_workbook(src, read_only=True)
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    head = next(it)
    if not rows:
        rows.append(list(head))
    rows.extend(list(r) for r in it)
    wb.close()


def _write_xlsx(rows: list[list[Any]], path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for r in rows:
        ws.append(r)
    wb.save(path)


def _shift(entries: list[dict[str, Any]], offsets: dict[str, int]) -> list[dict[str, Any]]:
    """Row numbers of a county's file as row numbers of the city's file."""
    out = []
    for e in entries:
        e = dict(e)
        if e.get("row") is not None and e.get("register") in offsets:
            e["row"] = int(e["row"]) + offsets[e["register"]]
        out.append(e)
    return out


def generate_city(
    persons: int,
    seed: int,
    out: Path,
    counties: int | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Generate a city of ``persons`` people into ``out``; return the truth.

    The files and truth.json have the county generator's shape (every county's rows in
    one file per register), with ``truth["counties"]`` listing the counties. Programmes
    are the city's: one ``programs`` file, taken from the first county.
    """
    started = time.perf_counter()
    plans = plan(persons, seed, counties)
    from graph.synth import MIN_PERSONS

    if min(c.persons for c in plans) < MIN_PERSONS:
        raise ValueError(
            f"a city of {len(plans)} counties needs at least {MIN_PERSONS:,} persons in its "
            f"smallest county; {persons:,} is too few"
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, _enc, _style in writer.FILES.values():
        (out / name).unlink(missing_ok=True)
    offsets = dict.fromkeys(writer.FILES, 0)
    truth: dict[str, Any] = {
        "cases": [],
        "decoys": [],
        "mentions": [],
        "bad_rows": [],
        "warn_rows": [],
        "legacy_ids": [],
        "rings": [],
    }
    counts = dict.fromkeys(writer.FILES, 0)
    xlsx_rows: dict[str, list[list[Any]]] = {}
    commuter: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(dir=out, prefix=".county-") as tmp:
        for c in plans:
            if progress:
                progress(c)
            ctx = County(n=c.persons, seed=c.seed, rng=np.random.Generator(np.random.PCG64(c.seed)))
            ctx.info.update(n_towns=c.towns, n_villages=c.villages, county_name=c.name)
            for counter, stride in _COUNTER_STRIDE.items():
                ctx.counters[counter] = c.index * stride
            here = Path(tmp) / c.code
            with county_constants(_constants(c, len(plans))):
                build(ctx)
                _own_records(ctx, _RECORD_PREFIXES[c.index])
                if commuter is not None:
                    _plant_posting(ctx, c, commuter)
                commuter = _export_commuter(ctx) if c.index < len(plans) - 1 else None
                t = output.finish(ctx, here)
            del ctx
            for register, (name, encoding, _style) in writer.FILES.items():
                if register == "programs" and c.index:
                    continue
                if encoding == "xlsx":
                    _append_xlsx(here / name, xlsx_rows.setdefault(register, []))
                else:
                    _append_csv(here / name, out / name)
            dropped = {"programs"} if c.index else set()
            for key in ("mentions", "bad_rows", "warn_rows", "legacy_ids"):
                kept = [e for e in t[key] if e.get("register") not in dropped]
                truth[key].extend(_shift(kept, offsets))
            truth["cases"].extend(t["cases"])
            truth["decoys"].extend(t["decoys"])
            truth["rings"].append(t["ring"])
            for register, n in t["counts"].items():
                if register not in dropped:
                    offsets[register] += n
                    counts[register] += n
            shutil.rmtree(here)
    for register, rows in xlsx_rows.items():
        _write_xlsx(rows, out / writer.FILES[register][0])
    files = {}
    for register, (name, encoding, style) in writer.FILES.items():
        files[register] = {
            "file": name,
            "encoding": encoding if encoding != "xlsx" else None,
            "format": "xlsx" if encoding == "xlsx" else "csv",
            "bom": encoding == "utf-8-sig",
            "header": style,
            "bytes": (out / name).stat().st_size,
        }
    result = {
        "generator": "guanxi.synth/1",
        "preset": "city",
        "seed": seed,
        "persons": persons,
        "as_of": AS_OF.isoformat(),
        "city": {"name": CITY_NAME},
        "county": {"code": plans[0].code, "name": plans[0].name},
        "counties": [
            {
                "code": c.code,
                "name": c.name,
                "persons": c.persons,
                "townships": c.towns,
                "villages": c.villages,
                "seed": c.seed,
            }
            for c in plans
        ],
        "periods": {"first": month_str(FIRST_MONTH), "last": month_str(LAST_MONTH)},
        "row_numbering": "spreadsheet rows: header is row 1, first data row is row 2",
        "files": files,
        "counts": counts,
        **truth,
        "ring": truth["rings"][0],
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "truth.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return result
