"""People named without an ID number, for entity resolution to link (or not).

- shareholders and supervisors written by name only, some exactly, some with a typo'd,
  homophone or traditional character; the enterprise's phone is the person's phone, so
  the resolver has fair evidence beside the name;
- declared relatives by name only: household members of the official (resolvable), or
  children working outside the county (no one to link to);
- legal representatives missing from old extracts (the enterprise's own roles name them);
- ambiguous ones: two residents of one village share a name and nothing else tells them
  apart; the truth is ``null`` and a resolver must not link them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from graph.synth.common import COUNTY_NAME, NO_DATE, County, at_int, at_str
from graph.synth.names import given_names, homophone, surnames, traditional, typo
from graph.synth.plant import Planter


def namesakes(ctx: County) -> None:
    """Right after the population exists: give pairs of villagers the same name."""
    p = ctx.frames["persons"]
    rng = ctx.rng
    names = ctx.info["names"]
    v_of, h_of = p["_v"].to_numpy(), p["_hh"].to_numpy()
    age, male = p["_age"].to_numpy(), p["_male"].to_numpy()
    counts = (
        pd.Series(1, index=pd.MultiIndex.from_arrays([v_of, names])).groupby(level=[0, 1]).sum()
    )
    ok = (age >= 25) & (age <= 60) & (p["_death"].to_numpy() == NO_DATE)
    pairs = []
    for v in rng.permutation(int(v_of.max()) + 1)[: max(3, ctx.n // 100_000)]:
        cand = np.flatnonzero(ok & (v_of == v))
        rng.shuffle(cand)
        for a in cand:
            if counts[(v, names[a])] != 1:
                continue
            mate = next(
                (
                    int(b)
                    for b in cand
                    if b != a
                    and male[b] == male[a]
                    and h_of[b] != h_of[a]
                    and counts[(v, names[b])] == 1
                ),
                None,
            )
            if mate is None:
                continue
            names[mate] = names[a]
            pairs.append((int(a), mate, int(v)))
            break
    p["name"] = names
    reserved = p["_reserved"].to_numpy().copy()
    for first, second, _ in pairs:
        reserved[first] = True
        reserved[second] = True
    p["_reserved"] = reserved
    ctx.info["namesakes"] = pairs


def _mention(
    ctx: County,
    register: str,
    column: str,
    name: str,
    variant: str,
    true_id: str | None,
    ambiguous: bool,
    evidence: str,
) -> int:
    ctx.truth.mentions.append(
        {
            "register": register,
            "row": None,
            "column": column,
            "name": name,
            "variant": variant,
            "true_id_number": true_id,
            "ambiguous": ambiguous,
            "evidence": evidence,
        }
    )
    return len(ctx.truth.mentions) - 1


def plant(pl: Planter) -> None:
    _ambiguous(pl)
    _shareholders(pl)
    _relatives(pl)
    _legal_reps(pl)
    _legacy(pl)


def _village_names(pl: Planter) -> set[tuple[int, str]]:
    return set(zip(pl.v_of.tolist(), [str(x) for x in pl.names], strict=True))


def _ambiguous(pl: Planter) -> None:
    ctx = pl.ctx
    for a, _b, v in ctx.info["namesakes"]:
        name = str(pl.names[a])
        code, _ = _front(pl, v)
        m = _mention(
            ctx,
            "enterprise_roles",
            "person_name",
            name,
            "exact",
            None,
            True,
            "two residents of the village have this name; nothing else is known",
        )
        pl.ctx.add(
            "enterprise_roles",
            {
                "uscc": code,
                "person_id_number": "",
                "person_name": name,
                "role": "股东",
                "share_ratio": 0.3,
                "_mention": m,
            },
        )


def _front(pl: Planter, v: int) -> tuple[str, int]:
    rep = pl.person()
    while pl.village_of(rep) == v:
        rep = pl.person()
    addr = (
        f"湖南省{COUNTY_NAME}{at_str(pl.villages, v, 'town_name')}{at_str(pl.villages, v, 'name')}"
        f"工业园{1 + pl.ctx.take('park')[0]}号"
    )
    code = pl.enterprise(
        rep,
        tail="农业开发有限公司",
        industry="农业",
        established=17_500,
        address=addr,
        rep_is_shareholder=False,
    )
    pl.role(code, rep, "股东", 0.7)
    pl.role(code, rep, "执行董事")
    return code, rep


def _shareholders(pl: Planter) -> None:
    """Blank the ID of some background shareholders; write the name as a clerk might."""
    ctx = pl.ctx
    roles = ctx.frames["enterprise_roles"]
    ent = ctx.frames["enterprises"]
    taken = _village_names(pl)
    counts = pd.Series([str(x) for x in pl.names]).groupby(pl.v_of).value_counts()
    want = max(6, ctx.n // 2_000)
    marks = np.full(len(roles), np.nan)
    used_e: set[str] = set()
    row_of = {str(u): i for i, u in enumerate(ent["uscc"])}
    cand = pl.rng.permutation(np.flatnonzero(roles["role"].isin(["股东", "监事"]).to_numpy()))
    n = 0
    for r in cand:
        if n >= want:
            break
        code, i = at_str(roles, r, "uscc"), at_int(roles, r, "_p")
        name, v = str(pl.names[i]), pl.village_of(i)
        if code in used_e or not pl.p.at[i, "phone"] or counts[(v, name)] != 1:
            continue
        variant = ("exact", "typo", "homophone", "traditional")[n % 4]
        written = {
            "exact": name,
            "typo": typo(name, pl.rng),
            "homophone": homophone(name),
            "traditional": traditional(name),
        }[variant]
        if written is None or (variant != "exact" and (v, written) in taken):
            continue  # this name has no such variant: try the next candidate
        used_e.add(code)
        roles.at[r, "person_id_number"] = ""
        roles.at[r, "person_name"] = written
        ent.at[row_of[code], "phone"] = at_str(pl.p, i, "phone")
        marks[r] = _mention(
            ctx,
            "enterprise_roles",
            "person_name",
            written,
            variant,
            pl.new_id(i),
            False,
            "enterprise phone is the person's phone",
        )
        n += 1
    roles["_mention"] = marks


def _relatives(pl: Planter) -> None:
    ctx = pl.ctx
    rel = ctx.frames["declared_relations"]
    counts = pd.Series([str(x) for x in pl.names]).groupby(pl.v_of).value_counts()
    marks = np.full(len(rel), np.nan)
    for r in np.flatnonzero(rel["_name_only"].to_numpy()):
        j, i = at_int(rel, r, "_rel"), at_int(rel, r, "_official")
        same_home = pl.h_of[j] == pl.h_of[i]
        if not same_home and counts[(pl.village_of(j), str(pl.names[j]))] != 1:
            continue
        rel.at[r, "relative_id_number"] = ""
        marks[r] = _mention(
            ctx,
            "declared_relations",
            "relative_name",
            str(pl.names[j]),
            "exact",
            pl.new_id(j),
            False,
            "lives with the official" if same_home else "unique name in the village",
        )
    rel["_mention"] = marks
    everyone = {str(x) for x in pl.names}
    leaders = rel["_official"].drop_duplicates().to_numpy()
    for i in pl.rng.permutation(leaders)[: max(3, ctx.n // 5_000)]:
        while True:
            name = str(surnames(pl.rng, 1)[0]) + str(
                given_names(pl.rng, np.array([True]), np.array([1995]))[0]
            )
            if name not in everyone:
                break
        m = _mention(
            ctx,
            "declared_relations",
            "relative_name",
            name,
            "exact",
            None,
            False,
            "works outside the county; not in the household register",
        )
        row: dict[str, Any] = {
            "_official": int(i),
            "_rel": -1,
            "relation": "子女",
            "official_id_number": pl.new_id(int(i)),
            "relative_id_number": "",
            "relative_name": name,
            "employer": "广东省东莞市长安镇某电子厂",
            "_name_only": True,
            "_mention": m,
        }
        ctx.add("declared_relations", row)


def _legal_reps(pl: Planter) -> None:
    ctx = pl.ctx
    ent = ctx.frames["enterprises"]
    marks = np.full(len(ent), np.nan)
    companies = np.flatnonzero((ent["kind"] == "有限责任公司").to_numpy())
    for r in pl.rng.permutation(companies)[: max(3, len(ent) // 30)]:
        rep = at_int(ent, r, "_rep")
        ent.at[r, "legal_rep_id_number"] = ""
        marks[r] = _mention(
            ctx,
            "enterprises",
            "legal_rep_name",
            str(pl.names[rep]),
            "exact",
            pl.new_id(rep),
            False,
            "the enterprise's own roles list the person with ID",
        )
    ent["_mention"] = marks


def _legacy(pl: Planter) -> None:
    """Old extracts carry 15-digit ID numbers (GB 11643-1989): no century, no check
    character. A few vehicle owners and shareholders are written that way."""
    ctx = pl.ctx
    out: list[dict[str, Any]] = ctx.info.setdefault("legacy_ids", [])
    for register, column in (
        ("vehicles", "owner_id_number"),
        ("enterprise_roles", "person_id_number"),
    ):
        df = ctx.frames[register]
        marks = np.full(len(df), np.nan)
        numbers = df[column].to_numpy(dtype=object)
        old = [i for i in range(len(df)) if len(numbers[i]) == 18 and numbers[i][6:8] == "19"]
        for i in pl.rng.permutation(old)[: max(2, ctx.n // 200_000)] if old else []:
            full = str(numbers[i])
            short = full[:6] + full[8:17]
            df.at[int(i), column] = short
            marks[int(i)] = len(out)
            out.append(
                {
                    "register": register,
                    "row": None,
                    "column": column,
                    "value": short,
                    "id_number": full,
                }
            )
        df["_legacy"] = marks
