"""The API writes no Cypher of its own (docs/layers.md): what it reads and writes in the
graph is a function in ``graph.queries``. This scans every string literal under ``api/``
(docstrings aside: they may quote Cypher as an example) for Cypher clauses, and fails on
any outside the few places allowed to hold them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"

# Clause keywords as written in the graph's queries (upper case); SQL shares CREATE, so
# the trigger DDL is allowed by its text below.
CYPHER = re.compile(
    r"\b(?:OPTIONAL\s+MATCH|MATCH|MERGE|CREATE|UNWIND|DETACH\s+DELETE|DELETE|REMOVE|"
    r"RETURN|CALL\s+[a-z]|WITH\s+\w+\s*(?:,|AS|ORDER|WHERE))\b"
)

# (file under api/, the start of the literal allowed there, why)
ALLOWED = [
    # The /query endpoint's example request in the OpenAPI document.
    ("inputs.py", "MATCH (p:Person)-[:OWNS]->(v:Vehicle) RETURN p, v LIMIT 10"),
    # The append-only triggers of the audit and triage tables: SQL, not Cypher.
    ("db.py", "CREATE TRIGGER IF NOT EXISTS"),
    ("db.py", "CREATE OR REPLACE FUNCTION guanxi_append_only()"),
    ("db.py", "CREATE TRIGGER {t}_no_{op}"),
]


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                out.add(id(body[0].value))
    return out


def _literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal but docstrings; an f-string is its literal
    parts joined, its fields as ``{}``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    inner: set[int] = set()
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                inner.add(id(v))
                parts.append(v.value if isinstance(v, ast.Constant) else "{}")
            out.append((node.lineno, "".join(str(p) for p in parts)))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and id(node) not in inner
        ):
            out.append((node.lineno, node.value))
    return out


def cypher_in_api() -> list[str]:
    found = []
    for path in sorted(API.rglob("*.py")):
        rel = path.relative_to(API).as_posix()
        for line, text in _literals(path):
            if not CYPHER.search(text):
                continue
            if any(rel == f and text.startswith(start) for f, start in ALLOWED):
                continue
            found.append(f"api/{rel}:{line}: {text[:80]!r}")
    return found


def test_the_api_writes_no_cypher_outside_the_allowed_places() -> None:
    found = cypher_in_api()
    assert not found, "Cypher belongs in graph.queries:\n" + "\n".join(found)


def test_the_scan_sees_cypher_in_plain_and_formatted_strings(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text(
        '"""MATCH (n) in a docstring is an example."""\n'
        "label = 'Person'\n"
        "a = ('MATCH (l:Lead {lead_id: $id}) '\n     'RETURN l')\n"
        "b = f'UNWIND $ids AS k MATCH (x:{label} {{k: k}}) RETURN x'\n"
        "c = 'the match was (n)'\n"
        "d = 'true AND l.score > $s'\n",
        encoding="utf-8",
    )
    hits = sorted(text for _, text in _literals(f) if CYPHER.search(text))
    assert hits == [
        "MATCH (l:Lead {lead_id: $id}) RETURN l",
        "UNWIND $ids AS k MATCH (x:{} {k: k}) RETURN x",
    ]
