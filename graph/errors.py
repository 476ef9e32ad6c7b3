"""One error hierarchy for guanxi; the API maps these to HTTP in one place (api/errors.py)."""

from __future__ import annotations


class GuanxiError(Exception):
    """Base of every error guanxi raises on purpose."""


class SchemaError(GuanxiError):
    """The schema, or something checked against it, is inconsistent."""


class InvalidValue(GuanxiError, ValueError):
    """A value (identifier, date, amount) failed validation.

    ``reason`` is a short machine-readable code (``bad_check_char``) and the message says
    it in words, so a rejects report can group by reason and still be read by a person.
    """

    def __init__(self, reason: str, message: str, value: object = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.value = value


class LoadError(GuanxiError):
    """A register row could not be loaded."""

    def __init__(self, register: str, row: int | None, column: str | None, reason: str) -> None:
        where = f"{register}" + (f" row {row}" if row is not None else "")
        where += f" column {column}" if column else ""
        super().__init__(f"{where}: {reason}")
        self.register = register
        self.row = row
        self.column = column
        self.reason = reason


class QueryError(GuanxiError):
    """A query failed; carries the Cypher text so the failure can be reproduced."""

    def __init__(self, message: str, query: str = "", pattern: str | None = None) -> None:
        text = message if not query else f"{message}\n\nQuery was:\n{query}"
        super().__init__(text)
        self.pattern = pattern
        self.query = query
        self.detail = message


class ReadOnlyViolation(QueryError):
    """A query offered as read-only would write."""


class QueryTimeout(QueryError):
    """A query ran past its time limit."""


class QueryMemoryExceeded(QueryError):
    """A query needed more memory than the engine allows one query (or the graph)."""


class NotFound(GuanxiError):
    """The entity, finding or pattern asked for does not exist."""


class EngineUnavailable(GuanxiError):
    """The graph engine cannot be reached or started."""


class Unsupported(GuanxiError):
    """The engine in use cannot do what was asked."""


class LoadFailed(GuanxiError):
    """A load stopped before it finished.

    ``partial`` is False when it was refused before writing anything (the graph is as it
    was) and True when it stopped after writing began (the graph is marked partially
    loaded until a complete load finishes). ``exit_code`` is what ``guanxi load`` exits
    with: 2 refused, 3 partial.
    """

    def __init__(self, message: str, *, partial: bool) -> None:
        super().__init__(message)
        self.partial = partial

    @property
    def exit_code(self) -> int:
        return 3 if self.partial else 2
