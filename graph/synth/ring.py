"""The collusion ring: a village secretary's family and their front companies.

The secretary's brother runs one company whose phone is the secretary's wife's; a front
man runs a second one, 60% owned by the secretary's son, at the same address; a third,
run by another front man from the brother's home, shares the second's phone. They win
contracts in the secretary's and the brother's villages and are paid for them. Community
detection should lift the whole group out; the single patterns each see a piece, and
every piece they see is recorded as a case too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.synth import complaints
from graph.synth.common import NO_DATE, at_int, at_str
from graph.synth.economy import landline
from graph.synth.plant import Planter, declared_of
from graph.synth.plant_kin import contract, current, exclusive_kin, firm, on, pay, spouse_of


def _family(pl: Planter) -> tuple[int, int, int | None, int, int]:
    """A secretary in office, spouse, son and the family phone (the spouse's if any).

    Prefers a son living at home; in a small county the son may have a household of his
    own in the village (he is then a declared relative only)."""
    best: tuple[int, int, int | None, int] | None = None
    claimed = pl.ctx.info.get("claimed_cadre_hh", set())
    for v in pl.rng.permutation(len(pl.villages)):
        sec = current(pl.ctx, pl.vcode(int(v)), "村党支部书记")
        if int(pl.h_of[sec]) in claimed:
            continue
        spouse = spouse_of(pl, sec)
        phone_of = spouse if spouse is not None and pl.p.at[spouse, "phone"] else sec
        if not pl.p.at[phone_of, "phone"]:
            continue
        if spouse is not None and not exclusive_kin(pl, sec, spouse):
            continue
        for m in pl.members(int(pl.h_of[sec])):
            if (
                pl.p.at[m, "relation_to_head"] == "子"
                and 20 <= pl.age[m] <= 50
                and pl.p.at[m, "_death"] == NO_DATE
                and m != sec
                and spouse is not None
                and exclusive_kin(pl, sec, m)
            ):
                return int(v), sec, spouse, m, phone_of
        if best is None:
            best = (int(v), sec, spouse, phone_of)
    if best is None:
        raise RuntimeError("no village secretary with a phone in the family")
    v, sec, spouse, phone_of = best
    return v, sec, spouse, _kinsman(pl, [v], sec, 20, 50)[1], phone_of


def _kinsman(pl: Planter, villages: list[int], sec: int, lo: int, hi: int) -> tuple[int, int]:
    """A man of the secretary's surname from a blank household of one of ``villages``."""
    surname = str(pl.names[sec])[0]
    for v2 in villages:
        ok = np.flatnonzero(pl.blank & (pl.hh["_v"].to_numpy() == v2))
        for h in ok:
            for i in pl.adults(int(h), lo, hi):
                if pl.male[i] and str(pl.names[i]).startswith(surname):
                    pl.blank[h] = False
                    return v2, i
    return villages[0], pl.person(villages[0])


def _brother(pl: Planter, v1: int, sec: int) -> tuple[int, int]:
    """A man of the secretary's surname in a neighbouring village (blank household)."""
    town = at_int(pl.villages, v1, "town")
    near = [
        v for v in range(len(pl.villages)) if v != v1 and at_int(pl.villages, v, "town") == town
    ]
    others = near or [v for v in range(len(pl.villages)) if v != v1]
    return _kinsman(pl, others, sec, 30, 65)


def plant(pl: Planter) -> None:
    ctx = pl.ctx
    v1, sec, spouse, son, phone_of = _family(pl)
    v2, brother = _brother(pl, v1, sec)
    declared = set(declared_of(ctx, sec)["_rel"].tolist())
    for who, relation in ((spouse, "配偶"), (son, "子女"), (brother, "兄弟姐妹")):
        if who is not None and who not in declared:
            pl.declare(sec, who, relation, "个体经营" if who == brother else "")
    front1, front2 = pl.person(v1), pl.person(v2)
    f1, n1 = firm(pl, brother, est=on(2020, 7, 15), phone=at_str(pl.p, phone_of, "phone"))
    shared_address = str(ctx.extra["enterprises"][-1]["address"])
    shared_phone = landline(ctx.take("landline")[0])
    f2, n2 = firm(
        pl,
        front1,
        est=on(2021, 3, 2),
        address=shared_address,
        phone=shared_phone,
        rep_is_shareholder=False,
        tail="劳务有限公司",
    )
    pl.role(f2, front1, "执行董事")
    pl.role(f2, front1, "股东", 0.4)
    pl.role(f2, son, "股东", 0.6)
    brother_home = at_str(pl.p, brother, "address")
    f3, n3 = firm(
        pl,
        front2,
        est=on(2020, 11, 20),
        address=brother_home,
        phone=shared_phone,
        tail="水利水电工程有限公司",
    )
    truth = ctx.truth
    contracts: list[str] = []
    vouchers: list[str] = []

    def award(
        v: int, code: str, name: str, signed: int, kind: int, amount: int, proc: str
    ) -> dict[str, Any]:
        row = contract(pl, v, code, name, signed, kind=kind, amount=amount, proc=proc)
        paid = pay(pl, row, v)
        contracts.append(row["contract_id"])
        vouchers.extend(paid)
        if v == v1:  # the secretary governs v1 and approves its vouchers
            truth.case(
                "official_relative_contract",
                [pl.new_id(sec), row["contract_id"]],
                "ring: contract in the secretary's village to his family's company",
            )
            for x in paid:
                truth.case(
                    "cadre_pays_self",
                    [x, pl.new_id(sec)],
                    "ring: the secretary approved a payment to his family's company",
                )
        return row

    a = award(v1, f1, n1, on(2024, 1, 8), 7, 6_800_000, "直接发包")
    b = award(v1, f1, n1, on(2024, 2, 17), 6, 5_200_000, "直接发包")
    truth.case(
        "split_contracts",
        [a["contract_id"], b["contract_id"]],
        "ring: the brother's company got two direct awards 40 days apart",
    )
    truth.case(
        "contractor_shares_contact",
        [f1, pl.new_id(phone_of)],
        "ring: the brother's company gives the phone of the secretary's family",
    )
    award(v1, f2, n2, on(2024, 3, 18), 2, 18_000_000, "公开招标")
    award(v1, f2, n2, on(2024, 6, 2), 4, 26_000_000, "公开招标")
    award(v2, f3, n3, on(2023, 9, 9), 3, 15_000_000, "竞争性谈判")
    award(v2, f3, n3, on(2024, 5, 20), 1, 22_000_000, "竞争性谈判")
    received = on(2024, 10, 8)
    row = complaints.row(
        ctx,
        v1,
        received,
        received + 2,
        NO_DATE,
        "",
        f"{pl.new_id(sec)};{f1}",
        f"反映{at_str(pl.villages, v1, 'name')}党支部书记{pl.names[sec]}的亲属承揽村级工程",
    )
    row["closed"], row["extension_approved"], row["substantiated"] = received + 60, "否", "否"
    ctx.add("complaints", row)
    truth.ring = {
        "note": "village secretary's family and three front companies sharing phones/addresses",
        "village_codes": [pl.vcode(v1), pl.vcode(v2)],
        "persons": [
            pl.new_id(i) for i in (sec, spouse, son, brother, front1, front2) if i is not None
        ],
        "roles": {
            "secretary": pl.new_id(sec),
            "spouse": pl.new_id(spouse) if spouse is not None else None,
            "son": pl.new_id(son),
            "brother": pl.new_id(brother),
            "front_men": [pl.new_id(front1), pl.new_id(front2)],
        },
        "enterprises": [f1, f2, f3],
        "contracts": contracts,
        "vouchers": vouchers,
        "phones": [at_str(pl.p, phone_of, "phone"), shared_phone],
        "addresses": [shared_address, brother_home],
        "complaints": [row["complaint_id"]],
    }
