"""properties and vehicles: who owns which real estate and which vehicles, and since when.

Graph: ``(:Person | :Enterprise)-[:OWNS {valid_from, valid_to, co_owner}]->
(:RealEstate {cert_no, address, usage, area_m2, registered} | :Vehicle {plate,
vehicle_type, brand, registered, status, deregistered})``. The owner's label follows
the kind of its ID number (resident ID or USCC); co-owners get ``co_owner: true``.
"""

from __future__ import annotations

from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_order, party
from graph.loaders.validate import Party, Record


def build_real_estate(rec: Record, ctx: Context, b: Batch) -> None:
    cert = rec["cert_no"]
    props = {c: rec[c] for c in ("address", "usage", "area_m2", "registered")}
    b.upsert("RealEstate", cert, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    owner: Party = rec["owner_id_number"]
    since = rec["registered"]
    b.rel(
        "OWNS",
        party(b, rec, owner, rec["owner_name"]),
        ("RealEstate", cert),
        {"valid_from": since, "co_owner": False},
        src=rec.src,
    )
    for co in rec["co_owner_id_numbers"]:
        if co.key != owner.key:
            b.rel(
                "OWNS",
                party(b, rec, co),
                ("RealEstate", cert),
                {"valid_from": since, "co_owner": True},
                src=rec.src,
            )


def build_vehicle(rec: Record, ctx: Context, b: Batch) -> None:
    check_order(rec, "registered", "deregistered", "deregistered_before_registered")
    plate = rec["plate"]
    props = {c: rec[c] for c in ("vehicle_type", "brand", "registered", "status", "deregistered")}
    b.upsert("Vehicle", plate, {**props, **rec.extra}, src=rec.src, warnings=rec.warning_texts())
    owner = party(b, rec, rec["owner_id_number"], rec["owner_name"])
    b.rel(
        "OWNS",
        owner,
        ("Vehicle", plate),
        {"valid_from": rec["registered"], "valid_to": rec["deregistered"], "co_owner": False},
        src=rec.src,
    )


BUILDERS: dict[str, Builder] = {"properties": build_real_estate, "vehicles": build_vehicle}
