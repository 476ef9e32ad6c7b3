"""programs, disbursements and students: livelihood money and who received it.

Graph (programs): ``(:Program {program_code, name, department, kind})-[:EXCLUDES]->
(:Program)`` for each code in ``exclusive_with``.
Graph (disbursements): ``(:Disbursement {record_id, program_code, amount, period,
paid_date, household_id, village_code})`` with ``(:Person)-[:RECEIVED]->(d)``,
``(d)-[:UNDER]->(:Program)``, ``(d)-[:INTO_ACCOUNT]->(:BankAccount {account_no})``,
``(d)-[:FOR_HOUSEHOLD]->(:Household)``, ``(d)-[:HANDLED_BY]->(:Person)``,
``(d)-[:IN_DIVISION]->(:Division)``.
Graph (students): ``(:Person)-[:AIDED]->(:StudentAid {aid_id: id_number|year, year,
grade, category, household_id, policies})-[:AT_SCHOOL]->(:School {name})`` and
``(StudentAid)-[:UNDER]->(:Program)`` per policy; the roster's optional school_type,
status and amount are kept on the StudentAid.
Graph (poverty_households): ``(:Household)-[:REGISTERED_POOR]->(:PovertyRecord
{record_id: household_id|year, household_id, village_code, year, status})``.
Graph (disability_certificates): ``(:Person)-[:CERTIFIED]->(:DisabilityCertificate
{cert_no, kind, grade, issued, revoked})``.
Graph (allocations): ``(:Allocation {allocation_id, program_code, division_code, amount,
allocated, purpose})-[:ALLOCATED_TO]->(:Division)`` and ``-[:FUNDED_BY]->(:Program)``.
"""

from __future__ import annotations

from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_order, check_village, division, person
from graph.loaders.validate import Record


def build_program(rec: Record, ctx: Context, b: Batch) -> None:
    code = rec["program_code"]
    props = {c: rec[c] for c in ("name", "department", "kind")}
    b.upsert("Program", code, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    for other in rec["exclusive_with"]:
        if other != code:
            b.ref("Program", other, src=rec.src)
            b.rel("EXCLUDES", ("Program", code), ("Program", other), src=rec.src)


def _check_program(rec: Record, ctx: Context, column: str, code: str) -> None:
    if ctx.programs and code not in ctx.programs:
        rec.warn("unknown_program", column, f"programme {code} is not in programs")


def build_disbursement(rec: Record, ctx: Context, b: Batch) -> None:
    check_village(rec, ctx, "village_code")
    _check_program(rec, ctx, "program_code", rec["program_code"])
    rid = rec["record_id"]
    d = ("Disbursement", rid)
    props = {
        c: rec[c]
        for c in ("program_code", "amount", "period", "paid_date", "household_id", "village_code")
    }
    b.upsert("Disbursement", rid, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    b.rel(
        "RECEIVED",
        person(b, rec, rec["recipient_id_number"], rec["recipient_name"]),
        d,
        src=rec.src,
    )
    b.ref("Program", rec["program_code"], src=rec.src)
    b.rel("UNDER", d, ("Program", rec["program_code"]), src=rec.src)
    if rec["bank_account"]:
        b.ref("BankAccount", rec["bank_account"], src=rec.src)
        b.rel("INTO_ACCOUNT", d, ("BankAccount", rec["bank_account"]), src=rec.src)
    if rec["household_id"]:
        b.ref("Household", rec["household_id"], src=rec.src)
        b.rel("FOR_HOUSEHOLD", d, ("Household", rec["household_id"]), src=rec.src)
    if rec["handler_id_number"]:
        b.rel("HANDLED_BY", d, person(b, rec, rec["handler_id_number"]), src=rec.src)
    b.rel("IN_DIVISION", d, division(b, rec, rec["village_code"]), src=rec.src)


def aid_id(id_number: str, year: str) -> str:
    return f"{id_number}|{year}"


def build_student(rec: Record, ctx: Context, b: Batch) -> None:
    for code in rec["policies"]:
        _check_program(rec, ctx, "policies", code)
    aid = ("StudentAid", aid_id(rec["id_number"], rec["year"]))
    keep = ("year", "grade", "category", "household_id", "policies", "school_type", "status")
    props = {c: rec[c] for c in (*keep, "amount")}
    b.upsert(
        "StudentAid", aid[1], {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts()
    )
    b.rel("AIDED", person(b, rec, rec["id_number"], rec["name"]), aid, src=rec.src)
    if rec["school"]:
        b.ref("School", rec["school"], src=rec.src)
        b.rel("AT_SCHOOL", aid, ("School", rec["school"]), src=rec.src)
    for code in rec["policies"]:
        b.ref("Program", code, src=rec.src)
        b.rel("UNDER", aid, ("Program", code), src=rec.src)


def build_allocation(rec: Record, ctx: Context, b: Batch) -> None:
    code = rec["division_code"]
    if ctx.divisions and code not in ctx.divisions:
        rec.warn("unknown_division", "division_code")
    _check_program(rec, ctx, "program_code", rec["program_code"])
    aid = rec["allocation_id"]
    props = {c: rec[c] for c in ("program_code", "division_code", "amount", "allocated", "purpose")}
    b.upsert("Allocation", aid, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    b.rel("ALLOCATED_TO", ("Allocation", aid), division(b, rec, code), src=rec.src)
    b.ref("Program", rec["program_code"], src=rec.src)
    b.rel("FUNDED_BY", ("Allocation", aid), ("Program", rec["program_code"]), src=rec.src)


def poverty_record_id(household_id: str, year: str) -> str:
    return f"{household_id}|{year}"


def build_poverty(rec: Record, ctx: Context, b: Batch) -> None:
    check_village(rec, ctx, "village_code")
    hid = rec["household_id"]
    rid = poverty_record_id(hid, rec["year"])
    props = {c: rec[c] for c in ("household_id", "village_code", "year", "status")}
    b.upsert(
        "PovertyRecord", rid, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts()
    )
    b.ref("Household", hid, src=rec.src)
    b.rel("REGISTERED_POOR", ("Household", hid), ("PovertyRecord", rid), src=rec.src)


def build_certificate(rec: Record, ctx: Context, b: Batch) -> None:
    check_order(rec, "issued", "revoked", "revoked_before_issued")
    cert = rec["cert_no"]
    props = {c: rec[c] for c in ("kind", "grade", "issued", "revoked")}
    b.upsert(
        "DisabilityCertificate",
        cert,
        {**props, **rec.extra},
        src=rec.src,
        warnings=rec.warning_texts(),
    )
    who = person(b, rec, rec["id_number"], rec["name"])
    b.rel("CERTIFIED", who, ("DisabilityCertificate", cert), src=rec.src)


BUILDERS: dict[str, Builder] = {
    "programs": build_program,
    "disbursements": build_disbursement,
    "students": build_student,
    "poverty_households": build_poverty,
    "disability_certificates": build_certificate,
    "allocations": build_allocation,
}
