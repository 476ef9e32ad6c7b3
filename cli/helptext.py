"""What ``guanxi --help`` shows for flags.

typer (0.29 here) labels every option with its Python type, and a flag too:
``--json <bool>``, ``--help <bool>``, as if each took a value. A flag takes none, so it
gets no label; options that take a value keep theirs (``--limit <int>``).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_typed = TyperOption.display_type_rich


def _flag_untyped(self: TyperOption, ctx: Any) -> str | None:  # typer's own click Context
    return None if self.is_flag else _typed(self, ctx)


def label_flags_without_type() -> None:
    """Install the rule on typer's options (idempotent)."""
    TyperOption.display_type_rich = _flag_untyped  # type: ignore[method-assign]
