"""What the register loaders share: the cross-register context and reference helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.loaders.batch import Batch, Ref
from graph.loaders.validate import Party, Record
from graph.store.base import GraphStore

if TYPE_CHECKING:
    from graph.loaders.bulk import DiskGraph


@dataclass
class Context:
    """What the registers loaded so far tell the ones after them.

    Only nodes a register itself described count as known (a Division with a
    ``level``, a Program with a ``name``): stubs created by references do not, so a
    second load of the same folder raises the same warnings as the first.
    An empty set means "not known", and no warning is raised against it.
    """

    divisions: dict[str, str] = field(default_factory=dict)  # code → level
    programs: set[str] = field(default_factory=set)
    contracts: set[str] = field(default_factory=set)

    counties: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.counties = {c for c, lvl in self.divisions.items() if lvl == "county"}

    @classmethod
    def from_store(cls, store: GraphStore) -> Context:
        ctx = cls()
        ctx.refresh(store)
        return ctx

    def refresh(self, store: GraphStore) -> None:
        rows = store.read(
            "MATCH (d:Division) WHERE d.level IS NOT NULL RETURN d.code AS k, d.level AS v"
        )
        self.divisions = {r["k"]: r["v"] for r in rows}
        self.__post_init__()
        rows = store.read("MATCH (p:Program) WHERE p.name IS NOT NULL RETURN p.program_code AS k")
        self.programs = {r["k"] for r in rows}
        rows = store.read(
            "MATCH (c:Contract) WHERE c.project_name IS NOT NULL RETURN c.contract_id AS k"
        )
        self.contracts = {r["k"] for r in rows}

    def refresh_from(self, memory: DiskGraph) -> None:
        """:meth:`refresh` from the graph a bulk load is building."""
        self.divisions = memory.known("Division", "level")
        self.__post_init__()
        self.programs = set(memory.known("Program", "name"))
        self.contracts = set(memory.known("Contract", "project_name"))


Builder = Callable[[Record, Context, Batch], None]


def person(b: Batch, rec: Record, id_number: str, name: str | None = None) -> Ref:
    """A person another register names by ID (a checked 18-character number).

    Created, if the household register has not described them, with
    ``in_register=false`` and the gender and birth date the number encodes.
    """
    if b.needs("Person", id_number):
        create = {
            "name": name,
            "gender": "男" if int(id_number[16]) % 2 else "女",
            "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
            "in_register": False,
        }
        b.ref("Person", id_number, create, src=rec.src)
    return ("Person", id_number)


def party(b: Batch, rec: Record, p: Party, name: str | None = None) -> Ref:
    """A person or an enterprise, by the kind of its ID number."""
    if p.kind == "person":
        return person(b, rec, p.key, name)
    b.ref("Enterprise", p.key, {"name": name, "name_norm": name_norm(name)}, src=rec.src)
    return ("Enterprise", p.key)


def division(b: Batch, rec: Record, code: str) -> Ref:
    b.ref("Division", code, src=rec.src)
    return ("Division", code)


def mention(b: Batch, rec: Record, column: str, context: dict[str, Any]) -> Ref:
    """A person named without an ID number, kept for entity resolution to link."""
    mention_id = f"{rec.src}#{column}"
    ctx = {k: v for k, v in context.items() if v not in (None, "", [])}
    props = {"name": rec[column], "context": json.dumps(ctx, ensure_ascii=False, sort_keys=True)}
    b.upsert("Mention", mention_id, props, src=rec.src)
    return ("Mention", mention_id)


def name_norm(name: str | None) -> str | None:
    """An enterprise name for matching: no spaces, brackets half-width, lower-case.

    >>> name_norm(" 衡阳市（某某）建筑 有限公司 ")
    '衡阳市(某某)建筑有限公司'
    """
    if not name:
        return None
    return "".join(name.split()).replace("（", "(").replace("）", ")").lower()


def check_village(rec: Record, ctx: Context, column: str) -> None:
    """Warn when a village code is not in the divisions register, or is not a village."""
    code = rec[column]
    if code is None or not ctx.divisions:
        return
    level = ctx.divisions.get(code)
    if level is None:
        rec.warn("unknown_division", column)
    elif level != "village":
        rec.warn("not_a_village", column, f"{code} is a {level}")


def check_order(rec: Record, before: str, after: str, code: str) -> None:
    """Warn when date column ``after`` precedes ``before`` (ISO strings order as dates)."""
    if rec[before] and rec[after] and rec[after] < rec[before]:
        rec.warn(code, after, f"{after} {rec[after]} is before {before} {rec[before]}")
