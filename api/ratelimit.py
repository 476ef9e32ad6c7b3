"""A token bucket per API key, in memory.

Each key may make ``rate`` requests per second on average and ``burst`` at once. State is
per process: behind several workers each enforces its own bucket (documented).

>>> b = Buckets(rate=1.0, burst=2)
>>> [b.take("k", now=0.0) for _ in range(3)]
[0.0, 0.0, 1.0]
>>> b.take("k", now=1.0)
0.0
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class Buckets:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: float | None = None, now: float | None = None) -> float:
        """Take a token; return 0 if granted, else the seconds until one is available."""
        r = rate or self.rate
        burst = max(self.burst, int(r))
        t = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = _Bucket(float(burst), t)
            b.tokens = min(float(burst), b.tokens + (t - b.stamp) * r)
            b.stamp = t
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / r
