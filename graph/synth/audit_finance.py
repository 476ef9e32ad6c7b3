"""The file-level audit of village finance: consumption, income, idle money, diversion,
repairs after acceptance and payment without acceptance (patterns 20-25)."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from graph.loaders.enterprises import industry_code
from graph.synth.audit_common import (
    Findings,
    Frames,
    add_days,
    date,
    days_between,
    fen,
    flag,
    params,
    party_kind,
)


def finance(f: Findings, r: Frames, hh_of: dict[str, str], as_of: str) -> None:
    pay = r["payments"].copy()
    pay["fen"] = [fen(x) for x in pay["amount"]]
    pay["paid"] = [date(x) for x in pay["paid_date"]]
    pay["booked_b"] = [flag(x) for x in pay["booked"]]
    pay["by_as_of"] = [not d or d <= as_of for d in pay["paid"]]
    _consumption(f, r, pay, as_of)
    _income(f, r, pay, as_of)
    _idle(f, r, pay, as_of)
    _diversion(f, r, pay, hh_of, as_of)
    _works(f, r, pay, as_of)


def _consumption(f: Findings, r: Frames, pay: pd.DataFrame, as_of: str) -> None:
    q = params("public_consumption", as_of)
    e = r["enterprises"]
    firm = {u: (n, i) for u, n, i in zip(e["uscc"], e["name"], e["industry"], strict=True)}
    for vno, payee, payee_name, amount, purpose, ok in zip(
        pay["voucher_no"],
        pay["payee_id"],
        pay["payee_name"],
        pay["fen"],
        pay["purpose"],
        pay["by_as_of"],
        strict=True,
    ):
        if amount < q["min_amount"] or not ok:
            continue
        by_purpose = any(w in purpose for w in q["purpose_words"])
        by_business = False
        if party_kind(payee) == "enterprise":
            name, industry = firm.get(payee, (payee_name, ""))
            code = industry_code(industry) or ""
            by_business = any(code.startswith(c) for c in q["industry_codes"]) or any(
                w in industry or w in name for w in q["industry_words"]
            )
        if by_purpose or by_business:
            f["public_consumption"].add(frozenset({vno, payee}))


def _income(f: Findings, r: Frames, pay: pd.DataFrame, as_of: str) -> None:
    q = params("unbooked_income", as_of)
    off_book = defaultdict(list)  # village -> paid dates of vouchers marked not booked
    for payer, paid, booked in zip(pay["payer_code"], pay["paid"], pay["booked_b"], strict=True):
        if booked is False and paid:
            off_book[payer].append(paid)
    i = r["incomes"]
    for vno, village, amount, received, booked, booked_date in zip(
        i["voucher_no"],
        i["village_code"],
        i["amount"],
        i["received_date"],
        i["booked"],
        i["booked_date"],
        strict=True,
    ):
        got, on_books, when = date(received), flag(booked), date(booked_date)
        if not got or got > as_of or fen(amount) < q["min_amount"]:
            continue
        if not (on_books is False or (when and when > got)):
            continue
        unbooked = on_books is False or not when or when > as_of
        until = as_of if unbooked else when
        spent = any(got <= d <= until for d in off_book.get(village, ()))
        if unbooked or spent:
            f["unbooked_income"].add(frozenset({vno}))


def _idle(f: Findings, r: Frames, pay: pd.DataFrame, as_of: str) -> None:
    q = params("idle_allocation", as_of)
    d = r["disbursements"]
    handed = list(
        zip(
            d["program_code"],
            d["village_code"],
            [date(x) or f"{p}-28" for x, p in zip(d["paid_date"], d["period"], strict=True)],
            [fen(x) for x in d["amount"]],
            strict=True,
        )
    )
    spent = list(
        zip(
            pay["program_code"],
            pay["payer_code"],
            pay["paid"],
            pay["fen"],
            strict=True,
        )
    )
    a = r["allocations"]
    for aid, code, where, amount, allocated in zip(
        a["allocation_id"],
        a["program_code"],
        a["division_code"],
        a["amount"],
        a["allocated"],
        strict=True,
    ):
        start = date(allocated)
        if not start or start > as_of:
            continue
        due = add_days(start, q["days"])
        if due > as_of:
            continue
        # A division holds its own code and those of the townships and villages under it.
        paid = sum(
            x
            for c, v, when, x in [*handed, *spent]
            if c == code and v.startswith(where) and when and start <= when <= due
        )
        if fen(amount) - paid >= q["min_idle"]:
            f["idle_allocation"].add(frozenset({aid, where}))


def _diversion(
    f: Findings, r: Frames, pay: pd.DataFrame, hh_of: dict[str, str], as_of: str
) -> None:
    q = params("program_diversion", as_of)
    kind = dict(zip(r["programs"]["program_code"], r["programs"]["kind"], strict=True))
    o = r["officials"]
    cadres = [
        (pid, juris, date(a), date(b))
        for pid, k, juris, a, b in zip(
            o["id_number"],
            o["kind"],
            o["jurisdiction_code"],
            o["start_date"],
            o["end_date"],
            strict=True,
        )
        if k == "village_cadre" and juris
    ]
    for vno, code, payer, payee, paid, ok in zip(
        pay["voucher_no"],
        pay["program_code"],
        pay["payer_code"],
        pay["payee_id"],
        pay["paid"],
        pay["by_as_of"],
        strict=True,
    ):
        if not code or not ok:
            continue
        k = kind.get(code, "")
        who = party_kind(payee)
        if k in q["people_kinds"] and who == "enterprise":
            f["program_diversion"].add(frozenset({vno, payee}))
        if k not in q["works_kinds"] or who != "person":
            continue
        home = hh_of.get(payee)
        found = {
            pid
            for pid, juris, a, b in cadres
            if payer.startswith(juris)
            and (not paid or ((not a or a <= paid) and (not b or paid <= b)))
            and (pid == payee or (home is not None and hh_of.get(pid) == home))
        }
        if found:
            f["program_diversion"].add(frozenset({vno, payee, *found}))


def _works(f: Findings, r: Frames, pay: pd.DataFrame, as_of: str) -> None:
    c = r["contracts"]
    paid_for: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for cid, paid, amount, ok in zip(
        pay["contract_id"], pay["paid"], pay["fen"], pay["by_as_of"], strict=True
    ):
        if cid and ok:
            paid_for[cid].append((paid, amount))
    rows = list(
        zip(
            c["contract_id"],
            c["project_name"],
            c["village_code"],
            c["contractor_id"],
            [fen(x) for x in c["amount"]],
            [date(x) for x in c["signed"]],
            [date(x) for x in c["accepted"]],
            strict=True,
        )
    )
    full = params("paid_without_acceptance", as_of)["full_share"]
    for cid, _, _, who, amount, _, accepted in rows:
        vouchers = paid_for.get(cid, [])
        unaccepted = not accepted or accepted > as_of
        if unaccepted and amount > 0 and vouchers and sum(x for _, x in vouchers) >= amount * full:
            f["paid_without_acceptance"].add(frozenset({cid, who}))
    q = params("repair_after_acceptance", as_of)
    by_village: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for cid, name, village, _, _, signed, _ in rows:
        if signed and name:
            by_village[village].append((cid, name, signed))
    for cid, name, village, _, _, _, accepted in rows:
        if not accepted or accepted > as_of or not name:
            continue
        core = name.split("工程")[0]
        for w in ("建设", "新建", "改造"):
            core = core.replace(w, "")
        if len(core) < 2:
            continue
        for rid, rname, signed in by_village[village]:
            if (
                rid != cid
                and accepted <= signed <= as_of
                and days_between(accepted, signed) <= q["within_days"]
                and core in rname
                and any(w in rname and w not in core for w in q["repair_words"])
                and paid_for.get(rid)
            ):
                f["repair_after_acceptance"].add(frozenset({cid, rid}))
