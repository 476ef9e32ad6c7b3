"""The /query gate read as the engine reads Cypher: quoted names, strings, comments, depth."""

from __future__ import annotations

import pytest

from api.errors import BadRequest, Forbidden
from api.services.query import MAX_DEPTH, check_shape, vet


@pytest.mark.parametrize(
    "cypher",
    [
        "CALL `algo.pageRank`(NULL, NULL)",
        "CALL `algo`.`pageRank`(NULL, NULL)",
        "call\n`algo`\n.\n`BFS`(1, 2, 3)",
        "CALL/* db. */algo.pageRank(NULL, NULL)",
        "CALL `db.labels`() YIELD label CALL `algo.BFS`(1, 2, 3) YIELD nodes RETURN nodes",
        "CALL db.labels() YIELD label AS call CALL algo.BFS(1, 2, 3) YIELD nodes RETURN 1",
        "CALL `it's`.`x`()",
    ],
)
def test_every_spelling_of_a_procedure_outside_db_is_refused(cypher: str) -> None:
    with pytest.raises(Forbidden, match="procedure"):
        vet(cypher)


@pytest.mark.parametrize(
    "cypher",
    [
        "CALL `db`.`labels`() YIELD label RETURN label",
        "CALL db.idx.fulltext.queryNodes('Person', 'x') YIELD node RETURN node",
        "CALL { MATCH (n) RETURN n } RETURN count(n)",
        "RETURN {call: 1} AS m",
        "WITH 1 AS call RETURN call",
        "MATCH (n) RETURN n.call",
        "RETURN 'CALL algo.pageRank()' AS text",
    ],
)
def test_db_procedures_subqueries_and_the_word_call_pass(cypher: str) -> None:
    vet(cypher)


def test_a_quoted_name_cannot_hide_an_index_or_a_function() -> None:
    with pytest.raises(Forbidden, match="dynamic property"):
        vet("MATCH (n) WITH n AS `in` RETURN `in`[$k]")
    with pytest.raises(Forbidden, match="toJSON"):
        vet("MATCH (n) RETURN `toJSON`(n)")


def test_the_issue_probes_are_refused_up_front() -> None:
    with pytest.raises(BadRequest, match="nested 26 deep"):
        check_shape("RETURN " + "(" * 26 + "3" + ")" * 26)
    with pytest.raises(BadRequest, match="range"):
        check_shape("UNWIND range(1, 10000000000) AS x RETURN count(x)")


@pytest.mark.parametrize(
    ("cypher", "params"),
    [
        ("UNWIND range(1, $n) AS x RETURN x", {"n": 20_000_000}),
        ("UNWIND range(-5, 20000000, 1) AS x RETURN x", {}),
        ("RETURN size(RANGE ( 0 , 99999999 ))", {}),
    ],
)
def test_ranges_too_long_are_refused(cypher: str, params: dict[str, int]) -> None:
    with pytest.raises(BadRequest, match="range"):
        check_shape(cypher, params)


@pytest.mark.parametrize(
    ("cypher", "params"),
    [
        ("UNWIND range(1, 10000000) AS x RETURN count(x)", {}),
        ("UNWIND range(1, 100000000, 100) AS x RETURN count(x)", {}),
        ("UNWIND range(1, $n) AS x RETURN x", {"n": "many"}),
        ("RETURN n.range(1, 99999999999)", {}),
    ],
)
def test_ranges_within_the_limit_or_unknown_pass(cypher: str, params: dict[str, object]) -> None:
    check_shape(cypher, params)


def test_depth_counts_code_only() -> None:
    check_shape("RETURN '" + "(" * 50 + "' AS s // " + "[" * 50)
    check_shape("RETURN 1 AS `" + "{" * 50 + "`")
    check_shape("RETURN " + "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)
    with pytest.raises(BadRequest):
        check_shape("RETURN " + "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1))
    # An unclosed string runs to the end, as the engine reads it.
    check_shape("RETURN '" + "(" * 50)


def test_many_nested_groups_add_up() -> None:
    chain = "abs(" * 9 + "1" + ")" * 9
    check_shape("RETURN " + " + ".join([chain] * 5))
    with pytest.raises(BadRequest, match="too complex"):
        check_shape("RETURN " + " + ".join([chain] * 40))
