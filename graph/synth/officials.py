"""Village cadres, township and county staff, people on the public payroll, and what
the leading ones declared about their relatives.

Officials are drawn from households that receive no means-tested benefit, and only
from heads and spouses (so that household relations can be named from the official's
side). Everyone who is an official, lives with one or was declared by one is marked
``_tainted``: background enterprises, contracts and payees avoid them, so that every
relationship finding in the county is a planted one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from graph.synth.common import COUNTY_CODE, COUNTY_NAME, NO_DATE, County, at_int, day

_COUNTY_DEPTS = {
    "县水利局": ["局长", "副局长", "饮水办主任", "饮水办科员", "农村水利股股长"],
    "县民政局": ["局长", "副局长", "社会救助股股长", "社会救助股科员"],
    "县财政局": ["局长", "副局长", "农业股股长"],
    "县农业农村局": ["局长", "副局长", "农经站站长"],
    "县交通运输局": ["局长", "农村公路股股长"],
    "县住房和城乡建设局": ["局长", "村镇建设股股长"],
    "县乡村振兴局": ["局长", "项目股股长"],
    "县教育局": ["局长", "学生资助中心主任"],
}
_TOWN_POSTS = [
    ("党委书记", "civil_servant", True),
    ("长", "civil_servant", True),  # 镇长 / 乡长 / 街道办主任
    ("副职", "civil_servant", True),
    ("纪委书记", "civil_servant", True),
    ("民政所所长", "civil_servant", True),
    ("民政专干", "civil_servant", True),
    ("财政所所长", "civil_servant", True),
    ("农经站站长", "public_institution", True),
    ("农经站会计", "public_institution", True),
    ("水利站站长", "public_institution", True),
    ("社会事务办科员", "civil_servant", False),
]
RELATION_BY_ROLE = {
    "H": {"S": "配偶", "C": "子女", "P": "父母", "O": "子女配偶", "B": "兄弟姐妹"},
    "S": {"H": "配偶", "C": "子女", "P": "配偶父母", "O": "子女配偶"},
}


def _date(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


def build(ctx: County) -> None:
    """Write ``officials`` and ``declared_relations``; mark persons ``_tainted``."""
    rng = ctx.rng
    p = ctx.frames["persons"]
    hh = ctx.frames["_households"]
    villages = ctx.frames["_villages"]
    towns = ctx.frames["_towns"]
    means_hh = hh["_means"].to_numpy()
    age = p["_age"].to_numpy()
    ok = (
        np.isin(p["_role"].to_numpy(), ["H", "S"])
        & (age >= 25)
        & (age <= 60)
        & (p["_death"].to_numpy() == NO_DATE)
        & ~means_hh[p["_hh"].to_numpy()]
        & ~p["_reserved"].to_numpy()
    )
    used_hh = np.zeros(len(hh), dtype=bool)
    pool_by_v = {v: g.to_numpy() for v, g in p.index[ok].to_series().groupby(p["_v"][ok])}
    rows: list[dict[str, Any]] = []

    def take(v: int, age_lo: int = 30, age_hi: int = 60) -> int:
        cand = pool_by_v.get(v, np.array([], dtype=np.int64))
        cand = cand[~used_hh[p["_hh"].to_numpy()[cand]]]
        good = cand[(age[cand] >= age_lo) & (age[cand] <= age_hi)]
        i = ctx.pick(good if len(good) else cand)
        used_hh[at_int(p, i, "_hh")] = True
        return i

    def post(i: int, org: str, position: str, kind: str, juris: str, start: int, end: int) -> None:
        rows.append(
            {
                "_p": i,
                "organisation": org,
                "position": position,
                "kind": kind,
                "jurisdiction_code": juris,
                "start_date": start,
                "end_date": end,
            }
        )

    term = _date(2021, 1, 15)
    for v, vill in villages.iterrows():
        vv = int(str(v))
        org = f"{vill['town_name']}{vill['name']}{'居委会' if vill['community'] else '村委会'}"
        party = f"{vill['town_name']}{vill['name']}党支部"
        start = term + int(rng.integers(0, 60))
        sec = take(vv, 38, 60)
        replaced = rng.random() < 0.12
        mid = _date(2023, 6, 1) + int(rng.integers(0, 120)) if replaced else NO_DATE
        if replaced:
            post(sec, party, "村党支部书记", "village_cadre", vill["code"], start, mid)
            new_sec = take(vv, 35, 58)
            post(new_sec, party, "村党支部书记", "village_cadre", vill["code"], mid + 1, NO_DATE)
        else:
            post(sec, party, "村党支部书记", "village_cadre", vill["code"], start, NO_DATE)
        director = sec if (rng.random() < 0.55 and not replaced) else take(vv)
        post(director, org, "村委会主任", "village_cadre", vill["code"], start, NO_DATE)
        acct = take(vv, 28, 58)
        position = "村会计" if rng.random() < 0.5 else "报账员"
        post(acct, org, position, "village_cadre", vill["code"], start, NO_DATE)
        if rng.random() < 0.3:
            post(take(vv), org, "村监委会主任", "village_cadre", vill["code"], start, NO_DATE)
        if rng.random() < 0.4:
            former = take(vv, 50, 60)
            post(
                former,
                party,
                "村党支部书记",
                "village_cadre",
                vill["code"],
                _date(2017, 12, 20) + int(rng.integers(0, 30)),
                start - 1,
            )

    vill_of_town = villages.groupby("town").groups
    staff: dict[tuple[int, str], int] = {}
    for t, town in towns.iterrows():
        tt = int(str(t))
        tname = str(town["name"])
        gov = tname + ("人民政府" if not tname.endswith("街道") else "办事处")
        vs = np.asarray(vill_of_town[tt])
        for position, kind, has_juris in _TOWN_POSTS:
            pos = position
            if position == "长":
                pos = "主任" if tname.endswith("街道") else tname[-1] + "长"
            elif position == "副职":
                pos = "副主任" if tname.endswith("街道") else "副" + tname[-1] + "长"
            start = _date(2010, 1, 1) + int(rng.integers(0, 4000))
            juris = str(town["code"]) if has_juris else ""
            who = take(int(rng.choice(vs)), 25, 58)
            staff[(tt, position)] = who
            post(who, gov, pos, kind, juris, start, NO_DATE)

    for dept, positions in _COUNTY_DEPTS.items():
        for pos in positions:
            start = _date(2012, 1, 1) + int(rng.integers(0, 3500))
            juris = COUNTY_CODE if "局长" in pos else ""
            post(
                take(int(rng.integers(len(villages))), 30, 58),
                COUNTY_NAME + dept[1:],
                pos,
                "civil_servant",
                juris,
                start,
                NO_DATE,
            )

    # Teachers, doctors and other payroll staff: about 1% of the county.
    n_staff = max(8, ctx.n // 110)
    town_names = villages["town_name"].tolist()
    for _ in range(n_staff):
        v = int(rng.integers(len(villages)))
        tn = town_names[v]
        u = rng.random()
        if u < 0.45:
            org, pos, kind = f"{tn}中心小学", "教师", "public_institution"
        elif u < 0.6:
            org, pos, kind = f"{COUNTY_NAME}第一中学", "教师", "public_institution"
        elif u < 0.8:
            org, pos, kind = f"{tn}卫生院", "医生", "public_institution"
        elif u < 0.9:
            org, pos, kind = f"{COUNTY_NAME}人民医院", "护士", "public_institution"
        else:
            org, pos, kind = f"{tn}敬老院", "护理员", "payroll"
        start = _date(1995, 1, 1) + int(rng.integers(0, 10000))
        end = NO_DATE
        if rng.random() < 0.05:
            end = max(start + 400, _date(2019, 1, 1) + int(rng.integers(0, 2000)))
        if len(pool_by_v.get(v, [])) == 0:
            continue
        try:
            post(take(v, 23, 58), org, pos, kind, "", start, end)
        except RuntimeError:
            continue

    off = pd.DataFrame(rows)
    off["id_number"] = ctx.info["ids"][off["_p"].to_numpy()]
    off["name"] = ctx.info["names"][off["_p"].to_numpy()]
    ctx.frames["officials"] = off
    ctx.info["town_staff"] = staff
    ids = ctx.info["ids"]
    ctx.info["civil_affairs_clerk"] = [ids[staff[(t, "民政专干")]] for t in range(len(towns))]
    _declared(ctx)


def _declared(ctx: County) -> None:
    """Leaders (cadres and officials with a jurisdiction) declare household relatives and
    siblings elsewhere in the village; a few relatives are given by name only."""
    rng = ctx.rng
    p = ctx.frames["persons"]
    off = ctx.frames["officials"]
    hh_of = p["_hh"].to_numpy()
    role = p["_role"].to_numpy()
    tainted = np.zeros(len(p), dtype=bool)
    official_p = off["_p"].to_numpy()
    tainted[official_p] = True
    tainted |= np.isin(hh_of, hh_of[official_p])
    means = ctx.frames["_households"]["_means"].to_numpy()[hh_of]
    age = p["_age"].to_numpy()
    alive = p["_death"].to_numpy() == NO_DATE
    surname = np.array([x[0] for x in ctx.info["names"]], dtype=object)
    sibling_ok = alive & ~means & (age >= 25) & ~p["_reserved"].to_numpy()
    key = p["_v"].to_numpy() * 1000 + pd.factorize(surname)[0]
    ok_idx = np.flatnonzero(sibling_ok)
    by_key: dict[int, np.ndarray] = {}
    for k, g in pd.Series(ok_idx).groupby(key[ok_idx]):
        key_k: Any = k
        by_key[int(key_k)] = g.to_numpy()
    head_of = ctx.frames["_households"]["_head"].to_numpy()
    size_of = ctx.frames["_households"]["size"].to_numpy()
    org_of = dict(zip(off["_p"], off["organisation"], strict=False))
    leaders = off[(off["jurisdiction_code"] != "")].drop_duplicates("_p")
    rows: list[dict[str, Any]] = []
    for i in leaders["_p"].to_numpy():
        h = hh_of[i]
        own_role = role[i]
        members = range(int(head_of[h]), int(head_of[h] + size_of[h]))
        for j in members:
            relation = RELATION_BY_ROLE.get(own_role, {}).get(role[j])
            if j == i or relation is None:
                continue
            rows.append({"_official": i, "_rel": j, "relation": relation})
        cand = by_key.get(int(key[i]), np.array([], dtype=np.int64))
        cand = cand[(hh_of[cand] != h) & (np.abs(age[cand] - age[i]) <= 12)]
        for j in cand[: int(rng.integers(0, 3))]:
            rows.append({"_official": i, "_rel": int(j), "relation": "兄弟姐妹"})
            tainted[j] = True
    rel = pd.DataFrame(rows)
    ids, names = ctx.info["ids"], ctx.info["names"]
    rel["official_id_number"] = ids[rel["_official"].to_numpy()]
    rel["relative_id_number"] = ids[rel["_rel"].to_numpy()]
    rel["relative_name"] = names[rel["_rel"].to_numpy()]
    u = rng.random(len(rel))
    work = np.array(["务农", "个体经营", "外出务工", "", "", "退休"], dtype=object)
    rel["employer"] = work[rng.integers(0, len(work), len(rel))]
    rel["employer"] = [
        org_of.get(int(j), e) for j, e in zip(rel["_rel"], rel["employer"], strict=True)
    ]
    rel["_name_only"] = u < 0.1
    ctx.frames["declared_relations"] = rel
    p["_tainted"] = tainted
