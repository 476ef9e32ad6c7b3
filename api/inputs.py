"""Request bodies, with the checks that keep unstorable values away from the engines."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from graph.queries.findings import STATUSES

Status = Literal["new", "confirmed", "dismissed"]
assert set(STATUSES) == {"new", "confirmed", "dismissed"}  # the triage states of graph.queries

_INT64 = 2**63


def storable(value: Any, depth: int = 0) -> Any:
    """Refuse what no engine can store or a driver cannot send: lone surrogates in text,
    integers beyond 64 bits, non-finite floats, and nesting deeper than 20.

    >>> storable({"a": [1, "x"]})
    {'a': [1, 'x']}
    >>> storable(2**70)
    Traceback (most recent call last):
    ...
    ValueError: integer out of the 64-bit range
    """
    if depth > 20:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text is not valid Unicode (lone surrogate)") from None
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValueError("integer out of the 64-bit range")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
    elif isinstance(value, list):
        for v in value:
            storable(v, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            storable(k, depth + 1)
            storable(v, depth + 1)
    return value


Storable = AfterValidator(storable)


def parameter_names(params: dict[str, Any]) -> dict[str, Any]:
    """Cypher parameter names are identifiers: ``$name``.

    >>> parameter_names({"a_1": 1})
    {'a_1': 1}
    """
    for k in params:
        if not (k.isascii() and k.isidentifier()):
            raise ValueError(f"{k!r} is not a Cypher parameter name")
    return params


ParameterNames = AfterValidator(parameter_names)


class TriageIn(BaseModel):
    status: Status
    note: Annotated[str | None, Storable] = Field(None, max_length=4000)

    model_config = {
        "json_schema_extra": {"examples": [{"status": "confirmed", "note": "已核实，移送审查调查"}]}
    }


class RunIn(BaseModel):
    params: Annotated[dict[str, Any], Storable] = Field(default_factory=dict)
    as_of: Annotated[str | None, Storable] = Field(
        None, description="judge dates as of this day (YYYY-MM-DD)"
    )
    limit: int = Field(100, ge=1, le=1000)

    model_config = {"json_schema_extra": {"examples": [{"params": {"min_groups": 3}, "limit": 20}]}}


class QueryIn(BaseModel):
    cypher: Annotated[str, Storable] = Field(min_length=1, max_length=20_000)
    params: Annotated[dict[str, Any], Storable, ParameterNames] = Field(default_factory=dict)
    limit: int = Field(1000, ge=1, le=10_000)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "cypher": "MATCH (p:Person)-[:OWNS]->(v:Vehicle) RETURN p, v LIMIT 10",
                    "params": {},
                    "limit": 100,
                }
            ]
        }
    }


class JudgementIn(BaseModel):
    person: Annotated[str | None, Storable] = Field(
        None,
        max_length=500,
        description="ref or ID number of the linked person; optional with one link",
    )
    note: Annotated[str | None, Storable] = Field(None, max_length=2000)


class ExportIn(BaseModel):
    """Nodes to export (what the explorer has on screen) and the file format."""

    nodes: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=1,
        max_length=1000,
        description="refs (`~…`) of the nodes; every relationship among them is included",
    )
    format: Literal["json", "graphml", "gexf", "csv", "xlsx", "ftm", "html"] = "json"
    title: Annotated[str, AfterValidator(storable)] | None = Field(default=None, max_length=200)
