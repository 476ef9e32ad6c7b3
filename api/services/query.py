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

Procedure names are read as the engine reads them, quoted or not:

>>> vet("CALL `algo.pageRank`(NULL, NULL)")
Traceback (most recent call last):
...
api.errors.Forbidden: procedure algo.pageRank is not allowed in /query

Beyond what a query may read, :func:`check_shape` bounds what it may cost the engine before
it runs (FalkorDB spends time exponential in the nesting depth before its timeout starts),
and :class:`AnalystSlots` how many analysts' queries run at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from api.errors import BadRequest, Forbidden, RateLimited
from api.present import CONFIDENTIAL_NAMES
from api.scope import Scope
from graph.queries.lookup import county_codes
from graph.store import GraphStore

# An unclosed /* runs to the end; the possessive loop keeps long input linear.
_COMMENTS = re.compile(r"//[^\n]*|/\*(?:(?!\*/).)*+(?:\*/)?", re.S)
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
# After CALL: a subquery (``{`` or ``(vars) {``) or a procedure name, whose parts may be
# quoted (masked to ``0qN_`` by :func:`_lex`) and separated by dots with spaces around.
# The name is read ahead, not consumed, so that a CALL right after the word ``call`` used
# as a name (``... AS call CALL algo.x()``) is still seen.
_CALL = re.compile(r"(?<![\w.])call\b(?=\s*+(?![{(])(\w++(?:\s*+\.\s*+\w++)*+))?", re.I)
# A quoted name's stand-in starts with a digit: no unquoted name the engine accepts does.
_AS_BEFORE = re.compile(r"\bas\s*+$", re.I)
_QUOTED = re.compile(r"\b0q(\d+)_")
# One pass over the text, so that a quote inside a name, or a backtick inside a string,
# is read as the engine reads it. Unclosed tokens run to the end; the possessive loops
# keep long input linear.
_TOKEN = re.compile(
    r"(?P<comment>//[^\n]*+|/\*(?:(?!\*/).)*+(?:\*/)?)"
    r"|(?P<string>'(?:[^'\\]|\\.)*+'?|\"(?:[^\"\\]|\\.)*+\"?)"
    r"|(?P<name>`(?:[^`]|``)*+`?)",
    re.S,
)

# What one query may cost before it runs. FalkorDB's parse and plan time doubles with each
# level of brackets (measured: 16 levels 0.5-1 s, 24 levels 2 minutes, for (, [ and {
# alike, and siblings add up), and its timeout counts only execution. A bracket at depth d
# costs 2**d units; ~10 us each measured. The 19 patterns reach depth 6 and 742 units.
MAX_DEPTH = 12
MAX_COST = 20_000
# range() builds its whole list at once, before the engine checks the query's memory.
MAX_RANGE = 10_000_000
_RANGE = re.compile(r"(?<![\w.$])range\s*+\(", re.I)
_INT = re.compile(r"\s*([+-]?\d+)\s*")
_PARAM = re.compile(r"\s*\$(\w+)\s*")


@dataclass
class Lexed:
    """Cypher with comments blanked, strings emptied and quoted names replaced by
    ``0qN_`` (``names[N]`` holds each unquoted), so brackets and words are real code."""

    code: str
    names: list[str] = field(default_factory=list)

    def unquote(self, text: str) -> str:
        def name(m: re.Match[str]) -> str:
            i = int(m.group(1))
            return self.names[i] if i < len(self.names) else m.group(0)

        return _QUOTED.sub(name, text)


def _lex(cypher: str) -> Lexed:
    out = Lexed("")
    parts: list[str] = []
    at = 0
    for m in _TOKEN.finditer(cypher):
        parts.append(cypher[at : m.start()])
        at = m.end()
        if m.group("comment") is not None:
            parts.append(" ")
        elif m.group("string") is not None:
            parts.append("''")
        else:
            raw = m.group("name")
            body = raw[1:-1] if len(raw) > 1 and raw.endswith("`") else raw[1:]
            parts.append(f" 0q{len(out.names)}_ ")
            out.names.append(body.replace("``", "`"))
    parts.append(cypher[at:])
    out.code = "".join(parts)
    return out


