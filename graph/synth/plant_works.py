"""Planted contract and voucher cases (patterns 11-18) and their decoys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.synth import works
from graph.synth.common import NO_DATE, County, date_of, day, per_kind
from graph.synth.plant import Planter


def _d(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


def _cad(ctx: County, vcode: str) -> dict[str, list[tuple[int, int, int]]]:
    cad: dict[str, dict[str, list[tuple[int, int, int]]]] = ctx.info["cadres"]
    return cad[vcode]


def current(ctx: County, vcode: str, position: str) -> int:
    return next(i for i, _, end in _cad(ctx, vcode)[position] if end == NO_DATE)


def contract(pl: Planter, v: int, cid: str, cname: str, signed: int, *, kind: int | None = None,
             amount: int | None = None, qty: float | None = None, delivered: float | None = None,
             accepted: int | None = None, proc: str | None = None,
             approver: int | None = None) -> dict[str, Any]:
    ctx = pl.ctx
    vcode = pl.vcode(v)
    pr = works.project(ctx, v, kind)
    if amount is not None:
        pr["amount"] = amount
    if qty is not None:
        pr["quantity"] = qty
    appr = approver if approver is not None else works.in_office(_cad(ctx, vcode)["村党支部书记"], signed)
    row = works.contract_row(ctx, v, pr, cid, cname, signed, appr, proc, delivered, accepted)
    ctx.add("contracts", row)
    ctx.info.setdefault("planted_vy", set()).add((vcode, date_of(signed).year))
    return row


def pay(pl: Planter, row: dict[str, Any], v: int, shares: tuple[float, ...] = (0.3, 0.4),
        township: bool = False) -> list[str]:
    """Vouchers for a planted contract; ``township``: approved by the township's rural
    economy station (村账乡代管) instead of the village cadres."""
    ctx = pl.ctx
    appr = hand = None
    if township:
        t = int(pl.villages.at[v, "town"])
        staff = ctx.info["town_staff"]
        appr, hand = pl.new_id(staff[(t, "农经站站长")]), pl.new_id(staff[(t, "农经站会计")])
    vs = works.pay_contract(ctx, row, pl.vcode(v), _cad(ctx, pl.vcode(v)), shares, appr, hand)
    for x in vs:
        ctx.add("payments", x)
    return [x["voucher_no"] for x in vs]


def firm(pl: Planter, rep: int | None = None, est: int | None = None, **kw: Any) -> tuple[str, str]:
    """A fresh construction company (clean legal rep unless given); returns (uscc, name)."""
    who = rep if rep is not None else pl.person()
    code = pl.enterprise(who, established=est if est is not None else _d(2018, 4, 1), **kw)
    return code, str(pl.ctx.extra["enterprises"][-1]["name"])


def _village(pl: Planter) -> int:
    return int(pl.rng.integers(len(pl.villages)))


def _spoken_for(pl: Planter, *officials: int) -> bool:
    """Whether an official's household already carries a planted benefit case."""
    claimed: set[int] = pl.ctx.info.get("claimed_cadre_hh", set())
    return any(int(pl.h_of[o]) in claimed for o in officials)


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (_relative_contracts, _beyond_delivery, _unbooked, _split, _pays_self,
               _shares_contact, _new_company):
        fn(pl, k, decoys)


def exclusive_kin(pl: Planter, official: int, person: int) -> bool:
    """``person`` is tied to no official but ``official`` (by household or declaration), so a
    case planted through them names one official only."""
    ctx = pl.ctx
    rel = ctx.frames["declared_relations"]
    extra_rel = ctx.extra.get("declared_relations", [])
    if any(o != official for o in rel.loc[rel["_rel"] == person, "_official"]) or any(
            r["_rel"] == person and r["_official"] != official for r in extra_rel):
        return False
    officials = set(ctx.frames["officials"]["_p"]) | {r["_p"] for r in ctx.extra.get("officials", [])}
    return not any(m in officials and m != official for m in pl.members(int(pl.h_of[person])))


def _spouse(pl: Planter, official: int) -> int | None:
    role = pl.p.at[official, "_role"]
    want = {"H": "S", "S": "H"}.get(str(role))
    for m in pl.members(int(pl.h_of[official])):
        if pl.p.at[m, "_role"] == want and pl.p.at[m, "_death"] == NO_DATE:
            return m
    return None


