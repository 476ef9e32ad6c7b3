"""A first Neo4j load through ``neo4j-admin database import full``.

The loader builds a first load on disk with the MERGE statements' semantics
(:class:`~graph.loaders.bulk.DiskGraph`); here that graph is streamed into the import
tool's CSV files and imported offline, which is what a city's millions of nodes need
(MERGE runs at about 1,250 s per million persons). Each file has a typed header; values
keep the Python types the MERGE path sends through the driver (``int`` → ``long``,
``float`` → ``double``, ``bool`` → ``boolean``, ``str`` → ``string``), and a property
whose type differs between rows goes to a separate file per type signature, so every
node and relationship gets exactly the property types MERGE would give it.

The import needs the database stopped. When guanxi knows the server's home
(``GUANXI_NEO4J_HOME``, with ``GUANXI_NEO4J_CONF`` when the configuration lives
elsewhere, as for the test server of tools/neo4j), it stops the server, imports and
starts it again; otherwise ``guanxi load --import-files DIR`` writes the files there with
``import.sh``, the command to run (:func:`write_import_script`), and prints it.
"""

from __future__ import annotations

import csv
import os
import pickle
import shlex
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graph.errors import LoadFailed
from graph.store.base import ARRAY_DELIMITER, NodeGroup, RelGroup, Sliced, SrcRows

__all__ = [
    "ImportFiles",
    "ServerHome",
    "import_command",
    "import_threads",
    "run_import",
    "shell_line",
    "start_server",
    "stop_server",
    "write_import_files",
    "write_import_script",
]

_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}


@dataclass
class ImportFiles:
    """The files written for one import: ``--nodes`` and ``--relationships`` arguments."""

    folder: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    node_count: int = 0
    relationship_count: int = 0
    # Files with a value that spans lines. The importer reads only these as multi-line
    # CSV: reading every file so (``--multiline-fields=true``) took a third longer at a
    # million persons (55-63 s against 37-49 s), and few values hold a line break.
    multiline: list[Path] = field(default_factory=list)

    def arguments(self) -> list[str]:
        args = [f"--nodes={label}={path}" for label, path in self.nodes]
        args += [f"--relationships={rtype}={path}" for rtype, path in self.relationships]
        if self.multiline:
            if any("," in str(p) for p in self.multiline):  # the list is comma-separated
                args += ["--multiline-fields=true"]
            else:
                paths = ",".join(str(p) for p in self.multiline)
                args += ["--multiline-fields-format=v2", f"--multiline-fields={paths}"]
        return args


@dataclass(frozen=True)
class ServerHome:
    """A Neo4j installation guanxi may stop, import into and start."""

    home: Path
    conf: Path | None = None
    java_home: Path | None = None

    @classmethod
    def from_env(cls) -> ServerHome | None:
        home = os.environ.get("GUANXI_NEO4J_HOME")
        if not home:
            return None
        conf = os.environ.get("GUANXI_NEO4J_CONF")
        java = os.environ.get("GUANXI_NEO4J_JAVA_HOME")
        return cls(Path(home), Path(conf) if conf else None, Path(java) if java else None)

    def env(self) -> dict[str, str]:
        env = dict(os.environ, NEO4J_HOME=str(self.home))
        if self.conf is not None:
            env["NEO4J_CONF"] = str(self.conf)
        if self.java_home is not None:
            env["JAVA_HOME"] = str(self.java_home)
        return env


def _type_of(value: Any) -> str:
    t = _TYPES.get(type(value))
    if t is None:
        if isinstance(value, list | tuple) and value and all(type(v) is str for v in value):
            return "string[]"
        raise LoadFailed(
            f"no import type for a {type(value).__name__} value: {value!r}", partial=True
        )
    return t


def _strings(value: Any) -> str:
    if not value:
        raise LoadFailed(f"no import type for an empty list: {value!r}", partial=True)
    return ARRAY_DELIMITER.join(value)


# How a cell is written, by import type: None leaves the value as it is.
_CONVERT: dict[str, Callable[[Any], Any] | None] = {
    "boolean": lambda v: "true" if v else "false",
    "double": lambda v: repr(float(v)),
    "string[]": _strings,
    "long": None,
    "string": None,
}
_Cells = list[tuple[str, Callable[[Any], Any] | None]]


