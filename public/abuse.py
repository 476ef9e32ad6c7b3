"""What keeps the report form and the look-up from being abused: windows of attempts per
client address and for the whole site, and a self-hosted challenge (no third party).

The challenge is a sum in Chinese numerals ("十二加七等于几？") that a resident answers in
digits: it works without JavaScript and with a screen reader. The form carries a token,
``nonce.expiry.mac`` with ``mac = HMAC(secret, nonce.expiry.answer)``; the server keeps no
state until the token is spent, then remembers its nonce until it expires, so a token is
good for one attempt, right or wrong. It stops scripts that post blindly, not a person
or a determined program; the rate limits bound what those can do.

>>> c = Challenges(b"k")
>>> q, token = c.issue(rng=random.Random(1))
>>> c.check(token, str(_ANSWERS[q])), c.check(token, str(_ANSWERS[q]))
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
import time
from collections import deque

_DIGITS = "零一二三四五六七八九"
_ANSWERS: dict[str, int] = {}  # doctest helper: the last question's answer


def chinese(n: int) -> str:
    """0..99 in Chinese numerals.

    >>> chinese(7), chinese(10), chinese(12), chinese(20), chinese(35)
    ('七', '十', '十二', '二十', '三十五')
    """
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


class Challenges:
    def __init__(self, secret: bytes, ttl: float = 1800.0) -> None:
        self._secret = secret
        self.ttl = ttl
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()

    def _mac(self, nonce: str, expiry: int, answer: str) -> str:
        msg = f"challenge|{nonce}|{expiry}|{answer}".encode()
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()[:32]

    def issue(self, rng: random.Random | None = None) -> tuple[str, str]:
        r = rng or random.SystemRandom()
        a, b = r.randint(2, 20), r.randint(1, 9)
        if r.random() < 0.5:
            question, answer = f"{chinese(a)}加{chinese(b)}等于几？", a + b
        else:
            question, answer = f"{chinese(a)}减{chinese(b)}等于几？", a - b
        _ANSWERS.clear()
        _ANSWERS[question] = answer
        nonce = secrets.token_urlsafe(12)
        expiry = int(time.time() + self.ttl)
        return question, f"{nonce}.{expiry}.{self._mac(nonce, expiry, str(answer))}"

    def check(self, token: str, answer: str) -> bool:
        """Whether ``answer`` answers the token's question; the token is spent either way."""
        try:
            nonce, exp, mac = token.split(".")
            expiry = int(exp)
        except ValueError:
            return False
        now = time.time()
        if expiry < now:
            return False
        with self._lock:
            if nonce in self._spent:
                return False
            self._spent[nonce] = expiry
            if len(self._spent) > 100_000:
                for n in [n for n, e in self._spent.items() if e < now]:
                    del self._spent[n]
        return hmac.compare_digest(mac, self._mac(nonce, expiry, answer.strip()))


class Window:
    """At most ``limit`` events per ``seconds`` per key (sliding window, in this process)."""

    def __init__(self, limit: int, seconds: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.seconds = seconds
        self.max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        t = time.monotonic()
        with self._lock:
            q = self._events.get(key)
            if q is None:
                if len(self._events) >= self.max_keys:
                    self._events.pop(next(iter(self._events)))
                q = self._events[key] = deque()
            while q and t - q[0] > self.seconds:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(t)
            return True


class Bucket:
    """A token bucket per key: ``rate`` per second sustained, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        t = time.monotonic()
        with self._lock:
            tokens, last = self._state.get(key, (float(self.burst), t))
            tokens = min(float(self.burst), tokens + (t - last) * self.rate)
            if tokens < 1.0:
                self._state[key] = (tokens, t)
                return False
            if key not in self._state and len(self._state) >= self.max_keys:
                self._state.pop(next(iter(self._state)))
            self._state[key] = (tokens - 1.0, t)
            return True
