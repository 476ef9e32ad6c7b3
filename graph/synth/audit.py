"""An independent check of a generated county: the rules as plain pandas over the files.

This is a test oracle, not the pattern library: it reads the written registers back
(headers in any style, any encoding, bad rows skipped as truth.json lists them) and
evaluates each planted rule in the simplest way, so the generator's claims can be
verified: every case is found, no decoy is, and the background adds nothing unplanned.

>>> # audit(Path("county")) -> {"pattern": {("key", ...), ...}, ...}
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from graph import ids
from graph.synth.audit_aid import aid
from graph.synth.audit_common import Findings, date, fen, holders, vehicles
from graph.synth.audit_finance import finance
from graph.synth.writer import COLUMNS

CARS_AND_TRUCKS = {"小型轿车", "小型普通客车", "重型货车", "中型货车", "轻型普通货车"}
SUBSISTENCE = {"DB01", "DB02"}
HOMES, SHOPS = {"住宅"}, {"商业", "商住", "办公"}


def _key(h: str) -> str:
    return unicodedata.normalize("NFKC", h).strip()


def read(folder: Path, register: str, truth: dict[str, Any]) -> pd.DataFrame:
    """A register as text with canonical column names, bad and warning rows dropped."""
    info = truth["files"][register]
    path = folder / info["file"]
    if info["format"] == "xlsx":
        df = pd.read_excel(path, dtype=object).fillna("")
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=info["encoding"])
    names = {}
    for col, zh in COLUMNS[register]:
        names[col] = col
        names[zh] = col
    df.columns = [names.get(_key(c), _key(c)) for c in df.columns]
    df["_row"] = df.index + 2
    for col, _ in COLUMNS[register]:  # legacy 15-digit numbers, as the loader upgrades them
        if col.endswith("id_number") or col in ("owner_id_number", "payee_id", "contractor_id"):
            df[col] = [ids.normalise_resident_id(x) if len(str(x)) == 15 else x for x in df[col]]
    skip = {
        r["row"] - 2 for r in truth["bad_rows"] + truth["warn_rows"] if r["register"] == register
    }
    return df.drop(index=sorted(skip)).reset_index(drop=True)


def _months(first: str, last: str) -> tuple[str, str]:
    return first[:7], (last[:7] if last else "9999-12")


def audit(folder: Path) -> Findings:
    """Evaluate every rule over the county in ``folder``; findings as sets of subjects."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    r = {reg: read(folder, reg, truth) for reg in truth["files"]}
    f: Findings = defaultdict(set)
    persons = r["persons"]
    hh_of = dict(zip(persons["id_number"], persons["household_id"], strict=True))
    members: dict[str, list[str]] = defaultdict(list)
    for pid, hid in hh_of.items():
        members[hid].append(pid)
    d = r["disbursements"]
    deaths = {
        p: date(x)[:7]
        for p, x in zip(r["deaths"]["id_number"], r["deaths"]["death_date"], strict=True)
    }
    # subsistence months per household (the common household of the register)
    sub = d[d["program_code"].isin(SUBSISTENCE)]
    sub_months: dict[str, set[str]] = defaultdict(set)
    for pid, period in zip(sub["recipient_id_number"], sub["period"], strict=True):
        if pid in hh_of:
            sub_months[hh_of[pid]].add(period)

    def subsistence_during(pid: str, first: str, last: str) -> bool:
        a, b = _months(first, last)
        return any(a <= m <= b for m in sub_months.get(hh_of.get(pid, ""), ()))

    for plate, owner, vt, _status, reg, dereg in vehicles(r["vehicles"]):
        if vt in CARS_AND_TRUCKS and subsistence_during(owner, reg, dereg):
            f["recipient_vehicle"].add(frozenset({owner, plate}))
    homes: dict[str, list[str]] = defaultdict(list)
    for cert, who, usage, reg in holders(r["properties"]):
        if not subsistence_during(who, reg, ""):
            continue
        if usage in SHOPS:
            f["recipient_real_estate"].add(frozenset({who, cert}))
        elif usage in HOMES:
            homes[who].append(cert)
    for who, certs in homes.items():
        if len(certs) >= 2:
            f["recipient_real_estate"].add(frozenset({who, *certs}))
    e = r["enterprises"]
    live = {
        u: (date(a), date(b))
        for u, a, b in zip(e["uscc"], e["established"], e["deregistered"], strict=True)
    }
    people_of: dict[str, set[str]] = defaultdict(set)  # enterprise -> rep/owners/directors
    for u, rep in zip(e["uscc"], e["legal_rep_id_number"], strict=True):
        if rep:
            people_of[u].add(rep)
    roles = r["enterprise_roles"]
    # name-only people count as resolved the way truth.json says (a perfect resolver)
    resolved = {
        (m["register"], m["row"]): m["true_id_number"]
        for m in truth["mentions"]
        if m["true_id_number"]
    }
    for reg in ("enterprise_roles", "declared_relations", "enterprises"):
        col = {
            "enterprise_roles": "person_id_number",
            "declared_relations": "relative_id_number",
            "enterprises": "legal_rep_id_number",
        }[reg]
        r[reg][col] = [
            x or resolved.get((reg, row), x)
            for row, x in zip(r[reg]["_row"], r[reg][col], strict=True)
        ]
    for u, pid in zip(roles["uscc"], roles["person_id_number"], strict=True):
        if pid:
            people_of[u].add(pid)
    for u, pids in people_of.items():
        for pid in pids:
            if u in live and subsistence_during(pid, *live[u]):
                f["recipient_business"].add(frozenset({pid, u}))
    o = r["officials"]
    for pid, kind, start, end in zip(
        o["id_number"], o["kind"], o["start_date"], o["end_date"], strict=True
    ):
        if kind in ("civil_servant", "public_institution", "payroll") and subsistence_during(
            pid, date(start), date(end)
        ):
            f["recipient_public_payroll"].add(frozenset({pid, *members[hh_of[pid]]}))
    _funds(f, d, r, hh_of, deaths, sub_months)
    _works(f, r, hh_of, members)
    _complaints(f, r["complaints"], truth["as_of"])
    finance(f, r, hh_of, truth["as_of"])
    aid(f, r, hh_of, truth["as_of"])
    return f


