"""Unknown columns of a register with confidential columns stay out of the graph.

The loaders keep a column the contract does not know as an ``x_<header>`` property. On
complaints that made an extra reporter column (``举报人身份证``, ``举报人地址``) a property
of the Complaint node, readable by every analyst through ``/query``. Such columns now go
to the sealed store with the reporter, and the load report says so.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from graph.store.sealed import seal_graph
from tests.api.test_api_sealed import MINI, PROBES, Loaded, loaded_fixture

EXTRA_ID = "430422199001019999"
EXTRA_ADDRESS = "衡南县车江镇秘密路7号"
EXTRAS = ("举报人身份证", "举报人地址")
SEALED_NAMES = ["x_举报人身份证", "x_举报人地址"]


def _folder(tmp: Path) -> Path:
    """The mini county, its complaints.csv with two reporter columns it does not know."""
    folder = tmp / "mini"
    shutil.copytree(MINI, folder, ignore=shutil.ignore_patterns("_load"))
    path = folder / "complaints.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[0] += list(EXTRAS)
    for i, row in enumerate(rows[1:], start=1):
        row += [EXTRA_ID if i == 1 else "", f"{EXTRA_ADDRESS}-{i}"]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


def _leaks(text: str) -> list[str]:
    return [s for s in (EXTRA_ID, EXTRA_ADDRESS) if s in text]


loaded = loaded_fixture("sealed_extras", _folder)


@pytest.mark.parametrize("user", ["analyst", "admin"])
@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (c:Complaint) RETURN properties(c) AS p, keys(c) AS k, c",
        "MATCH (c:Complaint) RETURN c.`x_举报人身份证` AS id, c.`x_举报人地址` AS a",
        *PROBES,
    ],
)
def test_query_finds_no_extra_reporter_column(loaded: Loaded, user: str, cypher: str) -> None:
    r = loaded.query(user, cypher)
    assert r.status_code in (200, 400), r.text
    assert not _leaks(r.text), (cypher, r.text)
    if "`x_" in cypher:
        assert r.status_code == 200, r.text
        assert all(v is None for row in r.json()["rows"] for v in row.values()), r.text
    else:
        assert "x_举报人" not in r.text


def test_the_report_says_where_the_extra_columns_went(loaded: Loaded) -> None:
    report, sealed = loaded.report, loaded.sealed
    rep = report.register("complaints")
    assert rep.extra_columns == SEALED_NAMES
    assert rep.sealed_extra_columns == SEALED_NAMES
    assert report.to_json()["registers"]["complaints"]["sealed_extra_columns"] == SEALED_NAMES
    # Another register's unknown columns are not confidential: they stay in the graph.
    persons = report.register("persons")
    assert persons.extra_columns == ["x_备注"]
    assert not persons.sealed_extra_columns
    held = sealed.get("Complaint", ["TS001", "TS002"])
    assert held["TS001"]["x_举报人身份证"] == EXTRA_ID
    assert held["TS002"]["x_举报人地址"] == f"{EXTRA_ADDRESS}-2"
    assert "x_举报人身份证" not in held["TS002"]  # a blank cell is not stored


def test_the_graph_holds_no_extra_reporter_column(loaded: Loaded) -> None:
    rows = loaded.store.read("MATCH (c:Complaint) RETURN properties(c) AS p")
    assert rows
    assert not _leaks(repr(rows))
    assert not any(k.startswith("x_") for r in rows for k in r["p"])


def test_seal_graph_moves_extras_an_earlier_load_left(loaded: Loaded) -> None:
    sealed, store = loaded.sealed, loaded.store
    store.write(
        "MERGE (c:Complaint {complaint_id: 'TSOLD'}) SET c += $props",
        {"props": {"x_举报人身份证": "430422198812120000", "x_备注": "旧", "summary": "旧数据"}},
    )
    try:
        assert seal_graph(store, sealed) == 1
        p = store.read("MATCH (c:Complaint {complaint_id: 'TSOLD'}) RETURN properties(c) AS p")
        assert p[0]["p"]["summary"] == "旧数据"
        assert not any(k.startswith("x_") for k in p[0]["p"])
        assert sealed.get("Complaint", ["TSOLD"])["TSOLD"] == {
            "x_举报人身份证": "430422198812120000",
            "x_备注": "旧",
        }
        assert seal_graph(store, sealed) == 0
    finally:
        store.write("MATCH (c:Complaint {complaint_id: 'TSOLD'}) DETACH DELETE c")
