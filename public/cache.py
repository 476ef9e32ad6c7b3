"""Village summaries cached per graph generation.

The generation is the graph's load stamp as the public process can see it: the
partial-load mark (set by every load before it writes and removed when it completes)
with the node counts of the published labels. Not the graph's total counts: every report
adds a Complaint node, and 5 reports a second would empty the cache at every check. It
is read at most every ``check_seconds``; when it changes, every cached summary is
dropped, so a completed load shows within that interval. While a load runs (the mark is
set) nothing is cached: pages read the graph
directly and say the data is being updated. A ``ttl`` bounds staleness anyway (a load
that only rewrote values between two checks changes no count). ``generation`` counts the
times the cache was emptied: the site's warmer (public/app.py) builds every published
division's page again when it moves.
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


class SummaryCache:
    def __init__(
        self,
        graph: Stamped,
        check_seconds: float = 2.0,
        ttl: float = 600.0,
        max_entries: int = 20_000,
        labels: tuple[str, ...] = (),
    ) -> None:
        self._graph = graph
        self.labels = labels
        self.check_seconds = check_seconds
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._stamp: tuple[Any, ...] | None = None
        self._checked = -1e18
        self.loading = False
        self.hits = 0
        self.misses = 0
        # Counts the times the cache was emptied for a new graph generation (a warmer
        # starts over when it moves).
        self.generation = 0

    def _check(self) -> None:
        t = time.monotonic()
        if t - self._checked < self.check_seconds:
            return
        self._checked = t
        mark = self._graph.load_mark()
        stamp = (
            tuple(sorted(mark.items())) if mark else None,
            *(self._graph.count(label) for label in self.labels),
        )
        with self._lock:
            self.loading = mark is not None
            if stamp != self._stamp:
                self._stamp = stamp
                self._entries.clear()
                self.generation += 1

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
        # One computation per key at a time: 200 residents arriving at a village nobody has
        # visited since the last load wait for one reader instead of running its queries 200
        # times over (measured: a cold village took ~1 s under that herd, 25 ms alone).
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                hit = self._entries.get(key)
                if hit is not None and not self.loading and time.monotonic() - hit[0] < self.ttl:
                    self.hits += 1
                    return hit[1]  # type: ignore[no-any-return]
            self.misses += 1
            try:
                value = compute()
                if keep is None or keep(value):
                    with self._lock:
                        if not self.loading:
                            self._entries[key] = (t, value)
                            while len(self._entries) > self.max_entries:
                                self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value
        with self._lock:
            if not self.loading:
                self._entries[key] = (t, value)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The cached value of ``key`` if there is a fresh one; never reads the graph but
        for the generation check (three short reads every ``check_seconds``)."""
        self._check()
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or self.loading or time.monotonic() - hit[0] >= self.ttl:
                return None
            self.hits += 1
            return hit[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._checked = -1e18
            self.generation += 1

    def check(self) -> None:
        """Look at the graph's generation now if ``check_seconds`` have passed."""
        self._check()