def _funds(
    f: Findings,
    d: pd.DataFrame,
    r: dict[str, pd.DataFrame],
    hh_of: dict[str, str],
    deaths: dict[str, str],
    sub_months: dict[str, set[str]],
) -> None:
    exclusive = {
        c: set(x.split(";")) - {""}
        for c, x in zip(r["programs"]["program_code"], r["programs"]["exclusive_with"], strict=True)
    }
    seen: dict[tuple[str, str, str], str] = {}
    progs: dict[tuple[str, str], set[str]] = defaultdict(set)
    accounts: dict[str, set[str]] = defaultdict(set)
    for rec, code, pid, hid, period, acct in zip(
        d["record_id"],
        d["program_code"],
        d["recipient_id_number"],
        d["household_id"],
        d["period"],
        d["bank_account"],
        strict=True,
    ):
        if pid in deaths and period > deaths[pid]:
            f["deceased_recipient"].add(frozenset({pid}))
        k = (pid, code, period)
        if k in seen:
            f["duplicate_payment"].add(frozenset({pid, seen[k], rec}))
        seen[k] = rec
        progs[(pid, period)].add(code)
        if acct:
            accounts[acct].add(hh_of.get(pid, hid))
        if pid not in hh_of or (hid and hh_of[pid] != hid):
            f["ghost_recipient"].add(frozenset({pid}))
    for (pid, _), codes in progs.items():
        if any(exclusive.get(c, set()) & codes for c in codes):
            f["exclusive_programs"].add(frozenset({pid}))
    s = r["students"]
    for pid, pol in zip(s["id_number"], s["policies"], strict=True):
        codes = set(pol.split(";"))
        if any(exclusive.get(c, set()) & codes for c in codes):
            f["exclusive_programs"].add(frozenset({pid}))
    for (pid, _year), g in s.groupby(["id_number", "year"]):
        codes = set(";".join(g["policies"]).split(";"))
        if any(exclusive.get(c, set()) & codes for c in codes):
            f["exclusive_programs"].add(frozenset({str(pid)}))
    for acct, households in accounts.items():
        if len(households) >= 3:
            f["shared_bank_account"].add(frozenset({acct}))
    # cadre relatives: cadre's household or declared kin in a subsistence household
    o = r["officials"]
    kin: dict[str, set[str]] = defaultdict(set)
    for off, rel in zip(
        r["declared_relations"]["official_id_number"],
        r["declared_relations"]["relative_id_number"],
        strict=True,
    ):
        if rel:
            kin[off].add(rel)
    members: dict[str, set[str]] = defaultdict(set)
    for pid, hid in hh_of.items():
        members[hid].add(pid)
    recipients = set(d.loc[d["program_code"].isin(SUBSISTENCE), "recipient_id_number"])
    for pid, kind in zip(o["id_number"], o["kind"], strict=True):
        if kind != "village_cadre":
            continue
        near = (members.get(hh_of.get(pid, ""), set()) | kin[pid]) & recipients
        if near - {pid}:
            f["recipient_cadre_relative"].add(frozenset({pid, *near}))


