"""Reports from the public and how fast they were handled.

Background complaints are accepted within 6 days and closed within 85 days (under
three months), or within three months and 25 days with a recorded extension; those
still open at the as-of date are inside both limits.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from graph.synth.common import (
    AS_OF_DAY,
    DATA_START,
    NO_DATE,
    County,
    add_months,
    at_str,
    date_of,
    scramble,
)

CHANNELS = ("平台", "来信", "来访", "电话")
_SUMMARIES = (
    "反映{v}村干部在低保评定中优亲厚友",
    "反映{v}道路硬化工程质量差、偷工减料",
    "反映{v}村务不公开，财务账目不清",
    "反映{v}危房改造补助发放不到位",
    "反映{v}村干部违规收取费用",
    "反映{v}安全饮水工程机井出水不足",
)


def complaint_id(ctx: County, received: int) -> str:
    i = ctx.take("complaint")[0]
    return f"JB{date_of(received).year}{int(scramble(i, 10**5, 30_011, 77)):05d}"


def row(
    ctx: County,
    v: int,
    received: int,
    accepted: int,
    closed: int,
    extension: str,
    subjects: str,
    summary: str | None = None,
) -> dict[str, Any]:
    rng = ctx.rng
    villages = ctx.frames["_villages"]
    p = ctx.frames["persons"]
    reporter = int(rng.integers(len(p)))
    anonymous = rng.random() < 0.3
    text = summary or str(rng.choice(_SUMMARIES)).format(v=villages.at[v, "name"])
    return {
        "complaint_id": complaint_id(ctx, received),
        "received": received,
        "channel": str(rng.choice(CHANNELS, p=[0.5, 0.15, 0.15, 0.2])),
        "village_code": at_str(villages, v, "code"),
        "subject_ids": subjects,
        "summary": text,
        "reporter_name": "" if anonymous else at_str(p, reporter, "name"),
        "reporter_phone": "" if anonymous else at_str(p, reporter, "phone"),
        "accepted": accepted,
        "closed": closed,
        "extension_approved": extension,
        "substantiated": ("是" if rng.random() < 0.35 else "否") if closed != NO_DATE else "",
        "amount_involved": int(rng.integers(1, 500)) * 100_000 if rng.random() < 0.2 else None,
    }


def build(ctx: County) -> None:
    rng = ctx.rng
    villages = ctx.frames["_villages"]
    contracts = ctx.frames["contracts"]
    cad = ctx.info["cadres"]
    ids = ctx.frames["persons"]["id_number"].to_numpy()
    rows = []
    for _ in range(max(20, ctx.n // 500)):
        v = int(rng.integers(len(villages)))
        received = DATA_START + int(rng.integers(0, AS_OF_DAY - 1 - DATA_START))
        accepted = received + int(rng.integers(0, 7))
        if accepted > AS_OF_DAY:
            accepted = NO_DATE
        closed, extension = NO_DATE, ""
        if accepted != NO_DATE:
            if rng.random() < 0.05:
                closed, extension = add_months(accepted, 3) + int(rng.integers(5, 26)), "是"
            else:
                closed, extension = accepted + int(rng.integers(10, 86)), "否"
            if closed > AS_OF_DAY:
                # still open: past three months only with an approved extension
                overdue = add_months(accepted, 3) < AS_OF_DAY
                closed, extension = NO_DATE, ("是" if overdue else "")
        u = rng.random()
        vcode = at_str(villages, v, "code")
        subjects = ""
        if u < 0.5:
            subjects = str(ids[cad[vcode]["村党支部书记"][-1][0]])
        elif u < 0.7:
            here = contracts["contract_id"][contracts["village_code"] == vcode]
            subjects = str(here.iloc[0]) if len(here) else ""
        rows.append(row(ctx, v, received, accepted, closed, extension, subjects))
    ctx.frames["complaints"] = pd.DataFrame(rows)
