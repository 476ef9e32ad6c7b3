"""Vetting analysts' Cypher (``POST /query``) beyond "it must not write".

Writes are refused by the store (``read_only``: EXPLAIN + read transaction on Neo4j,
``GRAPH.RO_QUERY`` on FalkorDB). Two more rules keep the API's other promises:

- **Scope.** Free Cypher cannot be confined to a division: a ``WHERE`` on another
  county's person leaks through a count or through which rows come back, however the rows
  are filtered afterwards. So ``/query`` runs only for callers whose scope covers every
  division in the graph (admins with all divisions, or a city analyst whose prefix covers
  every county loaded); others get 403.
- **Whistleblowers.** The reporter's identity must not be readable through Cypher. Text
  naming a confidential property is refused, as is every way to reach a property by a
  computed name (``n[$k]``, ``n['rep' + 'orter_name']``), ``toJSON`` and procedures
  outside ``db.*`` (no ``apoc``). ``properties(n)`` and map projections are allowed: maps
  and nodes in the result lose their confidential keys before they are returned.

>>> vet("MATCH (c:Complaint) RETURN c.reporter_name")
Traceback (most recent call last):
...
api.errors.Forbidden: the query names a confidential property (reporter_name)
>>> vet("MATCH (n) RETURN labels(n)[0], collect(n)[..3], n.name")
>>> vet("MATCH (c) RETURN c[$k]")
Traceback (most recent call last):
...
api.errors.Forbidden: dynamic property access (x[...]) is not allowed in /query
"""

from __future__ import annotations

import re
import threading
import time

from api.errors import Forbidden
from api.present import CONFIDENTIAL_NAMES
from api.scope import Scope
from graph.queries.lookup import county_codes
from graph.store import GraphStore

# An unclosed /* runs to the end; the possessive loop keeps long input linear.
_COMMENTS = re.compile(r"//[^\n]*|/\*(?:(?!\*/).)*+(?:\*/)?", re.S)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
# An index after an expression ("x[...]") is only allowed with integer literals and slices.
# (Matches start at word starts and never backtrack, so long input stays linear.)
_INDEX = re.compile(r"((?<!\w)\w++|[`)\]}])\s*+\[")
_LITERAL_INDEX = re.compile(r"\s*-?\d*\s*(?:\.\.\s*-?\d*\s*)?\]")
_KEYWORDS = frozenset(
    [
        "return",
        "with",
        "unwind",
        "in",
        "where",
        "and",
        "or",
        "xor",
        "not",
        "case",
        "when",
        "then",
        "else",
        "as",
        "set",
        "by",
        "distinct",
        "order",
        "skip",
        "limit",
        "match",
        "optional",
        "create",
        "merge",
        "delete",
        "detach",
        "remove",
        "yield",
        "call",
        "union",
        "all",
        "any",
        "none",
        "single",
        "exists",
        "contains",
        "starts",
        "ends",
        "is",
        "null",
        "on",
    ]
)
_FORBIDDEN_CALLS = re.compile(r"\b(apoc|tojson|gds\.\w+\.write|load\s+csv)\b", re.I)
_CALL = re.compile(r"\bcall\s+([\w.]+)", re.I)


def vet(cypher: str) -> None:
    """Refuse Cypher that could read a confidential property; return None if it passes."""
    bare = re.sub(r"[`\s]", "", _COMMENTS.sub(" ", cypher)).lower()
    named = sorted(n for n in CONFIDENTIAL_NAMES if n.lower() in bare)
    if named or "reporter" in bare:
        raise Forbidden(
            f"the query names a confidential property ({', '.join(named) or 'reporter'})"
        )
    code = _STRINGS.sub("''", _COMMENTS.sub(" ", cypher))
    for m in _INDEX.finditer(code):
        if m.group(1).lower() in _KEYWORDS:
            continue  # a list literal or comprehension, not an index
        if not _LITERAL_INDEX.match(code, m.end()):
            raise Forbidden("dynamic property access (x[...]) is not allowed in /query")
    if _FORBIDDEN_CALLS.search(code):
        raise Forbidden("apoc, toJSON, LOAD CSV and writing procedures are not allowed in /query")
    for proc in _CALL.findall(code):
        if not proc.lower().startswith("db."):
            raise Forbidden(f"procedure {proc} is not allowed in /query")


class Coverage:
    """Whether a scope covers every division code in the graph (cached for a while)."""

    def __init__(self, store: GraphStore, ttl: float = 600.0) -> None:
        self.store = store
        self.ttl = ttl
        self._codes: frozenset[str] = frozenset()
        self._at = -1e9
        self._lock = threading.Lock()

    def codes(self) -> frozenset[str]:
        with self._lock:
            if time.monotonic() - self._at > self.ttl:
                self._codes = frozenset(county_codes(self.store))
                self._at = time.monotonic()
            return self._codes

    def covers(self, scope: Scope) -> bool:
        if scope.unrestricted:
            return True
        # A code is covered when it starts with a prefix; a prefix longer than six digits
        # covers only part of a county, so it never covers the graph.
        return all(any(c.startswith(p) for p in scope.prefixes) for c in self.codes())
