"""What every part of the synthetic county shares: the calendar, the county, the state.

Internally dates are ``int`` day numbers (days since 1970-01-01, :data:`NO_DATE` when
missing), months are month codes (``year * 12 + month - 1``) and money is integer fen;
only the writer turns them into the register formats.

>>> day(dt.date(2023, 1, 1)), month_code(day(dt.date(2023, 1, 31))) == FIRST_MONTH
(19358, True)
>>> month_str(FIRST_MONTH)
'2023-01'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.ids import resident_id_check_char

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

COUNTY_CODE = "430428"
COUNTY_NAME = "蒸阳县"
CITY_NAME = "衡阳市"
PROVINCE_NAME = "湖南省"
PLATE_PREFIX = "湘D"
AREA_CODE = "0734"
# Codes the county's people were issued under before the 1983 and 1996 re-divisions.
RETIRED_PREFIXES = ("432428", "430400")
# Neighbouring counties: people who married or moved in keep the number they were born with.
OTHER_PREFIXES = ("430421", "430422", "430424", "430481", "430521", "431021")

NO_DATE = -(10**9)
_EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    """Day number of a date."""
    return (d - _EPOCH).days


def date_of(n: int) -> dt.date:
    """Date of a day number."""
    return _EPOCH + dt.timedelta(days=int(n))


def month_code(days: Any) -> Any:
    """Month code(s) of day number(s) (``year * 12 + month - 1``)."""
    arr = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    out = arr.astype(np.int64) + 1970 * 12
    return int(out) if np.ndim(out) == 0 else out


def month_start(mc: Any) -> Any:
    """Day number(s) of the first day of month code(s)."""
    arr = (np.asarray(mc, dtype=np.int64) - 1970 * 12).astype("datetime64[M]")
    out = arr.astype("datetime64[D]").astype(np.int64)
    return int(out) if np.ndim(out) == 0 else out


def month_str(mc: int) -> str:
    """``YYYY-MM`` of a month code."""
    return f"{mc // 12:04d}-{mc % 12 + 1:02d}"


def add_months(d: int, months: int) -> int:
    """The same day of the month ``months`` later (clamped to the month's end)."""
    x = date_of(d)
    y, m = divmod(x.month - 1 + months, 12)
    year, month = x.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return day(dt.date(year, month, min(x.day, last)))


# The benefit periods in the registers: 24 months, 2023-01 to 2024-12.
FIRST_MONTH = 2023 * 12
N_MONTHS = 24
LAST_MONTH = FIRST_MONTH + N_MONTHS - 1
DATA_START = day(dt.date(2023, 1, 1))
DATA_END = day(dt.date(2024, 12, 31))
# Complaints are judged as of this date (truth.json "as_of").
AS_OF = dt.date(2025, 1, 15)
AS_OF_DAY = day(AS_OF)


def at_str(df: pd.DataFrame, row: Any, col: str) -> str:
    """One cell as text (typed access for the checker)."""
    return str(df.at[row, col])


def at_int(df: pd.DataFrame, row: Any, col: str) -> int:
    """One cell as an integer."""
    value: Any = df.at[row, col]
    return int(value)


def scramble(idx: Any, modulus: int, mult: int, add: int = 0) -> IntArray:
    """A bijection on ``range(modulus)``: serial numbers that don't betray their order.

    ``mult`` must be coprime to ``modulus``.
    """
    return (np.asarray(idx, dtype=np.int64) * mult + add) % modulus


def zfill_int(x: Any, width: int) -> npt.NDArray[np.str_]:
    """Non-negative integers as zero-padded strings of ``width`` digits (fast, vectorised)."""
    arr = np.asarray(x, dtype=np.int64) + 10**width
    return np.strings.slice(arr.astype(f"U{width + 1}"), 1, None)


def resident_ids(body17: ObjArray | list[str]) -> ObjArray:
    """Append the GB 11643 check character (computed by :mod:`graph.ids`)."""
    return np.array([b + resident_id_check_char(b) for b in body17], dtype=object)


@dataclass
class Truth:
    """What the generator planted; dumped as truth.json."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    ring: dict[str, Any] = field(default_factory=dict)

    def case(self, kind: str, subjects: list[str], note: str) -> None:
        self.cases.append({"kind": kind, "subjects": subjects, "note": note})

    def decoy(self, kind: str, subjects: list[str], note: str) -> None:
        self.decoys.append({"kind": kind, "subjects": subjects, "note": note})


@dataclass
class County:
    """The county being generated: its random stream, its registers and what was planted.

    ``frames`` hold one DataFrame per register in internal form (columns of the data
    contract plus bookkeeping columns that start with ``_``); ``extra`` collects rows
    that planting adds, concatenated before writing.
    """

    n: int
    seed: int
    rng: np.random.Generator
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truth: Truth = field(default_factory=Truth)
    counters: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def take(self, counter: str, k: int = 1) -> range:
        """The next ``k`` serial numbers of a counter."""
        start = self.counters.get(counter, 0)
        self.counters[counter] = start + k
        return range(start, start + k)

    def add(self, register: str, row: dict[str, Any]) -> dict[str, Any]:
        self.extra.setdefault(register, []).append(row)
        return row

    def pick(self, pool: Any) -> int:
        """One element of a non-empty index array or sequence."""
        arr = np.asarray(pool)
        if len(arr) == 0:
            raise RuntimeError("synthetic county too small: no candidate left to plant")
        return int(arr[int(self.rng.integers(0, len(arr)))])


def per_kind(n: int) -> int:
    """How many cases of each planted kind a county of ``n`` persons carries."""
    return max(3, n // 100_000)
