"""The load loop: read → validate → build graph rows → write, one register at a time.

Rows stream from the file; a chunk of ``batch_size`` valid rows is turned into graph
rows (:class:`~graph.loaders.batch.Batch`) and written, then dropped. Rejects and
warnings go to their files as they are found. Every row read is either loaded or
rejected.

Two ways to write a chunk, with the same resulting graph:

- **merge** — its MERGE statements run on the store as the next chunk is validated.
  Any graph, any engine: a second, newer extract updates and adds.
- **bulk** — a first load into an empty graph on an engine that can create a graph
  in one go (the embedded FalkorDB's ``GRAPH.BULK``, Neo4j's offline import): each
  chunk's statements are applied to a graph kept in a scratch file
  (:class:`~graph.loaders.bulk.DiskGraph`, so Python's memory does not grow with the
  county), which is streamed to the store at the end, into a new graph that has its
  indexes already. The engine merges nothing.

Either way a big register is read and validated by a forked worker process
(:mod:`graph.loaders.stream`) while this one builds and writes. A register whose rows
cost more to build than to validate (the disbursements: six relationships a row) is built
and planned in that worker too, and this process only writes its chunks; the same code
makes the chunks in either process (:class:`_Chunker`), so the load is the same.

Confidential values (a complaint's reporter) go to the sealed store
(:mod:`graph.store.sealed`) as their chunk is written, never to the graph; a load given
no sealed store keeps them nowhere and counts them in the report.
"""

from __future__ import annotations

import contextlib
import gc
import time
import traceback
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from graph.errors import GuanxiError, LoadError, LoadFailed, Unsupported
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
from graph.loaders.batch import Batch, Ref, Statement, execute
from graph.loaders.bulk import DiskGraph
from graph.loaders.common import Builder, Context
from graph.loaders.memory import check_enabled, count_rows, estimate
from graph.loaders.preflight import Checked, RegisterFile, check_folder, check_register
from graph.loaders.read import map_header, open_register
from graph.loaders.registers import REGISTERS, Register
from graph.loaders.report import IssueFiles, LoadReport, RegisterReport
from graph.loaders.stream import ValidatedRows, in_worker
from graph.loaders.validate import Record, Reject
from graph.store.base import LOAD_MARK, GraphStore, WriteSummary
from graph.store.sealed import SealedStore, seal_graph

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
    store: GraphStore,
    folder: Path,
    *,
    batch_size: int = 5000,
    progress: bool = True,
    bulk: bool | None = None,
    fresh: bool = False,
    sealed: SealedStore | None = None,
) -> LoadReport:
    """Load every register found in ``folder`` into ``store``.

    Writes ``folder/_load/rejects.csv``, ``warnings.csv`` and ``load_report.json`` and
    returns the report (``report.render()`` is the summary table). ``bulk``: ``None``
    creates the graph in one go when the store is empty and can (see the module
    docstring), ``False`` always merges, ``True`` insists on bulk. ``fresh`` empties the
    graph (and the sealed store) first, once every file has passed its checks.
    ``sealed``: where confidential values go (``SealedStore(settings.db_url)``); without
    one they are not kept at all.

    A load that cannot finish raises :class:`~graph.errors.LoadFailed` in one line after
    writing ``load_report.json`` (``status`` refused or failed): refused when a file
    fails its checks (:mod:`graph.loaders.preflight`) or nothing is there to load, and
    then nothing was written; failed when it stopped after writing began, and then the
    graph keeps the partial-load mark (:meth:`GraphStore.load_mark`) until a load
    completes.
    """
    folder = Path(folder)
    report = LoadReport(str(folder))
    began = False
    memory: DiskGraph | None = None
    with _no_cycle_collection():
        try:
            checked = check_folder(folder)
            report.problems = checked.problems
            if checked.problems:
                raise LoadRefused(_first(checked.problems))
            memory = _bulk_or_merge(store, report, bulk, fresh)
            _check_memory(store, checked, report.method)
            began = True
            mark = {"state": "loading", "since": _now(), "folder": str(folder)}
            store.set_load_mark(mark)
            # An import that puts a new database in place of the old one needs no clearing
            # first (deleting a county by Cypher takes minutes): the old graph is then
            # read as if it were empty.
            replacing = fresh and memory is not None and store.bulk_replaces
            if fresh and not replacing:
                store.clear()
                store.set_load_mark(mark)  # an engine that keeps it in the graph lost it
            if fresh and sealed is not None:
                sealed.clear()
            _load_folder(
                store, folder, report, checked, batch_size, progress, memory, sealed, replacing
            )
            store.set_load_mark(None)
        except BaseException as e:
            _stopped(store, folder, report, e, began)
            raise
        finally:
            if memory is not None:
                memory.drop()  # the scratch file, whether the load completed or not
    report.write_json(folder / "_load" / "load_report.json")
    return report