def check_shape(cypher: str, params: Mapping[str, Any] | None = None) -> None:
    """Refuse (400) Cypher that would cost the engine more than any timeout can stop.

    >>> check_shape("RETURN " + "(" * 26 + "3" + ")" * 26)
    Traceback (most recent call last):
    ...
    api.errors.BadRequest: brackets nested 26 deep; /query allows 12 levels of (, [ and {
    >>> check_shape("UNWIND range(1, $n) AS x RETURN count(x)", {"n": 10**10})
    Traceback (most recent call last):
    ...
    api.errors.BadRequest: range() of 10,000,000,000 values; /query allows 10,000,000
    """
    code = _lex(cypher).code
    depth = deepest = cost = 0
    for ch in code:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
            cost += 1 << min(depth, 62)
        elif ch in ")]}":
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        raise BadRequest(
            f"brackets nested {deepest} deep; /query allows {MAX_DEPTH} levels of (, [ and {{"
        )
    if cost > MAX_COST:
        raise BadRequest(
            "the query is too complex to plan in time (too many nested brackets); "
            "split it or use parameters"
        )
    for m in _RANGE.finditer(code):
        n = _range_size(code, m.end(), params or {})
        if n is not None and n > MAX_RANGE:
            raise BadRequest(f"range() of {n:,} values; /query allows {MAX_RANGE:,}")


def _range_size(code: str, start: int, params: Mapping[str, Any]) -> int | None:
    """How many values ``range(...)`` at ``start`` yields, when its bounds are integer
    literals or parameters (None when they are expressions: the engine's limits hold)."""
    args: list[str] = []
    depth, at = 0, start
    for i in range(start, len(code)):
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                args.append(code[at:i])
                break
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(code[at:i])
            at = i + 1
    else:
        return None
    values = [_int_value(a, params) for a in args]
    if len(values) < 2 or values[0] is None or values[1] is None:
        return None
    step = values[2] if len(values) > 2 else 1
    step = step or 1 if step is not None else 1  # an unknown step may be 1: the worst case
    return max(0, (values[1] - values[0]) // step + 1)


def _int_value(arg: str, params: Mapping[str, Any]) -> int | None:
    if m := _INT.fullmatch(arg):
        return int(m.group(1))
    if (m := _PARAM.fullmatch(arg)) and isinstance(params.get(m.group(1)), int):
        return int(params[m.group(1)])
    return None


def vet(cypher: str) -> None:
    """Refuse Cypher that could read a confidential property; return None if it passes."""
    bare = re.sub(r"[`\s]", "", _COMMENTS.sub(" ", cypher)).lower()
    named = sorted(n for n in CONFIDENTIAL_NAMES if n.lower() in bare)
    if named or "reporter" in bare:
        raise Forbidden(
            f"the query names a confidential property ({', '.join(named) or 'reporter'})"
        )
    lexed = _lex(cypher)
    code = lexed.code
    for m in _INDEX.finditer(code):
        if m.group(1).lower() in _KEYWORDS:
            continue  # a list literal or comprehension, not an index
        if not _LITERAL_INDEX.match(code, m.end()):
            raise Forbidden("dynamic property access (x[...]) is not allowed in /query")
    if _FORBIDDEN_CALLS.search(lexed.unquote(code)):
        raise Forbidden("apoc, toJSON, LOAD CSV and writing procedures are not allowed in /query")
    for m in _CALL.finditer(code):
        if m.group(1) is None or _AS_BEFORE.search(code, max(0, m.start() - 40), m.start()):
            # No name follows (quoted names are words here): the word as a map key or a
            # variable, not a procedure call.
            continue
        proc = lexed.unquote(re.sub(r"\s+", "", m.group(1)))
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


class AnalystSlots:
    """At most ``size`` analysts' queries (``/query``, pattern runs) on the engine at once,
    across every API process sharing the data directory; the rest wait their turn.

    The embedded engine runs two queries at a time (one per core); two long analyst
    queries used to take both, and interactive requests (search, expand) waited behind
    them. With one slot, one engine thread stays free for them. A slot is a lock on a
    file, so a process that dies holding one frees it.
    """

    def __init__(self, directory: Path, size: int) -> None:
        self.dir = directory
        self.size = max(1, size)
        self.dir.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def hold(self, wait: float) -> Iterator[float]:
        """Hold a slot; yields the seconds spent waiting. 429 after ``wait`` seconds."""
        t0 = time.monotonic()
        handle = self._take(t0 + wait)
        if handle is None:
            raise RateLimited(
                f"{self.size} analyst quer{'y is' if self.size == 1 else 'ies are'} already "
                f"running and none finished within {wait:.0f}s; try again shortly",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        try:
            yield time.monotonic() - t0
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def _take(self, deadline: float) -> IO[bytes] | None:
        while True:
            for i in range(self.size):
                f = (self.dir / f"slot-{i}.lock").open("ab")
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    f.close()
                    continue
                return f
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)
