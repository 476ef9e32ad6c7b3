"""contracts, payments and incomes: village works and village finance.

Graph (contracts): ``(:Contract {contract_id, project_name, village_code, department,
amount, signed, procurement, quantity, unit, delivered_quantity, accepted})`` with
``-[:IN_DIVISION]->(:Division)``, ``-[:SUPERVISED_BY]->(:Organisation {name:
department})``, ``-[:AWARDED_TO]->(:Person | :Enterprise)`` by the contractor's ID
kind, ``-[:APPROVED_BY]->(:Person)``.
Graph (payments): ``(:Payment {voucher_no, payer_code, amount, paid_date, purpose,
booked})`` with ``-[:PAID_BY]->(:Division)`` when the payer code is a division code,
else ``(:Organisation {name: payer_code})``; ``-[:PAID_TO]->(:Person | :Enterprise)``,
``-[:FOR_CONTRACT]->(:Contract)``, ``-[:APPROVED_BY]->`` and ``-[:HANDLED_BY]->(:Person)``,
``-[:FUNDED_BY]->(:Program)`` when the voucher spends a programme's money.
Graph (incomes): ``(:Income {voucher_no, village_code, source, amount, received_date,
booked, booked_date})-[:RECEIVED_BY]->(:Division)``, ``-[:IN_DIVISION]->(:Division)`` (the same
village, so division-scoped queries treat every event alike) and
``-[:PAID_IN_BY]->(:Person | :Enterprise)``.
"""

from __future__ import annotations

from graph import ids
from graph.errors import InvalidValue
from graph.loaders.batch import Batch, Ref
from graph.loaders.common import (
    Builder,
    Context,
    check_order,
    check_village,
    division,
    party,
    person,
)
from graph.loaders.validate import Record


def build_contract(rec: Record, ctx: Context, b: Batch) -> None:
    check_village(rec, ctx, "village_code")
    check_order(rec, "signed", "accepted", "accepted_before_signed")
    cid = rec["contract_id"]
    c = ("Contract", cid)
    props = {
        k: rec[k]
        for k in (
            "project_name",
            "village_code",
            "department",
            "amount",
            "signed",
            "procurement",
            "quantity",
            "unit",
            "delivered_quantity",
            "accepted",
        )
    }
    b.upsert("Contract", cid, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    b.rel("IN_DIVISION", c, division(b, rec, rec["village_code"]), src=rec.src)
    if rec["department"]:
        b.ref("Organisation", rec["department"], src=rec.src)
        b.rel("SUPERVISED_BY", c, ("Organisation", rec["department"]), src=rec.src)
    b.rel("AWARDED_TO", c, party(b, rec, rec["contractor_id"], rec["contractor_name"]), src=rec.src)
    if rec["approver_id_number"]:
        b.rel("APPROVED_BY", c, person(b, rec, rec["approver_id_number"]), src=rec.src)


def _payer(rec: Record, ctx: Context, b: Batch) -> tuple[str, Ref]:
    text: str = rec["payer_code"]
    try:
        code = ids.normalise_division_code(text)
    except InvalidValue:
        b.ref("Organisation", text, src=rec.src)
        return text, ("Organisation", text)
    if ctx.divisions and code not in ctx.divisions:
        rec.warn("unknown_division", "payer_code")
    return code, division(b, rec, code)


def build_payment(rec: Record, ctx: Context, b: Batch) -> None:
    contract = rec["contract_id"]
    if contract and ctx.contracts and contract not in ctx.contracts:
        rec.warn("unknown_contract", "contract_id", f"contract {contract} is not in contracts")
    vno = rec["voucher_no"]
    p = ("Payment", vno)
    payer_code, payer = _payer(rec, ctx, b)
    props = {k: rec[k] for k in ("amount", "paid_date", "purpose", "booked", "program_code")}
    b.upsert(
        "Payment",
        vno,
        {"payer_code": payer_code, **props, **rec.extra},
        src=rec.src,
        warnings=rec.warning_texts(),
    )
    b.rel("PAID_BY", p, payer, src=rec.src)
    b.rel("PAID_TO", p, party(b, rec, rec["payee_id"], rec["payee_name"]), src=rec.src)
    if contract:
        b.ref("Contract", contract, src=rec.src)
        b.rel("FOR_CONTRACT", p, ("Contract", contract), src=rec.src)
    if rec["approver_id_number"]:
        b.rel("APPROVED_BY", p, person(b, rec, rec["approver_id_number"]), src=rec.src)
    if rec["handler_id_number"]:
        b.rel("HANDLED_BY", p, person(b, rec, rec["handler_id_number"]), src=rec.src)
    if rec["program_code"]:
        if ctx.programs and rec["program_code"] not in ctx.programs:
            rec.warn("unknown_program", "program_code")
        b.ref("Program", rec["program_code"], src=rec.src)
        b.rel("FUNDED_BY", p, ("Program", rec["program_code"]), src=rec.src)


def build_income(rec: Record, ctx: Context, b: Batch) -> None:
    check_village(rec, ctx, "village_code")
    vno = rec["voucher_no"]
    i = ("Income", vno)
    check_order(rec, "received_date", "booked_date", "booked_before_received")
    if rec["booked"] is False and rec["booked_date"]:
        rec.warn("booked_date_but_not_booked", "booked_date")
    keep = ("village_code", "source", "amount", "received_date", "booked", "booked_date")
    props = {k: rec[k] for k in keep}
    b.upsert("Income", vno, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    village = division(b, rec, rec["village_code"])
    b.rel("RECEIVED_BY", i, village, src=rec.src)
    b.rel("IN_DIVISION", i, village, src=rec.src)
    if rec["payer_id"]:
        b.rel("PAID_IN_BY", i, party(b, rec, rec["payer_id"]), src=rec.src)


BUILDERS: dict[str, Builder] = {
    "contracts": build_contract,
    "payments": build_payment,
    "incomes": build_income,
}
