"""The embedded engine's memory limits as the store reports them (issue 21, item 2)."""

from __future__ import annotations

from pathlib import Path

from graph.errors import QueryMemoryExceeded
from graph.store.embedded import EmbeddedEngine, Limits
from graph.store.falkor import FalkorStore

GROW = (
    "UNWIND range(1, 2000) AS i "
    "CREATE (:Person {id_number: toString(i) + $s, name: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'})"
)


def test_writes_past_maxmemory_are_refused_and_reads_go_on(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path, limits=Limits.sized(memory_mb=8))  # maxmemory 4 MB
    engine.start(owned=True)
    try:
        st = FalkorStore(engine, "full")
        written, refused = 0, None
        for i in range(500):
            try:
                st.write(GROW, {"s": f"-{i}"})
            except QueryMemoryExceeded as e:
                refused = e
                break
            written += 2000
        assert refused is not None
        assert "GUANXI_EMBEDDED_MEMORY_MB" in refused.detail
        assert written > 0
        assert st.read_only("MATCH (p:Person) RETURN count(p) AS n", timeout=10) == [{"n": written}]
        assert engine.pid() is not None
        st.close()
    finally:
        engine.stop()


def test_limits_follow_the_machine_unless_set() -> None:
    auto = Limits.sized()
    assert auto.memory >= 1 << 30
    assert auto.query_memory == auto.memory // 4
    assert auto.maxmemory == auto.memory // 2
    assert Limits.sized(1024, 100).query_memory == 100 << 20
    assert Limits.sized(1024, 4096).query_memory == 1024 << 20  # never more than the whole
