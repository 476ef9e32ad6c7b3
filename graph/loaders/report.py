"""What a load did: per-register counts, the rejects and warnings files, the summary table."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.table import Table

from graph.loaders.validate import CONFIDENTIAL, Record, Reject

REJECT_FIELDS = ("register", "row", "key", "column", "value", "reason", "message")
WARNING_FIELDS = ("register", "row", "column", "code", "message")


@dataclass
class RegisterReport:
    register: str
    zh: str
    status: str = "absent"  # absent | loaded
    file: str = ""
    encoding: str = ""
    rows_read: int = 0
    loaded: int = 0
    rejected: int = 0
    warned: int = 0
    blank_rows: int = 0
    extra_columns: list[str] = field(default_factory=list)
    # Extra columns of a register with confidential columns: their values went where the
    # confidential ones go (the sealed store), not into the graph.
    sealed_extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    reject_reasons: dict[str, int] = field(default_factory=dict)
    warning_codes: dict[str, int] = field(default_factory=dict)
    nodes_created: int = 0
    relationships_created: int = 0
    # Confidential values (graph.store.sealed): written to the sealed store, or, when the
    # load had none, kept nowhere. Never written to the graph either way.
    sealed_values: int = 0
    sealed_not_kept: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


@dataclass
class LoadReport:
    folder: str
    registers: list[RegisterReport] = field(default_factory=list)
    nodes_before: int = 0
    nodes_after: int = 0
    relationships_before: int = 0
    relationships_after: int = 0
    labels_before: dict[str, int] = field(default_factory=dict)
    labels_after: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rejects_file: str = ""
    warnings_file: str = ""
    method: str = "merge"  # merge | bulk (graph.loaders.pipeline)
    # complete | refused (stopped before writing: the graph is as it was) | failed
    # (stopped after writing began: the graph is marked partially loaded)
    status: str = "complete"
    error: str = ""  # why it was refused or failed, one line
    problems: list[str] = field(default_factory=list)  # every file problem found
    bulk_seconds: float = 0.0  # bulk: handing the graph to the engine, indexes included
    bulk_stages: dict[str, float] = field(default_factory=dict)  # its steps, where known
    # Nodes whose confidential properties an earlier load had left in the graph: moved
    # to the sealed store (graph.store.sealed.seal_graph) before this load.
    sealed_from_graph: int = 0

    def register(self, name: str) -> RegisterReport:
        return next(r for r in self.registers if r.register == name)

    @property
    def totals(self) -> dict[str, int]:
        keys = (
            "rows_read",
            "loaded",
            "rejected",
            "warned",
            "nodes_created",
            "relationships_created",
        )
        return {k: sum(getattr(r, k) for r in self.registers) for k in keys}

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["registers"] = {r["register"]: r for r in out["registers"]}
        out["totals"] = self.totals
        return out

    def write_json(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def outcome(self) -> str:
        """The load in one line: the last thing ``guanxi load`` prints."""
        if self.status != "complete":
            return f"load {self.status}: {self.error}"
        tot = self.totals
        line = f"load complete: {tot['loaded']:,} of {tot['rows_read']:,} rows loaded"
        if tot["rejected"]:
            return f"{line}, {tot['rejected']:,} rejected (see {self.rejects_file})"
        return f"{line}, none rejected"

    def render(self) -> Table:
        """The summary as a rich table, one line per register plus totals."""
        t = Table(title=f"guanxi load · {self.folder}", show_footer=True)
        tot = self.totals
        t.add_column("register", footer="total")
        t.add_column("file", footer="")
        t.add_column("encoding", footer="")
        for name, key in (
            ("read", "rows_read"),
            ("loaded", "loaded"),
            ("rejected", "rejected"),
            ("warned", "warned"),
        ):
            t.add_column(name, justify="right", footer=f"{tot[key]:,}")
        t.add_column("extra columns", footer="")
        t.add_column("rows/s", justify="right", footer="")
        t.add_column("seconds", justify="right", footer=f"{self.seconds:.1f}")
        for r in self.registers:
            if r.status == "absent":
                t.add_row(f"{r.register} {r.zh}", "[dim]absent[/dim]", *[""] * 8)
                continue
            t.add_row(
                f"{r.register} {r.zh}",
                r.file,
                r.encoding,
                f"{r.rows_read:,}",
                f"{r.loaded:,}",
                f"[red]{r.rejected:,}[/red]" if r.rejected else "0",
                f"[yellow]{r.warned:,}[/yellow]" if r.warned else "0",
                ", ".join(
                    f"{x} (sealed)" if x in r.sealed_extra_columns else x for x in r.extra_columns
                ),
                f"{r.rows_per_second:,.0f}",
                f"{r.seconds:.1f}",
            )
        t.caption = (
            f"nodes {self.nodes_before:,} → {self.nodes_after:,} · relationships "
            f"{self.relationships_before:,} → {self.relationships_after:,}"
            + (f" · bulk create {self.bulk_seconds:.1f} s" if self.method == "bulk" else "")
            + (f" ({_steps(self.bulk_stages)})" if self.bulk_stages else "")
            + (f" · rejects: {self.rejects_file}" if tot["rejected"] else "")
        )
        return t


def _steps(stages: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items())


class IssueFiles:
    """``rejects.csv`` and ``warnings.csv`` under ``folder/_load``, written as rows come.

    UTF-8 with a BOM, so the clerk who fixes the rows can open them in Excel.
    Confidential columns never reach these files (see :data:`CONFIDENTIAL`).
    """

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.rejects_path = out / "rejects.csv"
        self.warnings_path = out / "warnings.csv"
        self._files: list[IO[str]] = []
        self._rejects = self._open(self.rejects_path, REJECT_FIELDS)
        self._warnings = self._open(self.warnings_path, WARNING_FIELDS)

    def _open(self, path: Path, header: tuple[str, ...]) -> Any:
        f = path.open("w", encoding="utf-8-sig", newline="")
        self._files.append(f)
        w = csv.writer(f)
        w.writerow(header)
        return w

    def reject(self, rejects: list[Reject], report: RegisterReport) -> None:
        reasons = Counter(report.reject_reasons)
        for r in rejects:
            self._rejects.writerow(
                (r.register, r.row, r.key, r.column, r.value, r.reason, r.message)
            )
            reasons[r.reason] += 1
        report.reject_reasons = dict(reasons)

    def warn(self, rec: Record, report: RegisterReport, confidential: frozenset[str]) -> None:
        codes = Counter(report.warning_codes)
        for w in rec.warnings:
            message = CONFIDENTIAL if w.column in confidential else w.message
            self._warnings.writerow((rec.register, rec.row, w.column, w.code, message))
            codes[w.code] += 1
        report.warning_codes = dict(codes)

    def close(self) -> None:
        for f in self._files:
            f.close()

    def __enter__(self) -> IssueFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