class LoadRefused(GuanxiError):
    """The folder's files failed their checks: nothing was written."""


def _first(problems: list[str]) -> str:
    more = len(problems) - 1
    return problems[0] + (f" (and {more} more problem(s): see load_report.json)" if more else "")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _bulk_or_merge(
    store: GraphStore, report: LoadReport, bulk: bool | None, fresh: bool
) -> DiskGraph | None:
    """The graph a bulk load builds, or None to merge; refused before writing."""
    empty = fresh or (store.count() == 0 and store.count_relationships() == 0)
    if bulk and not (empty and store.can_bulk_create):
        raise Unsupported("a bulk load needs an empty graph on an engine that can bulk-create")
    memory = DiskGraph() if bulk is not False and empty and store.can_bulk_create else None
    report.method = "bulk" if memory else "merge"
    return memory


def _check_memory(store: GraphStore, checked: Checked, method: str) -> None:
    """Refuse, before writing, a load that would not fit in memory on the embedded engine."""
    persons = checked.files.get("persons")
    if store.engine != "embedded" or persons is None or not check_enabled():
        return
    if persons.path.suffix.lower() != ".csv":
        return
    est = estimate(count_rows(persons.path), method, engine_limit=store.graph_memory_limit)
    if not est.fits:
        raise LoadRefused(est.message())


def _stopped(
    store: GraphStore, folder: Path, report: LoadReport, e: BaseException, began: bool
) -> None:
    """Record a load that stopped: its report, its mark, and its error as one line
    (raised as :class:`LoadFailed`, except for an interrupt, which goes on as it is)."""
    report.status = "failed" if began else "refused"
    lines = str(e).strip().splitlines()
    report.error = lines[0] if lines else type(e).__name__
    out = folder / "_load"
    detail = ""
    if folder.is_dir():
        out.mkdir(exist_ok=True)
        if not isinstance(e, GuanxiError) or len(lines) > 1:
            # A bug, or an engine error with its query: the whole of it for whoever
            # fixes it, the first line for whoever ran the load.
            text = "".join(traceback.format_exception(e))
            (out / "error.txt").write_text(text, encoding="utf-8")
            detail = f" (details: {out / 'error.txt'})"
            if not isinstance(e, GuanxiError):
                report.error = f"{type(e).__name__}: {report.error}"
        with contextlib.suppress(OSError):
            report.write_json(out / "load_report.json")
    if began:
        # The mark set before writing says "loading" already; this adds why it stopped.
        with contextlib.suppress(Exception):
            mark = store.load_mark() or {}
            store.set_load_mark({**mark, "state": "failed", "error": report.error[:300]})
    if not isinstance(e, Exception):
        return  # KeyboardInterrupt and the like: recorded, and raised as they are
    if began:
        message = (
            f"load failed: {report.error}{detail}; the graph is marked partially loaded "
            "until a load completes"
        )
    else:
        message = f"load refused, nothing written: {report.error}{detail}"
    raise LoadFailed(message, partial=began) from e


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off while a load runs.

    A load makes millions of long-lived containers (the rows of a chunk, the nodes a
    statement touches) and few cycles; each full collection walks all of them. Measured
    at 200,000 persons: 51 s of the main process's 86 s CPU went to collections. Objects
    are still freed by reference counting; the collector resumes afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load_folder(
    store: GraphStore,
    folder: Path,
    report: LoadReport,
    checked: Checked,
    batch_size: int,
    progress: bool,
    memory: DiskGraph | None,
    sealed: SealedStore | None,
    replacing: bool = False,
) -> None:
    started = time.perf_counter()
    if not replacing:
        report.sealed_from_graph = seal_graph(store, sealed)
        report.labels_before = label_counts(store)
        report.nodes_before = sum(report.labels_before.values())
        report.relationships_before = store.count_relationships()
    if memory is None:
        store.ensure_schema()  # the bulk path creates them with the empty graph
    ctx = Context() if replacing else Context.from_store(store)
    out = folder / "_load"
    with IssueFiles(out) as issues, _progress(progress) as bar:
        report.rejects_file, report.warnings_file = (
            str(issues.rejects_path),
            str(issues.warnings_path),
        )
        for stem, register in REGISTERS.items():
            rep = load_register(
                store,
                folder,
                register,
                ctx,
                issues,
                batch_size,
                bar,
                memory,
                sealed,
                checked=checked.files.get(stem),
            )
            report.registers.append(rep)
            if stem in _REFRESH_AFTER and rep.loaded:
                if memory is None:
                    ctx.refresh(store)
                else:
                    ctx.refresh_from(memory)
        if memory is not None:
            report.bulk_seconds, report.bulk_stages = _write_bulk(store, memory, bar, replacing)
    report.labels_after = label_counts(store)
    report.nodes_after = sum(report.labels_after.values())
    report.relationships_after = store.count_relationships()
    report.seconds = time.perf_counter() - started


