"""Token buckets: in memory, and shared through a file by the processes of one host."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.ratelimit import Buckets, SharedBuckets


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[SharedBuckets]:
    b = SharedBuckets(rate=1.0, burst=3, path=tmp_path / "buckets")
    yield b
    b.close()


def test_shared_buckets_grant_the_burst_then_refill(shared: SharedBuckets) -> None:
    assert [shared.take("k", now=10.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert shared.take("k", now=10.5) == pytest.approx(0.5)
    assert shared.take("k", now=11.5) == 0.0
    assert shared.take("other", now=11.5) == 0.0  # each key has its own bucket


def test_two_openings_of_one_file_share_each_key(tmp_path: Path) -> None:
    a = SharedBuckets(rate=1.0, burst=3, path=tmp_path / "b")
    b = SharedBuckets(rate=1.0, burst=3, path=tmp_path / "b")
    try:
        assert [a.take("k", now=5.0), b.take("k", now=5.0), a.take("k", now=5.0)] == [0.0] * 3
        assert b.take("k", now=5.0) == 1.0
    finally:
        a.close()
        b.close()


def _drain(path: str, n: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    b = SharedBuckets(rate=0.001, burst=40, path=Path(path))
    out.put(sum(b.take("key") == 0.0 for _ in range(n)))
    b.close()


def test_processes_together_get_one_burst(tmp_path: Path) -> None:
    """Four processes hammering one key are granted the burst once between them, not four
    times (the rate is too slow to refill during the test)."""
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    procs = [ctx.Process(target=_drain, args=(str(tmp_path / "b"), 30, out)) for _ in range(4)]
    for p in procs:
        p.start()
    granted = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sum(granted) == 40


def test_a_full_table_reuses_the_stalest_slot(tmp_path: Path) -> None:
    b = SharedBuckets(rate=1.0, burst=1, path=tmp_path / "b")
    b.SLOTS = b.PROBES = 4  # a tiny table (the file is bigger; only 4 slots are used)
    try:
        for i in range(4):
            assert b.take(f"k{i}", now=float(i)) == 0.0
        assert b.take("new", now=10.0) == 0.0  # took k0's slot, the stalest
        assert b.take("k3", now=10.0) == 0.0  # k3 kept its slot: refilled since 3.0
        assert b.take("new", now=10.0) == 1.0
    finally:
        b.close()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(min_value=0, max_value=5)),
        max_size=40,
    ),
    st.floats(min_value=0.1, max_value=10),
    st.integers(min_value=1, max_value=5),
)
def test_shared_buckets_answer_as_the_memory_ones(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[str, float]],
    rate: float,
    burst: int,
) -> None:
    mem = Buckets(rate=rate, burst=burst)
    shared = SharedBuckets(rate=rate, burst=burst, path=tmp_path_factory.mktemp("b") / "b")
    try:
        t = 0.0
        for key, dt in steps:
            t += dt
            assert shared.take(key, now=t) == pytest.approx(mem.take(key, now=t))
    finally:
        shared.close()
