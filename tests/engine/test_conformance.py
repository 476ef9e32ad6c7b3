"""The same Cypher, the same answers, on both engines (docs/engines.md)."""

from __future__ import annotations

import os
import signal
import time
from functools import partial

import pytest

from graph.errors import QueryError, ReadOnlyViolation
from graph.store import GraphStore
from graph.store.embedded import EmbeddedEngine
from graph.store.falkor import FalkorStore

MERGE_PERSON = """
UNWIND $rows AS row
MERGE (p:Person {id_number: row.id})
SET p.name = row.name, p.birth_date = row.birth, p.phone = row.phone
"""


def _people(n: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"43042219{i:010d}",
            "name": f"张{'三李四王五'[i % 5]}{i}",
            "birth": f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
            "phone": None if i % 3 else f"1380000{i:04d}",
        }
        for i in range(n)
    ]


def test_batch_merge_10k_chinese_dates_nulls(store: GraphStore) -> None:
    rows = _people(10_000)
    s = store.write_batches(MERGE_PERSON, rows, batch_size=2500)
    assert s.rows == 10_000
    assert s.batches == 4
    assert s.nodes_created == 10_000
    assert store.count("Person") == 10_000
    got = store.read(
        "MATCH (p:Person {id_number: $id}) RETURN p.name AS name, p.birth_date AS birth, "
        "p.phone AS phone",
        {"id": rows[7]["id"]},
    )
    assert got == [{"name": rows[7]["name"], "birth": rows[7]["birth"], "phone": None}]
    # ISO date strings order correctly as strings on both engines.
    n = store.read("MATCH (p:Person) WHERE p.birth_date >= '1999-01-01' RETURN count(p) AS c")
    assert n[0]["c"] == sum(1 for r in rows if str(r["birth"]) >= "1999-01-01")
    # Merging the same rows again creates nothing new.
    again = store.write_batches(MERGE_PERSON, rows, batch_size=5000)
    assert again.nodes_created == 0
    assert store.count("Person") == 10_000


def test_relationship_merge_is_idempotent(store: GraphStore) -> None:
    store.write_batches(MERGE_PERSON, _people(3))
    q = """
    UNWIND $rows AS row
    MATCH (a:Person {id_number: row.a})
    MATCH (b:Person {id_number: row.b})
    MERGE (a)-[r:RELATIVE_OF]->(b)
    SET r.relation = row.rel
    """
    ids = [r["id"] for r in _people(3)]
    rows = [{"a": ids[0], "b": ids[1], "rel": "配偶"}, {"a": ids[1], "b": ids[2], "rel": "子女"}]
    first = store.write_batches(q, rows)
    second = store.write_batches(q, rows)
    assert first.relationships_created == 2
    assert second.relationships_created == 0
    assert store.count_relationships("RELATIVE_OF") == 2
    got = store.read(
        "MATCH (a:Person)-[r:RELATIVE_OF]->(b:Person) RETURN a, r, b ORDER BY r.relation"
    )
    rel = got[0]["r"]
    assert rel["_kind"] == "relationship"
    assert rel["type"] == "RELATIVE_OF"
    assert rel["properties"]["relation"] == "子女"
    assert rel["start"] == {"label": "Person", "key": ids[1]}
    assert rel["end"] == {"label": "Person", "key": ids[2]}
    assert got[0]["a"]["key"] == ids[1]


def _chain(store: GraphStore, n: int) -> list[str]:
    ids = [r["id"] for r in _people(n)]
    store.write_batches(MERGE_PERSON, _people(n))
    store.write_batches(
        "UNWIND $rows AS row MATCH (a:Person {id_number: row.a}) "
        "MATCH (b:Person {id_number: row.b}) MERGE (a)-[:RELATIVE_OF]->(b)",
        [{"a": ids[i], "b": ids[i + 1]} for i in range(n - 1)],
    )
    return ids


