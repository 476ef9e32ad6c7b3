"""The publication policy, declared once: per label and property, what the public site
shows and how (like the schema's privacy classes, which it is checked against).

Two audiences: ``notice`` is anyone (the 公示 a village pins on its board), ``own`` is a
resident who gave a name and ID number that match together (their own household). A
property not declared here is never published; a property the schema classes
``identifier`` or ``confidential`` may not be declared at all (checked at import), so ID
numbers, phones, bank accounts, USCCs and reporters cannot be published by mistake.
Street addresses (``personal``) are not declared either.

Every public query (:mod:`public.queries`) names, for each column it returns, the label
and property it comes from, and its rows pass through :func:`present`: a column without a
rule is refused (a programming error, caught by the tests), not passed through.

>>> mask_name("张三"), mask_name("张小三"), mask_name("欧阳小明"), mask_name("王")
('张*', '张*三', '欧**明', '王')
>>> scrub("付430428199001011234工资，电话13812345678")
'付***工资，电话***'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graph import schema as sch


class Audience(Enum):
    NOTICE = "notice"
    OWN = "own"


def mask_name(name: str) -> str:
    """A person's name as a public notice prints it: first and last character kept."""
    n = str(name).strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


# What an ID number, phone, bank account or USCC typed into free text (a purpose, a
# project name) looks like: seven digits in a row, or ten or more in groups split by
# single spaces or hyphens (138-1234-5678), with the letters stuck to them; and a plate.
# A date (2023-01-15) has eight digits in three groups and stays.
_DIGIT_RUN = re.compile(r"[0-9A-Za-z]*\d+(?:[ -]\d+)*[0-9A-Za-z]*")
_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}")
_SEVEN = re.compile(r"\d{7}")


def _numberish(m: re.Match[str]) -> str:
    run = m.group(0)
    digits = sum(c.isdigit() for c in run)
    return "***" if _SEVEN.search(run) or digits >= 10 else run


def scrub(text: str) -> str:
    """Free text with identifier-looking runs of digits replaced by ``***``."""
    return _DIGIT_RUN.sub(_numberish, _PLATE.sub("***", str(text)))


def _show(v: Any) -> Any:
    return v


def _text(v: Any) -> Any:
    if isinstance(v, list):
        return [scrub(x) for x in v]
    return scrub(v)


def _mask(v: Any) -> Any:
    return mask_name(v)


@dataclass(frozen=True)
class Rule:
    """How one property is published to each audience (None: not at all)."""

    notice: Callable[[Any], Any] | None
    own: Callable[[Any], Any] | None


SHOW = Rule(_show, _show)
TEXT = Rule(_text, _text)  # free text: shown, identifier-looking runs removed
MASK = Rule(_mask, _mask)  # a person's name: 张*三, to everyone
OWN = Rule(None, _show)  # only to the household itself
OWN_TEXT = Rule(None, _text)

# Derived values of a query (counts, sums, months), not properties of any node.
AGGREGATE = "Aggregate"

POLICY: dict[str, dict[str, Rule]] = {
    "Division": {"code": SHOW, "name": TEXT, "level": SHOW, "parent_code": SHOW},
    "Program": {"program_code": SHOW, "name": TEXT, "department": TEXT, "kind": SHOW},
    # A payment list as the notice shows it: whose (masked), which programme, how much,
    # for which period. Never the account it went into nor the household number.
    "Disbursement": {"amount": SHOW, "period": SHOW, "paid_date": SHOW, "program_code": SHOW},
    "Person": {"name": MASK},
    "Mention": {"name": MASK},
    # Enterprises are published by name (a contractor is a public fact); their USCC,
    # phone, address and legal representative are not.
    "Enterprise": {"name": TEXT},
    "Organisation": {"name": TEXT},
    "Payment": {
        "voucher_no": SHOW,
        "amount": SHOW,
        "paid_date": SHOW,
        "purpose": TEXT,
        "booked": SHOW,
    },
    "Income": {
        "voucher_no": SHOW,
        "amount": SHOW,
        "received_date": SHOW,
        "source": TEXT,
        "booked": SHOW,
    },
    "Contract": {
        "project_name": TEXT,
        "department": TEXT,
        "amount": SHOW,
        "signed": SHOW,
        "procurement": TEXT,
        "quantity": SHOW,
        "unit": TEXT,
        "delivered_quantity": SHOW,
        "accepted": SHOW,
    },
    "School": {"name": TEXT},
    # A student's aid: to the household only (whether a child is a poverty-household
    # student is the family's business, not the village's notice).
    "StudentAid": {
        "year": OWN,
        "grade": OWN_TEXT,
        "category": OWN_TEXT,
        "policies": OWN,
        "school_type": OWN_TEXT,
        "status": OWN_TEXT,
        "amount": OWN,
    },
}

