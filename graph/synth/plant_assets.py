"""Planted benefit cases: recipients who own cars or real estate, run businesses, sit on the
public payroll or are related to village cadres (patterns 1-5), with their decoys."""

from __future__ import annotations

import datetime as dt

from graph.synth.common import (
    COUNTY_NAME,
    NO_DATE,
    at_int,
    at_str,
    date_of,
    day,
    month_start,
)
from graph.synth.economy import cert_no, plate
from graph.synth.plant import M0, M1, Planter
from graph.synth.works import cadres


def _d(y: int, m: int, d: int) -> int:
    return day(dt.date(y, m, d))


def _vehicle(
    pl: Planter,
    owner: int,
    vtype: str,
    registered: int,
    status: str = "正常",
    dereg: int = NO_DATE,
    new_energy: bool = False,
) -> str:
    plate_no = plate(pl.ctx.take("plate")[0], new_energy)
    brand = {
        "小型轿车": "丰田",
        "小型普通客车": "哈弗",
        "重型货车": "解放",
        "二轮摩托车": "豪爵",
        "三轮汽车": "五征",
    }[vtype]
    pl.ctx.add(
        "vehicles",
        {
            "plate": plate_no,
            "owner_id_number": pl.new_id(owner),
            "owner_name": str(pl.names[owner]),
            "vehicle_type": vtype,
            "brand": brand,
            "registered": registered,
            "status": status,
            "deregistered": dereg,
            "_owner": owner,
        },
    )
    return plate_no


def vehicles(pl: Planter, k: int, decoys: int) -> None:
    start, end = int(month_start(M0)), int(month_start(M1 + 1)) - 1
    for j in range(k):
        variant = j % 5
        h = pl.household(min_size=2 if variant == 4 else 1, need=1, adult=(20, 70))
        owner = pl.adults(h, 20, 70)[0]
        covered = None
        if variant == 4:  # a member the benefit does not cover owns it
            covered = [i for i in pl.members(h) if i != owner]
        pl.subsistence(h, covered=covered)
        vtype, reg, ne = [
            ("小型轿车", start + 100, False),
            ("重型货车", start + 200, False),
            ("小型轿车", _d(2019, 5, 8), False),
            ("小型轿车", start + 300, True),
            ("小型普通客车", start + 150, False),
        ][variant]
        plate_no = _vehicle(pl, owner, vtype, reg, new_energy=ne)
        pl.ctx.truth.case(
            "recipient_vehicle",
            [pl.new_id(owner), plate_no],
            f"{vtype} owned by a member of a subsistence household during 2023-04..2024-09",
        )
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


def _prop(
    pl: Planter,
    owner: int,
    usage: str,
    area: float,
    registered: int,
    co: str = "",
    address: str | None = None,
) -> str:
    i = pl.ctx.take("cert")[0]
    cert = cert_no(i, date_of(registered).year)
    if i % 3 == 0:
        cert = cert.replace("(", "（").replace(")", "）")
    v = pl.village_of(owner)
    pl.ctx.add(
        "properties",
        {
            "cert_no": cert,
            "owner_id_number": pl.new_id(owner),
            "owner_name": str(pl.names[owner]),
            "co_owner_id_numbers": co,
            "usage": usage,
            "area_m2": area,
            "registered": registered,
            "address": address
            or f"湖南省{COUNTY_NAME}{at_str(pl.villages, v, 'town_name')}建设路"
            f"{500 + pl.ctx.take('shop')[0]}号",
            "_owner": owner,
        },
    )
    return cert


def real_estate(pl: Planter, k: int, decoys: int) -> None:
    for j in range(k):
        variant = j % 3
        h = pl.household(adult=(25, 70))
        owner = pl.adults(h, 25, 70)[0]
        pl.subsistence(h)
        if variant == 0:
            usage = ("商业", "办公", "商住")[j % 3]
            cert = _prop(pl, owner, usage, 86.5, _d(2020, 6, 1))
            pl.ctx.truth.case(
                "recipient_real_estate",
                [pl.new_id(owner), cert],
                f"{usage} property owned by a subsistence recipient (high)",
            )
        elif variant == 1:
            home = at_str(pl.hh, h, "address")
            c1 = _prop(pl, owner, "住宅", 120.0, _d(2016, 4, 2), address=home)
            c2 = _prop(pl, owner, "住宅", 98.4, _d(2021, 9, 9))
            pl.ctx.truth.case(
                "recipient_real_estate",
                [pl.new_id(owner), c1, c2],
                "two homes owned by a subsistence recipient (medium)",
            )
        else:  # co-owner of a shop registered to someone else
            other = pl.person()
            cert = _prop(pl, other, "商业", 64.0, _d(2019, 2, 2), co=pl.new_id(owner))
            pl.ctx.truth.case(
                "recipient_real_estate",
                [pl.new_id(owner), cert],
                "subsistence recipient is co-owner (共有人) of a shop (high)",
            )
    for _ in range(decoys):
        h = pl.household(adult=(25, 70), no_property=True)
        owner = pl.adults(h, 25, 70)[0]
        pl.subsistence(h)
        cert = _prop(pl, owner, "住宅", 110.0, _d(2015, 1, 20), address=at_str(pl.hh, h, "address"))
        pl.ctx.truth.decoy(
            "recipient_real_estate",
            [pl.new_id(owner), cert],
            "one ordinary home of a subsistence household",
        )


