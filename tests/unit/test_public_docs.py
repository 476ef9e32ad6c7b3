"""docs/public.md shows the publication policy as declared and documents every setting."""

from __future__ import annotations

from pathlib import Path

from graph.settings import Settings
from public.policy import markdown_table
from public.settings import PublicSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "public.md"


def test_the_policy_table_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- policy:begin -->\n", 1)[1].split("\n<!-- policy:end -->", 1)[0]
    assert block == markdown_table(), "python -m public.policy, and paste it into docs/public.md"


def test_every_public_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in set(PublicSettings.model_fields) - set(Settings.model_fields):
        assert name.upper() in text, f"GUANXI_{name.upper()} is not in docs/public.md"
