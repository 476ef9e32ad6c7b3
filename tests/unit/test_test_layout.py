"""The test suite imports its helpers as packages and keeps module basenames unique.

A bare ``from harness import …`` works only when pytest happens to have put that folder
on ``sys.path`` first, and two test files with one basename collide when the suite runs
as a whole (``import file mismatch``) though each passes alone.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
HELPERS = {p.stem for p in TESTS.rglob("*.py") if not p.name.startswith("test_")}


def test_helpers_are_imported_as_packages() -> None:
    bare = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            bare += [f"{path.relative_to(TESTS)}: {n}" for n in names if n in HELPERS]
    assert not bare, f"import these through the tests package: {bare}"


def test_test_module_basenames_are_unique() -> None:
    counts = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [n for n, c in counts.items() if c > 1] == []
