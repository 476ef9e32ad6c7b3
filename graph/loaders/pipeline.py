"""The load loop: read → validate → build graph rows → write, one register at a time.

Memory stays bounded: rows stream from the file, a chunk of ``batch_size`` valid rows
is turned into graph rows and written, then dropped. Rejects and warnings go to their
files as they are found. Every row read is either loaded or rejected.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from graph.loaders import (
    assets,
    complaints,
    divisions,
    enterprises,
    funds,
    officials,
    population,
    works,
)
from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context
from graph.loaders.read import find_all, map_header, open_register
from graph.loaders.registers import REGISTERS, Register
from graph.loaders.report import IssueFiles, LoadReport, RegisterReport
from graph.loaders.validate import validate_row
from graph.store.base import GraphStore

BUILDERS: dict[str, Builder] = {
    **divisions.BUILDERS,
    **population.BUILDERS,
    **officials.BUILDERS,
    **enterprises.BUILDERS,
    **assets.BUILDERS,
    **funds.BUILDERS,
    **works.BUILDERS,
    **complaints.BUILDERS,
}
# After these, later registers' warnings (unknown village, programme, contract) can be judged.
_REFRESH_AFTER = frozenset({"divisions", "programs", "contracts"})


def load_folder(
    store: GraphStore, folder: Path, *, batch_size: int = 5000, progress: bool = True
) -> LoadReport:
    """Load every register found in ``folder`` into ``store``.

    Writes ``folder/_load/rejects.csv``, ``warnings.csv`` and ``load_report.json`` and
    returns the report (``report.render()`` is the summary table).
    """
    folder = Path(folder)
    started = time.perf_counter()
    store.ensure_schema()
    report = LoadReport(str(folder))
    report.labels_before = label_counts(store)
    report.nodes_before = sum(report.labels_before.values())
    report.relationships_before = store.count_relationships()
    ctx = Context.from_store(store)
    out = folder / "_load"
    with IssueFiles(out) as issues, _progress(progress) as bar:
        report.rejects_file, report.warnings_file = (
            str(issues.rejects_path),
            str(issues.warnings_path),
        )
        for stem, register in REGISTERS.items():
            rep = load_register(store, folder, register, ctx, issues, batch_size, bar)
            report.registers.append(rep)
            if stem in _REFRESH_AFTER and rep.loaded:
                ctx.refresh(store)
    report.labels_after = label_counts(store)
    report.nodes_after = sum(report.labels_after.values())
    report.relationships_after = store.count_relationships()
    report.seconds = time.perf_counter() - started
    report.write_json(out / "load_report.json")
    return report


def load_register(
    store: GraphStore,
    folder: Path,
    register: Register,
    ctx: Context,
    issues: IssueFiles,
    batch_size: int = 5000,
    bar: Progress | None = None,
) -> RegisterReport:
    rep = RegisterReport(register.stem, register.zh)
    files = find_all(folder, register.stem)
    if not files:
        return rep
    started = time.perf_counter()
    path, rep.ignored_files = files[0], [p.name for p in files[1:]]
    build = BUILDERS[register.stem]
    with open_register(path) as source:
        hmap = map_header(register, source.header)
        rep.status, rep.file, rep.encoding = "loaded", path.name, source.encoding
        rep.extra_columns = hmap.extra_names
        rep.missing_columns = [c.name for c in hmap.missing]
        task = bar.add_task(register.stem, total=source.size or None) if bar else None
        strict, replaced = path.suffix.lower() == ".csv", source.encoding.endswith("replace")
        batch = Batch(register.stem)
        pending = 0
        for number, cells in source.rows:
            result = validate_row(
                register, hmap, number, cells, strict_width=strict, replaced=replaced
            )
            if result is None:
                rep.blank_rows += 1
                continue
            rep.rows_read += 1
            if isinstance(result, list):
                rep.rejected += 1
                issues.reject(result, rep)
                continue
            build(result, ctx, batch)
            rep.loaded += 1
            if result.warnings:
                rep.warned += 1
                issues.warn(result, rep, register.confidential)
            pending += 1
            if pending >= batch_size:
                _flush(store, batch, rep)
                batch, pending = Batch(register.stem), 0
                _advance(bar, task, source.position, rep)
        _flush(store, batch, rep)
        _advance(bar, task, source.size, rep)
    rep.seconds = time.perf_counter() - started
    return rep


def _flush(store: GraphStore, batch: Batch, rep: RegisterReport) -> None:
    if len(batch):
        s = batch.write(store)
        rep.nodes_created += s.nodes_created
        rep.relationships_created += s.relationships_created


def _advance(bar: Progress | None, task: TaskID | None, position: int, rep: RegisterReport) -> None:
    if bar is not None and task is not None:
        bar.update(task, completed=position, description=f"{rep.register} {rep.rows_read:,} rows")


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ) as bar:
        yield bar


def label_counts(store: GraphStore) -> dict[str, int]:
    """Nodes per label (one query; a node's first label is its schema label)."""
    rows = store.read("MATCH (n) RETURN labels(n)[0] AS label, count(n) AS c")
    return {str(r["label"]): int(r["c"]) for r in rows if r["label"] is not None}
