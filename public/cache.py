"""Village summaries cached per graph generation.

The generation is the graph's load stamp as the public process can see it: the
partial-load mark (set by every load before it writes and removed when it completes)
with the node and relationship counts. It is read at most every ``check_seconds``; when
it changes, every cached summary is dropped, so a completed load shows within that
interval. While a load runs (the mark is set) nothing is cached: pages read the graph
directly and say the data is being updated. A ``ttl`` bounds staleness anyway (a load
that only rewrote values between two checks changes no count).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Stamped(Protocol):
    def load_mark(self) -> dict[str, str] | None: ...
    def count(self, label: str | None = None) -> int: ...
    def count_relationships(self, type_: str | None = None) -> int: ...


class SummaryCache:
    def __init__(
        self,
        graph: Stamped,
        check_seconds: float = 2.0,
        ttl: float = 600.0,
        max_entries: int = 20_000,
    ) -> None:
        self._graph = graph
        self.check_seconds = check_seconds
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._checked = -1e18
        self.loading = False
        self.hits = 0
        self.misses = 0

    def _check(self) -> None:
        t = time.monotonic()
        if t - self._checked < self.check_seconds:
            return
        self._checked = t
        mark = self._graph.load_mark()
        stamp = (
            tuple(sorted(mark.items())) if mark else None,
            self._graph.count(),
            self._graph.count_relationships(),
        )
        with self._lock:
            self.loading = mark is not None
            if stamp != self._stamp:
                self._stamp = stamp
                self._entries.clear()

    def get(
        self, key: Hashable, compute: Callable[[], T], keep: Callable[[T], bool] | None = None
    ) -> T:
        """The cached value of ``key``, or ``compute()`` (kept unless ``keep`` says no)."""
        self._check()
        t = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and t - hit[0] < self.ttl and not self.loading:
                self._entries.move_to_end(key)
                self.hits += 1
                return hit[1]  # type: ignore[no-any-return]
        self.misses += 1
        value = compute()
        if keep is not None and not keep(value):
            return value
        with self._lock:
            if not self.loading:
                self._entries[key] = (t, value)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked = -1e18
