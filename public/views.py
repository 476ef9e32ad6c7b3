"""What each public page shows, built from :class:`public.queries.PublicReader` rows (already
through the publication policy) and cached per village (:class:`public.cache.SummaryCache`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from public import queries as Q
from public.cache import SummaryCache
from public.queries import PublicReader


def yuan(fen: Any) -> str:
    """Fen as yuan with thousands separators.

    >>> yuan(123456), yuan(None), yuan(3165000.0)
    ('1,234.56', '—', '31,650.00')
    """
    if fen is None:
        return "—"
    f = round(float(fen))
    return f"{f // 100:,}.{f % 100:02d}" if f >= 0 else "-" + yuan(-f)


def qty(v: Any) -> str:
    if v is None:
        return "—"
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def contract_item(c: dict[str, Any]) -> str:
    """A stable handle for a contract on the report form, made of published values only."""
    raw = f"{c.get('project')}|{c.get('signed')}|{c.get('amount')}|{c.get('contractor')}"
    return "c:" + hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass
class Village:
    code: str
    name: str
    trail: list[dict[str, Any]]
    programmes: list[dict[str, Any]]
    periods: list[str]
    finance: list[dict[str, Any]]
    contracts: list[dict[str, Any]]


class Views:
    def __init__(self, reader: PublicReader, cache: SummaryCache) -> None:
        self.reader = reader
        self.cache = cache

    # -- browsing ---------------------------------------------------------------------------
    def children(self, code: str | None) -> list[dict[str, Any]]:
        return self.cache.get(("children", code), lambda: self.reader.children(code))

    def division(self, code: str) -> dict[str, Any] | None:
        return self.cache.get(("division", code), lambda: self.reader.division(code))

    def trail(self, code: str) -> list[dict[str, Any]]:
        return self.cache.get(("trail", code), lambda: self.reader.trail(code))

    def village(self, code: str) -> Village | None:
        if self.cache.get(("village?", code), lambda: self.reader.village(code)) is None:
            return None
        return self.cache.get(("village", code), lambda: self._village(code))

    def _village(self, code: str) -> Village:
        r = self.reader
        d = r.village(code)
        assert d is not None
        progs: dict[str, dict[str, Any]] = {}
        for row in r.run(Q.PROGRAMMES, {"v": code}):
            p = progs.setdefault(
                str(row["program_code"]),
                {"name": row["programme"], "years": defaultdict(list)},
            )
            month = str(row["month"] or "")
            p["years"][month[:4]].append(
                {
                    "month": month,
                    "households": int(row["households"] or 0),
                    "amount": round(float(row["amount"] or 0)),
                    "payments": int(row["payments"] or 0),
                }
            )
        yearly = {
            (str(x["program_code"]), str(x["year"])): x
            for x in r.run(Q.PROGRAMME_YEARS, {"v": code})
        }
        programmes = []
        periods: set[str] = set()
        for pc, p in progs.items():
            years = []
            for year in sorted(p["years"], reverse=True):
                months = sorted(p["years"][year], key=lambda m: m["month"], reverse=True)
                periods.update(m["month"] for m in months)
                y = yearly.get((pc, year), {})
                years.append(
                    {
                        "year": year,
                        "households": int(y.get("households") or 0),
                        "amount": sum(m["amount"] for m in months),
                        "months": months,
                    }
                )
            programmes.append({"code": pc, "name": p["name"], "years": years})
        by_month: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"income": 0, "spending": 0, "income_n": 0, "spending_n": 0}
        )
        for row in r.run(Q.INCOME_BY_MONTH, {"v": code}):
            m = by_month[str(row["month"])]
            m["income"] = round(float(row["amount"] or 0))
            m["income_n"] = int(row["vouchers"] or 0)
        for row in r.run(Q.SPENDING_BY_MONTH, {"v": code}):
            m = by_month[str(row["month"])]
            m["spending"] = round(float(row["amount"] or 0))
            m["spending_n"] = int(row["vouchers"] or 0)
        finance = [{"month": k, **v} for k, v in sorted(by_month.items(), reverse=True) if k]
        contracts = r.run(Q.CONTRACTS, {"v": code})
        for c in contracts:
            c["item"] = contract_item(c)
        return Village(
            code,
            str(d["name"]),
            self.trail(code),
            programmes,
            sorted(periods, reverse=True),
            finance,
            contracts,
        )

    def payment_list(self, code: str, period: str) -> list[dict[str, Any]]:
        return self.cache.get(
            ("list", code, period),
            lambda: self.reader.run(Q.PAYMENT_LIST, {"v": code, "period": period}),
        )

    def vouchers(self, code: str, month: str) -> dict[str, list[dict[str, Any]]]:
        def compute() -> dict[str, list[dict[str, Any]]]:
            spending = self.reader.run(Q.SPENDING, {"v": code, "month": month})
            income = self.reader.run(Q.INCOME, {"v": code, "month": month})
            for x in spending + income:
                x["item"] = f"v:{month}:{x['voucher_no']}"
            return {"spending": spending, "income": income}

        return self.cache.get(("vouchers", code, month), compute)

    def item(self, code: str, item: str) -> str | None:
        """The words a report quotes for a project or voucher picked on a page, or None
        when the handle names nothing published in this village."""
        v = self.village(code)
        if v is None or not item:
            return None
        if item.startswith("c:"):
            for c in v.contracts:
                if c["item"] == item:
                    return (
                        f"工程项目：{c['project']}（承包方：{c['contractor'] or '—'}，"
                        f"合同金额{yuan(c['amount'])}元，签订于{c['signed'] or '—'}）"
                    )
        if item.startswith("v:") and item.count(":") >= 2:
            _, month, _ = item.split(":", 2)
            if month in {f["month"] for f in v.finance}:
                found = self.vouchers(code, month)
                for x in found["spending"]:
                    if x["item"] == item:
                        return (
                            f"支出凭证{x['voucher_no']}：{x['purpose'] or ''}，"
                            f"{yuan(x['amount'])}元，{x['date']}，收款方{x['payee'] or '—'}"
                        )
                for x in found["income"]:
                    if x["item"] == item:
                        return (
                            f"收入凭证{x['voucher_no']}：{x['source'] or ''}，"
                            f"{yuan(x['amount'])}元，{x['date']}"
                        )
        return None
