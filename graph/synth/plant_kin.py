"""Tools for planting contract cases, and the official-relative contracts (pattern 11).

Everything here builds on fresh enterprises and on officials whose kin are tied to them
alone (:func:`exclusive_kin`), so a planted case names exactly one official."""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph.synth import works
from graph.synth.common import NO_DATE, County, at_int, at_str, date_of, day
from graph.synth.plant import Planter


def on(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


# The last day of the year the planted vouchers fall in, before the as-of day (2025-01-15).
END_2024 = on(2024, 12, 31)


def spread(first: int, step: int, j: int, last: int) -> int:
    """The day of the j-th planted case, ``step`` days apart from ``first`` and folded back
    into ``first`` … ``last``: a bigger county plants more cases, and a case dated after
    the county's as-of day is no case (each fold starts a day later, so folds seldom meet)."""
    span = last - first + 1
    fold, offset = divmod(step * j, span)
    return first + (offset + fold) % span


def village_cadres(ctx: County, vcode: str) -> dict[str, list[tuple[int, int, int]]]:
    cad: dict[str, dict[str, list[tuple[int, int, int]]]] = ctx.info["cadres"]
    return cad[vcode]


def current(ctx: County, vcode: str, position: str) -> int:
    return next(i for i, _, end in village_cadres(ctx, vcode)[position] if end == NO_DATE)


def contract(
    pl: Planter,
    v: int,
    cid: str,
    cname: str,
    signed: int,
    *,
    kind: int | None = None,
    amount: int | None = None,
    qty: float | None = None,
    delivered: float | None = None,
    accepted: int | None = None,
    proc: str | None = None,
    approver: int | None = None,
) -> dict[str, Any]:
    ctx = pl.ctx
    vcode = pl.vcode(v)
    pr = works.project(ctx, v, kind)
    if amount is not None:
        pr["amount"] = amount
    if qty is not None:
        pr["quantity"] = qty
    appr = (
        approver
        if approver is not None
        else works.in_office(village_cadres(ctx, vcode)["村党支部书记"], signed)
    )
    row = works.contract_row(ctx, v, pr, cid, cname, signed, appr, proc, delivered, accepted)
    ctx.add("contracts", row)
    ctx.info.setdefault("planted_vy", set()).add((vcode, date_of(signed).year))
    return row


def pay(
    pl: Planter,
    row: dict[str, Any],
    v: int,
    shares: tuple[float, ...] = (0.3, 0.4),
    township: bool = False,
) -> list[str]:
    """Vouchers for a planted contract; ``township``: approved by the township's rural
    economy station (村账乡代管) instead of the village cadres."""
    ctx = pl.ctx
    appr = hand = None
    if township:
        t = at_int(pl.villages, v, "town")
        staff = ctx.info["town_staff"]
        appr, hand = pl.new_id(staff[(t, "农经站站长")]), pl.new_id(staff[(t, "农经站会计")])
    vs = works.pay_contract(
        ctx, row, pl.vcode(v), village_cadres(ctx, pl.vcode(v)), shares, appr, hand
    )
    for x in vs:
        ctx.add("payments", x)
    return [x["voucher_no"] for x in vs]


def firm(pl: Planter, rep: int | None = None, est: int | None = None, **kw: Any) -> tuple[str, str]:
    """A fresh construction company (clean legal rep unless given); returns (uscc, name)."""
    who = rep if rep is not None else pl.person()
    code = pl.enterprise(who, established=est if est is not None else on(2018, 4, 1), **kw)
    return code, str(pl.ctx.extra["enterprises"][-1]["name"])


def any_village(pl: Planter) -> int:
    return int(pl.rng.integers(len(pl.villages)))


def spoken_for(pl: Planter, *officials: int) -> bool:
    """Whether an official's household already carries a planted benefit case."""
    claimed: set[int] = pl.ctx.info.get("claimed_cadre_hh", set())
    return any(int(pl.h_of[o]) in claimed for o in officials)


def exclusive_kin(pl: Planter, official: int, person: int) -> bool:
    """``person`` is tied to no official but ``official`` (by household or declaration), so a
    case planted through them names one official only."""
    ctx = pl.ctx
    rel = ctx.frames["declared_relations"]
    extra_rel = ctx.extra.get("declared_relations", [])
    if any(o != official for o in rel.loc[rel["_rel"] == person, "_official"]) or any(
        r["_rel"] == person and r["_official"] != official for r in extra_rel
    ):
        return False
    officials = set(ctx.frames["officials"]["_p"]) | {
        r["_p"] for r in ctx.extra.get("officials", [])
    }
    return not any(m in officials and m != official for m in pl.members(int(pl.h_of[person])))


def spouse_of(pl: Planter, official: int) -> int | None:
    role = pl.p.at[official, "_role"]
    want = {"H": "S", "S": "H"}.get(str(role))
    for m in pl.members(int(pl.h_of[official])):
        if pl.p.at[m, "_role"] == want and pl.p.at[m, "_death"] == NO_DATE:
            return m
    return None


def adult_member(pl: Planter, official: int) -> int | None:
    for m in pl.members(int(pl.h_of[official])):
        if (
            m != official
            and 22 <= pl.age[m] <= 65
            and pl.p.at[m, "_death"] == NO_DATE
            and exclusive_kin(pl, official, m)
        ):
            return m
    return None


def relative_contracts(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    staff = ctx.info["town_staff"]
    off = ctx.frames["officials"]
    j = 0
    tries = 0
    planted_at = 0  # ``tries`` when the last case went in: a bureau chief who failed is passed
    while j < k:
        tries += 1
        if tries > 50 * k:
            raise RuntimeError("could not plant official_relative_contract")
        variant = j % 5
        v = any_village(pl)
        vcode = pl.vcode(v)
        signed = on(2024, 2, 1) + 9 * j
        if variant in (0, 2):
            official = current(ctx, vcode, "村党支部书记")
        elif variant == 1:
            official = current(ctx, vcode, "村委会主任")
        elif variant == 3:
            official = staff[(at_int(pl.villages, v, "town"), "副职")]
        else:
            heads = off[(off["position"] == "局长") & (off["jurisdiction_code"] != "")]
            official = int(heads["_p"].iloc[(j + tries - planted_at - 1) % len(heads)])
        if spoken_for(pl, official):
            continue
        if variant == 0:
            m = adult_member(pl, official)
            if m is None:
                continue
            row = contract(pl, v, pl.new_id(m), str(pl.names[m]), signed, kind=6, amount=4_800_000)
            note = "contractor is the village secretary's household member, as an individual"
        elif variant == 1:
            m = spouse_of(pl, official)
            if m is None or not exclusive_kin(pl, official, m):
                continue
            code, name = firm(pl, m)
            row = contract(pl, v, code, name, signed)
            note = "contractor is a company whose legal representative is the director's spouse"
        elif variant == 2:
            relative = pl.person(v, phone=True)
            pl.declare(official, relative, "兄弟姐妹")
            code, name = firm(pl, phone=at_str(pl.p, relative, "phone"), rep_is_shareholder=False)
            rep = int(ctx.extra["enterprises"][-1]["_rep"])
            pl.role(code, rep, "股东", 0.6)
            pl.role(code, rep, "执行董事")
            written = _name_variant(pl, relative, j)
            mention = len(ctx.truth.mentions)
            ctx.truth.mentions.append(
                {
                    "register": "enterprise_roles",
                    "row": None,
                    "column": "person_name",
                    "name": written[0],
                    "variant": written[1],
                    "true_id_number": pl.new_id(relative),
                    "ambiguous": False,
                    "evidence": "enterprise phone is the person's phone; same village",
                }
            )
            pl.role(code, relative, "股东", 0.4, name=written[0], with_id=False, mention=mention)
            row = contract(pl, v, code, name, signed)
            note = (
                "contractor's 40% shareholder, named without ID, is the village "
                "secretary's declared sibling"
            )
        else:
            m = adult_member(pl, official)
            if m is None:
                continue
            code, name = firm(pl, m)
            approver = official if variant == 4 else None
            row = contract(pl, v, code, name, signed, approver=approver)
            note = (
                "contractor's legal representative lives with the township leader governing "
                "the village"
                if variant == 3
                else "approved by a county bureau chief whose household member runs the contractor"
            )
        pay(pl, row, v, township=variant in (0, 1, 2))
        ctx.truth.case(
            "official_relative_contract", [pl.new_id(official), row["contract_id"]], note
        )
        j += 1
        planted_at = tries
    for _ in range(decoys):
        v = any_village(pl)
        h = pl.household(v, min_size=2, need=2, adult=(25, 80))
        former, member = pl.adults(h, 25, 80)[:2]
        pl.official(
            former,
            f"{at_str(pl.villages, v, 'town_name')}{at_str(pl.villages, v, 'name')}党支部",
            "村党支部书记",
            "village_cadre",
            pl.vcode(v),
            on(2011, 1, 10),
            on(2014, 1, 9),
        )
        code, name = firm(pl, member)
        row = contract(pl, v, code, name, on(2024, 4, 16))
        pay(pl, row, v)
        ctx.truth.decoy(
            "official_relative_contract",
            [pl.new_id(former), row["contract_id"]],
            "the relative's company won the contract ten years after the secretary left",
        )
    for j in range(decoys):
        # The registry's change records show the secretary's sibling sold out of the
        # contractor two years before the contract was signed.
        v = any_village(pl)
        official = current(ctx, pl.vcode(v), "村党支部书记")
        relative = pl.person()
        pl.declare(official, relative, "兄弟姐妹")
        code, name = firm(pl, rep_is_shareholder=False)
        rep = int(ctx.extra["enterprises"][-1]["_rep"])
        pl.role(code, rep, "股东", 0.7)
        pl.role(code, relative, "股东", 0.3, start=on(2017, 3, 1), end=on(2022, 1, 20) + j)
        row = contract(pl, v, code, name, on(2024, 5, 6) + 5 * j)
        pay(pl, row, v)
        ctx.truth.decoy(
            "official_relative_contract",
            [pl.new_id(official), row["contract_id"]],
            "the secretary's sibling left the contractor (change record) before it was signed",
        )


def _name_variant(pl: Planter, i: int, j: int) -> tuple[str, str]:
    from graph.synth.names import homophone, traditional

    name = str(pl.names[i])
    if j % 3 == 1 and homophone(name):
        return str(homophone(name)), "homophone"
    if j % 3 == 2 and traditional(name):
        return str(traditional(name)), "traditional"
    return name, "exact"
