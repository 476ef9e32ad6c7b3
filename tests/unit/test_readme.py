"""The README tells a newcomer what they need and where `make demo` left things."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from cli.main import demo_data_dir

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_prerequisites_are_stated() -> None:
    needs = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert needs == ">=3.11"
    assert "Python ≥ 3.11" in README
    for what in ("Java 17", "Maven", "CI=true", "chromium", "fonts-noto-cjk"):
        assert what in README, what


def test_demo_data_and_serving_again_are_where_the_demo_puts_them() -> None:
    make = (ROOT / "Makefile").read_text()
    out = re.search(r"^DEMO_DIR \?= \$\(CURDIR\)/(\S+)$", make, re.M)
    assert out, "Makefile: DEMO_DIR"
    data = demo_data_dir(Path(out.group(1))).as_posix()
    assert f"guanxi serve --data-dir {data}" in README
    assert f"`{out.group(1)}/`" in README
    assert f"{out.group(1)}/_load/rejects.csv" in README
    assert "planted on purpose" in README
    assert "Ctrl-C" in README
    assert ".venv/bin/guanxi" in README
    assert "source .venv/bin/activate" in README


def test_two_set_up_commands() -> None:
    block = README.split("## The two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    assert [ln.split("#")[0].strip() for ln in block.strip().splitlines()] == [
        "make demo",
        "make test",
    ]
