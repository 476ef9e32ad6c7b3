"""Households and their members: names, ID numbers, ages, phones, addresses, deaths.

Households are drawn from templates by size (head, spouse, children, parents,
grandchildren ...), so relations to the head, ages and surnames agree with each other.
ID numbers carry the county's code (older people sometimes a retired one, spouses who
married in their home county's), the birth date and a sequence number whose parity is
the gender; sequence numbers 900-999 are kept free for people added by planting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.synth import names
from graph.synth.common import (
    AS_OF_DAY,
    COUNTY_CODE,
    DATA_START,
    NO_DATE,
    OTHER_PREFIXES,
    RETIRED_PREFIXES,
    County,
    IntArray,
    ObjArray,
    resident_ids,
    scramble,
    zfill_int,
)

# size -> [(roles, weight, head age low, head age high)]; H head, S spouse, C child,
# P parent, G grandchild, B sibling, O other (daughter-in-law).
_TEMPLATES: dict[int, list[tuple[str, float, int, int]]] = {
    1: [("H", 1.0, 22, 92)],
    2: [("HS", 0.62, 24, 88), ("HC", 0.22, 38, 82), ("HP", 0.1, 22, 50), ("HB", 0.06, 22, 70)],
    3: [("HSC", 0.74, 25, 66), ("HSP", 0.1, 25, 55), ("HCG", 0.1, 52, 80), ("HSB", 0.06, 24, 60)],
    4: [("HSCC", 0.6, 29, 60), ("HSCP", 0.25, 28, 55), ("HSCG", 0.15, 50, 76)],
    5: [("HSCCP", 0.4, 30, 56), ("HSCOG", 0.4, 50, 76), ("HSCCC", 0.2, 33, 60)],
    6: [("HSCOGG", 0.7, 50, 76), ("HSCCPP", 0.3, 30, 52)],
    7: [("HSCOGGG", 1.0, 52, 78)],
    8: [("HSCOGGCG", 1.0, 54, 78)],
}
_SIZE_P = np.array([0.15, 0.23, 0.22, 0.19, 0.11, 0.06, 0.03, 0.01])
_RELATION = {"H": "户主", "S": "配偶", "P": "父母", "G": "孙子女", "B": "兄弟姐妹", "O": "其他"}
_PHONE_PREFIXES = np.array(
    [
        "134",
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "157",
        "158",
        "159",
        "182",
        "183",
        "187",
        "188",
        "130",
        "131",
        "132",
        "155",
        "156",
        "185",
        "186",
        "133",
        "153",
        "180",
        "181",
        "189",
        "177",
        "199",
        "166",
        "173",
    ],
    dtype=object,
)
# Sequence numbers (3 digits, parity = gender) below 900 belong to the base population.
_SEQ_BASE_LIMIT = 450


def _households(ctx: County) -> tuple[IntArray, IntArray, np.ndarray]:
    rng = ctx.rng
    sizes = rng.choice(np.arange(1, 9), size=int(ctx.n / 2.8) + 16, p=_SIZE_P / _SIZE_P.sum())
    cum = np.cumsum(sizes)
    h = int(np.searchsorted(cum, ctx.n)) + 1
    sizes = sizes[:h].copy()
    sizes[-1] -= int(cum[h - 1] - ctx.n)
    template = np.empty(h, dtype=object)
    age_lo = np.zeros(h, dtype=np.int64)
    age_hi = np.zeros(h, dtype=np.int64)
    for s, options in _TEMPLATES.items():
        idx = np.flatnonzero(sizes == s)
        w = np.array([o[1] for o in options])
        pick = rng.choice(len(options), size=len(idx), p=w / w.sum())
        template[idx] = np.array([o[0] for o in options], dtype=object)[pick]
        age_lo[idx] = np.array([o[2] for o in options])[pick]
        age_hi[idx] = np.array([o[3] for o in options])[pick]
    return sizes, age_lo + (rng.random(h) ** 1.3 * (age_hi - age_lo + 1)).astype(np.int64), template


def build(ctx: County) -> None:
    """Write ``persons`` (internal columns ``_hh``, ``_v``, ``_age``, ``_male`` ...)
    and the internal ``_households`` table."""
    rng = ctx.rng
    villages = ctx.frames["_villages"]
    sizes, head_age, template = _households(ctx)
    h = len(sizes)
    w = villages["weight"].to_numpy()
    village = np.sort(rng.choice(len(villages), size=h, p=w / w.sum()))
    serial = pd.Series(village).groupby(village).cumcount().to_numpy()
    head_male = rng.random(h) < 0.82

    # one row per member
    hh = np.repeat(np.arange(h), sizes)
    slot = np.arange(len(hh)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    roles = np.array([template[i][k] for i, k in zip(hh, slot, strict=True)], dtype=object)
    n = len(hh)
    ha = head_age[hh]
    age = ha.copy()
    jitter = rng.integers(0, 1000, n)
    age = np.where(roles == "S", ha + np.where(head_male[hh], -2, 2) + (jitter % 7) - 3, age)
    age = np.where(roles == "C", ha - 22 - (jitter % 14), age)
    age = np.where(roles == "O", ha - 22 - (jitter % 12), age)
    age = np.where(roles == "P", ha + 22 + (jitter % 12), age)
    age = np.where(roles == "G", ha - 46 - (jitter % 14), age)
    age = np.where(roles == "B", ha - 6 + (jitter % 13), age)
    age = np.clip(age, 0, 101)
    male = rng.random(n) < 0.51
    male = np.where(roles == "H", head_male[hh], male)
    male = np.where(roles == "S", ~head_male[hh], male)
    male = np.where(roles == "O", False, male)
    # two parents in one household: one of each
    male = np.where((roles == "P") & (slot == 5), True, male)
    male = np.where((roles == "P") & (slot == 4) & (template[hh] == "HSCCPP"), False, male)

    birth = AS_OF_DAY - age * 365 - rng.integers(0, 365, n)
    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970

    # surnames: children take the family name (the father's)
    head_s = names.village_surnames(rng, village, len(villages))
    has_spouse = np.array(["S" in t for t in template])
    spouse_s = names.surnames(rng, h)
    family = np.where(head_male | ~has_spouse, head_s, spouse_s)
    own = names.surnames(rng, n)
    surname = own.copy()
    surname = np.where(roles == "H", head_s[hh], surname)
    surname = np.where(roles == "S", spouse_s[hh], surname)
    surname = np.where(np.isin(roles, ["C", "G"]), family[hh], surname)
    surname = np.where(
        (roles == "B") | ((roles == "P") & male & head_male[hh]), head_s[hh], surname
    )
    name = surname + names.given_names(rng, male, birth_year)

    relation = np.array([_RELATION.get(r, "") for r in roles], dtype=object)
    relation = np.where(roles == "C", np.where(male, "子", "女"), relation)

    ids = _id_numbers(ctx, roles, birth, birth_year, male)

    phone_p = np.where(age < 15, 0.0, np.where(age < 70, 0.9, 0.55))
    has_phone = rng.random(n) < phone_p
    phones = _PHONE_PREFIXES[rng.integers(0, len(_PHONE_PREFIXES), n)] + zfill_int(
        scramble(np.arange(n), 10**8, 48_271_357, 11_351_777), 8
    ).astype(object)
    phone = np.where(has_phone, phones, "")

    vcode = villages["code"].to_numpy(dtype=object)
    community = villages["community"].to_numpy()
    group = serial // 36 + 1
    num = serial % 36 + 1
    s_serial = pd.Series(serial + 1).astype(str).to_numpy(dtype=object)
    s_group = pd.Series(group).astype(str).to_numpy(dtype=object)
    s_num = pd.Series(num).astype(str).to_numpy(dtype=object)
    prefix = villages["prefix"].to_numpy(dtype=object)[village]
    street = villages["street"].to_numpy(dtype=object)[village]
    address = np.where(
        community[village],
        prefix + street + s_serial + "号",
        prefix + s_group + "组" + s_num + "号",
    )
    household_id = vcode[village] + zfill_int(serial + 1, 4).astype(object)
    ctx.frames["_households"] = pd.DataFrame(
        {
            "household_id": household_id,
            "_v": village,
            "address": address,
            "size": sizes,
            "_head": np.cumsum(sizes) - sizes,
            "_template": template,
        }
    )
    ctx.frames["persons"] = pd.DataFrame(
        {
            "id_number": ids,
            "name": name,
            "gender": np.where(male, "男", "女"),
            "birth_date": birth,
            "_birth": birth,
            "household_id": household_id[hh],
            "relation_to_head": relation,
            "village_code": vcode[village][hh],
            "address": address[hh],
            "phone": phone,
            "_hh": hh,
            "_v": village[hh],
            "_age": age,
            "_male": male,
            "_role": roles,
            "_death": np.full(n, NO_DATE, dtype=np.int64),
            "_reserved": np.zeros(n, dtype=bool),
        }
    )
    ctx.info["ids"] = np.asarray(ids, dtype=object)
    ctx.info["names"] = np.asarray(name, dtype=object)
    _deaths(ctx)


def _id_numbers(
    ctx: County, roles: ObjArray, birth: IntArray, birth_year: IntArray, male: np.ndarray
) -> ObjArray:
    rng = ctx.rng
    n = len(roles)
    u = rng.random(n)
    prefix = np.full(n, int(COUNTY_CODE), dtype=np.int64)
    old = (birth_year < 1985) & (u < 0.25)
    prefix = np.where(
        old, np.array([int(p) for p in RETIRED_PREFIXES])[rng.integers(0, 2, n)], prefix
    )
    other = u > np.where(roles == "S", 0.82, 0.97)
    others = np.array([int(p) for p in OTHER_PREFIXES])
    prefix = np.where(other, others[rng.integers(0, len(others), n)], prefix)
    ymd_str = np.datetime_as_string(birth.astype("datetime64[D]"))
    ymd = np.char.replace(ymd_str, "-", "").astype(np.int64)
    key = prefix * 10**8 + ymd
    rank = pd.DataFrame({"k": key, "m": male}).groupby(["k", "m"], sort=False).cumcount().to_numpy()
    k = (ymd * 7919 + prefix) % 200 + rank
    if int(k.max()) >= _SEQ_BASE_LIMIT:
        raise RuntimeError("too many people born on one day for the ID sequence space")
    seq = 2 * k + male.astype(np.int64)
    body = pd.Series(key * 1000 + seq).astype(str).to_numpy(dtype=object)
    return resident_ids(body)


def new_id_number(ctx: County, birth: int, male: bool, prefix: str = COUNTY_CODE) -> str:
    """A valid ID number from the reserved sequence range, unique among planted people."""
    used: set[str] = ctx.info.setdefault("new_ids", set())
    ymd = np.datetime_as_string(np.int64(birth).astype("datetime64[D]")).replace("-", "")
    for _ in range(1000):
        k = _SEQ_BASE_LIMIT + int(ctx.rng.integers(0, 50))
        body = f"{prefix}{ymd}{2 * k + int(male):03d}"
        number = str(resident_ids([body])[0])
        if number not in used:
            used.add(number)
            return number
    raise RuntimeError("reserved ID sequence space exhausted")


def new_phone(ctx: County) -> str:
    """A mobile number no generated person has (the scramble continues past the population)."""
    i = ctx.n + ctx.take("phone")[0]
    p = _PHONE_PREFIXES[int(ctx.rng.integers(0, len(_PHONE_PREFIXES)))]
    return f"{p}{int(scramble(i, 10**8, 48_271_357, 11_351_777)):08d}"


def _deaths(ctx: County) -> None:
    """Adults die at a rate rising with age; the death register covers 2023 to the as-of date."""
    p = ctx.frames["persons"]
    age = p["_age"].to_numpy()
    hazard = np.minimum(0.5, 2.05 * 0.0016 * np.exp(0.088 * (age - 40)))
    dies = (ctx.rng.random(len(p)) < hazard) & (age >= 18)
    when = DATA_START + ctx.rng.integers(0, AS_OF_DAY - 20 - DATA_START, len(p))
    p["_death"] = np.where(dies, when, NO_DATE)
    # Rare characters outside GBK exist in real names (刘䶮); one of the dead carries one,
    # so the death register only decodes as GB18030, not as GBK or UTF-8.
    dead = np.flatnonzero(dies)
    if len(dead):
        names = ctx.info["names"]
        names[dead[0]] = str(names[dead[0]])[0] + "䶮"
        p["name"] = names
