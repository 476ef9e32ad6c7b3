"""Every pattern in the library, on both engines, against its own fixture file.

Adding a pattern is dropping a ``.cypher`` file in ``graph/queries/patterns``; this module
then requires ``tests/patterns/<id>.yaml`` with at least a positive case, a negative
look-alike and a time-window negative, and runs them on every engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.queries import library, run_pattern
from graph.queries.derive import derive_all
from graph.queries.findings import division_of
from graph.store import GraphStore

HERE = Path(__file__).parent
REQUIRED_KINDS = {"positive", "negative", "time_window"}


def _fixture(pattern_id: str) -> dict[str, Any]:
    path = HERE / f"{pattern_id}.yaml"
    assert path.exists(), f"pattern {pattern_id} has no fixture file {path.name}"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _cases() -> list[Any]:
    out = []
    for pid in library():
        if not (HERE / f"{pid}.yaml").exists():
            continue  # test_every_pattern_has_... reports the missing fixture
        fx = _fixture(pid)
        for i, case in enumerate(fx["cases"]):
            out.append(pytest.param(pid, i, id=f"{pid}-{case['kind']}-{i}"))
    return out


@pytest.mark.parametrize("pattern_id", list(library()))
def test_every_pattern_has_positive_negative_and_time_window_cases(pattern_id: str) -> None:
    kinds = {c["kind"] for c in _fixture(pattern_id)["cases"]}
    assert kinds >= REQUIRED_KINDS, f"{pattern_id} lacks {REQUIRED_KINDS - kinds}"


def _statements(text: str | list[str] | None) -> list[str]:
    if not text:
        return []
    parts = text if isinstance(text, list) else text.split("\n;\n")
    return [p.strip().rstrip(";") for p in parts if p.strip()]


@pytest.mark.parametrize(("pattern_id", "index"), _cases())
def test_pattern_case(store: GraphStore, pattern_id: str, index: int) -> None:
    fx = _fixture(pattern_id)
    case = fx["cases"][index]
    for stmt in _statements(fx.get("base")) + _statements(case.get("setup")):
        store.write(stmt)
    derive_all(store)
    found = run_pattern(store, pattern_id, case.get("params"), as_of=case.get("as_of"))
    got = sorted(sorted(f.subjects) for f in found)
    want = sorted(sorted(str(s) for s in e) for e in case.get("expect") or [])
    assert got == want, f"{case['name']}: {[f.explanation for f in found]}"
    for f in found:
        assert f.explanation
        assert "{" not in f.explanation
        assert "（未知）" not in f.explanation, f.explanation
        keys = {str(n["key"]) for n in f.evidence["nodes"]}
        assert set(f.subjects) <= keys, "every subject must be in the evidence"
        for rel in f.evidence["relationships"]:
            assert rel["start"] is not None, "relationship endpoints must be resolved"
            assert rel["end"] is not None
    if case.get("division_code"):
        assert [division_of(f) for f in found] == [case["division_code"]] * len(found)
    if case.get("explanation_contains"):
        for needle in case["explanation_contains"]:
            assert any(str(needle) in f.explanation for f in found), (needle, found)