def _works(
    f: Findings, r: dict[str, pd.DataFrame], hh_of: dict[str, str], members: dict[str, list[str]]
) -> None:
    c = r["contracts"].copy()
    c["amount_fen"] = [fen(x) for x in c["amount"]]
    c["signed_d"] = [date(x) for x in c["signed"]]
    pay = r["payments"].copy()
    pay["amount_fen"] = [fen(x) for x in pay["amount"]]
    paid = pay.groupby("contract_id")["amount_fen"].sum().to_dict()
    for cid, amount, q, dq in zip(
        c["contract_id"], c["amount_fen"], c["quantity"], c["delivered_quantity"], strict=True
    ):
        total = paid.get(cid, 0)
        if total > amount or (
            q and dq and float(dq) < float(q) and total * float(q) > amount * float(dq)
        ):
            f["paid_beyond_delivery"].add(frozenset({cid}))
    for vno, booked in zip(pay["voucher_no"], pay["booked"], strict=True):
        if booked == "否":
            f["unbooked_payment"].add(frozenset({vno}))
    est = {
        u: date(x)
        for u, x in zip(r["enterprises"]["uscc"], r["enterprises"]["established"], strict=True)
    }
    for cid, who, signed in zip(c["contract_id"], c["contractor_id"], c["signed_d"], strict=True):
        if who in est and est[who] and (pd.Timestamp(signed) - pd.Timestamp(est[who])).days < 90:
            f["new_company_contract"].add(frozenset({cid, who}))
    for _key_cv, g in c.groupby(["contractor_id", "village_code"]):
        g = g[(g["procurement"] != "公开招标") & (g["amount_fen"] < 10_000_000)].sort_values(
            "signed_d"
        )
        rows = list(zip(g["contract_id"], g["signed_d"], g["amount_fen"], strict=True))
        for i, (a, da, xa) in enumerate(rows):
            for b, db, xb in rows[i + 1 :]:
                if (pd.Timestamp(db) - pd.Timestamp(da)).days <= 90 and xa + xb >= 10_000_000:
                    f["split_contracts"].add(frozenset({a, b}))
    c["year"] = [s[:4] for s in c["signed_d"]]
    for (_v, _y), g in c.groupby(["village_code", "year"]):
        total = g["amount_fen"].sum()
        for who, gg in g.groupby("contractor_id"):
            if len(gg) >= 3 and gg["amount_fen"].sum() * 2 > total:
                f["contract_concentration"].add(frozenset({str(who), *gg["contract_id"]}))
    _relations(f, r, c, pay, hh_of, members)


