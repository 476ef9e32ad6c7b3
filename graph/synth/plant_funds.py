"""Planted benefit cases: the dead, duplicates, exclusive programmes, shared accounts,
ghosts (patterns 6-10) and complaint deadlines (19); the order every benefit plant runs in."""

from __future__ import annotations

import datetime as dt

import numpy as np

from graph.synth import complaints, plant_assets
from graph.synth.common import (
    AS_OF_DAY,
    COUNTY_NAME,
    NO_DATE,
    add_months,
    at_int,
    at_str,
    date_of,
    day,
    month_start,
    per_kind,
)
from graph.synth.plant import M0, M1, Planter


def _d(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (
        plant_assets.vehicles,
        plant_assets.real_estate,
        plant_assets.business,
        plant_assets.payroll,
        plant_assets.cadre_relative,
        _deceased,
        _duplicates,
        _exclusive,
        _shared_accounts,
        _ghosts,
        _complaints,
    ):
        fn(pl, k, decoys)


def _deceased(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        h = pl.household(adult=(40, 79))
        who = pl.adults(h, 40, 79)[0]
        died_month = M0 + 6 + j % 6
        died = int(month_start(died_month)) + 9
        after = 1 + j % 3 if j < k else 0
        others = [i for i in pl.members(h) if i != who]
        pl.subsistence(h, covered=others)
        acct = pl.account()
        pl.pay(
            who,
            "DB02" if pl.hh.at[h, "_prog"] == "DB02" else "DB01",
            range(M0, died_month + after + 1),
            36_000,
            acct,
        )
        pl.p.at[who, "_death"] = died
        pl.cut_background(who, died_month + after)
        if j < k:
            pl.ctx.truth.case(
                "deceased_recipient",
                [pl.new_id(who)],
                f"died {date_of(died)}, paid {after} month(s) after",
            )
        else:
            pl.ctx.truth.decoy(
                "deceased_recipient",
                [pl.new_id(who)],
                "paid up to and including the month of death, not after",
            )


def _duplicates(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k):
        h = pl.household(adult=(20, 80))
        recs = pl.subsistence(h)
        who = next(iter(recs))
        m = M0 + 4 + j % 10
        first = recs[who][m - M0]
        code = "DB02" if pl.hh.at[h, "_prog"] == "DB02" else "DB01"
        other_v = (pl.village_of(who) + 1) % len(pl.villages) if j % 3 == 1 else None
        acct = (
            pl.account() if j % 3 == 2 else str(pl.ctx.extra["disbursements"][-1]["bank_account"])
        )
        dup = pl.pay(
            who, code, [m], 36_000, acct, village=pl.vcode(other_v) if other_v is not None else None
        )[0]
        pl.ctx.truth.case(
            "duplicate_payment",
            [pl.new_id(who), first, dup],
            [
                "exact double entry",
                "paid again through another village's roll",
                "paid again into another account",
            ][j % 3],
        )


def _exclusive(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + decoys):
        if j % 3 == 2 and j < k:  # a student with two exclusive policies in one school year
            _student(pl, "JY02;JY03", "2024-2025", case=True)
            continue
        h = pl.household(adult=(55, 95))
        who = pl.adults(h, 55, 95)[0]
        pl.hh.at[h, "_prog"] = "DB01"
        acct = pl.account()
        if j < k:
            pl.pay(who, "DB01", range(M0, M1 + 1), 36_000, acct)
            pl.pay(who, "TK01", range(M0 + 6, M1 + 3), 68_000, acct)
            pl.ctx.truth.case(
                "exclusive_programs",
                [pl.new_id(who)],
                "农村低保 and 特困供养 paid for the same months",
            )
        else:
            pl.pay(who, "DB01", range(M0, M0 + 10), 36_000, acct)
            pl.pay(who, "TK01", range(M0 + 10, M1 + 1), 68_000, acct)
            pl.ctx.truth.decoy(
                "exclusive_programs",
                [pl.new_id(who)],
                "moved from 农村低保 to 特困供养 without overlap",
            )
    for _ in range(decoys):
        _student(pl, "", "", case=False)


def _student(pl: Planter, policies: str, year: str, case: bool) -> None:
    # a child the roster does not list yet, from a household without benefits or officials
    taken = set(pl.ctx.frames["students"]["_p"].tolist()) | pl.used_persons
    means = pl.hh["_means"].to_numpy()[pl.h_of]
    ok = (
        (pl.age >= 14)
        & (pl.age <= 16)
        & ~means
        & ~pl.p["_tainted"].to_numpy()
        & ~pl.p["_reserved"].to_numpy()
    )
    s = next(int(i) for i in pl.rng.permutation(np.flatnonzero(ok)) if int(i) not in taken)
    pl.used_persons.add(s)
    h = int(pl.h_of[s])
    # Claim the household: the education-aid cases pick a child from a blank household,
    # and an aid row of 2024-2025 for this student would make the decoy a case.
    pl.blank[h] = False
    town = at_str(pl.villages, pl.village_of(s), "town_name")
    rows = (
        [(year, policies, "高一", f"{COUNTY_NAME}第一中学")]
        if case
        else [
            ("2023-2024", "JY01", "九年级", f"{town}中学"),
            ("2024-2025", "JY02;JY04", "高一", f"{COUNTY_NAME}第一中学"),
        ]
    )
    for yr, pol, grade, school in rows:
        pl.ctx.add(
            "students",
            {
                "id_number": pl.new_id(s),
                "name": str(pl.names[s]),
                "school": school,
                "grade": grade,
                # A category no household register or means test bears on: the child
                # comes from any household free of benefits, so 建档立卡 (not in the
                # poverty register) or a family car would make a second, unplanned case.
                "category": "其他",
                "household_id": at_str(pl.hh, h, "household_id"),
                "policies": pol,
                "year": yr,
                "_p": s,
            },
        )
    if case:
        pl.ctx.truth.case(
            "exclusive_programs",
            [pl.new_id(s)],
            "student holds 普通高中国家助学金 and 中职国家助学金 in one school year",
        )
    else:
        pl.ctx.truth.decoy(
            "exclusive_programs",
            [pl.new_id(s)],
            "JY01 in 2023-2024 then JY02 in 2024-2025: exclusive but different years",
        )


def _shared_accounts(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k + 2 * decoys):
        acct = pl.account()
        if j < k:
            n_hh, note = 3 + j % 2, "one account receives benefits for {} unrelated households"
        elif j < k + decoys:
            n_hh, note = 2, "one account shared by {} households (not enough to flag)"
        else:
            n_hh, note = 1, "one account for every recipient of {} household"
        v = int(pl.rng.integers(len(pl.villages))) if j % 2 else None
        for _ in range(n_hh):
            h = pl.household(v, min_size=3 if n_hh == 1 else 1, adult=(20, 90))
            pl.subsistence(h, account=acct)
        (pl.ctx.truth.case if j < k else pl.ctx.truth.decoy)(
            "shared_bank_account", [acct], note.format(n_hh)
        )


def _ghosts(pl: Planter, k: int, decoys: int) -> None:
    from graph.synth.names import given_names, surnames
    from graph.synth.people import new_id_number

    for j in range(k):
        h = pl.household(adult=(20, 80))
        pl.subsistence(h)
        hid = at_str(pl.hh, h, "household_id")
        v = at_int(pl.hh, h, "_v")
        if j % 2 == 0:  # an ID number the household register does not know
            birth = _d(1950, 1, 1) + int(pl.rng.integers(0, 9000))
            male = bool(j % 4 == 0)
            ghost = new_id_number(pl.ctx, birth, male)
            name = str(surnames(pl.rng, 1)[0]) + str(
                given_names(pl.rng, np.array([male]), np.array([1960]))[0]
            )
            pl.pay_as(ghost, name, v, "DB01", range(M0 + 2, M1 + 1), 36_000, pl.account(), hid)
            pl.ctx.truth.case(
                "ghost_recipient", [ghost], "recipient ID number not in the household register"
            )
        else:  # a real person paid as a member of a household they do not belong to
            other = pl.household(v, adult=(20, 80))
            who = pl.adults(other, 20, 80)[0]
            pl.pay(who, "DB01", range(M0, M1 + 1), 36_000, pl.account(), household=hid)
            pl.ctx.truth.case(
                "ghost_recipient",
                [pl.new_id(who)],
                f"paid as a member of household {hid}, registered in another household",
            )


def _complaints(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    for j in range(k + decoys):
        v = int(pl.rng.integers(len(pl.villages)))
        if j < k:
            variant = j % 5
            if variant == 0:
                rec = _d(2024, 3, 4) + j
                acc, closed, ext, note = rec + 12, rec + 50, "否", "accepted 12 days after receipt"
            elif variant == 1:
                rec = _d(2024, 1, 8) + j
                acc = rec + 2
                closed, ext, note = (
                    add_months(acc, 4) + 15,
                    "否",
                    "closed 4.5 months after acceptance, no extension",
                )
            elif variant == 2:
                rec = AS_OF_DAY - 170
                acc, closed, ext, note = (
                    rec + 3,
                    NO_DATE,
                    "",
                    "still open 5.5 months after acceptance",
                )
            elif variant == 3:
                rec = AS_OF_DAY - 25
                acc, closed, ext, note = NO_DATE, NO_DATE, "", "not accepted 25 days after receipt"
            else:
                rec = _d(2023, 9, 1) + j
                acc = rec + 1
                closed, ext, note = (
                    add_months(acc, 4) + 20,
                    "是",
                    "closed 4.7 months after acceptance, beyond the extension",
                )
        else:
            rec = _d(2023, 6, 1) + 13 * j
            acc = rec + 5
            closed, ext = add_months(acc, 3) + 15, "是"
            note = "closed 3.5 months after acceptance with an approved extension"
        row = complaints.row(ctx, v, rec, acc, closed, ext, "")
        ctx.add("complaints", row)
        (ctx.truth.case if j < k else ctx.truth.decoy)(
            "complaint_deadline", [row["complaint_id"]], note
        )
