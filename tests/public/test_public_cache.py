"""The village cache follows the graph's loads: a completed load (published labels'
counts change) empties it, a running load (the partial-load mark) bypasses it, and a
report (a Complaint node) leaves it alone."""

from __future__ import annotations

from itertools import count

from graph.store import GraphStore
from public.cache import SummaryCache
from public.policy import POLICY
from tests.shapes import OpenEngine


def test_cache_follows_loads(open_engine: OpenEngine) -> None:
    store: GraphStore = open_engine("embedded", "public_cache")
    store.clear()
    store.write("CREATE (:Division {code: '430428', name: '县', level: 'county'})")
    cache = SummaryCache(store, check_seconds=0, labels=tuple(POLICY))
    calls = count(1)
    assert cache.get("k", lambda: next(calls)) == 1
    assert cache.get("k", lambda: next(calls)) == 1  # cached
    store.write("CREATE (:Complaint {complaint_id: 'JB-1', summary: 'x'})")
    assert cache.get("k", lambda: next(calls)) == 1  # a report changes nothing published
    store.write("CREATE (:Disbursement {record_id: 'R1', amount: 1})")
    assert cache.get("k", lambda: next(calls)) == 2  # a load added records: recomputed
    store.set_load_mark({"state": "loading", "since": "now"})
    assert cache.get("k", lambda: next(calls)) == 3
    assert cache.get("k", lambda: next(calls)) == 4  # nothing kept while a load runs
    assert cache.loading
    store.set_load_mark(None)
    assert cache.get("k", lambda: next(calls)) == 5
    assert cache.get("k", lambda: next(calls)) == 5
    assert cache.peek("k") == 5
    store.clear()
    store.close()
