"""Planted village-finance cases (patterns 20-25) and their decoys.

Consumption, income spent before it was booked, idle allocations, programme money paid
outside its purpose, repairs paid soon after acceptance, and contracts paid in full
without acceptance. Every case stands on fresh ground (new enterprises, clean payees)
and its decoy is the honest look-alike the pattern must leave alone.
"""

from __future__ import annotations

from typing import Any

from graph.synth import works
from graph.synth.common import COUNTY_NAME, NO_DATE, at_str, date_of, month_code, per_kind
from graph.synth.plant import Planter
from graph.synth.plant_kin import (
    END_2024,
    adult_member,
    any_village,
    contract,
    current,
    firm,
    on,
    spread,
)

_RESTAURANT: dict[str, Any] = {"kind": "个体工商户", "tail": "饭店", "industry": "H6210 正餐服务"}
_LIQUOR: dict[str, Any] = {"kind": "个体工商户", "tail": "烟酒商行", "industry": "烟草制品零售"}
_MATERIALS: dict[str, Any] = {
    "kind": "个体工商户",
    "tail": "建材经营部",
    "industry": "F5165 建材批发",
}


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (_consumption, _unbooked_income, _idle, _diversion, _repair, _no_acceptance):
        fn(pl, k, decoys)


def _cadre_ids(pl: Planter, vcode: str, when: int) -> tuple[str, str]:
    c = works.cadres(pl.ctx)[vcode]
    return (
        pl.new_id(works.in_office(c["村委会主任"], when)),
        pl.new_id(works.accountant(c)),
    )


def _voucher(
    pl: Planter,
    v: int,
    payee_id: str,
    payee_name: str,
    fen: int,
    paid: int,
    purpose: str,
    contract_id: str = "",
    booked: str = "是",
    program: str = "",
) -> dict[str, Any]:
    vcode = pl.vcode(v)
    approver, handler = _cadre_ids(pl, vcode, paid)
    row = works.voucher(
        pl.ctx,
        vcode,
        payee_id,
        payee_name,
        fen,
        paid,
        contract_id,
        purpose,
        approver,
        handler,
        booked=booked,
    )
    if program:
        row["program_code"] = program
    pl.ctx.add("payments", row)
    return row


