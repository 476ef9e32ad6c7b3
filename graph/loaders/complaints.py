"""complaints: reports from the public, and whom they are about.

Graph: ``(:Complaint {complaint_id, received, channel, village_code, summary,
accepted, closed, extension_approved, substantiated, amount_involved})`` with
``-[:IN_DIVISION]->(:Division)`` and ``-[:ABOUT]->`` each subject: a resident ID →
Person, a USCC → Enterprise, anything else → Contract. ``reporter_name`` /
``reporter_phone`` are confidential (schema privacy class): the batch sets them aside for
the sealed store (:mod:`graph.store.sealed`), which only the complaint-handler path
reads; they never reach the graph, the rejects or the warnings.
"""

from __future__ import annotations

import re

from graph import ids
from graph.errors import InvalidValue
from graph.loaders.batch import Batch
from graph.loaders.common import Builder, Context, check_order, check_village, division, party
from graph.loaders.validate import Party, Record

# Looks like an ID number or a USCC; if it fails their checks it is a mistyped ID,
# not a contract id, and must not become a Contract.
_ID_LIKE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9X]|[0-9A-Z]{2}[0-9]{6}[0-9A-Z]{10}")

_PROPS = (
    "received",
    "channel",
    "village_code",
    "summary",
    "reporter_name",
    "reporter_phone",
    "accepted",
    "closed",
    "extension_approved",
    "substantiated",
    "amount_involved",
)


def build_complaint(rec: Record, ctx: Context, b: Batch) -> None:
    check_village(rec, ctx, "village_code")
    check_order(rec, "received", "accepted", "accepted_before_received")
    check_order(rec, "received", "closed", "closed_before_received")
    cid = rec["complaint_id"]
    c = ("Complaint", cid)
    subjects = []
    for s in rec["subject_ids"]:
        try:
            subjects.append(party(b, rec, Party(*ids.normalise_party_id(s))))
        except InvalidValue as e:
            if _ID_LIKE.fullmatch(s):
                rec.warn("bad_subject_id", "subject_ids", f"subject {s!r}: {e.reason}")
                continue
            if ctx.contracts and s not in ctx.contracts:
                rec.warn("unknown_subject", "subject_ids", f"{s!r} is no ID, USCC or contract")
            b.ref("Contract", s, src=rec.src)
            subjects.append(("Contract", s))
    b.upsert(
        "Complaint",
        cid,
        {**{k: rec[k] for k in _PROPS}, **rec.extra},
        src=rec.src,
        warnings=rec.warning_texts(),
    )
    for subject in subjects:
        b.rel("ABOUT", c, subject, src=rec.src)
    if rec["village_code"]:
        b.rel("IN_DIVISION", c, division(b, rec, rec["village_code"]), src=rec.src)


BUILDERS: dict[str, Builder] = {"complaints": build_complaint}
