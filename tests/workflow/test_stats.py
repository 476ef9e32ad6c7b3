"""The published figures of one city's year, replayed through the workflow: 524 received,
502 accepted, 412 closed, 160 substantiated, 23,565,200 yuan involved."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from api.db import Database
from api.policy import Role
from api.workflow.cases import DispositionIn, Source, Workflow
from api.workflow.rules import Actor
from api.workflow.stats import Period, statistics, workbook
from tests.workflow.wfdata import CITY

FIXTURE = Path(__file__).parents[1] / "data" / "workflow" / "city_cases.csv"
CLERK = Actor("county-clerk", Role.INVESTIGATOR, (CITY,))
APPROVER = Actor("city-approver", Role.INVESTIGATOR, (CITY[:2],))


def replay(db: Database) -> None:
    wf = Workflow(db)
    with FIXTURE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        src = Source("complaint", f"JB-CITY-{int(r['n']):04d}", r["division_code"], "举报")
        no = wf.open(CLERK, src, division_code=r["division_code"], received=r["received"])
        if r["rejected_reason"]:
            wf.act(CLERK, no, "reject", on=r["closed"], reason=r["rejected_reason"])
            continue
        wf.act(CLERK, no, "accept", on=r["accepted"])
        wf.act(CLERK, no, "start", on=r["accepted"])
        if r["extension"]:
            wf.act(CLERK, no, "request_extension", on=r["accepted"], reason="案情复杂")
            wf.act(APPROVER, no, "approve_extension", on=r["accepted"], reason="同意")
        if r["outcome"]:
            ds = [
                DispositionIn(f"P{r['n']}-{k}", *kind.split(":")[:1], kind.split(":")[1] or None)
                for k, kind in enumerate(filter(None, r["dispositions"].split(";")))
            ]
            wf.act(
                CLERK,
                no,
                "close",
                on=r["closed"],
                outcome=r["outcome"],
                amount_involved=int(r["amount_involved"] or 0) or None,
                amount_recovered=int(r["amount_recovered"] or 0) or None,
                dispositions=ds,
            )


def test_the_fixture_reproduces_the_published_figures(db: Database) -> None:
    replay(db)
    out = statistics(
        db,
        CITY,
        Period("2023-01-01", "2023-12-31"),
        "2023-12-31",
        Workflow(db).rules,
        {CITY: "衡阳市"},
    )
    t = out["totals"]
    assert (t["received"], t["accepted"], t["closed"], t["substantiated"]) == (524, 502, 412, 160)
    assert t["amount_involved"] == 23_565_200 * 100
    assert t["rejected"] == 22
    assert t["outcomes"]["查实"] + t["outcomes"]["部分属实"] == 160
    assert t["overdue_now"] == 90  # accepted in the summer, still open at the year's end
    assert 0 < t["accepted_on_time"] < 502
    assert 0 < t["closed_on_time"] < 412
    assert sum(t["dispositions"].values()) > 160
    # The children (counties) add up to the city.
    assert sum(c["received"] for c in out["children"]) == 524
    assert sum(c["amount_involved"] for c in out["children"]) == t["amount_involved"]
    # A period holding none of it counts nothing but the cases overdue on its as_of day.
    empty = statistics(
        db, CITY, Period("2022-01-01", "2022-12-31"), "2022-12-31", Workflow(db).rules
    )
    assert empty["totals"]["received"] == 0
    assert empty["totals"]["overdue_now"] == 0


def test_workbook_has_the_figures_and_no_formulas(db: Database) -> None:
    replay(db)
    out = statistics(
        db,
        CITY,
        Period("2023-01-01", "2023-12-31"),
        "2023-12-31",
        Workflow(db).rules,
        {CITY: '=HYPERLINK("http://x")'},
    )
    wb = load_workbook(io.BytesIO(workbook(out)))
    ws = wb["办理情况统计"]
    head = [c.value for c in ws[1]]
    total = [c.value for c in ws[2]]
    assert total[head.index("收到")] == 524
    assert total[head.index("涉及金额(元)")] == 23_565_200
    assert ws.cell(row=2, column=1).data_type == "s"  # the formula-looking name stays text