def _relations(
    f: Findings,
    r: dict[str, pd.DataFrame],
    c: pd.DataFrame,
    pay: pd.DataFrame,
    hh_of: dict[str, str],
    members: dict[str, list[str]],
) -> None:
    """Official-relative contracts, self-payment and shared contacts."""
    kin: dict[str, set[str]] = defaultdict(set)
    rel = r["declared_relations"]
    for off, rid in zip(rel["official_id_number"], rel["relative_id_number"], strict=True):
        if rid:
            kin[off].add(rid)
    # person -> (enterprise, role start, role end); the registry's change records date roles
    owned: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    e = r["enterprises"]
    for u, rep in zip(e["uscc"], e["legal_rep_id_number"], strict=True):
        owned[rep].add((u, "", ""))
    ro = r["enterprise_roles"]
    for u, pid, a, b in zip(
        ro["uscc"], ro["person_id_number"], ro["start"], ro["end"], strict=True
    ):
        owned[pid].add((u, date(a), date(b)))

    def circle(pid: str, on: str) -> set[str]:
        near = {pid, *members.get(hh_of.get(pid, ""), []), *kin[pid]}
        return near | {
            u
            for x in near
            for u, a, b in owned.get(x, ())
            if (not a or a <= on) and (not b or on <= b)
        }

    o = r["officials"]
    terms = list(
        zip(
            o["id_number"],
            o["jurisdiction_code"],
            [date(x) for x in o["start_date"]],
            [date(x) for x in o["end_date"]],
            strict=True,
        )
    )
    for cid, vcode, who, signed, appr in zip(
        c["contract_id"],
        c["village_code"],
        c["contractor_id"],
        c["signed_d"],
        c["approver_id_number"],
        strict=True,
    ):
        for pid, juris, start, end in terms:
            governs = bool(juris) and vcode.startswith(juris)
            in_office = start <= signed and (not end or signed <= end)
            if (governs or pid == appr) and in_office and who in circle(pid, signed):
                f["official_relative_contract"].add(frozenset({pid, cid}))
    for vno, payee, appr, hand, paid in zip(
        pay["voucher_no"],
        pay["payee_id"],
        pay["approver_id_number"],
        pay["handler_id_number"],
        pay["paid_date"],
        strict=True,
    ):
        for cadre in (appr, hand):
            if cadre and payee in circle(cadre, date(paid)):
                f["cadre_pays_self"].add(frozenset({vno, cadre}))
    persons = r["persons"]
    phone = dict(zip(persons["id_number"], persons["phone"], strict=True))
    addr = dict(zip(persons["id_number"], persons["address"], strict=True))
    contact = {u: (p, a) for u, p, a in zip(e["uscc"], e["phone"], e["address"], strict=True)}
    matched: dict[str, set[str]] = defaultdict(set)
    for vcode, who, signed in zip(
        c["village_code"], c["contractor_id"], c["signed_d"], strict=True
    ):
        if who not in contact:
            continue
        for pid, juris, start, end in terms:
            if not (
                juris and vcode.startswith(juris) and start <= signed and (not end or signed <= end)
            ):
                continue
            for x in members.get(hh_of.get(pid, ""), [pid]):
                if (contact[who][0] and contact[who][0] == phone.get(x)) or contact[who][
                    1
                ] == addr.get(x):
                    matched[who].add(x)
    for who, xs in matched.items():
        f["contractor_shares_contact"].add(frozenset({who, *xs}))


def _complaints(f: Findings, c: pd.DataFrame, as_of: str) -> None:
    today = pd.Timestamp(as_of)
    for cid, rec, acc, closed, ext in zip(
        c["complaint_id"],
        c["received"],
        c["accepted"],
        c["closed"],
        c["extension_approved"],
        strict=True,
    ):
        rec_d = pd.Timestamp(date(rec))
        acc_d = pd.Timestamp(date(acc)) if str(acc).strip() else None
        limit = 4 if str(ext).strip() in ("是", "True", "true") else 3
        late = (acc_d - rec_d).days > 7 if acc_d is not None else (today - rec_d).days > 7
        if acc_d is not None:
            end = pd.Timestamp(date(closed)) if str(closed).strip() else today
            late |= end > acc_d + pd.DateOffset(months=limit)
        if late:
            f["complaint_deadline"].add(frozenset({cid}))


def check(folder: Path) -> dict[str, Any]:
    """Compare the audit with truth.json: missed cases, flagged decoys, unplanned findings."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    found = audit(folder)

    def hit(kind: str, subjects: list[str]) -> bool:
        return any(set(subjects) <= s for s in found.get(kind, set()))

    missed = [c for c in truth["cases"] if not hit(c["kind"], c["subjects"])]
    flagged = [d for d in truth["decoys"] if hit(d["kind"], d["subjects"])]
    planted = defaultdict(list)
    for c in truth["cases"]:
        planted[c["kind"]].append(set(c["subjects"]))
    unplanned = {
        k: [sorted(s) for s in v if not any(p <= s for p in planted[k])] for k, v in found.items()
    }
    return {
        "missed": missed,
        "flagged_decoys": flagged,
        "unplanned": {k: v for k, v in unplanned.items() if v},
    }