class _File:
    """One file being written, and how many rows it has (its header aside)."""

    __slots__ = ("f", "path", "rows", "writer")

    def __init__(self, path: Path) -> None:
        self.path, self.rows = path, 0
        self.f: TextIO = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by its writer
        self.writer = csv.writer(self.f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")

    def spans_lines(self) -> bool:
        """Whether a value holds a line break: more line ends than rows, or any CR."""
        ends = 0
        with self.path.open("rb") as f:
            while block := f.read(1 << 24):
                if b"\r" in block:
                    return True
                ends += block.count(b"\n")
        return ends > self.rows + 1


class _Writers:
    """One CSV file per (name, type signature), opened as rows of that signature come.

    A row's signature is found from the Python types of its values, remembered per tuple
    of types: millions of rows share a handful, and typing each value again was most of
    the time spent writing the files.
    """

    def __init__(self, folder: Path, stem: str, head: Sequence[str]) -> None:
        self.folder, self.stem, self.head = folder, stem, list(head)
        self.files: dict[tuple[tuple[str, str], ...], _File] = {}
        self.shapes: dict[tuple[type, ...], tuple[_File, _Cells]] = {}

    def write(self, fixed: Sequence[Any], props: Mapping[str, Any], columns: Sequence[str]) -> None:
        get = props.get
        shape = tuple([type(get(c)) for c in columns])
        entry = self.shapes.get(shape)
        if entry is None:
            entry = self.shapes[shape] = self._shape(props, columns)
        file, cells = entry
        try:
            row = [props[c] if conv is None else conv(props[c]) for c, conv in cells]
        except TypeError as e:  # a list holding something other than text
            raise LoadFailed(f"no import type for {props!r}: {e}", partial=True) from None
        file.writer.writerow([*fixed, *row])
        file.rows += 1

    def _shape(self, props: Mapping[str, Any], columns: Sequence[str]) -> tuple[_File, _Cells]:
        sig = tuple((c, _type_of(props[c])) for c in columns if props.get(c) is not None)
        file = self.files.get(sig)
        if file is None:
            file = self.files[sig] = _File(self.folder / f"{self.stem}.{len(self.files)}.csv")
            file.writer.writerow(self.head + [f"{c}:{t}" for c, t in sig])
        return file, [(c, _CONVERT[t]) for c, t in sig]

    def close(self) -> None:
        for file in self.files.values():
            file.f.close()


@dataclass(frozen=True)
class _Task:
    """One group's rows, or one slice of them, to write as files named ``stem.*.csv``:
    node ids start at ``first_id``; relationships carry their ends."""

    stem: str
    head: tuple[str, ...]
    columns: tuple[str, ...]
    rows: Iterable[Any]
    count: int
    first_id: int | None  # None: relationships


def _write_task(task: _Task, folder: Path) -> list[tuple[Path, bool]]:
    """Write the task's files: each one's path, and whether a value in it spans lines."""
    if task.first_id is None and tuple(task.columns) == ("src",) and isinstance(task.rows, SrcRows):
        return [(_write_src_rows(task, task.rows, folder), False)]
    writers = _Writers(folder, task.stem, task.head)
    try:
        if task.first_id is None:
            for start, end, props in task.rows:
                writers.write([start, end], props, task.columns)
        else:
            for i, props in enumerate(task.rows, task.first_id):
                writers.write([i], props, task.columns)
    finally:
        writers.close()
    return [(file.path, file.spans_lines()) for file in writers.files.values()]


def _write_src_rows(task: _Task, rows: SrcRows, folder: Path) -> Path:
    """Relationships with nothing but ``src`` (9.2 of a 1 M county's 10.6 million), written
    as SQLite hands them over rather than through a dictionary per row. ``src`` entries
    are ``register#row``, so no value spans lines."""
    file = _File(folder / f"{task.stem}.0.csv")
    try:
        file.writer.writerow([*task.head, "src:string[]"])
        file.writer.writerows(rows.src_rows())
    finally:
        file.f.close()
    return file.path


class _Workers:
    """Worker processes writing tasks' files: ``python -m graph.store.neo4j_import`` with
    its tasks pickled on stdin, answering one pickled line per task done. Plain
    subprocesses rather than a multiprocessing pool, which would import the caller's
    ``__main__`` again in each worker (a script without a main guard would load twice)."""

    def __init__(self, tasks: list[_Task], folder: Path, workers: int) -> None:
        # Largest first onto the least loaded worker: they finish near one another.
        queues: list[list[_Task]] = [[] for _ in range(min(workers, len(tasks)))]
        loads = [0] * len(queues)
        for t in sorted(tasks, key=lambda t: -t.count):
            i = loads.index(min(loads))
            queues[i].append(t)
            loads[i] += t.count
        self.queues, self.folder = queues, folder
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> _Workers:
        for queue in self.queues:
            proc = subprocess.Popen(
                [sys.executable, "-m", "graph.store.neo4j_import"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            assert proc.stdin is not None
            pickle.dump((queue, self.folder), proc.stdin)
            proc.stdin.close()
            self.procs.append(proc)
        return self

    def results(self) -> Iterator[tuple[str, list[tuple[Path, bool]], int]]:
        """(stem, files, rows) of each task as the workers finish them."""
        for proc in self.procs:
            assert proc.stdout is not None
            while True:
                try:
                    yield pickle.load(proc.stdout)
                except EOFError:
                    break
            if proc.wait():
                raise LoadFailed(
                    f"writing the import files failed (exit {proc.returncode})", partial=True
                )

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _work_from_stdin() -> None:
    """A worker: write the tasks read from stdin, telling stdout as each is done."""
    tasks, folder = pickle.load(sys.stdin.buffer)
    for t in tasks:
        pickle.dump((t.stem, _write_task(t, folder), t.count), sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _tasks(
    nodes: Sequence[NodeGroup], relationships: Sequence[RelGroup], rows_per_task: int
) -> tuple[list[tuple[str, _Task]], list[tuple[str, _Task]]]:
    """The groups cut into tasks: a group whose rows are :class:`Sliced` into slices of
    about ``rows_per_task``, any other whole."""

    def cut(rows: Iterable[Any], count: int) -> list[tuple[int, Iterable[Any]]]:
        if isinstance(rows, Sliced) and count > rows_per_task:
            return rows.slices(-(-count // rows_per_task))
        return [(0, rows)]

    node_tasks, rel_tasks = [], []
    next_id = 0
    for g in nodes:
        for j, (first, rows) in enumerate(cut(g.rows, g.count)):
            task = _Task(f"nodes.{g.label}.{j}", (":ID",), tuple(g.columns), rows, g.count,
                         next_id + first)  # fmt: skip
            node_tasks.append((g.label, task))
        next_id += g.count
    for r in relationships:
        parts = cut(r.rows, r.count)
        for j, (_, rows) in enumerate(parts):
            task = _Task(f"rels.{r.type}.{j}", (":START_ID", ":END_ID"), tuple(r.columns), rows,
                         r.count // len(parts), None)  # fmt: skip
            rel_tasks.append((r.type, task))
    return node_tasks, rel_tasks


def write_import_files(
    nodes: Sequence[NodeGroup],
    relationships: Sequence[RelGroup],
    folder: Path,
    progress: Callable[[int], None] | None = None,
    *,
    workers: int | None = None,
    rows_per_task: int = 400_000,
) -> ImportFiles:
    """Write the graph as import CSV files into ``folder`` (emptied of earlier ones).

    Rows that another process can read (:class:`~graph.store.base.Sliced`, as the first
    load's scratch file hands them out) are written by ``workers`` processes (one per
    core by default), slice by slice: formatting 14 million rows is CPU work that one
    interpreter does on one core (about 120 s at a million persons). Other rows are
    written here.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    out = ImportFiles(folder)
    out.node_count = sum(g.count for g in nodes)
    out.relationship_count = sum(r.count for r in relationships)
    node_tasks, rel_tasks = _tasks(nodes, relationships, rows_per_task)
    tasks = [t for _, t in node_tasks + rel_tasks]
    workers = workers or os.cpu_count() or 1
    apart = [t for t in tasks if isinstance(t.rows, Sliced)] if workers > 1 else []
    sent = {id(t) for t in apart}
    written: dict[str, list[tuple[Path, bool]]] = {}
    with _Workers(apart, folder, workers) as pool:
        for t in tasks:  # what cannot travel is written here meanwhile
            if id(t) not in sent:
                written[t.stem] = _write_task(t, folder)
                if progress:
                    progress(t.count)
        for stem, files, count in pool.results():
            written[stem] = files
            if progress:
                progress(count)
    out.nodes = [(name, p) for name, t in node_tasks for p, _ in written[t.stem]]
    out.relationships = [(name, p) for name, t in rel_tasks for p, _ in written[t.stem]]
    out.multiline = [p for files in written.values() for p, lines in files if lines]
    return out


# The fewest worker threads the import tool is given (see import_threads).
_MIN_IMPORT_THREADS = 4


def import_threads(cores: int | None = None) -> int:
    """Worker threads for the import tool on this machine: at least four.

    The tool's default is one per core. Its stages pass batches from thread to thread and
    some of them wait on the disk, so two threads leave cores idle: on 2 cores the 1 M
    county imported in 40-49 s with four threads against 48-54 s with two (alternated
    runs, same files); six and eight were slower again (52 and 60 s).
    """
    return max(_MIN_IMPORT_THREADS, cores or os.cpu_count() or 1)


def import_command(
    admin: str, database: str, files: ImportFiles, threads: int | None = None
) -> list[str]:
    """The ``neo4j-admin`` command line that imports ``files`` into ``database``; without
    ``threads`` the tool uses one per core of the machine it runs on."""
    return [
        admin,
        "database",
        "import",
        "full",
        database,
        "--overwrite-destination=true",
        f"--array-delimiter={ARRAY_DELIMITER}",
        "--id-type=integer",
        f"--report-file={files.folder / 'import.report'}",
        *([f"--threads={threads}"] if threads else []),
        *files.arguments(),
    ]


def shell_line(cmd: Sequence[str]) -> str:
    """The command as a POSIX shell line; the array delimiter (a control character that
    would print as nothing) in bash's ``$'\\x1f'`` form."""
    return " ".join(
        "$'" + c.replace("\\", "\\\\").replace("'", "\\'").replace("\x1f", "\\x1f") + "'"
        if "\x1f" in c
        else shlex.quote(c)
        for c in cmd
    )


def write_import_script(files: ImportFiles, database: str) -> Path:
    """``import.sh`` beside the files: the import for a server guanxi does not manage (run
    with the server stopped, where ``neo4j-admin`` is on the PATH)."""
    path = files.folder / "import.sh"
    # The threads are counted where the script runs, the server's machine (import_threads).
    line = shell_line(import_command("neo4j-admin", database, files))
    least = _MIN_IMPORT_THREADS
    line += f' --threads="$(( $(nproc) > {least} ? $(nproc) : {least} ))"'
    path.write_text(f"#!/usr/bin/env bash\nset -euo pipefail\n{line}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _run(cmd: Sequence[str], env: Mapping[str, str], what: str, echo: bool = False) -> None:
    with subprocess.Popen(
        list(cmd), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        tail: deque[str] = deque(maxlen=40)
        for line in proc.stdout:
            tail.append(line.rstrip())
            if echo:
                print(line.rstrip(), file=sys.stderr)
        code = proc.wait()
    if code:
        raise LoadFailed(f"{what} failed (exit {code}):\n" + "\n".join(tail), partial=True)


def stop_server(server: ServerHome) -> None:
    """``neo4j stop``: the import needs the database stopped."""
    _run([str(server.home / "bin" / "neo4j"), "stop"], server.env(), "neo4j stop")


def start_server(
    server: ServerHome, wait_ready: Callable[[float], None], timeout: float = 180.0
) -> None:
    """``neo4j start``, then wait until it answers."""
    _run([str(server.home / "bin" / "neo4j"), "start"], server.env(), "neo4j start")
    wait_ready(timeout)


def run_import(
    server: ServerHome,
    database: str,
    files: ImportFiles,
    wait_ready: Callable[[float], None],
    *,
    echo: bool = True,
    timeout: float = 180.0,
    stopped: bool = False,
) -> dict[str, float]:
    """Stop the server (unless ``stopped``), import ``files``, start it again and wait
    until it answers.

    Returns the seconds of each step (``stop``, ``neo4j-admin``, ``start``). The server is
    started again also when the import fails, so the database it had stays served.
    """
    steps: dict[str, float] = {}
    if not stopped:
        began = time.perf_counter()
        stop_server(server)
        steps["stop"] = time.perf_counter() - began
    try:
        began = time.perf_counter()
        admin = str(server.home / "bin" / "neo4j-admin")
        _run(import_command(admin, database, files, import_threads()), server.env(),
             "neo4j-admin database import", echo=echo)  # fmt: skip
        steps["neo4j-admin"] = time.perf_counter() - began
    finally:
        began = time.perf_counter()
        start_server(server, wait_ready, timeout)
        steps["start"] = time.perf_counter() - began
    return steps


if __name__ == "__main__":
    _work_from_stdin()
