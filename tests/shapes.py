"""The types of what tests/conftest.py's shared fixtures hand out, for annotations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.store import GraphStore

#: ``open_engine(engine, graph)``: a store on a named graph of either engine.
OpenEngine = Callable[[str, str], GraphStore]
#: A generated county: its folder and its ``truth.json``.
County = tuple[Path, dict[str, Any]]
#: ``synthetic_county(persons, seed)``.
MakeCounty = Callable[[int, int], County]
