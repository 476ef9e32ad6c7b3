"""The sealed store keeps property names and node keys of any length, on SQLite and on
PostgreSQL (tools/postgres/with-postgres.sh).

An unknown column of a register with confidential columns is sealed under its header
(``x_<header>``), and a header is whatever the register's author typed: a long one made
the row too long for the name column on PostgreSQL and the load failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, inspect

from graph import schema as sch
from graph.store.sealed import SealedStore
from tests.workflow.wfdata import postgres_url

LONG_HEADER = (
    "举报人补充说明（由举报人本人填写，包括其家庭住址、工作单位、联系方式及其他身份信息）" * 4
)
LONG_NAME = sch.EXTRA_PREFIX + LONG_HEADER
LONG_KEY = "JB-" + "9" * 400


def _url(backend: str, tmp: Path) -> str:
    return f"sqlite:///{tmp / 'sealed.db'}" if backend == "sqlite" else postgres_url()


def _drop(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS sealed_values")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = _url(request.param, tmp_path)
    _drop(url)
    yield url
    _drop(url)


def test_long_names_and_keys_are_stored_and_read_back(url: str) -> None:
    assert len(LONG_NAME) > 64
    assert len(LONG_KEY) > 200
    s = SealedStore(url)
    try:
        assert s.put([("Complaint", LONG_KEY, {LONG_NAME: "秘密", "reporter_name": "王某"})]) == 2
        assert s.get("Complaint", [LONG_KEY]) == {
            LONG_KEY: {LONG_NAME: "秘密", "reporter_name": "王某"}
        }
    finally:
        s.close()


def test_a_table_made_with_bounded_columns_is_widened(url: str) -> None:
    """A database kept from a version that declared String(64) / String(200)."""
    engine = create_engine(url)
    old = Table(
        "sealed_values",
        MetaData(),
        Column("label", String(64), primary_key=True),
        Column("node_key", String(200), primary_key=True),
        Column("name", String(64), primary_key=True),
        Column("value", Text, nullable=False),
        Column("stored_at", String(40), nullable=False),
    )
    old.create(engine)
    with engine.begin() as conn:
        conn.execute(old.insert(), [{"label": "Complaint", "node_key": "JB1",
                                     "name": "reporter_name", "value": "王某",
                                     "stored_at": "2026-01-01T00:00:00+00:00"}])  # fmt: skip
    engine.dispose()
    s = SealedStore(url)
    try:
        assert s.put([("Complaint", LONG_KEY, {LONG_NAME: "秘密"})]) == 1
        assert s.get("Complaint", ["JB1", LONG_KEY]) == {
            "JB1": {"reporter_name": "王某"},
            LONG_KEY: {LONG_NAME: "秘密"},
        }
        cols = {c["name"]: c["type"] for c in inspect(s.engine).get_columns("sealed_values")}
        if s.engine.dialect.name == "sqlite":
            return  # SQLite keeps the declared VARCHAR(n) and never enforces it
        assert getattr(cols["name"], "length", None) is None
        assert getattr(cols["node_key"], "length", None) is None
    finally:
        s.close()
