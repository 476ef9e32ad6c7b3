"""One fictional county of Hengyang (湘D): its townships, villages and communities.

Codes follow GB/T 2260 and the statistical extension: township 9 digits (街道 0xx,
镇 1xx, 乡 2xx), village 12 digits (居委会/社区 0xx, 村委会 2xx).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.synth.common import COUNTY_CODE, COUNTY_NAME, County

_FIRST = "石枫杨柳桃竹松梅荷兰龙凤鹤马牛鹿云泉金银黄青白红新联东西南北中上下大小长高双三"
_SECOND = "塘桥湾坪冲山岭溪江河田湖陂港洲铺坳源口市头台峰林岗垅湾坝圳"
_STREETS = [
    "人民路",
    "解放路",
    "建设路",
    "蒸水路",
    "船山路",
    "雁城路",
    "新华街",
    "东风路",
    "迎宾路",
    "和平路",
]


def _names(rng: np.random.Generator, k: int, taken: set[str]) -> list[str]:
    # Two characters give about 1,400 names; a county of 3 million persons has as many
    # villages. Past 80 % of them, names take a third character (counties up to about
    # two million persons draw as they always did).
    long = len(taken) + k > 0.8 * len(set(_FIRST)) * len(set(_SECOND))
    out: list[str] = []
    while len(out) < k:
        name = _FIRST[int(rng.integers(len(_FIRST)))] + _SECOND[int(rng.integers(len(_SECOND)))]
        if long:
            name += _SECOND[int(rng.integers(len(_SECOND)))]
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def build(ctx: County) -> None:
    """Write ``divisions`` and the internal ``villages`` table (with population weights)."""
    rng = ctx.rng
    # A city sets each county's share of its townships and villages (graph/synth/city.py).
    n_town = int(ctx.info.get("n_towns") or np.clip(round(ctx.n / 40_000), 2, 30))
    n_vill = int(ctx.info.get("n_villages") or max(6, round(ctx.n / 2_200), 2 * n_town))
    n_vill = max(n_vill, 2 * n_town)
    taken: set[str] = set()
    town_names = _names(rng, n_town, taken)
    rows = [{"code": COUNTY_CODE, "name": COUNTY_NAME, "level": "county", "parent_code": ""}]
    towns = []
    n_towns_proper = max(1, (n_town - 1) * 2 // 3)
    for t, base in enumerate(town_names):
        if t == 0:
            code, name = f"{COUNTY_CODE}001", base + "街道"
        elif t <= n_towns_proper:
            code, name = f"{COUNTY_CODE}{100 + t:03d}", base + "镇"
        else:
            code, name = f"{COUNTY_CODE}{200 + t - n_towns_proper:03d}", base + "乡"
        towns.append((code, name))
        rows.append({"code": code, "name": name, "level": "township", "parent_code": COUNTY_CODE})
    # Every township gets at least two villages; the rest are spread at random.
    per_town = np.full(n_town, 2) + rng.multinomial(n_vill - 2 * n_town, np.ones(n_town) / n_town)
    village_rows = []
    vnames = iter(_names(rng, int(per_town.sum()), taken))
    for t, (tcode, tname) in enumerate(towns):
        k = int(per_town[t])
        # The subdistrict is all communities; towns have a community or two at the seat.
        n_comm = k if t == 0 else (int(rng.integers(1, 3)) if t <= n_towns_proper else 0)
        n_comm = min(n_comm, k - 1) if t else n_comm
        for j in range(k):
            community = j < n_comm
            vcode = f"{tcode}{(1 + j) if community else (201 + j - n_comm):03d}"
            vname = next(vnames) + ("社区" if community else "村")
            rows.append({"code": vcode, "name": vname, "level": "village", "parent_code": tcode})
            street = _STREETS[int(rng.integers(len(_STREETS)))]
            village_rows.append(
                {
                    "code": vcode,
                    "name": vname,
                    "town": t,
                    "town_code": tcode,
                    "town_name": tname,
                    "community": community,
                    "street": street,
                    "weight": float(rng.lognormal(0, 0.35)) * (1.4 if community else 1.0),
                }
            )
    ctx.frames["divisions"] = pd.DataFrame(rows)
    villages = pd.DataFrame(village_rows)
    villages["prefix"] = "湖南省" + COUNTY_NAME + villages["town_name"] + villages["name"]
    ctx.frames["_villages"] = villages
    ctx.frames["_towns"] = pd.DataFrame(towns, columns=["code", "name"])
