"""Will a load fit in this machine's memory on the embedded engine? Refuse it before
writing when it will not, with the estimate, instead of being killed by the kernel or
stopped half-way by the engine's own limit.

The embedded engine holds the whole graph in memory, and lets it fill half of its memory
budget (graph.store.embedded.Limits: by default half of the machine's memory, so a
quarter of it for the graph). Measured on the 1,000,000-person synthetic county
(bench/RESULTS.md, load on the embedded engine): the engine held 3,784 MiB after the
load, about 3.9 kB per person. The bulk path builds the graph in a scratch file
(graph.loaders.bulk), so its Python peak is mostly fixed: measured with bench/load.py,
560 MiB at 50,000 persons and 619 MiB at 200,000, which gives the fixed part and the
slope below (bench/growth.py's rows in docs/sizing.md confirm it at 250,000 and 1 M).
The other registers scale with the population in the synthetic county, and a real
county's ratio of records to persons is what the estimate assumes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENGINE_BYTES_PER_PERSON", "Estimate", "count_rows", "estimate", "machine_available"]

MIB = 1 << 20
ENGINE_BYTES_PER_PERSON = 3_784 * MIB // 1_000_000
# The loader's Python peak: a fixed part (the interpreter, a chunk in flight, SQLite's
# page cache, the engine's call buffers) and a part per person.
PYTHON_BYTES_FIXED = {"bulk": 540 * MIB, "merge": 0}
PYTHON_BYTES_PER_PERSON = {"bulk": 393 * MIB // 1_000_000, "merge": 396 * MIB // 1_000_000}
# Room left for the API, the kernel and everything else running beside the load.
HEADROOM = 0.85


@dataclass(frozen=True)
class Estimate:
    persons: int
    engine_bytes: int
    python_bytes: int
    available_bytes: int
    # What the engine lets the graph fill (its maxmemory); None: no such limit.
    engine_limit: int | None = None

    @property
    def fits_machine(self) -> bool:
        return self.engine_bytes + self.python_bytes <= self.available_bytes * HEADROOM

    @property
    def fits_engine(self) -> bool:
        return self.engine_limit is None or self.engine_bytes <= self.engine_limit

    @property
    def fits(self) -> bool:
        return self.fits_machine and self.fits_engine

    def message(self) -> str:
        need = (
            f"a load of {self.persons:,} persons needs about "
            f"{_show(self.engine_bytes)} in the embedded engine and "
            f"{_show(self.python_bytes)} in the loader, "
            f"{_show(self.engine_bytes + self.python_bytes)} in all"
        )
        neo4j = (
            "load a graph of this size into Neo4j (GUANXI_ENGINE=neo4j; see docs/sizing.md), "
            "or set GUANXI_MEMORY_CHECK=off to try anyway"
        )
        if not self.fits_machine:
            return (
                f"{need}; this machine has {_show(self.available_bytes)} available. The "
                f"embedded engine holds the whole graph in memory: {neo4j}"
            )
        assert self.engine_limit is not None
        budget = _show(2 * self.engine_bytes + (1 << 30))
        return (
            f"{need}; the embedded engine lets the graph fill {_show(self.engine_limit)}, "
            "half of its memory budget (GUANXI_EMBEDDED_MEMORY_MB, by default half of this "
            f"machine's memory). Give the engine a budget of about {budget} if the machine "
            f"has it ({_show(self.available_bytes)} available now), or {neo4j}"
        )


def _show(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MiB"


def count_rows(path: Path) -> int:
    """Data rows of a CSV file (lines less the header), counted in 16 MiB blocks."""
    lines = 0
    with open(path, "rb") as f:
        while block := f.read(16 * MIB):
            lines += block.count(b"\n")
    return max(0, lines - 1)


def _size(text: str) -> int:
    """``24G``, ``512M``, ``1048576`` as bytes."""
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if t and t[-1] in units:
        return int(float(t[:-1]) * units[t[-1]])
    return int(t)


def machine_available() -> int:
    """Bytes a load may use: MemAvailable of /proc/meminfo, less within a container's
    cgroup limit (where /proc/meminfo shows the host's memory), capped by
    ``GUANXI_MEMORY_LIMIT`` (e.g. ``16G``) when the operator sets one."""
    avail = None
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    if avail is None:
        raise OSError("no MemAvailable in /proc/meminfo")
    cg = Path("/sys/fs/cgroup")
    try:
        limit = (cg / "memory.max").read_text().strip()
        if limit != "max":
            used = int((cg / "memory.current").read_text())
            avail = min(avail, int(limit) - used)
    except (OSError, ValueError):
        pass
    cap = os.environ.get("GUANXI_MEMORY_LIMIT")
    return min(avail, _size(cap)) if cap else avail


def estimate(
    persons: int, method: str, available: int | None = None, engine_limit: int | None = None
) -> Estimate:
    """What a load of ``persons`` people needs on the embedded engine through ``method``;
    ``engine_limit``: what the engine lets the graph fill, when it has such a limit."""
    return Estimate(
        persons,
        persons * ENGINE_BYTES_PER_PERSON,
        PYTHON_BYTES_FIXED[method] + persons * PYTHON_BYTES_PER_PERSON[method],
        machine_available() if available is None else available,
        engine_limit,
    )


def check_enabled() -> bool:
    return os.environ.get("GUANXI_MEMORY_CHECK", "on").lower() not in ("off", "0", "no")
