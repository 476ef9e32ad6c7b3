"""docs/data-contract.md is what the code enforces: its tables are generated from it."""

from __future__ import annotations

import ast

import pytest

from graph.errors import SchemaError
from graph.loaders import REGISTERS, contract


def test_the_committed_document_is_the_generators_output() -> None:
    committed = contract.DOC.read_text(encoding="utf-8")
    assert committed == contract.render(committed), (
        "docs/data-contract.md is stale: python -m graph.loaders.contract"
    )


def test_every_register_and_column_is_in_the_document() -> None:
    doc = contract.DOC.read_text(encoding="utf-8")
    for stem, reg in REGISTERS.items():
        assert f"### `{stem}` — {reg.zh}" in doc
        for col in reg.columns:
            assert f"| `{col.name}` | {col.zh}" in doc, (stem, col.name)


def test_reasons_and_warnings_are_read_from_the_code_that_raises_them() -> None:
    raised = contract.raised_codes()
    # What validate.py and graph/ids.py raise, including a reason passed through a helper.
    assert {"missing", "missing_column", "too_many_fields", "bad_check_char"} <= raised.reasons
    assert "bad_ratio" in raised.reasons  # only ever passed to _exact_decimal
    # Warnings raised directly and through check_order.
    assert {"gender_mismatch", "end_before_start"} <= raised.warnings


def test_a_reason_without_a_sentence_fails_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    reasons = dict(contract.REASONS)
    del reasons["bad_precision"]
    monkeypatch.setattr(contract, "REASONS", reasons)
    with pytest.raises(SchemaError, match="bad_precision"):
        contract.reasons_markdown()


def test_a_sentence_for_a_code_no_longer_raised_fails_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contract, "WARNINGS", {**contract.WARNINGS, "no_such_warning": "x"})
    with pytest.raises(SchemaError, match="no_such_warning"):
        contract.warnings_markdown()


def test_the_scanner_finds_literal_codes_at_their_argument_position() -> None:
    tree = ast.parse(
        "raise InvalidValue('a_reason', 'm')\n"
        "cell.reject(col, raw, 'b_reason', 'm')\n"
        "rec.warn('c_warning', 'col')\n"
        "check_order(rec, 'x', 'y', 'd_warning')\n"
        "raise InvalidValue(e.reason, 'not a literal')\n"
    )
    assert contract.literal_codes(tree, contract.REASON_ARGS) == {"a_reason", "b_reason"}
    assert contract.literal_codes(tree, contract.WARNING_ARGS) == {"c_warning", "d_warning"}


def test_a_missing_block_is_an_error() -> None:
    with pytest.raises(SchemaError, match="contract:kinds"):
        contract.render("no blocks here")
