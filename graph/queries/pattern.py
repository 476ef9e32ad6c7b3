"""Patterns: one ``.cypher`` file each, with its metadata in a leading comment block.

A pattern file starts with a YAML block between ``// ---`` lines::

    // ---
    // id: unbooked_payment
    // title_zh: 村级支出未入账
    // title_en: Payment not entered in the books
    // severity: medium
    // category: diversion
    // params:
    //   min_amount: {type: money, default: 0, help: smallest voucher to report (fen)}
    // explanation: "{payer}于{paid_date}向{payee}支付{amount:yuan}（凭证{voucher}），未入账。"
    // ---
    MATCH ... RETURN subjects, evidence, facts[, severity][, score]

Every pattern returns one row per finding with ``subjects`` (natural keys), ``evidence``
(a list of paths and nodes that prove it) and ``facts`` (a map the explanation is filled
from); it may return ``severity`` (to override the default) and ``score`` (0..1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InvalidValue, NotFound, SchemaError

PATTERN_DIR = Path(__file__).parent / "patterns"
SEVERITIES = ("high", "medium", "low")
#: The kinds of wrongdoing a pattern finds (its ``category``): the five the commission's
#: platform names for livelihood funds and village finance, then two beyond them.
CATEGORIES: dict[str, tuple[str, str]] = {
    "false_claims": ("虚假冒领", "false claims"),
    "diversion": ("挤占挪用", "diversion"),
    "consumption": ("公款消费", "public money spent on consumption"),
    "loss_waste": ("损失浪费", "loss and waste"),
    "idle": ("滞留闲置", "money held back or left idle"),
    "interest": ("利益输送", "favouritism in contracts (beyond the five named kinds)"),
    "procedure": ("程序违规", "procedure and deadlines (beyond the five named kinds)"),
}
_PARAM_TYPES = ("int", "money", "float", "str", "date", "str_list", "bool")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str = ""

    def coerce(self, value: Any) -> Any:
        """Validate a caller's value against the declared type (API and CLI input)."""
        try:
            if self.type in ("int", "money"):
                if isinstance(value, bool):
                    raise ValueError("a boolean is not a number")
                return int(value)
            if self.type == "float":
                return float(value)
            if self.type == "bool":
                if isinstance(value, str):
                    return value.strip().lower() in ("1", "true", "yes", "是")
                return bool(value)
            if self.type == "date":
                return dt.date.fromisoformat(str(value)).isoformat()
            if self.type == "str_list":
                if isinstance(value, str):
                    return [v.strip() for v in value.split(",") if v.strip()]
                return [str(v) for v in value]
            return str(value)
        except (TypeError, ValueError) as e:
            raise InvalidValue(
                "bad_parameter", f"parameter {self.name!r} expects {self.type}: {e}", value
            ) from e


@dataclass(frozen=True)
class Pattern:
    id: str
    title_zh: str
    title_en: str
    severity: str
    explanation: str
    cypher: str
    params: tuple[Param, ...] = ()
    description: str = ""
    category: str = ""
    requires: tuple[str, ...] = field(default_factory=tuple)

    def bind(
        self, given: dict[str, Any] | None = None, *, as_of: str | None = None
    ) -> dict[str, Any]:
        """Defaults overlaid with the caller's values; unknown names are refused."""
        given = dict(given or {})
        known = {p.name: p for p in self.params}
        unknown = set(given) - set(known) - {"as_of"}
        if unknown:
            raise InvalidValue(
                "unknown_parameter",
                f"pattern {self.id} has no parameter(s) {sorted(unknown)}; "
                f"it takes {sorted(known)}",
                sorted(unknown),
            )
        out = {name: p.default for name, p in known.items()}
        out.update({k: known[k].coerce(v) for k, v in given.items() if k in known})
        out["as_of"] = as_of or given.get("as_of") or dt.date.today().isoformat()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "severity": self.severity,
            "category": self.category,
            "description": self.description,
            "explanation": self.explanation,
            "params": [
                {"name": p.name, "type": p.type, "default": p.default, "help": p.help}
                for p in self.params
            ],
        }


