"""Findings as text: a summary table for people, JSON lines and CSV for machines."""

from __future__ import annotations

import csv
import io
import json

from rich.table import Table

from graph.queries.findings import Finding
from graph.queries.pattern import library
from graph.queries.runner import Detection


def findings_jsonl(findings: list[Finding]) -> str:
    return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in findings)


def findings_csv(findings: list[Finding]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["finding_id", "pattern", "severity", "score", "title", "explanation", "subjects"])
    for f in findings:
        w.writerow(
            [
                f.finding_id,
                f.pattern,
                f.severity,
                f"{f.score:.2f}",
                f.title,
                f.explanation,
                ";".join(f.subjects),
            ]
        )
    return buf.getvalue()


def findings_table(result: Detection, examples: int = 1) -> Table:
    lib = library()
    t = Table(title="findings by pattern")
    for col in ("pattern", "规则", "severity", "findings", "seconds", "example"):
        t.add_column(col, overflow="fold")
    for run in result.runs:
        p = lib[run.pattern]
        ex = "\n".join(f.explanation for f in run.findings[:examples])
        t.add_row(
            run.pattern, p.title_zh, p.severity, str(len(run.findings)), f"{run.seconds:.2f}", ex
        )
    t.add_row(
        "total",
        "",
        "",
        str(len(result.findings)),
        f"{sum(r.seconds for r in result.runs) + result.derive_seconds:.2f}",
        "",
    )
    return t