def _consumption(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        v = any_village(pl)
        if j % 2 == 0:
            code, name = firm(pl, **_RESTAURANT)
            x = _voucher(
                pl,
                v,
                code,
                name,
                (2_860 + 410 * j) * 100,
                spread(on(2024, 1, 8), 13, j, END_2024),
                "工作餐",
            )
            note = "village pays a restaurant (industry 6210)"
        else:
            code, name = firm(pl, **_LIQUOR)
            x = _voucher(
                pl,
                v,
                code,
                name,
                (4_200 + 300 * j) * 100,
                spread(on(2024, 2, 1), 9, j, END_2024),
                "春节慰问烟酒",
            )
            note = "village buys tobacco and alcohol"
        ctx.truth.case("public_consumption", [x["voucher_no"], code], note)
    for j in range(decoys):
        v = any_village(pl)
        code, name = firm(pl, **_MATERIALS)
        x = _voucher(
            pl,
            v,
            code,
            name,
            (12_000 + 500 * j) * 100,
            spread(on(2024, 4, 2), 7, j, END_2024),
            "水泥款",
        )
        ctx.truth.decoy(
            "public_consumption", [x["voucher_no"], code], "cement from a builders' merchant"
        )
        code, name = firm(pl, **_RESTAURANT)
        x = _voucher(pl, v, code, name, 680 * 100, spread(on(2024, 4, 9), 7, j, END_2024), "工作餐")
        ctx.truth.decoy("public_consumption", [x["voucher_no"], code], "a meal below the threshold")


def _income(pl: Planter, v: int, fen: int, received: int, booked: str, booked_date: int) -> str:
    ctx = pl.ctx
    payer = pl.person()
    row = {
        "voucher_no": works.voucher_no(ctx, received),
        "village_code": pl.vcode(v),
        "source": "鱼塘承包费",
        "payer_id": pl.new_id(payer),
        "amount": fen,
        "received_date": received,
        "booked": booked,
        "booked_date": booked_date,
    }
    ctx.add("incomes", row)
    return str(row["voucher_no"])


def _unbooked_income(pl: Planter, k: int, decoys: int) -> None:
    # Planted in 2023, before any planted off-book voucher (those are in 2024).
    ctx = pl.ctx
    for j in range(k):
        v = any_village(pl)
        received = spread(on(2023, 5, 6), 11, j, on(2023, 10, 15))
        if j % 2 == 0:
            vno = _income(pl, v, (18_000 + 1_000 * j) * 100, received, "否", NO_DATE)
            note = "income never booked"
        else:
            vno = _income(pl, v, (26_000 + 1_000 * j) * 100, received, "是", received + 75)
            payee = pl.person()
            spent = _voucher(
                pl,
                v,
                pl.new_id(payee),
                str(pl.names[payee]),
                5_600 * 100,
                received + 20,
                "误工补贴",
                booked="否",
            )
            ctx.truth.case(
                "unbooked_payment", [spent["voucher_no"]], "off-book voucher paid from takings"
            )
            note = "booked 75 days late; 5,600 paid off the books meanwhile (坐收坐支)"
        ctx.truth.case("unbooked_income", [vno], note)
    for j in range(decoys):
        v = any_village(pl)
        received = spread(on(2023, 8, 3), 5, j, on(2023, 12, 15))
        vno = _income(pl, v, 9_000 * 100, received, "是", received + 12)
        ctx.truth.decoy("unbooked_income", [vno], "booked 12 days late, nothing paid off the books")


def _allocation(pl: Planter, code: str, division: str, fen: int, when: int, purpose: str) -> str:
    office = "农" if code == "YS01" else "社"
    # The county's finance bureau numbers its documents: in a city, 蒸财社〔2024〕1号 and
    # 湘财社〔2024〕1号 are two counties' allocations, not one.
    aid = f"{COUNTY_NAME[0]}财{office}〔{date_of(when).year}〕{pl.ctx.take('allocation')[0] + 1}号"
    pl.ctx.add(
        "allocations",
        {
            "allocation_id": aid,
            "program_code": code,
            "division_code": division,
            "amount": fen,
            "allocated": when,
            "purpose": purpose,
        },
    )
    return aid


def _relief(pl: Planter, v: int, when: int, people: int, fen: int) -> None:
    """受灾群众生活救助 (JZ01) paid once to ``people`` members of a blank household."""
    h = pl.household(v, need=1)
    for i in pl.members(h)[:people]:
        pl.pay(i, "JZ01", [int(month_code(when))], fen, pl.account())


def _village(pl: Planter, avoid: set[int]) -> int:
    """A village not in ``avoid`` (any village once the county has too few)."""
    for _ in range(100):
        v = any_village(pl)
        if v not in avoid:
            return v
    return any_village(pl)


def _idle(pl: Planter, k: int, decoys: int) -> None:
    # Each allocation in a village no other planted money of its programme reaches (see
    # _diversion): another case's relief or works voucher paid in the same village and
    # window would count as paying this allocation out.
    ctx = pl.ctx
    taken: dict[str, set[int]] = ctx.info.setdefault(
        "idle_villages", {"JZ01": set(), "YS01": set()}
    )
    for j in range(k):
        programme = ("JZ01", "YS01")[j % 2]
        v = _village(pl, taken[programme])
        taken[programme].add(v)
        when = on(2024, 3, 4) + 17 * (j % 12)  # every window closes by as_of
        if programme == "JZ01":
            aid = _allocation(pl, "JZ01", pl.vcode(v), 80_000 * 100, when, "受灾群众生活救助")
            _relief(pl, v, when + 20, 1, 20_000 * 100)
            note = "80,000 of relief allocated, 20,000 paid out within 90 days"
        else:
            aid = _allocation(pl, "YS01", pl.vcode(v), 150_000 * 100, when, "饮水安全")
            code, name = firm(pl)
            _voucher(pl, v, code, name, 40_000 * 100, when + 30, "管材款", program="YS01")
            note = "150,000 of works money allocated, 40,000 spent within 90 days"
        ctx.truth.case("idle_allocation", [aid, pl.vcode(v)], note)
    for j in range(decoys):
        v = _village(pl, taken["JZ01"])
        taken["JZ01"].add(v)
        when = on(2024, 6, 3) + 11 * (j % 10)
        aid = _allocation(pl, "JZ01", pl.vcode(v), 30_000 * 100, when, "受灾群众生活救助")
        _relief(pl, v, when + 25, 1, 30_000 * 100)
        ctx.truth.decoy("idle_allocation", [aid, pl.vcode(v)], "paid out in full within 25 days")


def _diversion(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    # Works money (YS01) stays out of the villages holding an idle YS01 allocation.
    idle: set[int] = ctx.info.get("idle_villages", {}).get("YS01", set())
    j = 0
    while j < k:
        v = _village(pl, idle)
        vcode = pl.vcode(v)
        paid = spread(on(2024, 5, 6), 13, j, END_2024)
        if j % 2 == 0:
            code, name = firm(pl)
            code_prog = "DB02" if bool(pl.villages.at[v, "community"]) else "DB01"
            x = _voucher(pl, v, code, name, 24_000 * 100, paid, "村部围墙工程款", program=code_prog)
            ctx.truth.case(
                "program_diversion", [x["voucher_no"], code], "subsistence money pays a company"
            )
        else:
            secretary = current(ctx, vcode, "村党支部书记")
            m = adult_member(pl, secretary)
            # Where the secretary also heads the village committee (一肩挑) or keeps its
            # books, he would approve this voucher himself: that is cadre_pays_self, a
            # second case the truth would not name. Plant in another village.
            posts = works.cadres(ctx)[vcode]
            signers = {works.in_office(posts["村委会主任"], paid), works.accountant(posts)}
            if m is None or int(pl.h_of[m]) in {int(pl.h_of[s]) for s in signers}:
                continue
            x = _voucher(
                pl,
                v,
                pl.new_id(m),
                str(pl.names[m]),
                9_500 * 100,
                paid,
                "管道材料款",
                program="YS01",
            )
            ctx.truth.case(
                "program_diversion",
                [x["voucher_no"], pl.new_id(m)],
                "works money pays the village secretary's household member",
            )
        j += 1
    for j in range(decoys):
        v = _village(pl, idle)
        code, name = firm(pl)
        x = _voucher(
            pl,
            v,
            code,
            name,
            60_000 * 100,
            spread(on(2024, 7, 1), 5, j, END_2024),
            "管网工程款",
            program="YS01",
        )
        ctx.truth.decoy(
            "program_diversion", [x["voucher_no"], code], "works money pays a contractor"
        )


# Facilities no background project builds, one per planted pair, so a planted repair
# can only be the repair of the works planted beside it.
_FACILITIES = (
    "文化广场",
    "篮球场",
    "村卫生室",
    "便民桥",
    "垃圾中转站",
    "文化活动中心",
    "停车场",
    "健身广场",
)


def _repair(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        v = any_village(pl)
        place = at_str(pl.villages, v, "name")
        # A second round numbers the facility before its name: 「篮球场1」 would contain
        # 「篮球场」, and its repair would read as the repair of the first round's works.
        n = j // len(_FACILITIES)
        facility = f"{place}{f'{n + 1}号' if n else ''}{_FACILITIES[j % len(_FACILITIES)]}"
        code, name = firm(pl)
        # Dates stay in a window whatever the count: cases repaired at most 340 days after
        # acceptance, decoys 400-445 days after, every repair signed and paid by as_of.
        signed = on(2023, 2, 6) + 7 * (j % 19)
        row = contract(pl, v, code, name, signed, kind=4, amount=9_000_000, accepted=signed + 90)
        row["project_name"] = f"{facility}建设工程"
        _voucher(pl, v, code, name, 9_000_000, signed + 100, "工程结算款", str(row["contract_id"]))
        gap = 150 + 10 * (j % 20) if j < k else 400 + 5 * ((j - k) % 10)
        rcode, rname = firm(pl)
        rrow = contract(
            pl,
            v,
            rcode,
            rname,
            signed + 90 + gap,
            kind=4,
            amount=2_600_000,
            accepted=signed + 90 + gap + 30,
        )
        rrow["project_name"] = f"{facility}维修"
        _voucher(
            pl,
            v,
            rcode,
            rname,
            2_600_000,
            signed + 90 + gap + 40,
            "维修款",
            str(rrow["contract_id"]),
        )
        subjects = [str(row["contract_id"]), str(rrow["contract_id"])]
        if j < k:
            ctx.truth.case(
                "repair_after_acceptance", subjects, f"repaired {gap} days after acceptance"
            )
        else:
            ctx.truth.decoy(
                "repair_after_acceptance", subjects, f"repaired {gap} days after acceptance"
            )


def _no_acceptance(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        v = any_village(pl)
        code, name = firm(pl)
        signed = spread(on(2024, 1, 15), 9, j, on(2024, 10, 15))
        row = contract(pl, v, code, name, signed, kind=6, amount=12_000_000, accepted=NO_DATE)
        shares = (0.4, 0.6) if j < k else (0.4, 0.3)
        for n, share in enumerate(shares):
            _voucher(
                pl,
                v,
                code,
                name,
                int(12_000_000 * share),
                signed + 30 + 60 * n,
                ("工程预付款", "工程款")[n],
                str(row["contract_id"]),
            )
        (ctx.truth.case if j < k else ctx.truth.decoy)(
            "paid_without_acceptance",
            [str(row["contract_id"]), code],
            "paid in full, never accepted" if j < k else "70 % paid, not yet accepted",
        )
