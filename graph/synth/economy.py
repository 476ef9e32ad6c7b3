"""Enterprises with their people, real estate and vehicles.

Enterprise people come from households with no means-tested benefit and no official
(``_tainted``), so the background holds no business finding. Subsistence households own
at most one ordinary home and only the vehicles the rules exempt (motorcycles, farm
tricycles, low-speed trucks).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from graph.ids import uscc_check_char
from graph.synth.common import (
    AREA_CODE,
    AS_OF_DAY,
    COUNTY_CODE,
    COUNTY_NAME,
    NO_DATE,
    PLATE_PREFIX,
    County,
    IntArray,
    at_int,
    at_str,
    day,
    scramble,
)
from graph.synth.names import BRAND_CHARS

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# kind -> (USCC authority+category, share, [(industry, name tail)])
_KINDS: dict[str, tuple[str, float, list[tuple[str, str]]]] = {
    "个体工商户": (
        "92",
        0.45,
        [
            ("批发和零售业", "百货店"),
            ("住宿和餐饮业", "饭店"),
            ("居民服务业", "理发店"),
            ("建筑业", "水电安装部"),
            ("交通运输业", "货运部"),
        ],
    ),
    "有限责任公司": (
        "91",
        0.32,
        [
            ("建筑业", "建筑工程有限公司"),
            ("建筑业", "水利水电工程有限公司"),
            ("建筑业", "路桥工程有限公司"),
            ("批发和零售业", "商贸有限公司"),
            ("制造业", "建材有限公司"),
            ("交通运输业", "运输有限公司"),
            ("信息技术服务业", "科技有限公司"),
        ],
    ),
    "农民专业合作社": (
        "93",
        0.15,
        [("农业", "种养专业合作社"), ("农业", "油茶专业合作社"), ("农业", "果蔬专业合作社")],
    ),
    "民办非企业单位": (
        "52",
        0.06,
        [("教育", "幼儿园"), ("教育", "培训学校"), ("居民服务业", "养老院")],
    ),
    "其他组织": ("Y1", 0.02, [("居民服务业", "便民服务中心")]),
}
CARS = ("小型轿车", "小型普通客车")
TRUCKS = ("重型货车", "中型货车", "轻型普通货车")
EXEMPT = ("二轮摩托车", "三轮摩托车", "三轮汽车", "低速货车")
BRANDS = {
    "小型轿车": ["大众", "丰田", "本田", "比亚迪", "吉利", "日产", "别克"],
    "小型普通客车": ["五菱", "长安", "哈弗", "比亚迪"],
    "重型货车": ["解放", "东风", "重汽", "陕汽"],
    "中型货车": ["解放", "东风", "福田"],
    "轻型普通货车": ["福田", "江淮", "五十铃"],
    "二轮摩托车": ["豪爵", "嘉陵", "宗申", "五羊-本田"],
    "三轮摩托车": ["宗申", "隆鑫"],
    "三轮汽车": ["五征", "时风", "巨力"],
    "低速货车": ["时风", "五征"],
}


_D2008 = day(dt.date(2008, 1, 1))


def uscc(head: str, i: int) -> str:
    """A valid USCC: authority+category, the county code, a 9-character organisation code."""
    x = int(scramble(i, 31**7, 1_000_003, 777_777))
    tail = ""
    for _ in range(7):
        x, r = divmod(x, 31)
        tail += USCC_CHARS[r]
    org = (
        ("MA" + tail)
        if i % 5
        else (f"{int(scramble(i, 10**7, 7_654_321, 1_234_567)):07d}" + tail[:2])
    )
    body = head + COUNTY_CODE + org
    return body + uscc_check_char(body)


def landline(i: int) -> str:
    return f"{AREA_CODE}-{2_000_000 + int(scramble(i, 7_000_000, 3_141_593, 2_718_281)):07d}"


def plate(i: int, new_energy: bool = False) -> str:
    """A 湘D plate, unique per serial number; new-energy plates have six characters."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    alnum = "0123456789" + letters
    if new_energy:
        x = int(scramble(i, 200_000, 7_919))
        return f"{PLATE_PREFIX}{'DF'[x % 2]}{x // 2:05d}"
    x = int(scramble(i, 24 * 34 * 1000, 104_729))
    a, rest = divmod(x, 34 * 1000)
    b, c = divmod(rest, 1000)
    return f"{PLATE_PREFIX}{letters[a]}{alnum[b]}{c:03d}"


