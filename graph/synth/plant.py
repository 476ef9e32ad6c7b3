"""Planting's shared tools: the :class:`Planter` every case, decoy and the ring use.

Every case and decoy is built on fresh ground: a *blank* household (no benefit, no
official, no business, no vehicle, no real estate, nobody dead, no child on the aid
roster) or a freshly created enterprise with its own phone and address, so that what
was planted is the only thing a pattern can find there. The order they go in is
:mod:`graph.synth.planting`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from graph.synth.common import (
    COUNTY_NAME,
    FIRST_MONTH,
    NO_DATE,
    County,
    IntArray,
    at_int,
    at_str,
    month_start,
)
from graph.synth.economy import EXEMPT, landline, uscc
from graph.synth.funds import account_numbers, record_id

# The planted benefit window: 2023-04 to 2024-09.
M0 = FIRST_MONTH + 3
M1 = FIRST_MONTH + 20
_HEADS = {"个体工商户": "92", "有限责任公司": "91", "民办非企业单位": "52", "农民专业合作社": "93"}


class Planter:
    """Finds fresh ground and adds rows; remembers what it used."""

    def __init__(self, ctx: County) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        p = ctx.frames["persons"]
        hh = ctx.frames["_households"]
        self.p = p
        self.hh = hh
        self.ids = ctx.info["ids"]
        self.names = ctx.info["names"]
        self.h_of = p["_hh"].to_numpy()
        self.v_of = p["_v"].to_numpy()
        self.age = p["_age"].to_numpy()
        self.male = p["_male"].to_numpy()
        self.head = hh["_head"].to_numpy()
        self.size = hh["size"].to_numpy()
        self.villages = ctx.frames["_villages"]
        bad = (
            p["_tainted"].to_numpy()
            | p["_biz"].to_numpy()
            | p["_reserved"].to_numpy()
            | (p["_death"].to_numpy() != NO_DATE)
        )
        veh = ctx.frames["vehicles"]
        props = ctx.frames["properties"]
        # exempt vehicles and one ordinary home do not spoil a household for planting
        cars = veh["_owner"].to_numpy()[~veh["vehicle_type"].isin(EXEMPT).to_numpy()]
        shops = props["_owner"].to_numpy()[(props["usage"] != "住宅").to_numpy()]
        bad_hh = np.zeros(len(hh), dtype=bool)
        np.logical_or.at(bad_hh, self.h_of, bad)
        bad_hh[self.h_of[cars]] = True
        bad_hh[self.h_of[shops]] = True
        # people the background already pays (vouchers, contracts, income) stay unrelated
        paid = pd.Index(self.ids).get_indexer(
            pd.unique(
                np.concatenate(
                    [
                        ctx.frames["payments"]["payee_id"].to_numpy(dtype=object),
                        ctx.frames["contracts"]["contractor_id"].to_numpy(dtype=object),
                        ctx.frames["incomes"]["payer_id"].to_numpy(dtype=object),
                    ]
                )
            )
        )
        bad_hh[self.h_of[paid[paid >= 0]]] = True
        # a household with a child on the aid roster: a car, a business or a second aid
        # row planted there would make that child a case the truth does not name
        bad_hh[self.h_of[ctx.frames["students"]["_p"].to_numpy(dtype=np.int64)]] = True
        n_props = np.bincount(self.h_of[props["_owner"].to_numpy()], minlength=len(hh))
        bad_hh |= n_props > 1
        self.no_property = n_props == 0
        self.blank = ~bad_hh & ~hh["_means"].to_numpy()
        # A later Planter on the same county (the city's cross-county case) must not
        # claim again what an earlier one planted on: the registers above hold only the
        # background, the planted rows are not among them.
        earlier = ctx.info.get("blank")
        if earlier is not None:
            self.blank &= earlier
        ctx.info["blank"] = self.blank
        self.acct_base = len(hh) + len(p)
        self.used_persons: set[int] = set()
        self.spare: list[int] = []

    # ------------------------------------------------------------ people
    def members(self, h: int) -> list[int]:
        return list(range(int(self.head[h]), int(self.head[h] + self.size[h])))

    def adults(self, h: int, lo: int = 18, hi: int = 120) -> list[int]:
        return [i for i in self.members(h) if lo <= self.age[i] <= hi]

    def household(
        self,
        v: int | None = None,
        min_size: int = 1,
        max_size: int = 9,
        adult: tuple[int, int] = (18, 120),
        need: int = 1,
        phone: bool = False,
        no_property: bool = False,
    ) -> int:
        """Claim a blank household (optionally in village ``v``)."""
        ok = self.blank & (self.size >= min_size) & (self.size <= max_size)
        if no_property:
            ok &= self.no_property
        if v is not None:
            ok &= self.hh["_v"].to_numpy() == v
        cand = np.flatnonzero(ok)
        self.rng.shuffle(cand)
        for h in cand[:400]:
            adults = self.adults(int(h), *adult)
            if len(adults) >= need and (not phone or all(self.p.at[i, "phone"] for i in adults)):
                self.blank[h] = False
                return int(h)
        if v is not None:
            return self.household(None, min_size, max_size, adult, need, phone, no_property)
        raise RuntimeError("synthetic county too small: no blank household left to plant")

    def person(self, v: int | None = None, phone: bool = False) -> int:
        """A clean adult (front man, payee, shareholder) from a claimed blank household.

        Anywhere-in-the-county people share households with each other (two front men
        may be brothers), which keeps small counties from running out of blank ones."""
        if v is None and not phone and self.spare:
            return self.spare.pop()
        h = self.household(v, adult=(25, 60), phone=phone)
        first, *rest = self.adults(h, 25, 60)
        if v is None and not phone:
            self.spare.extend(reversed(rest))
        return first

    def new_id(self, i: int) -> str:
        return str(self.ids[i])

    def vcode(self, v: int) -> str:
        return at_str(self.villages, v, "code")

    def village_of(self, i: int) -> int:
        return int(self.v_of[i])

    # ------------------------------------------------------------ benefits
    def account(self) -> str:
        return str(account_numbers(np.array([self.acct_base + self.ctx.take("acct")[0]]))[0])

    def pay(
        self,
        i: int,
        code: str,
        months: range | list[int],
        amount: int,
        account: str,
        household: str | None = None,
        village: str | None = None,
    ) -> list[str]:
        """Monthly rows for person ``i``; returns their record ids."""
        return self.pay_as(
            self.new_id(i),
            str(self.names[i]),
            self.village_of(i),
            code,
            months,
            amount,
            account,
            household or str(self.hh.at[int(self.h_of[i]), "household_id"]),
            village,
        )

    def pay_as(
        self,
        id_number: str,
        name: str,
        v: int,
        code: str,
        months: range | list[int],
        amount: int,
        account: str,
        household: str,
        village: str | None = None,
    ) -> list[str]:
        ctx = self.ctx
        town = at_int(self.villages, v, "town")
        handler = ctx.info["civil_affairs_clerk"][town]
        recs = []
        for m in months:
            rec = record_id(ctx, m)
            recs.append(rec)
            ctx.add(
                "disbursements",
                {
                    "record_id": rec,
                    "program_code": code,
                    "recipient_id_number": id_number,
                    "recipient_name": name,
                    "household_id": household,
                    "village_code": village or self.vcode(v),
                    "amount": amount,
                    "_period": m,
                    "paid_date": int(month_start(m)) + 12 + town % 5,
                    "bank_account": account,
                    "handler_id_number": handler,
                },
            )
        return recs

    def subsistence(
        self,
        h: int,
        m0: int = M0,
        m1: int = M1,
        covered: list[int] | None = None,
        account: str | None = None,
    ) -> dict[int, list[str]]:
        """Pay 低保 to (some) members of household ``h``; returns records per person."""
        v = at_int(self.hh, h, "_v")
        code = "DB02" if bool(self.villages.at[v, "community"]) else "DB01"
        acct = account or self.account()
        out = {}
        for i in covered if covered is not None else self.members(h):
            out[i] = self.pay(
                i, code, range(m0, m1 + 1), 36_000 if code == "DB01" else 52_000, acct
            )
        self.hh.at[h, "_prog"] = code
        return out

    def cut_background(self, i: int, last_month: int) -> None:
        """Drop the person's background payments after ``last_month`` (a planted death)."""
        d = self.ctx.frames["disbursements"]
        drop = (d["recipient_id_number"] == self.new_id(i)) & (d["_period"] > last_month)
        if drop.any():
            self.ctx.frames["disbursements"] = d[~drop.to_numpy()].reset_index(drop=True)

    # ------------------------------------------------------------ assets and firms
    def enterprise(
        self,
        rep: int,
        kind: str = "有限责任公司",
        tail: str = "建筑工程有限公司",
        industry: str = "建筑业",
        established: int = 0,
        status: str = "存续",
        deregistered: int = NO_DATE,
        phone: str | None = None,
        address: str | None = None,
        rep_is_shareholder: bool = True,
    ) -> str:
        ctx = self.ctx
        i = ctx.take("enterprise")[0]
        code = uscc(_HEADS[kind], i)
        v = self.village_of(rep)
        town = at_str(self.villages, v, "town_name")
        seen: set[str] = ctx.info.setdefault(
            "enterprise_names", set(ctx.frames["enterprises"]["name"])
        )
        # Two brand characters give 196 names per suffix; a county of three million
        # plants more. After 50 draws in a row that were taken, a brand grows a character.
        misses = 0
        while True:
            brand = "".join(
                str(c)
                for c in self.rng.choice(list("嘉禾瑞丰泰和盛锦诚远宏业启明"), 2 + misses // 50)
            )
            misses += 1
            name = (
                f"{COUNTY_NAME}{town}{brand}{tail}"
                if kind == "个体工商户"
                else f"{COUNTY_NAME}{brand}{tail}"
            )
            if name not in seen:
                seen.add(name)
                break
        ctx.add(
            "enterprises",
            {
                "uscc": code,
                "name": name,
                "legal_rep_id_number": self.new_id(rep),
                "legal_rep_name": str(self.names[rep]),
                "kind": kind,
                "industry": industry,
                "address": address
                or f"湖南省{COUNTY_NAME}{town}{at_str(self.villages, v, 'street')}{101 + i}号",
                "phone": phone or landline(ctx.take("landline")[0]),
                "established": established,
                "status": status,
                "deregistered": deregistered,
                "registered_capital": 1_000_000 * 100 if kind == "有限责任公司" else 50_000 * 100,
                "_rep": rep,
            },
        )
        if kind == "有限责任公司" and rep_is_shareholder:
            self.role(code, rep, "股东", 1.0)
            self.role(code, rep, "执行董事")
        self.p.at[rep, "_biz"] = True
        return code

    def role(
        self,
        code: str,
        i: int,
        role: str,
        share: float | None = None,
        name: str | None = None,
        with_id: bool = True,
        mention: int | None = None,
        start: int = NO_DATE,
        end: int = NO_DATE,
    ) -> None:
        row: dict[str, Any] = {
            "uscc": code,
            "person_id_number": self.new_id(i) if with_id else "",
            "person_name": name or str(self.names[i]),
            "role": role,
            "share_ratio": share,
            "start": start,
            "end": end,
            "_p": i,
        }
        if mention is not None:
            row["_mention"] = mention
        self.ctx.add("enterprise_roles", row)

    def official(
        self, i: int, org: str, position: str, kind: str, juris: str, start: int, end: int = NO_DATE
    ) -> None:
        self.ctx.add(
            "officials",
            {
                "_p": i,
                "organisation": org,
                "position": position,
                "kind": kind,
                "jurisdiction_code": juris,
                "start_date": start,
                "end_date": end,
                "id_number": self.new_id(i),
                "name": str(self.names[i]),
            },
        )
        self.p.at[i, "_tainted"] = True

    def declare(self, official: int, relative: int, relation: str, employer: str = "") -> None:
        self.ctx.add(
            "declared_relations",
            {
                "_official": official,
                "_rel": relative,
                "relation": relation,
                "official_id_number": self.new_id(official),
                "relative_id_number": self.new_id(relative),
                "relative_name": str(self.names[relative]),
                "employer": employer,
                "_name_only": False,
            },
        )
        self.p.at[relative, "_tainted"] = True


def declared_of(ctx: County, official: int) -> pd.DataFrame:
    rel = ctx.frames["declared_relations"]
    return rel[rel["_official"] == official]


def related_persons(ctx: County) -> IntArray:
    """Everyone an official could be tied to: officials, their households, declared kin."""
    p = ctx.frames["persons"]
    return np.flatnonzero(p["_tainted"].to_numpy())