def test_variable_length_and_shortest_path(store: GraphStore) -> None:
    ids = _chain(store, 6)
    reach = store.read(
        "MATCH (a:Person {id_number: $a})-[:RELATIVE_OF*1..3]->(b:Person) "
        "RETURN b.id_number AS k ORDER BY k",
        {"a": ids[0]},
    )
    assert [r["k"] for r in reach] == ids[1:4]
    paths = store.read(
        "MATCH (a:Person {id_number: $a}) MATCH (b:Person {id_number: $b}) WITH a, b "
        "MATCH p = allShortestPaths((a)-[*..6]-(b)) RETURN p, length(p) AS hops LIMIT 1",
        {"a": ids[0], "b": ids[4]},
    )
    assert paths[0]["hops"] == 4
    p = paths[0]["p"]
    assert p["_kind"] == "path"
    assert [n["key"] for n in p["nodes"]] == ids[:5]
    assert all(r["type"] == "RELATIVE_OF" for r in p["relationships"])
    assert [r["start"]["key"] for r in p["relationships"]] == ids[:4]


def test_lookup_uses_the_key_index(store: GraphStore) -> None:
    plan = store.explain("MATCH (p:Person {id_number: $k}) RETURN p", {"k": "x"})
    assert "Index" in plan, plan


@pytest.mark.parametrize(
    "value",
    [
        "x' RETURN 1 //",
        "O'Brien",
        'say "hi" \\ there',
        "x\" RETURN 'pwned' AS v //",
        "}) DETACH DELETE n //",
        "换行\n第二行",
        "",
    ],
)
def test_parameters_that_look_like_cypher_are_data(store: GraphStore, value: str) -> None:
    assert store.read("RETURN $v AS v", {"v": value}) == [{"v": value}]
    store.write("MERGE (p:Person {id_number: 'k1'}) SET p.name = $v", {"v": value})
    assert store.read("MATCH (p:Person {id_number: 'k1'}) RETURN p.name AS v") == [{"v": value}]


def test_chinese_map_keys_and_exact_numbers_round_trip(store: GraphStore) -> None:
    m = {"姓名": "王五", "金额分": 12_345_678_901, "比例": 0.123456789, "是否": True, "空": None}
    got = store.read("RETURN $m AS m", {"m": m})[0]["m"]
    assert got == m


def test_failed_batch_leaves_nothing_half_written(store: GraphStore) -> None:
    q = "UNWIND $rows AS row MERGE (n:Person {id_number: row.k}) SET n.score = 100 / row.d"
    rows = [{"k": f"k{i}", "d": 0 if i == 999 else 1} for i in range(1000)]
    with pytest.raises(QueryError) as err:
        store.write_batches(q, rows, batch_size=1000)
    assert "Query was" in str(err.value)
    assert store.count("Person") == 0
    # Batches before a failing one stay, and re-running the corrected rows completes the
    # load without duplicates: that is the contract write_batches documents.
    with pytest.raises(QueryError):
        store.write_batches(q, rows, batch_size=500)
    assert store.count("Person") == 500
    for r in rows:
        r["d"] = 1
    store.write_batches(q, rows, batch_size=500)
    assert store.count("Person") == 1000


def test_bulk_column_read_equals_the_row_read(store: GraphStore) -> None:
    """The engine's column path and the plain default both give what ``read`` gives."""
    rows = [
        {"k": f"k{i}", "n": i if i % 4 else None, "x": i / 8, "b": i % 2 == 0, "l": ["a", str(i)]}
        for i in range(50)
    ]
    store.write(
        "UNWIND $rows AS row CREATE (:Person {id_number: row.k, age: row.n, score: row.x, "
        "dead: row.b, tags: row.l})",
        {"rows": rows},
    )
    q = (
        "MATCH (p:Person) RETURN p.id_number AS k, p.age AS n, p.score AS x, p.dead AS b, "
        "p.tags AS l, p.missing AS m ORDER BY k"
    )
    names = ["k", "n", "x", "b", "l", "m"]
    want = store.read(q)
    got = store.read_columns(q, {}, names)
    assert {n: [r[n] for r in want] for n in names} == got
    assert GraphStore.read_columns(store, q, {}, names) == got
    i3, i0 = got["k"].index("k3"), got["k"].index("k0")
    assert got["x"][i3] == 3 / 8
    assert got["b"][i0] is True
    assert got["n"][i0] is None
    none = "MATCH (p:Person {id_number: 'none'}) RETURN p.age AS n"
    for read_columns in (store.read_columns, partial(GraphStore.read_columns, store)):
        assert read_columns(none, {}, ["n"]) == {"n": []}
        with pytest.raises(QueryError):
            read_columns("MATCH (p:Person) RETURN p.age AS n", {}, ["wrong"])