def load_register(
    store: GraphStore,
    folder: Path,
    register: Register,
    ctx: Context,
    issues: IssueFiles,
    batch_size: int = 5000,
    bar: Progress | None = None,
    memory: DiskGraph | None = None,
    sealed: SealedStore | None = None,
    *,
    checked: RegisterFile | None = None,
) -> RegisterReport:
    """Load one register's file: ``checked`` as :func:`check_folder` found it (found and
    checked here when not given)."""
    rep = RegisterReport(register.stem, register.zh)
    checked = checked or check_register(folder, register)
    if checked is None:
        return rep
    started = time.perf_counter()
    path, rep.ignored_files = checked.path, list(checked.ignored)
    build = BUILDERS[register.stem]
    with ExitStack() as stack:
        source = stack.enter_context(open_register(path, checked.encoding))
        hmap = map_header(register, source.header)
        rep.status, rep.file, rep.encoding = "loaded", path.name, source.encoding
        rep.extra_columns = hmap.extra_names
        if register.confidential:
            rep.sealed_extra_columns = hmap.extra_names
        rep.missing_columns = [c.name for c in hmap.missing]
        task = bar.add_task(register.stem, total=source.size or None) if bar else None
        strict, replaced = path.suffix.lower() == ".csv", source.encoding.endswith("replace")
        writer = stack.enter_context(_Writer(store, rep, memory, sealed))
        rows = ValidatedRows(
            register,
            hmap,
            source.rows,
            lambda: source.position,
            strict_width=strict,
            replaced=replaced,
            size=path.stat().st_size,
        )
        chunker = _Chunker(register, build, ctx, batch_size)
        if rows.workers and register.stem in _BUILT_IN_WORKER:
            rows.workers = False  # validated where it is built: in the worker
            chunks: Iterator[_Chunk] = in_worker(lambda: chunker.chunks(rows))
        else:
            chunks = chunker.chunks(rows)
        for chunk in chunks:
            chunk.account(rep, issues, register.confidential)
            writer.submit(chunk)
            _advance(bar, task, chunk.position, rep)
        writer.drain()
        _advance(bar, task, source.size, rep)
    rep.seconds = time.perf_counter() - started
    return rep


# Registers whose rows cost more to build than to validate (at a million persons the
# disbursements took 106 s of this process against 37 s of the validating worker): the
# worker builds their chunks as well, and this process only writes them.
_BUILT_IN_WORKER = frozenset({"disbursements"})


@dataclass
class _Chunk:
    """A chunk of one register's rows: what became of each row, and the planned writes
    of those that loaded. Plain data, so a worker process can make it."""

    register: str
    plan: list[Statement] = field(default_factory=list)
    sealed: dict[Ref, dict[str, Any]] = field(default_factory=dict)
    blank: int = 0
    read: int = 0
    loaded: int = 0
    rejects: list[list[Reject]] = field(default_factory=list)
    warned: list[Record] = field(default_factory=list)
    position: int = 0

    def account(
        self, rep: RegisterReport, issues: IssueFiles, confidential: frozenset[str]
    ) -> None:
        """Count the rows in ``rep`` and write their rejects and warnings."""
        rep.blank_rows += self.blank
        rep.rows_read += self.read
        rep.loaded += self.loaded
        rep.rejected += len(self.rejects)
        rep.warned += len(self.warned)
        for rejects in self.rejects:
            issues.reject(rejects, rep)
        for rec in self.warned:
            issues.warn(rec, rep, confidential)


