"""The first-load graph (graph.loaders.bulk.DiskGraph) keeps its rows in its file, not in
Python: what Python holds stays small however many nodes and relationships go in, and
what comes out is what went in, merges included."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest

from graph.loaders.batch import Batch
from graph.loaders.bulk import DiskGraph

PERSONS = 100_000
CHUNK = 5_000


@pytest.fixture
def graph() -> Iterator[DiskGraph]:
    g = DiskGraph()
    yield g
    g.drop()


def _pid(i: int) -> str:
    return f"4304221990{i:08d}"


def _chunk(start: int, n: int) -> Batch:
    """Persons with a household each (ten to a household) and a village."""
    b = Batch("persons")
    for i in range(start, start + n):
        src = f"persons#{i + 2}"
        hh = f"H{i // 10}"
        b.ref("Division", "430422101201", src=src)
        b.upsert("Household", hh, {"address": f"{i // 10}号"}, src=src)
        b.upsert("Person", _pid(i), {"name": f"人{i}", "gender": "男"}, src=src)
        b.rel("MEMBER_OF", ("Person", _pid(i)), ("Household", hh), src=src)
        b.rel("LIVES_IN", ("Household", hh), ("Division", "430422101201"), src=src)
    return b


def test_python_memory_stays_flat_while_100k_persons_go_in(graph: DiskGraph) -> None:
    seen: set[tuple[str, str]] = set()

    def load(start: int, stop: int) -> None:
        for at in range(start, stop, CHUNK):
            b = _chunk(at, CHUNK)
            b.seen = seen
            graph.apply("persons", b.plan())
            b.mark_seen()

    tracemalloc.start()
    try:
        load(0, 2 * CHUNK)  # warm: tables, statements and caches made once
        warm, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        load(2 * CHUNK, PERSONS)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert graph.node_count == PERSONS + PERSONS // 10 + 1
    assert graph.relationship_count == PERSONS + PERSONS // 10
    # 90,000 more persons: their 99,000 nodes and 99,000 relationships held as Python
    # objects would take tens of MB (a dict of properties alone is ~0.5 kB). What may
    # remain is the chunk in flight; what may grow is nothing per row.
    assert after - warm < 1 << 20, after - warm
    assert peak - warm < 40 << 20, peak - warm
    # The rows are there to read back.
    assert graph.node("Person", _pid(77_777)) == {
        "id_number": _pid(77_777),
        "src": ["persons#77779"],
        "name": "人77777",
        "gender": "男",
    }
    assert graph.node("Division", "430422101201") == {
        "code": "430422101201",
        "src": ["persons#2"],
    }


def test_groups_stream_the_merged_graph(graph: DiskGraph) -> None:
    b = Batch("persons")
    b.upsert("Person", _pid(1), {"name": "张三"}, src="persons#2")
    b.ref("Household", "H1", src="persons#2")
    b.rel("MEMBER_OF", ("Person", _pid(1)), ("Household", "H1"), src="persons#2")
    graph.apply("persons", b.plan())
    # A later register merges the same node and relationship, and adds a property.
    b = Batch("officials")
    b.upsert("Person", _pid(1), {"phone": "13800000000"}, src="officials#5", warnings=["w1"])
    b.ref("Household", "H1", src="officials#5")
    b.rel(
        "MEMBER_OF",
        ("Person", _pid(1)),
        ("Household", "H1"),
        src="officials#5",
        warnings=["w2"],
    )
    summary = graph.apply("officials", b.plan())
    assert (summary.nodes_created, summary.relationships_created) == (0, 0)
    nodes, rels = graph.groups()
    by_label = {g.label: list(g.rows) for g in nodes}
    assert by_label["Person"] == [
        {
            "id_number": _pid(1),
            "src": ["persons#2", "officials#5"],
            "name": "张三",
            "phone": "13800000000",
            "warnings": ["w1"],
        }
    ]
    assert by_label["Household"] == [{"household_id": "H1", "src": ["persons#2", "officials#5"]}]
    assert set(next(g for g in nodes if g.label == "Person").columns) == {
        "id_number",
        "src",
        "name",
        "phone",
        "warnings",
    }
    (member_of,) = rels
    assert member_of.columns == ("src", "warnings")
    order = [g.label for g in nodes]
    person, household = order.index("Person"), order.index("Household")
    assert list(member_of.rows) == [
        (person, household, {"src": ["persons#2", "officials#5"], "warnings": ["w2"]})
    ]


def test_drop_removes_the_file() -> None:
    g = DiskGraph()
    assert g.path.exists()
    g.drop()
    assert not g.path.exists()
    assert not g.path.parent.exists()
