"""Shared by the workflow tests: the two database backends and a few actors.

SQLite (a file) and a real PostgreSQL (tools/postgres/with-postgres.sh exports
GUANXI_TEST_POSTGRES_URL; `make test` runs it). With CI=true a PostgreSQL test that
cannot run fails instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.db import Base, Database
from api.policy import Role
from api.workflow.rules import Actor

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgres"]


def postgres_url() -> str:
    url = os.environ.get("GUANXI_TEST_POSTGRES_URL")
    if not url:
        reason = os.environ.get("GUANXI_TEST_POSTGRES_SKIP_REASON") or (
            "PostgreSQL not configured: GUANXI_TEST_POSTGRES_URL is unset "
            "(tools/postgres/with-postgres.sh, run by make test, starts one)"
        )
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return url


def fresh_database(backend: str, tmp: Path) -> Database:
    if backend == "sqlite":
        db = Database(f"sqlite:///{tmp / 'workflow.db'}")
    else:
        db = Database(postgres_url())
        import api.workflow.models  # noqa: F401  (their tables are dropped too)

        Base.metadata.drop_all(db.engine)
    db.create()
    return db


COUNTY_A, COUNTY_B, CITY = "430422", "430423", "4304"
A_HANDLER = Actor("li", Role.INVESTIGATOR, (COUNTY_A,))
A_OTHER = Actor("zhou", Role.INVESTIGATOR, (COUNTY_A,))
B_HANDLER = Actor("wu", Role.INVESTIGATOR, (COUNTY_B,))
CITY_APPROVER = Actor("chen", Role.INVESTIGATOR, (CITY,))
CITY_OTHER = Actor("qian", Role.INVESTIGATOR, (CITY,))
ANALYST = Actor("an", Role.ANALYST, (CITY,))