class _Chunker:
    """Validated rows into chunks of ``batch_size`` loaded rows, each built and planned."""

    def __init__(self, register: Register, build: Builder, ctx: Context, batch_size: int) -> None:
        self.register, self.build, self.ctx, self.batch_size = register, build, ctx, batch_size
        self.seen: set[Ref] = set()  # nodes this register referenced already: skip them

    def chunks(self, rows: ValidatedRows) -> Iterator[_Chunk]:
        stem = self.register.stem
        chunk, batch = _Chunk(stem), Batch(stem, self.seen)
        try:
            for _number, result in rows:
                if result is None:
                    chunk.blank += 1
                    continue
                chunk.read += 1
                if isinstance(result, list):
                    chunk.rejects.append(result)
                    continue
                self.build(result, self.ctx, batch)
                chunk.loaded += 1
                if result.warnings:
                    chunk.warned.append(result)
                if chunk.loaded >= self.batch_size:
                    yield self._close(chunk, batch, rows.position)
                    chunk, batch = _Chunk(stem), Batch(stem, self.seen)
        except LoadError:
            # The file broke off: its rows so far are counted and reported, not written.
            chunk.position = rows.position
            yield chunk
            raise
        yield self._close(chunk, batch, rows.position)

    @staticmethod
    def _close(chunk: _Chunk, batch: Batch, position: int) -> _Chunk:
        if len(batch):
            chunk.plan = batch.plan()
            batch.mark_seen()  # chunks are written in order: later ones may skip these
        chunk.sealed, chunk.position = batch.sealed, position
        return chunk


class _Writer:
    """Writes chunks on one background thread while the next chunk is validated.

    The store is used by this thread alone while a register loads; at most two planned
    chunks wait, so memory stays bounded. A failed write is raised in the caller at the
    next submit or at :meth:`drain`. With a :class:`DiskGraph` the chunk is applied to
    it at once, in this thread: there is no engine to wait for. A chunk's confidential
    values go to the sealed store at once, in this thread, on either path.
    """

    def __init__(
        self,
        store: GraphStore,
        rep: RegisterReport,
        memory: DiskGraph | None,
        sealed: SealedStore | None = None,
    ) -> None:
        self.store, self.rep, self.memory, self.sealed = store, rep, memory, sealed
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guanxi-load")
        self.pending: deque[Future[WriteSummary]] = deque()

    def submit(self, chunk: _Chunk) -> None:
        if not chunk.plan:
            return
        if chunk.sealed:
            self._seal(chunk.sealed)
        if self.memory is not None:
            self._count(self.memory.apply(chunk.register, chunk.plan))
            return
        while len(self.pending) >= 2:
            self._collect(self.pending.popleft())
        self.pending.append(self.pool.submit(self._execute, chunk.register, chunk.plan))

    def _seal(self, sealed: dict[Ref, dict[str, Any]]) -> None:
        count = sum(len(v) for v in sealed.values())
        if self.sealed is None:
            self.rep.sealed_not_kept += count
            return
        self.sealed.put((label, key, values) for (label, key), values in sealed.items())
        self.rep.sealed_values += count

    def _execute(self, register: str, plan: list[Statement]) -> WriteSummary:
        return execute(self.store, register, plan)

    def drain(self) -> None:
        while self.pending:
            self._collect(self.pending.popleft())

    def _collect(self, future: Future[WriteSummary]) -> None:
        self._count(future.result())

    def _count(self, s: WriteSummary) -> None:
        self.rep.nodes_created += s.nodes_created
        self.rep.relationships_created += s.relationships_created

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        for f in self.pending:
            f.cancel()
        self.pool.shutdown(wait=True)


def _write_bulk(
    store: GraphStore, memory: DiskGraph, bar: Progress | None, replacing: bool
) -> tuple[float, dict[str, float]]:
    """Stream the graph the bulk load built to the store (in place of what it holds, when
    ``replacing``); the seconds it took, and those of its steps where the store says."""
    started = time.perf_counter()
    nodes, rels = memory.groups()
    total = memory.node_count + memory.relationship_count
    task = bar.add_task("graph → engine (bulk)", total=total) if bar else None

    def advance(n: int) -> None:
        if bar is not None and task is not None:
            bar.advance(task, n)

    done = store.bulk_create(nodes, rels, advance, replace=replacing)
    return time.perf_counter() - started, done.stages


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
    """Nodes per label (one query; a node's first label is its schema label), without
    the partial-load mark."""
    rows = store.read("MATCH (n) RETURN labels(n)[0] AS label, count(n) AS c")
    return {
        str(r["label"]): int(r["c"])
        for r in rows
        if r["label"] is not None and r["label"] != LOAD_MARK
    }
