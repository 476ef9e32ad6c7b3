"""How nodes and properties read in Chinese: captions for projections and paths."""

from __future__ import annotations

from typing import Any

from graph import schema as sch

# Names and companies read by themselves; other nodes read "kind caption" (合同 村道硬化).
_SELF_NAMED = {"Person", "Enterprise", "Organisation", "Division", "School", "Mention"}


def caption_text(label: str, value: Any, key: Any) -> str:
    """A node's caption: its caption property (else its key), after its kind unless it
    names itself.

    >>> caption_text("Contract", "村道硬化", "HT-1"), caption_text("Person", None, "4304")
    ('项目合同 村道硬化', '4304')
    """
    nt = sch.NODES.get(label)
    text = str(value) if value not in (None, "") else str(key)
    if nt is None or label in _SELF_NAMED:
        return text
    return f"{nt.zh} {text}"


def prop_zh(prop: str) -> str:
    """The Chinese name of a property, from the first label that has one; else ``prop``."""
    for nt in sch.NODES.values():
        if nt.has(prop) and nt.prop(prop).zh:
            return nt.prop(prop).zh
    return prop
