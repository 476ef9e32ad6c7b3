"""officials and declared_relations: posts, terms of office and declared relatives.

Graph (officials): ``(:Person)-[:HOLDS {valid_from, valid_to}]->(:Post {post_id,
organisation, position, kind, jurisdiction_code})``, ``(Post)-[:GOVERNS]->(:Division)``,
``(Post)-[:POST_AT]->(:Organisation {name})``; ``post_id`` is
``organisation|position|jurisdiction_code``. Terms are told apart by ``valid_from``.
Graph (declared_relations): ``(:Person official)-[:RELATIVE_OF {relation, employer}]->
(:Person | :Mention)``; a relative declared without an ID is a Mention.
"""

from __future__ import annotations

from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_order, division, mention, person
from graph.loaders.validate import Record


def post_id(organisation: str, position: str, jurisdiction_code: str | None) -> str:
    """The key of a post: the same position in the same body over the same division.

    >>> post_id("某某村村民委员会", "村委会主任", "430422101201")
    '某某村村民委员会|村委会主任|430422101201'
    """
    return f"{organisation}|{position}|{jurisdiction_code or ''}"


def build_official(rec: Record, ctx: Context, b: Batch) -> None:
    check_order(rec, "start_date", "end_date", "end_before_start")
    where = rec["jurisdiction_code"]
    if where and ctx.divisions and where not in ctx.divisions:
        rec.warn("unknown_division", "jurisdiction_code")
    pid = post_id(rec["organisation"], rec["position"], where)
    post = ("Post", pid)
    b.upsert(
        "Post",
        pid,
        {
            "organisation": rec["organisation"],
            "position": rec["position"],
            "kind": rec["kind"],
            "jurisdiction_code": where,
        },
        src=rec.src,
    )
    holder = person(b, rec, rec["id_number"], rec["name"])
    b.rel(
        "HOLDS",
        holder,
        post,
        {"valid_from": rec["start_date"], "valid_to": rec["end_date"], **rec.extra},
        merge_on=("valid_from",),
        src=rec.src,
        warnings=rec.warning_texts(),
    )
    if where:
        b.rel("GOVERNS", post, division(b, rec, where), src=rec.src)
    b.ref("Organisation", rec["organisation"], src=rec.src)
    b.rel("POST_AT", post, ("Organisation", rec["organisation"]), src=rec.src)


def build_declared_relation(rec: Record, ctx: Context, b: Batch) -> None:
    official = person(b, rec, rec["official_id_number"])
    if rec["relative_id_number"]:
        if rec["relative_id_number"] == rec["official_id_number"]:
            rec.warn("relative_is_official", "relative_id_number")
        relative = person(b, rec, rec["relative_id_number"], rec["relative_name"])
    else:
        relative = mention(
            b, rec, "relative_name", {"employer": rec["employer"], "relation": rec["relation"]}
        )
    props = {"relation": rec["relation"], "employer": rec["employer"], **rec.extra}
    b.rel("RELATIVE_OF", official, relative, props, src=rec.src, warnings=rec.warning_texts())


BUILDERS: dict[str, Builder] = {
    "officials": build_official,
    "declared_relations": build_declared_relation,
}
