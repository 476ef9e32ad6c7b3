"""Pattern metadata: parsed strictly, parameters validated, README kept in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InvalidValue, NotFound, SchemaError
from graph.queries import pattern

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- patterns:begin -->", "<!-- patterns:end -->"


def test_the_library_has_the_patterns_of_issues_6_and_18() -> None:
    ids = list(pattern.library())
    assert len(ids) == 30
    assert ids[0] == "recipient_vehicle"
    assert ids[18] == "complaint_deadline"
    assert ids[-1] == "aid_household_assets"


def test_readme_lists_the_current_patterns() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme
    embedded = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert embedded == pattern.markdown_table().strip(), (
        "README pattern table is stale: python -m graph.queries.pattern"
    )


def test_readme_coverage_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- coverage:begin -->", "<!-- coverage:end -->"
    assert begin in readme
    embedded = readme.split(begin, 1)[1].split(end, 1)[0].strip()
    assert embedded == pattern.coverage_table().strip(), (
        "README coverage table is stale: python -m graph.queries.pattern coverage"
    )


def test_every_named_kind_of_wrongdoing_has_a_pattern() -> None:
    cats = {p.category for p in pattern.library().values()}
    assert cats >= {"false_claims", "diversion", "consumption", "loss_waste", "idle"}


def test_every_library_pattern_has_a_category() -> None:
    for p in pattern.library().values():
        assert p.category in pattern.CATEGORIES, f"{p.id} has no known category"


def test_a_pattern_with_an_unknown_category_is_refused() -> None:
    head = "// ---\n// id: x\n// title_zh: x\n// title_en: x\n// severity: low\n"
    tail = "// explanation: x\n// ---\nRETURN 1"
    assert pattern.parse(head + tail).category == ""  # an ad-hoc notebook pattern
    with pytest.raises(SchemaError):
        pattern.parse(head + "// category: waste\n" + tail)
    assert pattern.parse(head + "// category: idle\n" + tail).category == "idle"


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
