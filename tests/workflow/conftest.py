"""Fixtures of the workflow tests: ``db`` is a fresh database on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.db import Database
from tests.workflow.wfdata import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    d = fresh_database(request.param, tmp_path)
    yield d
    d.dispose()