def parse(text: str, source: str = "<pattern>") -> Pattern:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "// ---":
        raise SchemaError(f"{source}: a pattern starts with a '// ---' metadata block")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "// ---")
    except StopIteration:
        raise SchemaError(f"{source}: metadata block is not closed with '// ---'") from None
    meta_text = "\n".join(ln.removeprefix("//").removeprefix(" ") for ln in lines[1:end])
    meta = yaml.safe_load(meta_text) or {}
    cypher = "\n".join(lines[end + 1 :]).strip()
    missing = {"id", "title_zh", "title_en", "severity", "explanation"} - set(meta)
    if missing:
        raise SchemaError(f"{source}: metadata lacks {sorted(missing)}")
    if meta["severity"] not in SEVERITIES:
        raise SchemaError(f"{source}: severity must be one of {SEVERITIES}")
    # Optional for a pattern written in a notebook; every library file has one (a test
    # keeps it so), or the README's coverage table could not place it.
    if "category" in meta and meta["category"] not in CATEGORIES:
        raise SchemaError(f"{source}: category must be one of {tuple(CATEGORIES)}")
    params = []
    for name, spec in (meta.get("params") or {}).items():
        if spec.get("type") not in _PARAM_TYPES:
            raise SchemaError(f"{source}: parameter {name} has unknown type {spec.get('type')}")
        params.append(Param(name, spec["type"], spec.get("default"), spec.get("help", "")))
    return Pattern(
        id=str(meta["id"]),
        title_zh=str(meta["title_zh"]),
        title_en=str(meta["title_en"]),
        severity=str(meta["severity"]),
        explanation=str(meta["explanation"]),
        cypher=cypher,
        params=tuple(params),
        description=str(meta.get("description", "")).strip(),
        category=str(meta.get("category", "")),
    )


@cache
def library() -> dict[str, Pattern]:
    """Every pattern shipped in ``graph/queries/patterns``, by id, in file order."""
    out: dict[str, Pattern] = {}
    for path in sorted(PATTERN_DIR.glob("*.cypher")):
        p = parse(path.read_text(encoding="utf-8"), str(path))
        if p.id != path.stem.split("_", 1)[-1] and p.id != path.stem:
            raise SchemaError(f"{path}: id {p.id!r} does not match the file name")
        if p.id in out:
            raise SchemaError(f"{path}: duplicate pattern id {p.id}")
        out[p.id] = p
    return out


def get(pattern_id: str) -> Pattern:
    try:
        return library()[pattern_id]
    except KeyError:
        raise NotFound(f"no pattern {pattern_id!r}; known: {', '.join(library())}") from None


def markdown_table() -> str:
    """The pattern library as Markdown, included in the README (a test keeps them in step)."""
    out = ["| # | id | 规则 | pattern | severity | parameters |", "|---|---|---|---|---|---|"]
    for i, p in enumerate(library().values(), 1):
        params = ", ".join(f"`{q.name}`={q.default!r}" for q in p.params)
        out.append(f"| {i} | `{p.id}` | {p.title_zh} | {p.title_en} | {p.severity} | {params} |")
    return "\n".join(out) + "\n"


def coverage_table() -> str:
    """Each kind of wrongdoing and the patterns that find it, from the patterns' own
    ``category`` (included in the README; a test keeps them in step)."""
    out = ["| kind | 类别 | patterns |", "|---|---|---|"]
    for cat, (zh, en) in CATEGORIES.items():
        found = [p for p in library().values() if p.category == cat]
        names = ", ".join(f"`{p.id}` {p.title_zh}" for p in found) or "—"
        out.append(f"| {en} (`{cat}`) | {zh} | {names} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    print(coverage_table() if sys.argv[1:] == ["coverage"] else markdown_table(), end="")
