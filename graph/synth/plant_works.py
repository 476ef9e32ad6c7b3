"""Planted contract and voucher cases (patterns 12-18) and their decoys."""

from __future__ import annotations

from graph.synth import works
from graph.synth.common import at_int, at_str, date_of, per_kind
from graph.synth.plant import Planter
from graph.synth.plant_kin import (
    END_2024,
    adult_member,
    any_village,
    contract,
    current,
    firm,
    on,
    pay,
    relative_contracts,
    spoken_for,
    spouse_of,
    spread,
    village_cadres,
)


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (
        relative_contracts,
        _beyond_delivery,
        _unbooked,
        _split,
        _pays_self,
        _shares_contact,
        _new_company,
    ):
        fn(pl, k, decoys)


def _beyond_delivery(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    specs: list[tuple[int, int, float, float, tuple[int, ...], str]] = [  # vouchers in yuan
        (
            0,
            10_100_000,
            13.0,
            12.0,
            (30_000, 30_000, 36_000),
            "13 wells contracted for 101,000, 12 delivered, 96,000 paid (> 93,231)",
        ),
        (7, 8_500_000, 1.0, 1.0, (40_000, 30_000, 22_500), "92,500 paid on an 85,000 contract"),
        (
            5,
            24_000_000,
            8.0,
            6.0,
            (80_000, 60_000, 60_000),
            "8 houses contracted, 6 accepted, 200,000 of 240,000 paid (> 180,000)",
        ),
    ]
    for j in range(k + decoys):
        v = any_village(pl)
        code, name = firm(pl)
        signed = on(2023, 5, 10) + 11 * j
        if j < k:
            kind, amount, qty, delivered, vouchers, note = specs[j % 3]
        else:
            kind, amount, qty, delivered, vouchers, note = (
                0,
                8_000_000,
                10.0,
                8.0,
                (30_000, 32_000),
                "10 wells, 8 delivered, 62,000 of 80,000 paid (<= 64,000 pro rata)",
            )
        row = contract(
            pl,
            v,
            code,
            name,
            signed,
            kind=kind,
            amount=amount,
            qty=qty,
            delivered=delivered,
            accepted=signed + 120,
            proc="竞争性谈判",
        )
        vcode = pl.vcode(v)
        for n, yuan in enumerate(vouchers):
            paid = signed + 10 + 70 * n
            ctx.add(
                "payments",
                works.voucher(
                    ctx,
                    vcode,
                    code,
                    name,
                    yuan * 100,
                    paid,
                    row["contract_id"],
                    ("工程预付款", "工程进度款", "工程结算款")[n],
                    pl.new_id(works.in_office(village_cadres(ctx, vcode)["村党支部书记"], paid)),
                    pl.new_id(works.accountant(village_cadres(ctx, vcode))),
                ),
            )
        (ctx.truth.case if j < k else ctx.truth.decoy)(
            "paid_beyond_delivery", [row["contract_id"]], note
        )


def _unbooked(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        v = any_village(pl)
        vcode = pl.vcode(v)
        payee = pl.person()
        paid = spread(on(2024, 3, 5), 17, j, END_2024)
        x = works.voucher(
            ctx,
            vcode,
            pl.new_id(payee),
            str(pl.names[payee]),
            (3_800 + 700 * j) * 100,
            paid,
            "",
            ("招待费", "误工补贴", "材料款")[j % 3],
            pl.new_id(current(ctx, vcode, "村党支部书记")),
            pl.new_id(works.accountant(village_cadres(ctx, vcode))),
            booked="否",
        )
        ctx.add("payments", x)
        ctx.truth.case(
            "unbooked_payment", [x["voucher_no"]], "voucher not entered in the books (否)"
        )
        if x["purpose"] == "招待费":
            # Hospitality of 3,800 yuan and more is also public money spent on consumption.
            ctx.truth.case(
                "public_consumption",
                [x["voucher_no"], pl.new_id(payee)],
                "an off-book hospitality voucher (招待费)",
            )


def _split(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        v = any_village(pl)
        if j % 2:
            who = pl.person()
            cid, cname = pl.new_id(who), str(pl.names[who])
        else:
            cid, cname = firm(pl)
        first = on(2023, 8, 1) + 13 * j
        gap = 20 + 15 * (j % 4) if j < k else 200
        rows = []
        for n, amount in enumerate((6_800_000, 5_200_000 + 100_000 * (j % 5))):
            row = contract(
                pl,
                v,
                cid,
                cname,
                first + n * gap,
                kind=7,
                amount=amount,
                qty=1.0,
                proc=("直接发包", "询价")[(j + n) % 2],
            )
            pay(pl, row, v)
            rows.append(row["contract_id"])
        if j < k:
            pl.ctx.truth.case(
                "split_contracts",
                rows,
                f"two direct awards {gap} days apart, each under 100,000, together over it",
            )
        else:
            pl.ctx.truth.decoy("split_contracts", rows, "same two awards, but 200 days apart")


def _pays_self(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        variant = j % 4
        while True:
            v = any_village(pl)
            vcode = pl.vcode(v)
            sec = current(ctx, vcode, "村党支部书记")
            acct = works.accountant(village_cadres(ctx, vcode))
            if not spoken_for(pl, sec, acct):
                break
        paid = on(2024, 1, 15) + 23 * (j % 14)  # paid by as_of whatever the count
        payee: int | None
        if variant == 0:
            payee, cadre, note = sec, sec, "the approving secretary paid himself"
        elif variant == 1:
            payee = adult_member(pl, acct)
            cadre, note = acct, "the handling accountant's household member is the payee"
            if payee is None:
                payee, cadre, note = acct, acct, "the handling accountant is the payee"
        elif variant == 2:
            payee = spouse_of(pl, sec) or sec
            cadre, note = sec, "the approving secretary's spouse is the payee"
        else:
            relative = pl.person(v)
            pl.declare(sec, relative, "兄弟姐妹")
            code, name = firm(
                pl, relative, kind="个体工商户", tail="建材经营部", industry="批发和零售业"
            )
            x = works.voucher(
                ctx,
                vcode,
                code,
                name,
                2_860_000 + j * 10_000,
                paid,
                "",
                "材料款",
                pl.new_id(sec),
                pl.new_id(acct),
            )
            ctx.add("payments", x)
            ctx.truth.case(
                "cadre_pays_self",
                [x["voucher_no"], pl.new_id(sec)],
                "payee is a sole trader run by the approving secretary's declared sibling",
            )
            continue
        x = works.voucher(
            ctx,
            vcode,
            pl.new_id(payee),
            str(pl.names[payee]),
            480_000 + j * 10_000,
            paid,
            "",
            ("垫付款报销", "劳务费", "保洁费")[variant],
            pl.new_id(sec),
            pl.new_id(acct),
        )
        ctx.add("payments", x)
        ctx.truth.case("cadre_pays_self", [x["voucher_no"], pl.new_id(cadre)], note)


def _shares_contact(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    staff = ctx.info["town_staff"]
    j = tries = 0
    while j < k:
        tries += 1
        if tries > 50 * k:
            raise RuntimeError("could not plant contractor_shares_contact")
        variant = j % 3
        v = any_village(pl)
        vcode = pl.vcode(v)
        if spoken_for(pl, current(ctx, vcode, "村党支部书记"), current(ctx, vcode, "村委会主任")):
            continue
        if variant == 0:
            matched = spouse_of(pl, current(ctx, vcode, "村党支部书记"))
            if matched is None or not pl.p.at[matched, "phone"]:
                continue
            code, name = firm(pl, phone=at_str(pl.p, matched, "phone"))
            note = "contractor's phone is the village secretary's spouse's phone"
        elif variant == 1:
            matched = current(ctx, vcode, "村委会主任")
            code, name = firm(pl, address=at_str(pl.p, matched, "address"))
            note = "contractor's registered address is the village director's home"
        else:
            matched = staff[(at_int(pl.villages, v, "town"), "副职")]
            if not pl.p.at[matched, "phone"]:
                continue
            code, name = firm(pl, phone=at_str(pl.p, matched, "phone"))
            note = "contractor's phone is that of the deputy township head governing the village"
        row = contract(pl, v, code, name, on(2024, 1, 9) + 9 * j)
        pay(pl, row, v)
        ctx.truth.case("contractor_shares_contact", [code, pl.new_id(matched)], note)
        j += 1


def _new_company(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        v = any_village(pl)
        signed = on(2023, 11, 20) + 29 * (j % 12)  # signed by as_of whatever the count
        age = 25 + 20 * (j % 3) if j < k else 150
        code, name = firm(pl, est=signed - age)
        row = contract(pl, v, code, name, signed)
        pay(pl, row, v)
        (pl.ctx.truth.case if j < k else pl.ctx.truth.decoy)(
            "new_company_contract",
            [row["contract_id"], code],
            f"contractor established {age} days before signing",
        )


def concentration(pl: Planter) -> None:
    """Last of the contract plants: needs every other contract of the village-year."""
    ctx = pl.ctx
    k = per_kind(ctx.n)
    decoys = max(1, k // 3)
    taken: set[tuple[str, int]] = ctx.info.setdefault("planted_vy", set())
    base = ctx.frames["contracts"]
    extra = ctx.extra.get("contracts", [])
    totals: dict[tuple[str, int], int] = {}
    for vcode, signed, amount in [
        *zip(base["village_code"], base["signed"], base["amount"], strict=True),
        *((r["village_code"], r["signed"], r["amount"]) for r in extra),
    ]:
        key = (str(vcode), date_of(int(signed)).year)
        totals[key] = totals.get(key, 0) + int(amount)
    order = [int(x) for x in pl.rng.permutation(len(pl.villages))]
    # Untouched village-years first; any will do, since no other contractor holds three
    # contracts in one village-year, but each concentration needs a village-year of its own.
    slots = sorted(
        ((v, y) for v in order for y in (2023, 2024)), key=lambda s: (pl.vcode(s[0]), s[1]) in taken
    )
    for j in range(k + decoys):
        v, year = slots[j]
        total = totals.get((pl.vcode(v), year), 0)
        n = 3 if j < k else 2
        each = max(12_000_000, (total // n + 1_000_000) // 100 * 100)
        code, name = firm(pl)
        ids = []
        for i in range(n):
            row = contract(
                pl, v, code, name, on(year, 3, 1) + 100 * i, kind=2, amount=each, proc="公开招标"
            )
            pay(pl, row, v, shares=(0.3,))
            ids.append(row["contract_id"])
        share = n * each / (total + n * each)
        if j < k:
            ctx.truth.case(
                "contract_concentration",
                [code, *ids],
                f"{n} contracts in {year}, {share:.0%} of the village's contract value",
            )
        else:
            ctx.truth.decoy(
                "contract_concentration",
                [code, *ids],
                f"{share:.0%} of the village's value in {year}, but only two contracts",
            )
