"""The schema is declared once and everything else agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

from graph import schema

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- schema:begin -->", "<!-- schema:end -->"


def test_schema_is_consistent() -> None:
    schema.check()


def test_readme_includes_the_current_schema_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme, "README must hold the generated schema table"
    assert END in readme
    embedded = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert embedded == schema.markdown_table().strip(), (
        "README schema table is stale: run `python -m graph.schema > /tmp/t` and paste it"
    )


def test_every_label_the_contract_implies_is_declared() -> None:
    needed = {
        "Person", "Household", "Division", "Post", "Enterprise", "RealEstate", "Vehicle",
        "Program", "Disbursement", "Contract", "Payment", "Income", "BankAccount",
        "Complaint", "School", "StudentAid", "Finding", "Mention",
    }  # fmt: skip
    assert needed <= set(schema.NODES)


def test_sensitive_properties_are_classified() -> None:
    assert schema.privacy_of("Person", "id_number") is schema.Privacy.IDENTIFIER
    assert schema.privacy_of("Person", "phone") is schema.Privacy.IDENTIFIER
    assert schema.privacy_of("BankAccount", "account_no") is schema.Privacy.IDENTIFIER
    assert schema.privacy_of("Complaint", "reporter_name") is schema.Privacy.CONFIDENTIAL
    assert schema.privacy_of("Complaint", "reporter_phone") is schema.Privacy.CONFIDENTIAL
    # Extra register columns are unknown to the schema: treated as personal, not public.
    assert schema.privacy_of("Person", "x_unknown") is schema.Privacy.PERSONAL


def test_temporal_relationships_carry_validity() -> None:
    for r in schema.RELATIONSHIPS.values():
        names = {p.name for p in r.props}
        has_validity = {"valid_from", "valid_to"} <= names
        assert r.temporal == has_validity, r.type
    assert schema.RELATIONSHIPS["HOLDS"].temporal
    assert schema.RELATIONSHIPS["OWNS"].temporal


def test_json_dump_is_serialisable_and_complete() -> None:
    dumped = json.loads(json.dumps(schema.to_json(), ensure_ascii=False))
    labels = {n["label"] for n in dumped["nodes"]}
    assert labels == set(schema.NODES)
    for n in dumped["nodes"]:
        assert n["color"].startswith("#")
        assert n["key"] in {p["name"] for p in n["properties"]}
