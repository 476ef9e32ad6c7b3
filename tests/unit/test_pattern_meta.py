"""Pattern metadata: parsed strictly, parameters validated, README kept in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidValue, NotFound, SchemaError
from graph.queries import pattern

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- patterns:begin -->", "<!-- patterns:end -->"


def test_the_library_has_the_nineteen_patterns_of_issue_6() -> None:
    ids = list(pattern.library())
    assert len(ids) == 19
    assert ids[0] == "recipient_vehicle"
    assert ids[-1] == "complaint_deadline"


def test_readme_lists_the_current_patterns() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme
    embedded = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert embedded == pattern.markdown_table().strip(), (
        "README pattern table is stale: python -m graph.queries.pattern"
    )


def test_parameters_are_validated_against_metadata() -> None:
    p = pattern.get("recipient_vehicle")
    bound = p.bind({"excluded_types": "摩托,低速"}, as_of="2024-01-31")
    assert bound["excluded_types"] == ["摩托", "低速"]
    assert bound["as_of"] == "2024-01-31"
    with pytest.raises(InvalidValue) as e:
        p.bind({"no_such": 1})
    assert e.value.reason == "unknown_parameter"


def test_bad_parameter_type_is_a_clear_error() -> None:
    p = pattern.get("recipient_real_estate")
    with pytest.raises(InvalidValue) as e:
        p.bind({"min_homes": "two"})
    assert "min_homes" in str(e.value)


def test_unknown_pattern_is_not_found() -> None:
    with pytest.raises(NotFound):
        pattern.get("nope")


@pytest.mark.parametrize(
    "text",
    [
        "MATCH (n) RETURN n",
        "// ---\n// id: x\n",
        "// ---\n// id: x\n// title_zh: x\n// title_en: x\n// severity: huge\n"
        "// explanation: x\n// ---\nRETURN 1",
    ],
)
def test_malformed_pattern_files_are_refused(text: str) -> None:
    with pytest.raises(SchemaError):
        pattern.parse(text)
