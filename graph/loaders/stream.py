"""A register's rows, validated, in order — in a second process when the file is big.

Validation (:func:`graph.loaders.validate.validate_row`) depends on nothing but the row,
and is about a third of a load's Python time; building graph rows needs the loader's
state. So a big register is read and validated by a forked worker while this process
builds and writes: on two cores the load runs on both. Results come back in order, in
chunks, through a pipe that blocks the worker when this process falls behind, so memory
stays bounded. Small registers are validated inline (a fork costs more than they do).
:func:`in_worker` is that worker for any producer of chunks: the loader also has a
register whose building outweighs its validation built there (graph.loaders.pipeline).

>>> from graph.loaders.registers import REGISTERS
>>> from graph.loaders.read import map_header
>>> reg = REGISTERS["deaths"]
>>> hmap = map_header(reg, ["id_number", "name", "death_date"])
>>> rows = iter([(2, ["430422195001011119", "王老汉", "2023-03-01"]), (3, ["", "", ""])])
>>> [(n, type(r).__name__) for n, r in ValidatedRows(reg, hmap, rows, lambda: 0)]
[(2, 'Record'), (3, 'NoneType')]
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, TypeVar

from graph.errors import GuanxiError, LoadError
from graph.loaders.read import HeaderMap
from graph.loaders.registers import Register
from graph.loaders.validate import Record, Reject, validate_row

Result = Record | list[Reject] | None
T = TypeVar("T")


class LoadFailure(NamedTuple):
    """A :class:`LoadError` from the worker, as picklable fields."""

    register: str
    row: int | None
    column: str | None
    reason: str


CHUNK = 2000  # rows a message: big enough to amortise the pipe, small enough to stream
WORKER_BYTES = 8 << 20  # files from this size are validated by a worker


class ValidatedRows:
    """``(row number, validate_row result)`` for every row of an open register.

    ``position`` is how far the reading has got (for the progress bar), in the units
    of the source's ``position``; a file of ``size`` bytes from ``WORKER_BYTES`` on is
    validated by a worker.
    """

    def __init__(
        self,
        register: Register,
        hmap: HeaderMap,
        rows: Iterator[tuple[int, list[str]]],
        position: Callable[[], int],
        *,
        strict_width: bool = True,
        replaced: bool = False,
        size: int = 0,
    ) -> None:
        self.args = (register, hmap, strict_width, replaced)
        self.rows, self._position = rows, position
        self.workers = size >= WORKER_BYTES and "fork" in mp.get_all_start_methods()
        self.position = 0

    def __iter__(self) -> Iterator[tuple[int, Result]]:
        if self.workers:
            yield from self._from_worker()
            return
        register, hmap, strict, replaced = self.args
        for number, cells in self.rows:
            yield (
                number,
                validate_row(register, hmap, number, cells, strict_width=strict, replaced=replaced),
            )
            self.position = self._position()

    def _from_worker(self) -> Iterator[tuple[int, Result]]:
        for chunk, position in in_worker(self._chunks):
            self.position = position
            yield from chunk

    def _chunks(self) -> Iterator[tuple[list[tuple[int, Result]], int]]:
        register, hmap, strict, replaced = self.args
        chunk: list[tuple[int, Result]] = []
        for number, cells in self.rows:
            result = validate_row(
                register, hmap, number, cells, strict_width=strict, replaced=replaced
            )
            chunk.append((number, result))
            if len(chunk) >= CHUNK:
                yield chunk, self._position()
                chunk = []
        yield chunk, self._position()


def in_worker(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """What ``produce()`` yields, made in a forked worker process and passed back in order.

    Fork, not spawn: the worker inherits the open file, the header map, the loader's
    context and the imported modules at once; it touches nothing else of this process.
    A :class:`LoadError` in the worker is raised here as it was; another error of guanxi's
    as it was when it can be passed over, else with the worker's traceback.
    """
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_work, args=(produce, send), daemon=True, name="guanxi-load-worker")
    proc.start()
    send.close()
    try:
        while True:
            msg = recv.recv()
            if isinstance(msg, _Done):
                break
            if isinstance(msg, LoadFailure):
                raise LoadError(*msg)
            if isinstance(msg, GuanxiError):
                raise msg
            if isinstance(msg, _Crash):
                raise GuanxiError(f"loading worker failed:\n{msg.text}")
            yield msg
    finally:
        recv.close()
        if proc.is_alive():
            proc.terminate()
        proc.join()


class _Done:
    """The worker's last message."""


class _Crash(NamedTuple):
    text: str  # the worker's traceback


def _work(produce: Callable[[], Iterator[Any]], send: Connection) -> None:
    # The worker shares this process's memory page by page until it writes to it; a
    # garbage collection would walk (and so copy) the whole loader's heap.
    gc.disable()
    try:
        for item in produce():
            send.send(item)
        send.send(_Done())
    except LoadError as e:
        # The file's fault (cut short, not CSV past some row): one line, as inline.
        send.send(LoadFailure(e.register, e.row, e.column, e.reason))
    except GuanxiError as e:
        send.send(e if _passes(e) else _Crash(traceback.format_exc()))
    except BaseException:
        send.send(_Crash(traceback.format_exc()))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers: they belong to the parent (its engine)


def _passes(e: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(e))
    except Exception:
        return False
    return True
