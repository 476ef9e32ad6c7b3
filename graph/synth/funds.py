"""Livelihood programmes, who receives them, the monthly payment rolls, and students.

Subsistence (低保) goes to whole households, chosen among small and elderly ones, for a
window of 12-24 consecutive months of 2023-2024; about one household in seven covers
only some members (单人保). Extreme poverty support (特困) goes to elderly people living
alone and never overlaps 低保. Every person's payments stop after the month of death.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.synth.common import (
    COUNTY_NAME,
    FIRST_MONTH,
    LAST_MONTH,
    NO_DATE,
    County,
    IntArray,
    day,
    month_code,
    month_start,
    scramble,
    zfill_int,
)
from graph.synth.economy import EXEMPT

PROGRAMS = [
    ("DB01", "农村低保", "县民政局", "subsistence", "DB02;TK01"),
    ("DB02", "城市低保", "县民政局", "subsistence", "DB01;TK01"),
    ("TK01", "特困供养", "县民政局", "extreme_poverty", "DB01;DB02"),
    ("CJ01", "困难残疾人生活补贴", "县民政局", "disability", ""),
    ("CJ02", "重度残疾人护理补贴", "县民政局", "disability", ""),
    ("GL01", "高龄津贴", "县民政局", "elderly", ""),
    ("JY01", "义务教育家庭经济困难学生生活补助", "县教育局", "education", "JY02;JY03;JY06"),
    ("JY02", "普通高中国家助学金", "县教育局", "education", "JY01;JY03"),
    ("JY03", "中职国家助学金", "县教育局", "education", "JY01;JY02"),
    ("JY04", "普通高中免学杂费", "县教育局", "education", ""),
    ("JY05", "教育资助-建档立卡(雨露计划)", "县乡村振兴局", "education", ""),
    ("JY06", "学前教育资助", "县教育局", "education", "JY01"),
    ("ZF01", "农村危房改造补助", "县住房和城乡建设局", "housing", ""),
    ("NY01", "耕地地力保护补贴", "县农业农村局", "agriculture", ""),
    ("LS01", "临时救助", "县民政局", "other", ""),
    ("YS01", "农村饮水安全工程", "县水利局", "works", ""),
    ("JZ01", "受灾群众生活救助", "县应急管理局", "other", ""),
]
_ACCOUNT_PREFIXES = ("6217995", "6228480", "6230901", "6214837", "6215581")
# Per person per month, in yuan, by household class (A/B/C).
_DB_AMOUNTS = {"DB01": (430, 360, 290), "DB02": (610, 520, 440)}


def programs(ctx: County) -> None:
    rows = [
        {
            "program_code": c,
            "name": n,
            "department": COUNTY_NAME + d[1:],
            "kind": k,
            "exclusive_with": x,
        }
        for c, n, d, k, x in PROGRAMS
    ]
    ctx.frames["programs"] = pd.DataFrame(rows)


def account_numbers(idx: IntArray) -> np.ndarray:
    """Bank card numbers (19 digits), one per index, never two alike."""
    uniq, inverse = np.unique(np.asarray(idx, dtype=np.int64), return_inverse=True)
    pre = np.array(_ACCOUNT_PREFIXES, dtype=object)[uniq % len(_ACCOUNT_PREFIXES)]
    body = zfill_int(scramble(uniq, 10**12, 618_033_988_749, 271_828_182), 12).astype(object)
    return np.asarray(pre + body, dtype=object)[inverse]


def select_recipients(ctx: County) -> None:
    """Mark subsistence and extreme-poverty households (``_prog``, ``_m0``, ``_m1``)."""
    rng = ctx.rng
    p = ctx.frames["persons"]
    hh = ctx.frames["_households"]
    villages = ctx.frames["_villages"]
    nh = len(hh)
    size = hh["size"].to_numpy()
    head_age = p["_age"].to_numpy()[hh["_head"].to_numpy()]
    w = 1.0 + (size <= 2) * 1.0 + (head_age >= 65) * 1.5
    keys = rng.random(nh) ** (1.0 / w)
    reserved = np.zeros(nh, dtype=bool)
    np.logical_or.at(reserved, p["_hh"].to_numpy(), p["_reserved"].to_numpy())
    keys[reserved] = -1.0
    order = np.argsort(-keys, kind="stable")
    cum = np.cumsum(size[order])
    k = int(np.searchsorted(cum, 0.045 * ctx.n)) + 1
    chosen = np.zeros(nh, dtype=bool)
    chosen[order[:k]] = True
    community = villages["community"].to_numpy()[hh["_v"].to_numpy()]
    prog = np.where(chosen, np.where(community, "DB02", "DB01"), "")
    single_old = (size == 1) & (head_age >= 60) & ~chosen & ~reserved
    tk_idx = np.flatnonzero(single_old)
    tk_idx = tk_idx[rng.permutation(len(tk_idx))[: int(0.005 * ctx.n)]]
    prog[tk_idx] = "TK01"
    start = np.where(rng.random(nh) < 0.55, 0, rng.integers(1, 13, nh))
    length = np.where(rng.random(nh) < 0.6, 24 - start, rng.integers(12, 25, nh))
    hh["_prog"] = prog
    hh["_m0"] = FIRST_MONTH + start
    hh["_m1"] = np.minimum(FIRST_MONTH + start + length - 1, LAST_MONTH)
    hh["_class"] = rng.integers(0, 3, nh)
    hh["_means"] = prog != ""
    hh["_shared_acct"] = rng.random(nh) < 0.8
    partial = rng.random(nh) < 0.15
    role = p["_role"].to_numpy()
    h_of = p["_hh"].to_numpy()
    covered = np.isin(prog[h_of], ["DB01", "DB02"]) & (
        ~partial[h_of] | (role == "H") | (rng.random(len(p)) < 0.4)
    )
    p["_covered"] = covered | (prog[h_of] == "TK01")


def disbursements(ctx: County) -> None:
    """Expand every entitlement into monthly rows; write ``disbursements``."""
    rng = ctx.rng
    p = ctx.frames["persons"]
    hh = ctx.frames["_households"]
    villages = ctx.frames["_villages"]
    n = len(p)
    h_of = p["_hh"].to_numpy()
    prog_h = hh["_prog"].to_numpy()
    m0_h, m1_h = hh["_m0"].to_numpy(), hh["_m1"].to_numpy()
    covered = p["_covered"].to_numpy()
    age = p["_age"].to_numpy()
    birth = p["_birth"].to_numpy()

    parts: list[tuple[IntArray, str, IntArray, IntArray, IntArray]] = []
    for code, amounts in _DB_AMOUNTS.items():
        who = np.flatnonzero(covered & (prog_h[h_of] == code))
        amt = np.array(amounts)[hh["_class"].to_numpy()[h_of[who]]] * 100
        parts.append((who, code, m0_h[h_of[who]], m1_h[h_of[who]], amt))
        dis = who[rng.random(len(who)) < 0.08]
        parts.append((dis, "CJ01", m0_h[h_of[dis]], m1_h[h_of[dis]], np.full(len(dis), 9000)))
    tk = np.flatnonzero(prog_h[h_of] == "TK01")
    parts.append((tk, "TK01", m0_h[h_of[tk]], m1_h[h_of[tk]], 68000 + 5000 * (tk % 5)))
    cj2 = np.flatnonzero(rng.random(n) < 0.004)
    parts.append(
        (
            cj2,
            "CJ02",
            FIRST_MONTH + rng.integers(0, 13, len(cj2)),
            np.full(len(cj2), LAST_MONTH),
            np.full(len(cj2), 10000),
        )
    )
    old = np.flatnonzero(age >= 80)
    turn80 = month_code(birth[old]) + 80 * 12 + 1
    gl_amt = np.where(age[old] >= 100, 30000, np.where(age[old] >= 90, 10000, 5000))
    parts.append(
        (old, "GL01", np.maximum(turn80, FIRST_MONTH), np.full(len(old), LAST_MONTH), gl_amt)
    )

    who = np.concatenate([x[0] for x in parts])
    codes = np.concatenate([np.full(len(x[0]), x[1], dtype=object) for x in parts])
    m0 = np.concatenate([x[2] for x in parts])
    m1 = np.concatenate([x[3] for x in parts])
    amt = np.concatenate([x[4] for x in parts]).astype(np.int64)
    death_m = np.where(p["_death"].to_numpy() == NO_DATE, 10**6, month_code(p["_death"].to_numpy()))
    m1 = np.minimum(m1, death_m[who])
    keep = m1 >= m0
    who, codes, m0, m1, amt = who[keep], codes[keep], m0[keep], m1[keep], amt[keep]
    lens = m1 - m0 + 1
    row_who = np.repeat(who, lens)
    month = np.repeat(m0, lens) + (np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens))
    row_code = np.repeat(codes, lens)
    row_amt = np.repeat(amt, lens)
    v_of = p["_v"].to_numpy()[row_who]
    order = np.lexsort((row_code, row_who, v_of, month))
    row_who, month, row_code, row_amt, v_of = (
        row_who[order],
        month[order],
        row_code[order],
        row_amt[order],
        v_of[order],
    )
    rh = h_of[row_who]
    shared = hh["_shared_acct"].to_numpy()[rh] & np.isin(prog_h[rh], ["DB01", "DB02"])
    acct_idx = np.where(shared, rh, len(hh) + row_who)
    town = villages["town"].to_numpy()[v_of]
    handler = ctx.info["civil_affairs_clerk"]  # one per township
    paid = month_start(month) + 8 + (month * 7 + town * 3) % 10
    nrow = len(month)
    ctx.counters["record"] = nrow
    periods = np.array(
        [f"{m // 12:04d}{m % 12 + 1:02d}" for m in range(FIRST_MONTH, LAST_MONTH + 1)], dtype=object
    )
    rec = (
        "MZ"
        + periods[month - FIRST_MONTH]
        + zfill_int(scramble(np.arange(nrow), 10**8, 79_309_951, 4_242), 8).astype(object)
    )
    ctx.frames["disbursements"] = pd.DataFrame(
        {
            "record_id": rec,
            "program_code": row_code,
            "recipient_id_number": ctx.info["ids"][row_who],
            "recipient_name": ctx.info["names"][row_who],
            "household_id": hh["household_id"].to_numpy()[rh],
            "village_code": villages["code"].to_numpy()[v_of],
            "amount": row_amt,
            "_period": month,
            "paid_date": paid,
            "bank_account": account_numbers(acct_idx),
            "handler_id_number": np.asarray(handler, dtype=object)[town],
        }
    )


def record_id(ctx: County, month: int) -> str:
    """A fresh record id for a planted payment row."""
    i = ctx.take("record")[0]
    return (
        f"MZ{month // 12:04d}{month % 12 + 1:02d}{int(scramble(i, 10**8, 79_309_951, 4_242)):08d}"
    )


_GRADES = {
    3: "小班",
    4: "中班",
    5: "大班",
    6: "一年级",
    7: "二年级",
    8: "三年级",
    9: "四年级",
    10: "五年级",
    11: "六年级",
    12: "七年级",
    13: "八年级",
    14: "九年级",
    15: "高一",
    16: "高二",
    17: "高三",
}


def students(ctx: County) -> None:
    """Education aid roster for school years 2023-2024 and 2024-2025."""
    rng = ctx.rng
    p = ctx.frames["persons"]
    hh = ctx.frames["_households"]
    villages = ctx.frames["_villages"]
    h_of = p["_hh"].to_numpy()
    prog = hh["_prog"].to_numpy()[h_of]
    poor = np.isin(prog, ["DB01", "DB02", "TK01"])
    age_now = p["_age"].to_numpy()
    # Students outside the benefit households come from homes the means test passes: no
    # car, no commercial property, nobody in a business (or every one would be a case).
    other = (rng.random(len(p)) < 0.04) & ~_with_assets(ctx)[h_of]
    vocational = rng.random(len(p)) < 0.3
    m0, m1 = hh["_m0"].to_numpy()[h_of], hh["_m1"].to_numpy()[h_of]
    frames = []
    for year, shift in (("2023-2024", 2), ("2024-2025", 1)):
        a = age_now - shift + 1  # age at the start of the school year
        # A benefit household's child is aided under its category only in a school year
        # whose first calendar year the household was paid (the roster's rule).
        y = int(year[:4]) * 12
        paid = poor & (m0 <= y + 11) & (m1 >= y)
        who = np.flatnonzero((a >= 3) & (a <= 17) & (paid | other))
        frames.append(pd.DataFrame({"_p": who, "year": year, "_a": a[who], "_paid": paid[who]}))
    df = pd.concat(frames, ignore_index=True)
    i = df["_p"].to_numpy()
    a = df["_a"].to_numpy()
    town_name = villages["town_name"].to_numpy(dtype=object)[p["_v"].to_numpy()[i]]
    voc = vocational[i] & (a >= 15)
    pol = np.where(a <= 5, "JY06", np.where(a <= 14, "JY01", np.where(voc, "JY03", "JY02")))
    pol = pol.astype(object)
    free = (a >= 15) & ~voc & (rng.random(len(df)) < 0.5)
    pol = np.where(free, pol + ";JY04", pol)
    p_i = np.where(df["_paid"].to_numpy(dtype=bool), prog[i], "")
    cat_other = np.array(
        ["建档立卡经济困难学生"] * 6
        + ["大病(癌症)家庭学生", "家庭经济困难残疾学生", "其他", "其他"],
        dtype=object,
    )
    category = np.where(
        p_i == "DB01",
        "农村低保家庭学生",
        np.where(
            p_i == "TK01",
            "农村特困救助供养学生",
            np.where(p_i == "DB02", "其他", cat_other[i % len(cat_other)]),
        ),
    )
    pol = np.where(voc & (category == "建档立卡经济困难学生"), pol + ";JY05", pol)
    school = np.where(
        a <= 5,
        town_name + "中心幼儿园",
        np.where(
            a <= 11,
            town_name + "中心小学",
            np.where(
                a <= 14,
                town_name + "中学",
                np.where(voc, COUNTY_NAME + "职业中专", COUNTY_NAME + "第一中学"),
            ),
        ),
    )
    grade = np.array([_GRADES[int(x)] for x in a], dtype=object)
    grade = np.where(
        voc,
        np.array(["中职一年级", "中职二年级", "中职三年级"], dtype=object)[np.clip(a - 15, 0, 2)],
        grade,
    )
    ctx.frames["students"] = pd.DataFrame(
        {
            "id_number": p["id_number"].to_numpy()[i],
            "name": p["name"].to_numpy()[i],
            "school": school,
            "grade": grade,
            "category": category,
            "household_id": p["household_id"].to_numpy()[i],
            "policies": pol,
            "year": df["year"].to_numpy(),
            "school_type": np.where(
                a <= 5,
                "学前",
                np.where(a <= 11, "小学", np.where(a <= 14, "初中", np.where(voc, "中职", "高中"))),
            ),
            "status": "在读",
            "amount": [aid_amount(str(x)) for x in pol],
            "_p": i,
        }
    )
    _aid_registers(ctx)


def _with_assets(ctx: County) -> npt.NDArray[np.bool_]:
    """Households where someone owns a car, commercial property or has a business role."""
    p = ctx.frames["persons"]
    h_of = p["_hh"].to_numpy()
    out = np.zeros(len(ctx.frames["_households"]), dtype=bool)
    veh = ctx.frames["vehicles"]
    out[h_of[veh.loc[~veh["vehicle_type"].isin(EXEMPT), "_owner"].to_numpy(dtype=np.int64)]] = True
    props = ctx.frames["properties"]
    out[h_of[props.loc[props["usage"] != "住宅", "_owner"].to_numpy(dtype=np.int64)]] = True
    out[h_of[p["_biz"].to_numpy(dtype=bool)]] = True
    return out


# Yuan a year per policy (the roster's amount is the year's total of its policies).
POLICY_YUAN = {
    "JY01": 1_000,
    "JY02": 2_000,
    "JY03": 2_000,
    "JY04": 1_600,
    "JY05": 3_000,
    "JY06": 1_000,
}


def aid_amount(policies: str) -> int:
    """Fen a year for ``;``-separated policy codes."""
    return sum(POLICY_YUAN.get(c, 0) for c in policies.split(";") if c) * 100


def _aid_registers(ctx: County) -> None:
    """The registers the roster's categories rest on: every household of a 建档立卡
    student is in the poverty register that year, every 残疾 student holds a certificate."""
    st = ctx.frames["students"]
    p = ctx.frames["persons"]
    poor = st[st["category"] == "建档立卡经济困难学生"]
    rows = {}
    for hid, year, i in zip(poor["household_id"], poor["year"], poor["_p"], strict=True):
        y = str(year)[:4]
        rows[(hid, y)] = {
            "household_id": hid,
            "village_code": p.at[int(i), "village_code"],
            "year": y,
            "status": "贫困户" if y == "2023" else "已脱贫",
        }
    ctx.frames["poverty_households"] = pd.DataFrame(
        list(rows.values()), columns=["household_id", "village_code", "year", "status"]
    )
    dis = st[st["category"] == "家庭经济困难残疾学生"].drop_duplicates("id_number")
    ctx.frames["disability_certificates"] = pd.DataFrame(
        {
            "cert_no": [f"{x}4{n % 4 + 1}" for n, x in enumerate(dis["id_number"])],
            "id_number": dis["id_number"].to_numpy(),
            "name": dis["name"].to_numpy(),
            "kind": "肢体",
            "grade": [("一级", "二级", "三级", "四级")[n % 4] for n in range(len(dis))],
            "issued": day(dt.date(2020, 3, 1)),
            "_p": dis["_p"].to_numpy(),
        }
    )