_PUBLISHABLE_CLASSES = {sch.Privacy.PUBLIC, sch.Privacy.PERSONAL}


def _check() -> None:
    for label, props in POLICY.items():
        node = sch.NODES.get(label)
        if node is None:
            raise AssertionError(f"publication policy names unknown label {label}")
        for prop in props:
            declared = next((p for p in node.props if p.name == prop), None)
            if declared is None:
                raise AssertionError(f"publication policy names unknown property {label}.{prop}")
            if declared.privacy not in _PUBLISHABLE_CLASSES:
                raise AssertionError(f"{label}.{prop} is {declared.privacy.value}: never published")


_check()


@dataclass(frozen=True)
class Col:
    """Where a query's column comes from: ``label`` and ``prop``, or ``label_from`` a
    column holding the label (a payee is a Person or an Enterprise)."""

    prop: str
    label: str | None = None
    label_from: str | None = None


def rule(label: str, prop: str) -> Rule | None:
    if label == AGGREGATE:
        return SHOW
    return POLICY.get(label, {}).get(prop)


def present(
    rows: Iterable[Mapping[str, Any]], columns: Mapping[str, Col], audience: Audience
) -> list[dict[str, Any]]:
    """Rows as published: each column through its rule; a value the audience may not see
    becomes None; a column the query did not declare is refused."""
    out = []
    for r in rows:
        item: dict[str, Any] = {}
        for name, value in r.items():
            col = columns.get(name)
            if col is None:
                if name in {c.label_from for c in columns.values() if c.label_from}:
                    continue
                raise AssertionError(f"column {name!r} has no publication rule")
            label = col.label if col.label is not None else str(r.get(col.label_from or ""))
            ru = rule(label, col.prop)
            fn = None if ru is None else (ru.notice if audience is Audience.NOTICE else ru.own)
            item[name] = None if fn is None or value is None else fn(value)
        out.append(item)
    return out


def published(code: str, prefixes: Iterable[str]) -> bool:
    """Whether a division lies inside the published divisions."""
    return any(code.startswith(p) for p in prefixes if p)


def on_the_way(code: str, prefixes: Iterable[str]) -> bool:
    """Whether a division is published or holds a published one (a county shown so that a
    resident can reach its one published township)."""
    return any(p.startswith(code) or code.startswith(p) for p in prefixes if p)


def _rule_name(fn: Callable[[Any], Any] | None) -> str:
    names: dict[Callable[[Any], Any] | None, str] = {
        None: "—",
        _show: "shown",
        _text: "shown, identifiers scrubbed",
        _mask: "masked 张*三",
    }
    return names[fn]


def markdown_table() -> str:
    """The policy as the table docs/public.md shows (a test keeps the two the same)."""
    lines = [
        "| label | property | privacy class | anyone (公示) | own household |",
        "|---|---|---|---|---|",
    ]
    for label, props in POLICY.items():
        for prop, r in props.items():
            privacy = sch.privacy_of(label, prop).value
            lines.append(
                f"| {label} | {prop} | {privacy} | {_rule_name(r.notice)} | {_rule_name(r.own)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