def cert_no(i: int, year: int) -> str:
    return f"湘({year}){COUNTY_NAME}不动产权第{int(scramble(i, 10**7, 2_718_281)):07d}号"


def build(ctx: County) -> None:
    _enterprises(ctx)
    _assets(ctx)


def _clean_pool(ctx: County) -> IntArray:
    p = ctx.frames["persons"]
    means = ctx.frames["_households"]["_means"].to_numpy()[p["_hh"].to_numpy()]
    age = p["_age"].to_numpy()
    ok = (age >= 22) & (age <= 65) & (p["_death"].to_numpy() == NO_DATE)
    return np.flatnonzero(ok & ~means & ~p["_tainted"].to_numpy() & ~p["_reserved"].to_numpy())


def _enterprises(ctx: County) -> None:
    rng = ctx.rng
    p = ctx.frames["persons"]
    villages = ctx.frames["_villages"]
    pool = _clean_pool(ctx)
    n_e = max(60, ctx.n // 250)
    kinds = list(_KINDS)
    share = np.array([_KINDS[k][1] for k in kinds])
    kind = np.array(kinds, dtype=object)[rng.choice(len(kinds), n_e, p=share / share.sum())]
    kind[:12] = np.array(["有限责任公司"] * 12, dtype=object)  # small counties need builders
    rep = pool[rng.integers(0, len(pool), n_e)]
    rows = []
    seen: set[str] = set()
    for i in range(n_e):
        k = str(kind[i])
        head, _, options = _KINDS[k]
        industry, tail = options[0] if i < 12 else options[int(rng.integers(len(options)))]
        v = at_int(p, int(rep[i]), "_v")
        town = at_str(villages, v, "town_name")
        while True:
            brand = str(BRAND_CHARS[rng.integers(len(BRAND_CHARS))]) + str(
                BRAND_CHARS[rng.integers(len(BRAND_CHARS))]
            )
            if k == "个体工商户":
                name = f"{COUNTY_NAME}{town}{brand}{tail}"
            elif k == "农民专业合作社":
                name = f"{COUNTY_NAME}{at_str(villages, v, 'name')}{brand}{tail}"
            else:
                name = f"{COUNTY_NAME}{brand}{tail}"
            if name not in seen:
                seen.add(name)
                break
        est = day(dt.date(1998, 1, 1)) + int(rng.integers(0, 9300))
        if i < 12 or industry == "建筑业":
            est = min(est, AS_OF_DAY - 4 * 365)
        u = rng.random()
        status = "存续" if (u < 0.8 or industry == "建筑业") else ("注销" if u < 0.92 else "吊销")
        dereg = (
            NO_DATE
            if status == "存续"
            else min(AS_OF_DAY - 5, est + 200 + int(rng.integers(0, 3000)))
        )
        person_phone = str(p.at[int(rep[i]), "phone"])
        at_home = k == "个体工商户" and rng.random() < 0.5
        address = (
            str(p.at[int(rep[i]), "address"])
            if at_home
            else f"湖南省{COUNTY_NAME}{town}{at_str(villages, v, 'street')}{101 + i}号"
        )
        use_person_phone = person_phone and rng.random() < (0.8 if k == "个体工商户" else 0.35)
        capital = {"个体工商户": 5, "有限责任公司": 200, "农民专业合作社": 50}.get(k, 20)
        rows.append(
            {
                "uscc": uscc(head, i),
                "name": name,
                "_rep": int(rep[i]),
                "kind": k,
                "industry": industry,
                "address": address,
                "phone": person_phone if use_person_phone else landline(i),
                "established": est,
                "status": status,
                "deregistered": dereg,
                "registered_capital": int(capital * (0.2 + rng.random() * 4)) * 10_000 * 100,
            }
        )
    ctx.counters["enterprise"] = n_e
    ctx.counters["landline"] = n_e
    ent = pd.DataFrame(rows)
    ent["legal_rep_id_number"] = p["id_number"].to_numpy()[ent["_rep"].to_numpy()]
    ent["legal_rep_name"] = p["name"].to_numpy()[ent["_rep"].to_numpy()]
    ctx.frames["enterprises"] = ent
    _roles(ctx, pool)


def _roles(ctx: County, pool: IntArray) -> None:
    rng = ctx.rng
    p = ctx.frames["persons"]
    ent = ctx.frames["enterprises"]
    rows = []
    for code, kind, rep_ in zip(ent["uscc"], ent["kind"], ent["_rep"], strict=True):
        if kind not in ("有限责任公司", "农民专业合作社"):
            continue
        rep = int(rep_)
        others = pool[rng.integers(0, len(pool), 2)]
        holders = [rep] + [int(o) for o in others[: int(rng.integers(0, 3))]]
        shares = rng.dirichlet(np.ones(len(holders)) * 2)
        shares = np.round(shares, 2)
        shares[0] = round(1 - shares[1:].sum(), 2)
        for h, s in zip(holders, shares, strict=True):
            rows.append({"uscc": code, "_p": h, "role": "股东", "share_ratio": float(s)})
        if kind == "有限责任公司":
            rows.append({"uscc": code, "_p": rep, "role": "执行董事", "share_ratio": None})
            sup = holders[1] if len(holders) > 1 else int(pool[rng.integers(len(pool))])
            rows.append({"uscc": code, "_p": sup, "role": "监事", "share_ratio": None})
            if rng.random() < 0.3:
                rows.append({"uscc": code, "_p": rep, "role": "经理", "share_ratio": None})
    roles = pd.DataFrame(rows)
    roles["person_id_number"] = p["id_number"].to_numpy()[roles["_p"].to_numpy()]
    roles["person_name"] = p["name"].to_numpy()[roles["_p"].to_numpy()]
    ctx.frames["enterprise_roles"] = roles
    biz = np.zeros(len(p), dtype=bool)
    biz[roles["_p"].to_numpy()] = True
    biz[ent["_rep"].to_numpy()] = True
    p["_biz"] = biz


def _assets(ctx: County) -> None:
    rng = ctx.rng
    p = ctx.frames["persons"]
    hh = ctx.frames["_households"]
    villages = ctx.frames["_villages"]
    nh = len(hh)
    means = hh["_means"].to_numpy()
    head = hh["_head"].to_numpy()
    size = hh["size"].to_numpy()
    ids = p["id_number"].to_numpy()
    roles = p["_role"].to_numpy()
    town = villages["town_name"].to_numpy(dtype=object)[hh["_v"].to_numpy()]
    u = rng.random((nh, 8))
    home = np.flatnonzero(u[:, 0] < np.where(means, 0.15, 0.35))
    has_sp = (size[home] > 1) & (roles[np.minimum(head[home] + 1, len(p) - 1)] == "S")
    co = np.where(has_sp & (u[home, 1] < 0.4), ids[np.minimum(head[home] + 1, len(p) - 1)], "")
    second = np.flatnonzero(~means & (u[:, 3] < 0.08))
    shop = np.flatnonzero(~means & (u[:, 7] < 0.03))
    flats = ctx.take("flat", len(second))
    shops = ctx.take("shop", len(shop))
    estate = np.where(u[second, 4] < 0.5, "锦绣", "阳光")
    usage_shop = np.array(["商业", "商住", "办公", "车位"], dtype=object)[
        (u[shop, 4] * 4).astype(int)
    ]
    owner = np.concatenate([head[home], head[second], head[shop]])
    usage = np.concatenate(
        [
            np.full(len(home), "住宅", dtype=object),
            np.full(len(second), "住宅", dtype=object),
            usage_shop,
        ]
    )
    address = np.concatenate(
        [
            hh["address"].to_numpy(dtype=object)[home],
            f"湖南省{COUNTY_NAME}"
            + town[second]
            + estate
            + "小区"
            + (1 + (u[second, 5] * 20).astype(int)).astype(str).astype(object)
            + "栋"
            + (np.array(flats) + 101).astype(str).astype(object)
            + "室",
            f"湖南省{COUNTY_NAME}"
            + town[shop]
            + "商业街"
            + (np.array(shops) + 1).astype(str).astype(object)
            + "号",
        ]
    )
    area = np.concatenate([70 + 150 * u[home, 2], 60 + 80 * u[second, 6], 12 + 150 * u[shop, 5]])
    k = len(owner)
    reg = _D2008 + rng.integers(0, 6200, k)
    years = reg.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    serial = ctx.take("cert", k)
    ctx.frames["properties"] = pd.DataFrame(
        {
            "cert_no": [cert_no(i, int(y)) for i, y in zip(serial, years, strict=True)],
            "owner_id_number": ids[owner],
            "owner_name": p["name"].to_numpy()[owner],
            "co_owner_id_numbers": np.concatenate(
                [co, np.full(len(second) + len(shop), "", dtype=object)]
            ),
            "address": address,
            "usage": usage,
            "area_m2": np.round(area, 2),
            "registered": reg,
            "_owner": owner,
        }
    )
    _vehicles(ctx, means, head)


def _vehicles(ctx: County, means: np.ndarray, head: IntArray) -> None:
    rng = ctx.rng
    p = ctx.frames["persons"]
    nh = len(means)
    plans = [
        (CARS, 0.3, False),
        (CARS, 0.05, False),
        (TRUCKS, 0.03, False),
        (("二轮摩托车",), 0.22, True),
        (("三轮汽车",), 0.06, True),
        (("低速货车",), 0.02, True),
        (("三轮摩托车",), 0.02, True),
    ]
    hs_all, vt_all = [], []
    for types, share, exempt in plans:
        hs = np.flatnonzero(rng.random(nh) < share)
        if not exempt:
            hs = hs[~means[hs]]
        hs_all.append(hs)
        vt_all.append(np.array(types, dtype=object)[rng.integers(0, len(types), len(hs))])
    hs = np.concatenate(hs_all)
    vt = np.concatenate(vt_all)
    k = len(hs)
    ne = np.isin(vt, CARS) & (rng.random(k) < 0.06)
    serial = ctx.take("plate", k)
    plates = [plate(i, bool(e)) for i, e in zip(serial, ne, strict=True)]
    brand = np.empty(k, dtype=object)
    pick = rng.integers(0, 1000, k)
    for t, options in BRANDS.items():
        m = vt == t
        brand[m] = np.array(options, dtype=object)[pick[m] % len(options)]
    reg = _D2008 + rng.integers(0, 6000, k)
    u = rng.random(k)
    status = np.where(
        u < 0.85, "正常", np.where(u < 0.92, "转移", np.where(u < 0.96, "注销", "报废"))
    )
    dereg = np.where(
        status == "正常", NO_DATE, np.minimum(AS_OF_DAY - 5, reg + 300 + rng.integers(0, 3000, k))
    )
    ctx.frames["vehicles"] = pd.DataFrame(
        {
            "plate": plates,
            "owner_id_number": p["id_number"].to_numpy()[head[hs]],
            "owner_name": p["name"].to_numpy()[head[hs]],
            "vehicle_type": vt,
            "brand": brand,
            "registered": reg,
            "status": status,
            "deregistered": dereg,
            "_owner": head[hs],
        }
    )