def _adult_member(pl: Planter, official: int) -> int | None:
    for m in pl.members(int(pl.h_of[official])):
        if (m != official and 22 <= pl.age[m] <= 65 and pl.p.at[m, "_death"] == NO_DATE
                and exclusive_kin(pl, official, m)):
            return m
    return None


def _relative_contracts(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    staff = ctx.info["town_staff"]
    off = ctx.frames["officials"]
    j = 0
    tries = 0
    while j < k:
        tries += 1
        if tries > 50 * k:
            raise RuntimeError("could not plant official_relative_contract")
        variant = j % 5
        v = _village(pl)
        vcode = pl.vcode(v)
        signed = _d(2024, 2, 1) + 9 * j
        if variant in (0, 2):
            official = current(ctx, vcode, "村党支部书记")
        elif variant == 1:
            official = current(ctx, vcode, "村委会主任")
        elif variant == 3:
            official = staff[(int(pl.villages.at[v, "town"]), "副职")]
        else:
            heads = off[(off["position"] == "局长") & (off["jurisdiction_code"] != "")]
            official = int(heads["_p"].iloc[j % len(heads)])
        if _spoken_for(pl, official):
            continue
        if variant == 0:
            m = _adult_member(pl, official)
            if m is None:
                continue
            row = contract(pl, v, pl.new_id(m), str(pl.names[m]), signed, kind=6, amount=4_800_000)
            note = "contractor is the village secretary's household member, as an individual"
        elif variant == 1:
            m = _spouse(pl, official)
            if m is None or not exclusive_kin(pl, official, m):
                continue
            code, name = firm(pl, m)
            row = contract(pl, v, code, name, signed)
            note = "contractor is a company whose legal representative is the director's spouse"
        elif variant == 2:
            relative = pl.person(v, phone=True)
            pl.declare(official, relative, "兄弟姐妹")
            code, name = firm(pl, phone=str(pl.p.at[relative, "phone"]), rep_is_shareholder=False)
            rep = int(ctx.extra["enterprises"][-1]["_rep"])
            pl.role(code, rep, "股东", 0.6)
            pl.role(code, rep, "执行董事")
            written = _name_variant(pl, relative, j)
            mention = len(ctx.truth.mentions)
            ctx.truth.mentions.append({
                "register": "enterprise_roles", "row": None, "column": "person_name",
                "name": written[0], "variant": written[1],
                "true_id_number": pl.new_id(relative), "ambiguous": False,
                "evidence": "enterprise phone is the person's phone; same village"})
            pl.role(code, relative, "股东", 0.4, name=written[0], with_id=False, mention=mention)
            row = contract(pl, v, code, name, signed)
            note = ("contractor's 40% shareholder, named without ID, is the village "
                    "secretary's declared sibling")
        else:
            m = _adult_member(pl, official)
            if m is None:
                continue
            code, name = firm(pl, m)
            approver = official if variant == 4 else None
            row = contract(pl, v, code, name, signed, approver=approver)
            note = ("contractor's legal representative lives with the township leader governing "
                    "the village" if variant == 3 else
                    "contract approved by a county bureau chief whose household member runs the contractor")
        pay(pl, row, v, township=variant in (0, 1, 2))
        ctx.truth.case("official_relative_contract", [pl.new_id(official), row["contract_id"]], note)
        j += 1
    for _ in range(decoys):
        v = _village(pl)
        h = pl.household(v, min_size=2, need=2, adult=(25, 80))
        former, member = pl.adults(h, 25, 80)[:2]
        pl.official(former, f"{pl.villages.at[v, 'town_name']}{pl.villages.at[v, 'name']}党支部",
                    "村党支部书记", "village_cadre", pl.vcode(v), _d(2011, 1, 10), _d(2014, 1, 9))
        code, name = firm(pl, member)
        row = contract(pl, v, code, name, _d(2024, 4, 16))
        pay(pl, row, v)
        ctx.truth.decoy("official_relative_contract", [pl.new_id(former), row["contract_id"]],
                        "the relative's company won the contract ten years after the secretary left")


def _name_variant(pl: Planter, i: int, j: int) -> tuple[str, str]:
    from graph.synth.names import homophone, traditional

    name = str(pl.names[i])
    if j % 3 == 1 and homophone(name):
        return str(homophone(name)), "homophone"
    if j % 3 == 2 and traditional(name):
        return str(traditional(name)), "traditional"
    return name, "exact"


def _beyond_delivery(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    specs = [  # kind, amount, qty, delivered, vouchers (yuan)
        (0, 10_100_000, 13.0, 12.0, (30_000, 30_000, 36_000), "13 wells contracted for 101,000, "
         "12 delivered, 96,000 paid (> 93,231)"),
        (7, 8_500_000, 1.0, 1.0, (40_000, 30_000, 22_500), "92,500 paid on an 85,000 contract"),
        (5, 24_000_000, 8.0, 6.0, (80_000, 60_000, 60_000), "8 houses contracted, 6 accepted, "
         "200,000 of 240,000 paid (> 180,000)"),
    ]
    for j in range(k + decoys):
        v = _village(pl)
        code, name = firm(pl)
        signed = _d(2023, 5, 10) + 11 * j
        if j < k:
            kind, amount, qty, delivered, vouchers, note = specs[j % 3]
        else:
            kind, amount, qty, delivered, vouchers, note = (
                0, 8_000_000, 10.0, 8.0, (30_000, 32_000), "10 wells, 8 delivered, 62,000 of 80,000 "
                "paid (<= 64,000 pro rata)")
        row = contract(pl, v, code, name, signed, kind=kind, amount=amount, qty=qty,
                       delivered=delivered, accepted=signed + 120, proc="竞争性谈判")
        vcode = pl.vcode(v)
        for n, yuan in enumerate(vouchers):
            paid = signed + 10 + 70 * n
            ctx.add("payments", works.voucher(
                ctx, vcode, code, name, yuan * 100, paid, row["contract_id"],
                ("工程预付款", "工程进度款", "工程结算款")[n],
                pl.new_id(works.in_office(_cad(ctx, vcode)["村党支部书记"], paid)),
                pl.new_id(works.accountant(_cad(ctx, vcode)))))
        (ctx.truth.case if j < k else ctx.truth.decoy)(
            "paid_beyond_delivery", [row["contract_id"]], note)


def _unbooked(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        v = _village(pl)
        vcode = pl.vcode(v)
        payee = pl.person()
        paid = _d(2024, 3, 5) + 17 * j
        x = works.voucher(ctx, vcode, pl.new_id(payee), str(pl.names[payee]), (3_800 + 700 * j) * 100,
                          paid, "", ("招待费", "误工补贴", "材料款")[j % 3],
                          pl.new_id(current(ctx, vcode, "村党支部书记")),
                          pl.new_id(works.accountant(_cad(ctx, vcode))), booked="否")
        ctx.add("payments", x)
        ctx.truth.case("unbooked_payment", [x["voucher_no"]], "voucher not entered in the books (否)")


def _split(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        v = _village(pl)
        if j % 2:
            who = pl.person()
            cid, cname = pl.new_id(who), str(pl.names[who])
        else:
            cid, cname = firm(pl)
        first = _d(2023, 8, 1) + 13 * j
        gap = 20 + 15 * (j % 4) if j < k else 200
        rows = []
        for n, amount in enumerate((6_800_000, 5_200_000 + 100_000 * (j % 5))):
            row = contract(pl, v, cid, cname, first + n * gap, kind=7, amount=amount, qty=1.0,
                           proc=("直接发包", "询价")[(j + n) % 2])
            pay(pl, row, v)
            rows.append(row["contract_id"])
        if j < k:
            pl.ctx.truth.case("split_contracts", rows,
                              f"two direct awards {gap} days apart, each under 100,000, together over it")
        else:
            pl.ctx.truth.decoy("split_contracts", rows, "same two awards, but 200 days apart")


def _pays_self(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k):
        variant = j % 4
        while True:
            v = _village(pl)
            vcode = pl.vcode(v)
            sec = current(ctx, vcode, "村党支部书记")
            acct = works.accountant(_cad(ctx, vcode))
            if not _spoken_for(pl, sec, acct):
                break
        paid = _d(2024, 1, 15) + 23 * j
        if variant == 0:
            payee, cadre, note = sec, sec, "the approving secretary paid himself"
        elif variant == 1:
            payee = _adult_member(pl, acct)
            cadre, note = acct, "the handling accountant's household member is the payee"
            if payee is None:
                payee, cadre, note = acct, acct, "the handling accountant is the payee"
        elif variant == 2:
            payee = _spouse(pl, sec) or sec
            cadre, note = sec, "the approving secretary's spouse is the payee"
        else:
            relative = pl.person(v)
            pl.declare(sec, relative, "兄弟姐妹")
            code, name = firm(pl, relative, kind="个体工商户", tail="建材经营部", industry="批发和零售业")
            x = works.voucher(ctx, vcode, code, name, 2_860_000 + j * 10_000, paid, "", "材料款",
                              pl.new_id(sec), pl.new_id(acct))
            ctx.add("payments", x)
            ctx.truth.case("cadre_pays_self", [x["voucher_no"], pl.new_id(sec)],
                           "payee is a sole trader run by the approving secretary's declared sibling")
            continue
        x = works.voucher(ctx, vcode, pl.new_id(payee), str(pl.names[payee]), 480_000 + j * 10_000,
                          paid, "", ("垫付款报销", "劳务费", "保洁费")[variant], pl.new_id(sec),
                          pl.new_id(acct))
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
        v = _village(pl)
        vcode = pl.vcode(v)
        if _spoken_for(pl, current(ctx, vcode, "村党支部书记"), current(ctx, vcode, "村委会主任")):
            continue
        if variant == 0:
            matched = _spouse(pl, current(ctx, vcode, "村党支部书记"))
            if matched is None or not pl.p.at[matched, "phone"]:
                continue
            code, name = firm(pl, phone=str(pl.p.at[matched, "phone"]))
            note = "contractor's phone is the village secretary's spouse's phone"
        elif variant == 1:
            matched = current(ctx, vcode, "村委会主任")
            code, name = firm(pl, address=str(pl.p.at[matched, "address"]))
            note = "contractor's registered address is the village director's home"
        else:
            matched = staff[(int(pl.villages.at[v, "town"]), "副职")]
            if not pl.p.at[matched, "phone"]:
                continue
            code, name = firm(pl, phone=str(pl.p.at[matched, "phone"]))
            note = "contractor's phone is that of the deputy township head governing the village"
        row = contract(pl, v, code, name, _d(2024, 1, 9) + 9 * j)
        pay(pl, row, v)
        ctx.truth.case("contractor_shares_contact", [code, pl.new_id(matched)], note)
        j += 1


def _new_company(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        v = _village(pl)
        signed = _d(2023, 11, 20) + 29 * j
        age = 25 + 20 * (j % 3) if j < k else 150
        code, name = firm(pl, est=signed - age)
        row = contract(pl, v, code, name, signed)
        pay(pl, row, v)
        (pl.ctx.truth.case if j < k else pl.ctx.truth.decoy)(
            "new_company_contract", [row["contract_id"], code],
            f"contractor established {age} days before signing")


def concentration(pl: Planter) -> None:
    """Last of the contract plants: needs every other contract of the village-year."""
    ctx = pl.ctx
    k = per_kind(ctx.n)
    decoys = max(1, k // 3)
    taken: set[tuple[str, int]] = ctx.info.setdefault("planted_vy", set())
    base = ctx.frames["contracts"]
    extra = ctx.extra.get("contracts", [])
    totals: dict[tuple[str, int], int] = {}
    for vcode, signed, amount in [*zip(base["village_code"], base["signed"], base["amount"], strict=True),
                                  *((r["village_code"], r["signed"], r["amount"]) for r in extra)]:
        key = (str(vcode), date_of(int(signed)).year)
        totals[key] = totals.get(key, 0) + int(amount)
    order = [int(x) for x in pl.rng.permutation(len(pl.villages))]
    # Untouched village-years first; any will do, since no other contractor holds three
    # contracts in one village-year, but each concentration needs a village-year of its own.
    slots = sorted(((v, y) for v in order for y in (2023, 2024)),
                   key=lambda s: (pl.vcode(s[0]), s[1]) in taken)
    for j in range(k + decoys):
        v, year = slots[j]
        total = totals.get((pl.vcode(v), year), 0)
        n = 3 if j < k else 2
        each = max(12_000_000, (total // n + 1_000_000) // 100 * 100)
        code, name = firm(pl)
        ids = []
        for i in range(n):
            row = contract(pl, v, code, name, _d(year, 3, 1) + 100 * i, kind=2, amount=each,
                           proc="公开招标")
            pay(pl, row, v, shares=(0.3,))
            ids.append(row["contract_id"])
        share = n * each / (total + n * each)
        if j < k:
            ctx.truth.case("contract_concentration", [code, *ids],
                           f"{n} contracts in {year}, {share:.0%} of the village's contract value")
        else:
            ctx.truth.decoy("contract_concentration", [code, *ids],
                            f"{share:.0%} of the village's value in {year}, but only two contracts")
