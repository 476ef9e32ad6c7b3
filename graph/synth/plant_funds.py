"""Planted benefit cases: assets, businesses, posts and kin of recipients, the dead,
duplicates, exclusive programmes, shared accounts, ghosts, and complaint deadlines."""

from __future__ import annotations

import datetime as dt

import numpy as np

from graph.synth import complaints
from graph.synth.common import (
    AS_OF_DAY,
    COUNTY_NAME,
    NO_DATE,
    add_months,
    date_of,
    day,
    month_start,
    per_kind,
)
from graph.synth.economy import cert_no, plate
from graph.synth.plant import M0, M1, Planter
from graph.synth.works import cadres


def _d(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


def plant(pl: Planter) -> None:
    k = per_kind(pl.ctx.n)
    decoys = max(1, k // 3)
    for fn in (_vehicles, _real_estate, _business, _payroll, _cadre_relative, _deceased,
               _duplicates, _exclusive, _shared_accounts, _ghosts, _complaints):
        fn(pl, k, decoys)


def _vehicle(pl: Planter, owner: int, vtype: str, registered: int, status: str = "正常",
             dereg: int = NO_DATE, new_energy: bool = False) -> str:
    plate_no = plate(pl.ctx.take("plate")[0], new_energy)
    brand = {"小型轿车": "丰田", "小型普通客车": "哈弗", "重型货车": "解放", "二轮摩托车": "豪爵",
             "三轮汽车": "五征"}[vtype]
    pl.ctx.add("vehicles", {"plate": plate_no, "owner_id_number": pl.new_id(owner),
                            "owner_name": str(pl.names[owner]), "vehicle_type": vtype,
                            "brand": brand, "registered": registered, "status": status,
                            "deregistered": dereg, "_owner": owner})
    return plate_no


def _vehicles(pl: Planter, k: int, decoys: int) -> None:
    start, end = int(month_start(M0)), int(month_start(M1 + 1)) - 1
    for j in range(k):
        variant = j % 5
        h = pl.household(min_size=2 if variant == 4 else 1, need=1, adult=(20, 70))
        owner = pl.adults(h, 20, 70)[0]
        covered = None
        if variant == 4:  # a member the benefit does not cover owns it
            covered = [i for i in pl.members(h) if i != owner]
        pl.subsistence(h, covered=covered)
        vtype, reg, ne = [("小型轿车", start + 100, False), ("重型货车", start + 200, False),
                          ("小型轿车", _d(2019, 5, 8), False), ("小型轿车", start + 300, True),
                          ("小型普通客车", start + 150, False)][variant]
        plate_no = _vehicle(pl, owner, vtype, reg, new_energy=ne)
        pl.ctx.truth.case("recipient_vehicle", [pl.new_id(owner), plate_no],
                          f"{vtype} owned by a member of a subsistence household during 2023-04..2024-09")
    for j in range(decoys):
        for variant in range(3):
            h = pl.household(adult=(20, 70))
            owner = pl.adults(h, 20, 70)[0]
            pl.subsistence(h)
            if variant == 0:
                plate_no = _vehicle(pl, owner, ("二轮摩托车", "三轮汽车")[j % 2], start + 90)
                note = "exempt vehicle (motorcycle / farm tricycle) of a subsistence household"
            elif variant == 1:
                plate_no = _vehicle(pl, owner, "小型轿车", _d(2018, 3, 3), "转移", start - 60)
                note = "car transferred away two months before the benefit began"
            else:
                plate_no = _vehicle(pl, owner, "小型轿车", end + 45)
                note = "car registered after the benefit ended (2024-09)"
            pl.ctx.truth.decoy("recipient_vehicle", [pl.new_id(owner), plate_no], note)


def _prop(pl: Planter, owner: int, usage: str, area: float, registered: int, co: str = "",
          address: str | None = None) -> str:
    i = pl.ctx.take("cert")[0]
    cert = cert_no(i, date_of(registered).year)
    if i % 3 == 0:
        cert = cert.replace("(", "（").replace(")", "）")
    v = pl.village_of(owner)
    pl.ctx.add("properties", {
        "cert_no": cert, "owner_id_number": pl.new_id(owner), "owner_name": str(pl.names[owner]),
        "co_owner_id_numbers": co, "usage": usage, "area_m2": area, "registered": registered,
        "address": address or f"湖南省{COUNTY_NAME}{pl.villages.at[v, 'town_name']}建设路"
                              f"{500 + pl.ctx.take('shop')[0]}号", "_owner": owner})
    return cert


def _real_estate(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k):
        variant = j % 3
        h = pl.household(adult=(25, 70))
        owner = pl.adults(h, 25, 70)[0]
        pl.subsistence(h)
        if variant == 0:
            usage = ("商业", "办公", "商住")[j % 3]
            cert = _prop(pl, owner, usage, 86.5, _d(2020, 6, 1))
            pl.ctx.truth.case("recipient_real_estate", [pl.new_id(owner), cert],
                              f"{usage} property owned by a subsistence recipient (high)")
        elif variant == 1:
            home = str(pl.hh.at[h, "address"])
            c1 = _prop(pl, owner, "住宅", 120.0, _d(2016, 4, 2), address=home)
            c2 = _prop(pl, owner, "住宅", 98.4, _d(2021, 9, 9))
            pl.ctx.truth.case("recipient_real_estate", [pl.new_id(owner), c1, c2],
                              "two homes owned by a subsistence recipient (medium)")
        else:  # co-owner of a shop registered to someone else
            other = pl.person()
            cert = _prop(pl, other, "商业", 64.0, _d(2019, 2, 2), co=pl.new_id(owner))
            pl.ctx.truth.case("recipient_real_estate", [pl.new_id(owner), cert],
                              "subsistence recipient is co-owner (共有人) of a shop (high)")
    for _ in range(decoys):
        h = pl.household(adult=(25, 70), no_property=True)
        owner = pl.adults(h, 25, 70)[0]
        pl.subsistence(h)
        cert = _prop(pl, owner, "住宅", 110.0, _d(2015, 1, 20), address=str(pl.hh.at[h, "address"]))
        pl.ctx.truth.decoy("recipient_real_estate", [pl.new_id(owner), cert],
                           "one ordinary home of a subsistence household")


def _business(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k):
        variant = j % 4
        h = pl.household(adult=(25, 60))
        who = pl.adults(h, 25, 60)[0]
        pl.subsistence(h)
        est = _d(2019, 3, 1) + 40 * j
        if variant == 0:
            code = pl.enterprise(who, "个体工商户", "百货店", "批发和零售业", est)
            note = "subsistence recipient is the operator of a live sole trader (个体工商户)"
        elif variant == 1:
            code = pl.enterprise(pl.person(), "有限责任公司", "商贸有限公司", "批发和零售业", est)
            pl.role(code, who, "股东", 0.4)
            note = "subsistence recipient is a 40% shareholder of a live company"
        elif variant == 2:
            code = pl.enterprise(who, "民办非企业单位", "幼儿园", "教育", est)
            note = "subsistence recipient is legal representative of a private kindergarten (民办非企业单位)"
        else:
            code = pl.enterprise(pl.person(), "有限责任公司", "科技有限公司", "信息技术服务业", est)
            pl.role(code, who, "执行董事")
            note = "subsistence recipient is executive director (执行董事) of a live company"
        pl.ctx.truth.case("recipient_business", [pl.new_id(who), code], note)
    for j in range(decoys):
        h = pl.household(adult=(25, 60))
        who = pl.adults(h, 25, 60)[0]
        pl.subsistence(h)
        code = pl.enterprise(who, "个体工商户", "饭店", "住宿和餐饮业", _d(2016, 5, 5) + j,
                             status="注销", deregistered=int(month_start(M0)) - 120)
        pl.ctx.truth.decoy("recipient_business", [pl.new_id(who), code],
                           "sole trader deregistered four months before the benefit began")


def _payroll(pl: Planter, k: int, decoys: int) -> None:
    posts = [("中心小学", "教师", "public_institution"), ("人民政府", "科员", "civil_servant"),
             ("敬老院", "护理员", "payroll")]
    for j in range(k + decoys):
        h = pl.household(min_size=2, need=2, adult=(23, 90))
        adults = pl.adults(h, 23, 58)
        if not adults:
            adults = pl.adults(h, 23, 90)
        worker = adults[0]
        recipient = next(i for i in pl.members(h) if i != worker)
        pl.subsistence(h)
        town = str(pl.villages.at[pl.village_of(worker), "town_name"])
        suffix, position, kind = posts[j % 3]
        if j < k:
            pl.official(worker, town + suffix, position, kind, "", _d(2015, 9, 1))
            pl.ctx.truth.case("recipient_public_payroll", [pl.new_id(worker), pl.new_id(recipient)],
                              f"household member on the public payroll ({kind}, {position}) "
                              "while the household receives subsistence")
        else:
            pl.official(worker, f"{COUNTY_NAME}人民医院", "护士", "public_institution", "",
                        _d(2012, 3, 1), int(month_start(M0)) - 200)
            pl.ctx.truth.decoy("recipient_public_payroll", [pl.new_id(worker), pl.new_id(recipient)],
                               "household member's public post ended before the benefit began")


def _cadre_relative(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    cad = cadres(ctx)
    for j in range(k):
        variant = j % 3
        if variant == 0:  # a household member is a cadre of the same village
            h = pl.household(min_size=2, need=2, adult=(25, 90))
            cadre = pl.adults(h, 25, 62)[0] if pl.adults(h, 25, 62) else pl.adults(h)[0]
            recipient = next(i for i in pl.members(h) if i != cadre)
            v = int(pl.hh.at[h, "_v"])
            pl.subsistence(h)
            pl.official(cadre, f"{pl.villages.at[v, 'town_name']}{pl.villages.at[v, 'name']}村务监督委员会",
                        "村监委会委员", "village_cadre", pl.vcode(v), _d(2021, 1, 20))
            note = "a member of the subsistence household is a cadre of the same village"
        elif variant == 1:  # a cadre's declared sibling receives subsistence
            v = int(pl.rng.integers(len(pl.villages)))
            cadre = next(i for i, _, end in cad[pl.vcode(v)]["村党支部书记"] if end == NO_DATE)
            h = pl.household(v, adult=(25, 75))
            recipient = pl.adults(h, 25, 75)[0]
            pl.declare(cadre, recipient, "兄弟姐妹")
            pl.subsistence(h)
            note = "a village secretary's declared sibling receives subsistence"
        else:  # a cadre's own elderly household member is covered (单人保)
            cadre, recipient = _cadre_with_member(pl)
            h = int(pl.h_of[recipient])
            pl.subsistence(h, covered=[recipient])
            note = "a village cadre's own household member receives subsistence (单人保)"
        ctx.truth.case("recipient_cadre_relative", [pl.new_id(cadre), pl.new_id(recipient)], note)


def _cadre_with_member(pl: Planter) -> tuple[int, int]:
    off = pl.ctx.frames["officials"]
    cad = off[(off["kind"] == "village_cadre") & (off["end_date"] == NO_DATE)]
    owners = set(pl.ctx.frames["vehicles"]["_owner"]) | set(pl.ctx.frames["properties"]["_owner"])
    rel = pl.ctx.frames["declared_relations"]
    for i in pl.rng.permutation(cad["_p"].to_numpy()):
        h = int(pl.h_of[i])
        # nobody another official declared: the case must tie to this cadre alone
        elsewhere = set(rel.loc[rel["_official"] != i, "_rel"].tolist())
        members = [m for m in pl.members(h) if m != i and m not in elsewhere]
        if (pl.hh.at[h, "_prog"] or any(m in owners for m in pl.members(h)) or not members
                or h in pl.ctx.info.setdefault("claimed_cadre_hh", set())):
            continue
        if any(pl.p.at[m, "_death"] != NO_DATE or pl.p.at[m, "_biz"] for m in pl.members(h)):
            continue
        pl.ctx.info["claimed_cadre_hh"].add(h)
        return int(i), members[-1]
    raise RuntimeError("no cadre household fit for planting")


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
        pl.pay(who, "DB02" if pl.hh.at[h, "_prog"] == "DB02" else "DB01",
               range(M0, died_month + after + 1), 36_000, acct)
        pl.p.at[who, "_death"] = died
        pl.cut_background(who, died_month + after)
        if j < k:
            pl.ctx.truth.case("deceased_recipient", [pl.new_id(who)],
                              f"died {date_of(died)}, paid {after} month(s) after")
        else:
            pl.ctx.truth.decoy("deceased_recipient", [pl.new_id(who)],
                               "paid up to and including the month of death, not after")


def _duplicates(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k):
        h = pl.household(adult=(20, 80))
        recs = pl.subsistence(h)
        who = next(iter(recs))
        m = M0 + 4 + j % 10
        first = recs[who][m - M0]
        code = "DB02" if pl.hh.at[h, "_prog"] == "DB02" else "DB01"
        other_v = (pl.village_of(who) + 1) % len(pl.villages) if j % 3 == 1 else None
        acct = pl.account() if j % 3 == 2 else str(pl.ctx.extra["disbursements"][-1]["bank_account"])
        dup = pl.pay(who, code, [m], 36_000, acct,
                     village=pl.vcode(other_v) if other_v is not None else None)[0]
        pl.ctx.truth.case("duplicate_payment", [pl.new_id(who), first, dup],
                          ["exact double entry", "paid again through another village's roll",
                           "paid again into another account"][j % 3])


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
            pl.ctx.truth.case("exclusive_programs", [pl.new_id(who)],
                              "农村低保 and 特困供养 paid for the same months")
        else:
            pl.pay(who, "DB01", range(M0, M0 + 10), 36_000, acct)
            pl.pay(who, "TK01", range(M0 + 10, M1 + 1), 68_000, acct)
            pl.ctx.truth.decoy("exclusive_programs", [pl.new_id(who)],
                               "moved from 农村低保 to 特困供养 without overlap")
    for _ in range(decoys):
        _student(pl, "", "", case=False)


def _student(pl: Planter, policies: str, year: str, case: bool) -> None:
    # a child the roster does not list yet, from a household without benefits or officials
    taken = set(pl.ctx.frames["students"]["_p"].tolist()) | pl.used_persons
    means = pl.hh["_means"].to_numpy()[pl.h_of]
    ok = ((pl.age >= 14) & (pl.age <= 16) & ~means & ~pl.p["_tainted"].to_numpy()
          & ~pl.p["_reserved"].to_numpy())
    s = next(int(i) for i in pl.rng.permutation(np.flatnonzero(ok)) if int(i) not in taken)
    pl.used_persons.add(s)
    h = int(pl.h_of[s])
    town = str(pl.villages.at[pl.village_of(s), "town_name"])
    rows = ([(year, policies, "高一", f"{COUNTY_NAME}第一中学")] if case else
            [("2023-2024", "JY01", "九年级", f"{town}中学"),
             ("2024-2025", "JY02;JY04", "高一", f"{COUNTY_NAME}第一中学")])
    for yr, pol, grade, school in rows:
        pl.ctx.add("students", {"id_number": pl.new_id(s), "name": str(pl.names[s]),
                                "school": school, "grade": grade, "category": "建档立卡经济困难学生",
                                "household_id": str(pl.hh.at[h, "household_id"]),
                                "policies": pol, "year": yr, "_p": s})
    if case:
        pl.ctx.truth.case("exclusive_programs", [pl.new_id(s)],
                          "student holds 普通高中国家助学金 and 中职国家助学金 in one school year")
    else:
        pl.ctx.truth.decoy("exclusive_programs", [pl.new_id(s)],
                           "JY01 in 2023-2024 then JY02 in 2024-2025: exclusive but different years")


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
            "shared_bank_account", [acct], note.format(n_hh))


def _ghosts(pl: Planter, k: int, decoys: int) -> None:
    from graph.synth.people import new_id_number
    from graph.synth.names import given_names, surnames

    for j in range(k):
        h = pl.household(adult=(20, 80))
        pl.subsistence(h)
        hid = str(pl.hh.at[h, "household_id"])
        v = int(pl.hh.at[h, "_v"])
        if j % 2 == 0:  # an ID number the household register does not know
            birth = _d(1950, 1, 1) + int(pl.rng.integers(0, 9000))
            male = bool(j % 4 == 0)
            ghost = new_id_number(pl.ctx, birth, male)
            name = str(surnames(pl.rng, 1)[0]) + str(
                given_names(pl.rng, np.array([male]), np.array([1960]))[0])
            pl.pay_as(ghost, name, v, "DB01", range(M0 + 2, M1 + 1), 36_000, pl.account(), hid)
            pl.ctx.truth.case("ghost_recipient", [ghost], "recipient ID number not in the household register")
        else:  # a real person paid as a member of a household they do not belong to
            other = pl.household(v, adult=(20, 80))
            who = pl.adults(other, 20, 80)[0]
            pl.pay(who, "DB01", range(M0, M1 + 1), 36_000, pl.account(), household=hid)
            pl.ctx.truth.case("ghost_recipient", [pl.new_id(who)],
                              f"paid as a member of household {hid}, registered in another household")


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
                closed, ext, note = add_months(acc, 4) + 15, "否", "closed 4.5 months after acceptance, no extension"
            elif variant == 2:
                rec = AS_OF_DAY - 170
                acc, closed, ext, note = rec + 3, NO_DATE, "", "still open 5.5 months after acceptance"
            elif variant == 3:
                rec = AS_OF_DAY - 25
                acc, closed, ext, note = NO_DATE, NO_DATE, "", "not accepted 25 days after receipt"
            else:
                rec = _d(2023, 9, 1) + j
                acc = rec + 1
                closed, ext, note = add_months(acc, 4) + 20, "是", "closed 4.7 months after acceptance, beyond the extension"
        else:
            rec = _d(2023, 6, 1) + 13 * j
            acc = rec + 5
            closed, ext = add_months(acc, 3) + 15, "是"
            note = "closed 3.5 months after acceptance with an approved extension"
        row = complaints.row(ctx, v, rec, acc, closed, ext, "")
        ctx.add("complaints", row)
        (ctx.truth.case if j < k else ctx.truth.decoy)("complaint_deadline", [row["complaint_id"]], note)
