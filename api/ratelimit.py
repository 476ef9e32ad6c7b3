"""A token bucket per API key.

Each key may make ``rate`` requests per second on average and ``burst`` at once.
:class:`Buckets` keeps them in memory, for one process. :class:`SharedBuckets` keeps them
in a file that every API process of a data directory maps (``guanxi serve --workers N``
runs N processes): a key's limit then holds for the host, not N times over.

>>> b = Buckets(rate=1.0, burst=2)
>>> [b.take("k", now=0.0) for _ in range(3)]
[0.0, 0.0, 1.0]
>>> b.take("k", now=1.0)
0.0
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Bucket:
    tokens: float
    stamp: float


def _refill(tokens: float, stamp: float, t: float, rate: float, burst: int) -> tuple[float, float]:
    """Take a token from a bucket last seen at ``stamp``: ``(tokens left, wait)``, the wait
    being 0 if granted, else the seconds until a token is there."""
    tokens = min(float(burst), tokens + max(0.0, t - stamp) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, 0.0
    return tokens, (1.0 - tokens) / rate


class Buckets:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Let go of what the buckets hold (nothing, in memory)."""

    def _limits(self, rate: float | None) -> tuple[float, int]:
        r = rate or self.rate
        return r, max(self.burst, int(r))

    def take(self, key: str, rate: float | None = None, now: float | None = None) -> float:
        """Take a token; return 0 if granted, else the seconds until one is available."""
        r, burst = self._limits(rate)
        t = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = _Bucket(float(burst), t)
            b.tokens, wait = _refill(b.tokens, b.stamp, t, r, burst)
            b.stamp = t
            return wait


class SharedBuckets(Buckets):
    """Buckets in a memory-mapped file shared by the processes that open the same path.

    The file is a table of ``SLOTS`` records (key hash, tokens, stamp); a key lives in the
    first of ``PROBES`` slots from its hash that holds it or is free, else it takes the
    one used longest ago (a table of thousands of slots for a deployment's dozens of keys).
    An update holds an exclusive ``flock`` on the file (between processes) and a thread
    lock (between the threads of one process, which share the file description). Stamps
    are ``time.monotonic()``, one clock for every process of the host.
    """

    SLOTS = 4096
    PROBES = 16
    _RECORD = struct.Struct("<Qdd")

    def __init__(self, rate: float, burst: int, path: Path) -> None:
        super().__init__(rate, burst)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        size = self.SLOTS * self._RECORD.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zeros: every slot free
        self._map = mmap.mmap(self._fd, size)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)

    def _slot(self, h: int) -> int:
        """Byte offset of ``h``'s record: its own, a free one, or the stalest probed."""
        rec = self._RECORD
        stalest, oldest = -1, float("inf")
        for i in range(self.PROBES):
            off = ((h + i) % self.SLOTS) * rec.size
            k, _tokens, stamp = rec.unpack_from(self._map, off)
            if k == h or k == 0:
                return off
            if stamp < oldest:
                stalest, oldest = off, stamp
        return stalest

    def take(self, key: str, rate: float | None = None, now: float | None = None) -> float:
        r, burst = self._limits(rate)
        t = time.monotonic() if now is None else now
        # 0 marks a free slot: a key whose hash is 0 is stored as 1.
        h = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1
        rec = self._RECORD
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                off = self._slot(h)
                k, tokens, stamp = rec.unpack_from(self._map, off)
                if k != h:
                    tokens, stamp = float(burst), t
                tokens, wait = _refill(tokens, stamp, t, r, burst)
                rec.pack_into(self._map, off, h, tokens, t)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        return wait
