"""An in-process index of names: prefixes (张三 → 张三丰) and pinyin (``zhangsan``, ``zs``).

Why in process: the graph does not store pinyin (the schema has no such property, and
FalkorDB's Chinese full-text segmenter splits names unpredictably), FalkorDB answers
``name STARTS WITH`` with a label scan rather than from its index (seconds at a million
people), and both searches are prefix searches over a few hundred thousand distinct
names — sorted lists and ``bisect`` answer them in microseconds. The names found are then
looked up exactly, which the store's name index serves.

The index holds each distinct Person, Enterprise and Mention name once, with its full
pinyin and its initials, in sorted lists of strings plus arrays of name numbers (memory:
see docs/api.md). It is built in a background thread at start-up (search falls back to a
capped scan for prefixes, and has no pinyin, meanwhile) and rebuilt on demand
(``POST /api/v1/search/reindex``, admins). Surnames with several readings (曾, 单) are
indexed with pypinyin's common reading only.

>>> idx = NameIndex()
>>> idx.add_names(["张三", "张三丰", "李四", "长沙某某建筑有限公司"])
>>> [n for n, _ in idx.lookup("zhangsan")]
['张三', '张三丰']
>>> idx.lookup("ls")
[('李四', 'initials')]
>>> idx.prefix("张三")
['张三', '张三丰']
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pypinyin import lazy_pinyin

from api.services.persisted import Persisted
from graph.queries.lookup import all_names
from graph.store import GraphStore

log = logging.getLogger("guanxi.api")
INDEXED_LABELS = ("Person", "Enterprise", "Mention")
# Names also found by any part (恒通 → 衡南县恒通建筑有限公司): organisations are named by
# a fragment in conversation and complaints, people by their whole name. A few thousand at a
# million persons, so a scan answers in well under a millisecond.
INFIX_LABELS = ("Enterprise", "Organisation", "School")
_PAGE = 100_000


@lru_cache(maxsize=65_536)
def _char_pinyin(char: str) -> str:
    got = lazy_pinyin(char, errors="ignore")
    return got[0].lower() if got and got[0].isalpha() else ""


def pinyin_forms(name: str) -> tuple[str, str]:
    """Full pinyin without tones and the initials: ('zhangsan', 'zs').

    Character by character, each character converted once and remembered: names are not
    phrases, and converting whole names with pypinyin's phrase segmentation took ~1.5 ms
    a name (minutes for a county) against microseconds this way.

    >>> pinyin_forms("张三丰"), pinyin_forms("A张")
    (('zhangsanfeng', 'zsf'), ('zhang', 'z'))
    """
    syllables = [p for p in (_char_pinyin(c) for c in name) if p]
    return "".join(syllables), "".join(s[0] for s in syllables)


def normalise_query(q: str) -> str | None:
    """A pinyin query (ASCII letters, spaces and apostrophes allowed), or None."""
    text = "".join(c for c in q.lower() if c not in " '’")
    return text if text.isascii() and text.isalpha() and len(text) >= 2 else None


class NameIndex:
    def __init__(self) -> None:
        self.state = "empty"
        self.built_at: float | None = None
        self.seconds = 0.0
        self._names: list[str] = []
        self._by_length: dict[int, list[str]] = {}  # the names of each length, sorted
        self._full: list[str] = []
        self._full_idx = array("I")
        self._init: list[str] = []
        self._init_idx = array("I")
        self._infix: list[str] = []
        self._lock = threading.Lock()
        self.source = ""  # "built" from the graph or "persisted" (api.services.persisted)

    def __len__(self) -> int:
        return len(self._names)

    def add_names(self, names: Iterable[str], infix: Iterable[str] = ()) -> None:
        """Replace the index with these names (deduplicated); ``infix`` names can also be
        found by any part of them."""
        t0 = time.perf_counter()
        parts = sorted({n for n in infix if n})
        distinct = sorted({n for n in names if n})
        full: list[tuple[str, int]] = []
        init: list[tuple[str, int]] = []
        for i, name in enumerate(distinct):
            f, s = pinyin_forms(name)
            if f:
                full.append((f, i))
                init.append((s, i))
        full.sort()
        init.sort()
        by_length: dict[int, list[str]] = {}
        for name in distinct:  # in order, so each list is sorted too
            by_length.setdefault(len(name), []).append(name)
        with self._lock:
            self._names = distinct
            self._by_length = dict(sorted(by_length.items()))
            self._full = [k for k, _ in full]
            self._full_idx = array("I", (i for _, i in full))
            self._init = [k for k, _ in init]
            self._init_idx = array("I", (i for _, i in init))
            self._infix = parts
            self.state = "ready"
            self.built_at = time.time()
            self.seconds = time.perf_counter() - t0

    def build(self, store: GraphStore, cache: Persisted | None = None) -> None:
        """Build from the graph, or take ``cache``'s copy when it was built from the
        graph's current version; a fresh build is saved there."""
        self.state = "building"
        try:
            version = store.graph_version()
            kept = cache.load(version) if cache is not None else None
            if kept is not None:
                with self._lock:
                    (self._names, self._by_length, self._full, self._full_idx) = kept[:4]
                    (self._init, self._init_idx, self._infix) = kept[4:]
                    self.state, self.source = "ready", "persisted"
                    self.built_at, self.seconds = time.time(), 0.0
                return
            self.add_names(_all_names(store, INDEXED_LABELS), _all_names(store, INFIX_LABELS))
            self.source = "built"
            if cache is not None:
                cache.save(version, self._snapshot())
        except Exception:
            self.state = "failed"
            log.exception("pinyin index build failed")

    def _snapshot(self) -> tuple[Any, ...]:
        with self._lock:
            return (
                self._names,
                self._by_length,
                self._full,
                self._full_idx,
                self._init,
                self._init_idx,
                self._infix,
            )

    def build_in_background(
        self, store: GraphStore, cache: Persisted | None = None
    ) -> threading.Thread:
        t = threading.Thread(
            target=self.build, args=(store, cache), name="pinyin-index", daemon=True
        )
        t.start()
        return t

    def lookup(self, q: str, limit: int = 50) -> list[tuple[str, str]]:
        """Names whose pinyin starts with ``q`` (then whose initials do): ``(name, how)``."""
        text = normalise_query(q)
        if text is None:
            return []
        out: dict[str, str] = {}
        with self._lock:
            for keys, idx, how in (
                (self._full, self._full_idx, "pinyin"),
                (self._init, self._init_idx, "initials"),
            ):
                i = bisect_left(keys, text)
                while i < len(keys) and keys[i].startswith(text) and len(out) < limit:
                    out.setdefault(self._names[idx[i]], how)
                    i += 1
        return list(out.items())

    def prefix(self, q: str, limit: int = 200) -> list[str]:
        """Distinct names starting with ``q``, shortest first (they complete more of what
        was typed, and search ranks them first), then in code-point order; at most
        ``limit``."""
        out: list[str] = []
        with self._lock:
            for length, names in self._by_length.items():
                if length < len(q):
                    continue
                i = bisect_left(names, q)
                while i < len(names) and names[i].startswith(q) and len(out) < limit:
                    out.append(names[i])
                    i += 1
                if len(out) >= limit:
                    break
        return out

    def contains(self, q: str, limit: int = 100) -> list[str]:
        """Organisation names holding ``q`` anywhere (two characters at least).

        >>> idx = NameIndex()
        >>> idx.add_names([], infix=["衡南县恒通建筑有限公司", "恒通物流", "顺达劳务"])
        >>> idx.contains("恒通"), idx.contains("通")
        (['恒通物流', '衡南县恒通建筑有限公司'], [])
        """
        if len(q) < 2:
            return []
        with self._lock:
            found = [n for n in self._infix if q in n]
        return sorted(found, key=len)[:limit]

    @property
    def ready(self) -> bool:
        """Built at least once (a rebuild keeps serving the previous names)."""
        return self.built_at is not None

    def status(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "names": len(self._names),
            "infix_names": len(self._infix),
            "seconds": round(self.seconds, 1),
        }


def _all_names(store: GraphStore, labels: Iterable[str]) -> Iterable[str]:
    return all_names(store, labels, page=_PAGE)