@pytest.mark.parametrize("path", ["engine", "default"])
def test_text_column_read_keeps_nulls_order_and_parallel_relationships(
    store: GraphStore, path: str
) -> None:
    """The engine's text path (FalkorDB: joined on the server) and the plain default."""
    read_text = store.read_text if path == "engine" else partial(GraphStore.read_text, store)
    store.write(
        "CREATE (a:Person {id_number: 'a', phone: '1'}), (b:Person {id_number: 'b'}), "
        "(c:Person {id_number: 'c', phone: ''}), "
        "(a)-[:RELATIVE_OF]->(b), (a)-[:RELATIVE_OF]->(b), (a)-[:OWNS]->(b)"
    )
    nodes = read_text("MATCH (n:Person)", {"k": "n.id_number", "p": "n.phone"}, {})
    assert sorted(zip(nodes["k"], nodes["p"], strict=True)) == [
        ("a", "1"),
        ("b", None),
        ("c", ""),
    ]
    rels = read_text(
        "MATCH (a:Person)-[r:RELATIVE_OF]->(b:Person)",
        {"s": "a.id_number", "k": "b.id_number", "t": "type(r)"},
        {},
    )
    assert rels == {"s": ["a", "a"], "k": ["b", "b"], "t": ["RELATIVE_OF"] * 2}
    none = read_text("MATCH (n:Person {id_number: 'x'})", {"k": "n.id_number"}, {})
    assert none == {"k": []}
    # A value holding the join's separator still comes back whole.
    store.write("CREATE (:Person {id_number: 'd', phone: $p})", {"p": "x\x1fy"})
    odd = read_text("MATCH (n:Person {id_number: 'd'})", {"p": "n.phone"}, {})
    assert odd == {"p": ["x\x1fy"]}


def test_indexed_boolean_answers_false_and_true(store: GraphStore) -> None:
    """``Person.in_register`` is indexed where the engine's index answers it: FalkorDB 4.16's
    index on a boolean found nothing for ``= false``, which hid every unregistered
    recipient from ghost_recipient."""
    store.write(
        "CREATE (:Person {id_number: 'a', in_register: false}), "
        "(:Person {id_number: 'b', in_register: true}), (:Person {id_number: 'c'})"
    )
    q = "MATCH (p:Person) WHERE p.in_register = $v RETURN p.id_number AS k"
    assert store.read(q, {"v": False}) == [{"k": "a"}]
    assert store.read(q, {"v": True}) == [{"k": "b"}]
    literal = "MATCH (p:Person) WHERE p.in_register = false RETURN p.id_number AS k"
    assert store.read(literal) == [{"k": "a"}]


def test_resolution_columns_are_text_with_blanks_for_nulls(store: GraphStore) -> None:
    """Entity resolution's column read, through the store on either engine."""
    from graph.resolve.columns import columns

    store.write_batches(MERGE_PERSON, _people(4))
    ids, names, phones = columns(store, "Person", ("id_number", "name", "phone"))
    got = sorted(zip(ids, names, phones, strict=True))
    want = sorted((str(r["id"]), str(r["name"]), str(r["phone"] or "")) for r in _people(4))
    assert got == want
    assert columns(store, "Vehicle", ("plate",)) == [[]]


