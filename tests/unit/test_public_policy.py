"""The publication policy as declared: nothing identifier or confidential may be published,
every public query's every column has a rule, names are masked, free text is scrubbed; and
the workflow database gains the new nullable columns on an existing file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from api.db import Database
from graph import schema as sch
from public import policy as P
from public.queries import ALL_QUERIES


def test_nothing_identifier_or_confidential_is_declared() -> None:
    for label, props in P.POLICY.items():
        for prop in props:
            assert sch.privacy_of(label, prop) in (sch.Privacy.PUBLIC, sch.Privacy.PERSONAL)


def test_the_check_refuses_an_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(P.POLICY, "Person", {"name": P.MASK, "id_number": P.SHOW})
    with pytest.raises(AssertionError, match="identifier"):
        P._check()


def test_every_query_column_has_a_rule() -> None:
    for q in ALL_QUERIES:
        for name, col in q.columns.items():
            if col.label_from:
                continue  # a person or an enterprise: both have a rule for name
            assert col.label is not None
            assert P.rule(col.label, col.prop) is not None, (name, col)
            assert f"AS {name}" in q.cypher


def test_a_column_without_a_rule_is_refused() -> None:
    cols = {"name": P.Col("name", "Person")}
    with pytest.raises(AssertionError, match="no publication rule"):
        P.present([{"name": "张三", "id_number": "430428199001011234"}], cols, P.Audience.NOTICE)


def test_own_only_values_are_withheld_from_the_notice() -> None:
    cols = {"year": P.Col("year", "StudentAid"), "who": P.Col("name", "Person")}
    row = [{"year": "2023-2024", "who": "张小三"}]
    assert P.present(row, cols, P.Audience.NOTICE) == [{"year": None, "who": "张*三"}]
    assert P.present(row, cols, P.Audience.OWN) == [{"year": "2023-2024", "who": "张*三"}]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("付430428199001011234工资", "付***工资"),
        ("电话 138-1234-5678", "电话 ***"),
        ("户名 6222 0200 1234 5678", "户名 ***"),
        ("91430428MAHTFA700M 代付", "*** 代付"),
        ("湘D12345 车辆维修", "*** 车辆维修"),
        ("2023-01-15 会议误餐 3人", "2023-01-15 会议误餐 3人"),
        ("竹林村8组道路硬化工程 2.4公里", "竹林村8组道路硬化工程 2.4公里"),
    ],
)
def test_free_text_is_scrubbed_of_identifiers(raw: str, shown: str) -> None:
    assert P.scrub(raw) == shown


def test_an_older_database_gains_public_outcome(tmp_path: Path) -> None:
    """Regression: create_all made missing tables only, so a database from before the
    public site kept a cases table without public_outcome and closing a case failed."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    Database(url).create()
    old = create_engine(url)
    with old.begin() as conn:
        conn.execute(text("ALTER TABLE cases DROP COLUMN public_outcome"))
    assert "public_outcome" not in {c["name"] for c in inspect(old).get_columns("cases")}
    Database(url).create()
    assert "public_outcome" in {c["name"] for c in inspect(old).get_columns("cases")}
    old.dispose()
