"""divisions: Division nodes and PART_OF up the county → township → village tree.

Graph: ``(:Division {code, name, level, parent_code})-[:PART_OF]->(:Division)``. The
parent is the register's ``parent_code`` or, when empty, the one the code's prefix
implies (a village's first nine digits are its township).
"""

from __future__ import annotations

from graph import ids
from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, division
from graph.loaders.validate import Record


def build_division(rec: Record, ctx: Context, b: Batch) -> None:
    code: str = rec["code"]
    implied = ids.division_parent(code)
    if ids.division_level(code) != rec["level"]:
        rec.warn(
            "level_mismatch",
            "level",
            f"{code} is a {ids.division_level(code)} code, the row says {rec['level']}",
        )
    parent = rec["parent_code"]
    if parent and parent != implied:
        rec.warn("parent_mismatch", "parent_code", f"{code} does not lie within {parent}")
    parent = parent or implied
    props = {"name": rec["name"], "level": rec["level"], "parent_code": parent, **rec.extra}
    b.upsert("Division", code, props, src=rec.src, warnings=rec.warning_texts())
    if parent:
        b.rel("PART_OF", ("Division", code), division(b, rec, parent), src=rec.src)


BUILDERS: dict[str, Builder] = {"divisions": build_division}