def test_read_only_refuses_writes(store: GraphStore) -> None:
    with pytest.raises(ReadOnlyViolation):
        store.read_only("CREATE (n:Person {id_number: 'evil'}) RETURN n")
    with pytest.raises(ReadOnlyViolation):
        store.read_only("MATCH (n) DETACH DELETE n")
    assert store.count("Person") == 0
    store.write("CREATE (:Person {id_number: 'a', name: '李四'})")
    assert store.read_only("MATCH (p:Person) RETURN p.name AS n", row_limit=5) == [{"n": "李四"}]


def test_fulltext_finds_chinese_words(store: GraphStore) -> None:
    # Word search in longer Chinese text. Person names are searched by exact / prefix /
    # pinyin instead: FalkorDB's Chinese segmenter splits names unpredictably (docs/engines.md).
    store.write_batches(
        "UNWIND $rows AS row MERGE (c:Contract {contract_id: row.k}) SET c.project_name = row.n",
        [
            {"k": "c1", "n": "大塘村安全饮水工程"},
            {"k": "c2", "n": "道路硬化工程"},
            {"k": "c3", "n": "危房改造项目"},
        ],
    )
    deadline = time.monotonic() + 10
    keys: set[str] = set()
    while time.monotonic() < deadline and not keys:  # Neo4j fills full-text indexes async
        keys = {r["node"]["key"] for r in store.fulltext("Contract", "饮水")}
        time.sleep(0.2)
    assert keys == {"c1"}
    assert {r["node"]["key"] for r in store.fulltext("Contract", "工程")} == {"c1", "c2"}


def test_health_reports_engine_and_version(store: GraphStore) -> None:
    h = store.health()
    assert h.ok
    assert h.engine == store.engine
    assert h.version


def test_kill_minus_nine_loses_no_acknowledged_write(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    engine = EmbeddedEngine(tmp_path_factory.mktemp("killed"))
    engine.start(owned=True)
    try:
        st = FalkorStore(engine, "durability")
        st.ensure_schema()
        st.ensure_schema()  # idempotent: nothing is re-issued, nothing replays as an error
        st.write_batches(MERGE_PERSON, _people(2000), batch_size=500)
        st.write(
            "MATCH (p:Person {id_number: $k}) SET p.name = '最后一笔'", {"k": _people(1)[0]["id"]}
        )
        st.close()
        pid = engine.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        while engine.pid() is not None:
            time.sleep(0.05)
        engine.start(owned=True)
        st = FalkorStore(engine, "durability")
        assert st.count("Person") == 2000
        got = st.read(
            "MATCH (p:Person {id_number: $k}) RETURN p.name AS n", {"k": _people(1)[0]["id"]}
        )
        assert got == [{"n": "最后一笔"}]
        st.close()
    finally:
        engine.stop()


def test_clean_stop_compacts_and_restart_keeps_everything(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    engine = EmbeddedEngine(tmp_path_factory.mktemp("restart"))
    engine.start(owned=True)
    try:
        st = FalkorStore(engine, "restart")
        st.ensure_schema()
        st.write_batches(MERGE_PERSON, _people(3000), batch_size=500)
        st.close()
        assert engine.stop()
        incr = list((engine.dir / "appendonlydir").glob("*.incr.aof"))
        # Compacted at stop: the writes live in the snapshot, not as queries to replay.
        assert all(p.stat().st_size < 10_000 for p in incr), [p.stat().st_size for p in incr]
        engine.start(owned=True)
        st = FalkorStore(engine, "restart")
        assert st.count("Person") == 3000
        assert "Index" in st.explain("MATCH (p:Person {id_number: $k}) RETURN p", {"k": "x"})
        st.close()
    finally:
        engine.stop()


def test_engine_refuses_a_second_server_on_its_socket(embedded_server: EmbeddedEngine) -> None:
    twin = EmbeddedEngine(embedded_server.dir)
    assert twin.is_running()  # same data dir, same pid file: it is the same server
    twin.start()  # a no-op, not a second process
    assert twin.pid() == embedded_server.pid()
