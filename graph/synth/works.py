"""Village works contracts, the vouchers that pay them, other village spending, income.

Background contracts are honest by construction: a contractor gets at most one contract
per village over the two years (no splitting, no concentration), builders are years
old, delivery is complete or paid pro rata, every voucher is booked, and payees are
never officials, their households or declared relatives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from graph.synth.common import (
    AS_OF_DAY,
    COUNTY_NAME,
    DATA_END,
    DATA_START,
    NO_DATE,
    County,
    IntArray,
    at_str,
    date_of,
    day,
    month_code,
    scramble,
)
from graph.synth.economy import uscc

# name template, department, unit, qty low, qty high, unit price low/high (yuan), decimals
PROJECTS = [
    ("{v}安全饮水工程（机井）", "县水利局", "口", 3, 15, 6_000, 9_000, 0),
    ("{v}安全饮水管网延伸工程", "县水利局", "米", 800, 5_000, 60, 120, 0),
    ("{v}{g}组道路硬化工程", "县交通运输局", "公里", 0.5, 3.0, 250_000, 450_000, 1),
    ("{v}山塘清淤扩容工程", "县水利局", "口", 1, 4, 15_000, 40_000, 0),
    ("{v}渠道硬化工程", "县水利局", "米", 300, 2_000, 150, 300, 0),
    ("{v}农村危房改造", "县住房和城乡建设局", "户", 2, 10, 20_000, 35_000, 0),
    ("{v}路灯安装工程", "{t}", "盏", 20, 120, 1_500, 2_800, 0),
    ("{v}村部修缮工程", "{t}", "项", 1, 1, 30_000, 150_000, 0),
    ("{v}高标准农田建设", "县农业农村局", "亩", 100, 800, 1_500, 3_000, 0),
]


def procurement(rng: np.random.Generator, amount_fen: int) -> str:
    if amount_fen >= 100_000_000:
        return "公开招标"
    if amount_fen >= 10_000_000:
        return str(rng.choice(["公开招标", "公开招标", "竞争性谈判", "邀请招标"]))
    return str(rng.choice(["询价", "直接发包", "竞争性谈判"]))


def contract_id(ctx: County, year: int) -> str:
    i = ctx.take("contract")[0]
    return f"HT{year}-{int(scramble(i, 10**6, 270_001, 31_337)):06d}"


def voucher_no(ctx: County, paid: int) -> str:
    i = ctx.take("voucher")[0]
    mc = month_code(paid)
    return f"PZ{mc // 12}{mc % 12 + 1:02d}-{int(scramble(i, 10**6, 424_243, 9_001)):06d}"


def cadres(ctx: County) -> dict[str, dict[str, list[tuple[int, int, int]]]]:
    """Per village code: position -> [(person, start, end)]."""
    off = ctx.frames["officials"]
    cad = off[off["kind"] == "village_cadre"]
    out: dict[str, dict[str, list[tuple[int, int, int]]]] = {}
    for who, juris, position, start, end in zip(
        cad["_p"],
        cad["jurisdiction_code"],
        cad["position"],
        cad["start_date"],
        cad["end_date"],
        strict=True,
    ):
        out.setdefault(str(juris), {}).setdefault(str(position), []).append(
            (int(who), int(start), int(end))
        )
    return out


def in_office(terms: list[tuple[int, int, int]], when: int) -> int:
    for person, start, end in terms:
        if start <= when and (end == NO_DATE or when <= end):
            return person
    return terms[-1][0]


def accountant(c: dict[str, list[tuple[int, int, int]]]) -> int:
    return (c.get("村会计") or c["报账员"])[0][0]


def project(ctx: County, v: int, kind: int | None = None) -> dict[str, Any]:
    """A project of the catalogue in village ``v`` with quantity and amount (fen)."""
    rng = ctx.rng
    villages = ctx.frames["_villages"]
    k = int(rng.integers(len(PROJECTS))) if kind is None else kind
    tmpl, dept, unit, lo, hi, plo, phi, dec = PROJECTS[k]
    if dec:
        qty = round(float(lo + rng.random() * (hi - lo)), 1)
    else:
        qty = float(int(rng.integers(int(lo), int(hi) + 1)))
    price = plo + rng.random() * (phi - plo)
    amount = round(qty * price / 100.0) * 100 * 100
    town = at_str(villages, v, "town_name")
    return {
        "project_name": tmpl.format(v=villages.at[v, "name"], g=int(rng.integers(1, 9)), t=town),
        "department": (COUNTY_NAME + dept[1:]) if dept.startswith("县") else town + "人民政府",
        "unit": unit,
        "quantity": qty,
        "amount": max(amount, 500_000),
    }


def build(ctx: County) -> None:
    rng = ctx.rng
    villages = ctx.frames["_villages"]
    ent = ctx.frames["enterprises"]
    cad = cadres(ctx)
    ctx.info["cadres"] = cad
    builders = np.flatnonzero(
        (ent["industry"] == "建筑业").to_numpy()
        & (ent["status"] == "存续").to_numpy()
        & (ent["established"].to_numpy() < DATA_START - 365)
    )
    pool = _payee_pool(ctx)
    ctx.info["payee_pool"] = pool
    ids = ctx.info["ids"]
    names = ctx.info["names"]
    contracts: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    incomes: list[dict[str, Any]] = []
    gov_uscc = uscc("11", 0)
    for v in range(len(villages)):
        vcode = at_str(villages, v, "code")
        c = cad[vcode]
        k = 4 + int(rng.poisson(4))
        firms = rng.choice(builders, size=min(k, len(builders)), replace=False)
        people = rng.choice(pool, size=k, replace=False)
        for j in range(k):
            pr = project(ctx, v)
            signed = DATA_START + 4 + int(rng.integers(0, DATA_END - DATA_START - 20))
            small = pr["amount"] < 10_000_000
            if small and (j >= len(firms) or rng.random() < 0.4):
                cid, cname = str(ids[people[j]]), str(names[people[j]])
            else:
                e = int(firms[j % len(firms)])
                cid, cname = at_str(ent, e, "uscc"), at_str(ent, e, "name")
            row = contract_row(ctx, v, pr, cid, cname, signed, in_office(c["村党支部书记"], signed))
            contracts.append(row)
            payments += pay_contract(ctx, row, vcode, c)
        for _ in range(int(rng.integers(4, 10))):
            payee = int(pool[int(rng.integers(len(pool)))])
            paid = DATA_START + int(rng.integers(0, DATA_END - DATA_START))
            payments.append(
                voucher(
                    ctx,
                    vcode,
                    str(ids[payee]),
                    str(names[payee]),
                    int(rng.integers(200, 8_000)) * 100,
                    paid,
                    "",
                    str(rng.choice(["保洁费", "办公用品", "会议误餐", "维修费"])),
                    ids[in_office(c["村党支部书记"], paid)],
                    ids[accountant(c)],
                )
            )
        for year in (2023, 2024):
            when = day(dt.date(year, 3, 1)) + int(rng.integers(0, 200))
            incomes.append(
                {
                    "voucher_no": voucher_no(ctx, when),
                    "village_code": vcode,
                    "source": "上级转移支付",
                    "payer_id": gov_uscc,
                    "amount": int(rng.integers(50, 300)) * 100_000,
                    "received_date": when,
                    "booked": "是",
                }
            )
            payer = int(pool[int(rng.integers(len(pool)))])
            incomes.append(
                {
                    "voucher_no": voucher_no(ctx, when + 30),
                    "village_code": vcode,
                    "source": str(rng.choice(["鱼塘承包费", "山林发包收入", "土地租金"])),
                    "payer_id": str(ids[payer]),
                    "amount": int(rng.integers(10, 200)) * 10_000,
                    "received_date": when + 30,
                    "booked": "是",
                }
            )
    ctx.frames["contracts"] = pd.DataFrame(contracts)
    ctx.frames["payments"] = pd.DataFrame(payments)
    ctx.frames["incomes"] = pd.DataFrame(incomes)


def _payee_pool(ctx: County) -> IntArray:
    """Ordinary villagers who may be paid by a village: no official ties, no benefit."""
    p = ctx.frames["persons"]
    means = ctx.frames["_households"]["_means"].to_numpy()[p["_hh"].to_numpy()]
    age = p["_age"].to_numpy()
    ok = (age >= 25) & (age <= 62) & (p["_death"].to_numpy() == NO_DATE)
    return np.flatnonzero(
        ok & ~means & ~p["_tainted"].to_numpy() & ~p["_biz"].to_numpy() & ~p["_reserved"].to_numpy()
    )


def contract_row(
    ctx: County,
    v: int,
    pr: dict[str, Any],
    cid: str,
    cname: str,
    signed: int,
    approver: int,
    proc: str | None = None,
    delivered: float | None = None,
    accepted: int | None = None,
) -> dict[str, Any]:
    rng = ctx.rng
    vcode = at_str(ctx.frames["_villages"], v, "code")
    ids = ctx.info["ids"]
    if accepted is None:
        accepted = signed + 60 + int(rng.integers(0, 180))
        if accepted > AS_OF_DAY - 5:
            accepted = NO_DATE
    if delivered is None:
        delivered = pr["quantity"] if accepted != NO_DATE else float("nan")
        if (
            accepted != NO_DATE
            and pr["quantity"] >= 3
            and pr["unit"] in "口户盏"
            and rng.random() < 0.03
        ):
            delivered = pr["quantity"] - 1
    return {
        "contract_id": contract_id(ctx, date_of(signed).year),
        "project_name": pr["project_name"],
        "village_code": vcode,
        "department": pr["department"],
        "contractor_id": cid,
        "contractor_name": cname,
        "amount": int(pr["amount"]),
        "signed": signed,
        "approver_id_number": str(ids[approver]),
        "procurement": proc or procurement(rng, int(pr["amount"])),
        "quantity": pr["quantity"],
        "unit": pr["unit"],
        "delivered_quantity": delivered,
        "accepted": accepted,
    }


def voucher(
    ctx: County,
    payer: str,
    payee_id: str,
    payee_name: str,
    amount: int,
    paid: int,
    contract: str,
    purpose: str,
    approver: str,
    handler: str,
    booked: str = "是",
) -> dict[str, Any]:
    return {
        "voucher_no": voucher_no(ctx, paid),
        "payer_code": payer,
        "payee_id": payee_id,
        "payee_name": payee_name,
        "amount": int(amount),
        "paid_date": int(paid),
        "contract_id": contract,
        "purpose": purpose,
        "approver_id_number": str(approver),
        "handler_id_number": str(handler),
        "booked": booked,
    }


def pay_contract(
    ctx: County,
    row: dict[str, Any],
    payer: str,
    c: dict[str, list[tuple[int, int, int]]],
    shares: tuple[float, ...] = (0.3, 0.4),
    approver: str | None = None,
    handler: str | None = None,
) -> list[dict[str, Any]]:
    """Advance, progress and (after acceptance) final payment; never beyond pro rata."""
    rng = ctx.rng
    ids = ctx.info["ids"]
    amount = int(row["amount"])
    signed, accepted = int(row["signed"]), int(row["accepted"])
    due = amount
    if accepted != NO_DATE and row["delivered_quantity"] < row["quantity"]:
        due = int(amount * row["delivered_quantity"] // row["quantity"])
    steps = [
        (signed + 5 + int(rng.integers(0, 15)), int(due * shares[0]) // 100 * 100, "工程预付款")
    ]
    if len(shares) > 1:
        steps.append(
            (
                signed + 40 + int(rng.integers(0, 20)),
                int(due * shares[1]) // 100 * 100,
                "工程进度款",
            )
        )
    if accepted != NO_DATE:
        paid_so_far = sum(s[1] for s in steps)
        final = int(due * 0.97) // 100 * 100 - paid_so_far
        steps.append((accepted + 10 + int(rng.integers(0, 30)), final, "工程结算款"))
    out = []
    for when, amt, purpose in steps:
        if when >= AS_OF_DAY or amt <= 0:
            continue
        appr = approver or str(ids[in_office(c["村党支部书记"], when)])
        hand = handler or str(ids[accountant(c)])
        out.append(
            voucher(
                ctx,
                payer,
                str(row["contractor_id"]),
                str(row["contractor_name"]),
                amt,
                when,
                str(row["contract_id"]),
                purpose,
                appr,
                hand,
            )
        )
    return out