def business(pl: Planter, k: int, decoys: int) -> None:
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
            note = "subsistence recipient is legal rep of a private kindergarten (民办非企业单位)"
        else:
            code = pl.enterprise(pl.person(), "有限责任公司", "科技有限公司", "信息技术服务业", est)
            pl.role(code, who, "执行董事")
            note = "subsistence recipient is executive director (执行董事) of a live company"
        pl.ctx.truth.case("recipient_business", [pl.new_id(who), code], note)
    for j in range(decoys):
        h = pl.household(adult=(25, 60))
        who = pl.adults(h, 25, 60)[0]
        pl.subsistence(h)
        code = pl.enterprise(
            who,
            "个体工商户",
            "饭店",
            "住宿和餐饮业",
            _d(2016, 5, 5) + j,
            status="注销",
            deregistered=int(month_start(M0)) - 120,
        )
        pl.ctx.truth.decoy(
            "recipient_business",
            [pl.new_id(who), code],
            "sole trader deregistered four months before the benefit began",
        )


def payroll(pl: Planter, k: int, decoys: int) -> None:
    posts = [
        ("中心小学", "教师", "public_institution"),
        ("人民政府", "科员", "civil_servant"),
        ("敬老院", "护理员", "payroll"),
    ]
    for j in range(k + decoys):
        h = pl.household(min_size=2, need=2, adult=(23, 90))
        adults = pl.adults(h, 23, 58)
        if not adults:
            adults = pl.adults(h, 23, 90)
        worker = adults[0]
        recipient = next(i for i in pl.members(h) if i != worker)
        pl.subsistence(h)
        town = at_str(pl.villages, pl.village_of(worker), "town_name")
        suffix, position, kind = posts[j % 3]
        if j < k:
            pl.official(worker, town + suffix, position, kind, "", _d(2015, 9, 1))
            pl.ctx.truth.case(
                "recipient_public_payroll",
                [pl.new_id(worker), pl.new_id(recipient)],
                f"household member on the public payroll ({kind}, {position}) "
                "while the household receives subsistence",
            )
        else:
            pl.official(
                worker,
                f"{COUNTY_NAME}人民医院",
                "护士",
                "public_institution",
                "",
                _d(2012, 3, 1),
                int(month_start(M0)) - 200,
            )
            pl.ctx.truth.decoy(
                "recipient_public_payroll",
                [pl.new_id(worker), pl.new_id(recipient)],
                "household member's public post ended before the benefit began",
            )


def cadre_relative(pl: Planter, k: int, decoys: int) -> None:
    ctx = pl.ctx
    cad = cadres(ctx)
    for j in range(k):
        variant = j % 3
        if variant == 0:  # a household member is a cadre of the same village
            h = pl.household(min_size=2, need=2, adult=(25, 90))
            cadre = pl.adults(h, 25, 62)[0] if pl.adults(h, 25, 62) else pl.adults(h)[0]
            recipient = next(i for i in pl.members(h) if i != cadre)
            v = at_int(pl.hh, h, "_v")
            pl.subsistence(h)
            pl.official(
                cadre,
                at_str(pl.villages, v, "town_name")
                + at_str(pl.villages, v, "name")
                + "村务监督委员会",
                "村监委会委员",
                "village_cadre",
                pl.vcode(v),
                _d(2021, 1, 20),
            )
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
        if (
            pl.hh.at[h, "_prog"]
            or any(m in owners for m in pl.members(h))
            or not members
            or h in pl.ctx.info.setdefault("claimed_cadre_hh", set())
        ):
            continue
        if any(pl.p.at[m, "_death"] != NO_DATE or pl.p.at[m, "_biz"] for m in pl.members(h)):
            continue
        pl.ctx.info["claimed_cadre_hh"].add(h)
        return int(i), members[-1]
    raise RuntimeError("no cadre household fit for planting")
