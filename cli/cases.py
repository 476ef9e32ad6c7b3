"""``guanxi leads`` and ``guanxi cases …``: leads from the graph, the case workflow's daily
report. Registered on the main app by cli/main.py (one import at its end)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from cli.main import (
    DataDirOpt,
    EngineOpt,
    _api_settings,
    app,
    connect,
    connect_loaded,
    console,
    settings_from,
)
from graph.queries.findings import yuan

cases_app = typer.Typer(
    help="The case workflow: overdue report, graph mirror.", no_args_is_help=True
)
app.add_typer(cases_app, name="cases")


@app.command()
def leads(
    top: Annotated[int, typer.Option(help="how many leads to show")] = 20,
    division: Annotated[str | None, typer.Option(help="only within this division code")] = None,
    rebuild: Annotated[bool, typer.Option(help="regroup the graph's findings first")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Leads (线索): findings grouped by the subject that acts, best score first."""
    from graph.queries import leads as gl

    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter("--format must be table or jsonl")
    with connect_loaded(settings_from(engine, data_dir)) as store:
        if rebuild:
            gl.rebuild(store)
        params: dict[str, Any] = {}
        where = "true"
        if division:
            params["division"] = division
            where = "l.division_code STARTS WITH $division"
        rows, total = gl.leads(store, where=where, params=params, size=max(1, top))
    if fmt == "jsonl":
        for r in rows:
            typer.echo(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str))
        return
    from graph.queries.pattern import library

    rules = {p.id: p.title_zh for p in library().values()}
    t = Table(title=f"leads (top {len(rows)} of {total})")
    for col in ("#", "score", "线索", "区划", "疑点", "规则", "金额"):
        t.add_column(col, overflow="fold")
    for n, r in enumerate(rows, start=1):
        t.add_row(
            str(n),
            f"{r.get('score', 0):.3f}",
            str(r.get("title")),
            "、".join(r.get("division_names") or []) or "—",
            str(r.get("finding_count")),
            "、".join(rules.get(p, p) for p in r.get("patterns") or []),
            yuan(r.get("amount")) if r.get("amount") else "—",
        )
    console.print(t)


@cases_app.command("overdue")
def cases_overdue(
    as_of: Annotated[
        str | None, typer.Option(help="judge deadlines on this day (default today)")
    ] = None,
    division: Annotated[str | None, typer.Option(help="only within this division code")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
    data_dir: DataDirOpt = None,
) -> None:
    """Open cases overdue or due soon, for a daily cron. Exit status 1 when any is overdue."""
    from api.db import Database
    from api.workflow.stats import overdue

    settings = _api_settings(data_dir=data_dir)
    day = as_of or dt.date.today().isoformat()
    db = Database(settings.db_url)
    db.create()
    try:
        rows = overdue(db, day, settings.rules, (division or "",))
    finally:
        db.dispose()
    if fmt == "jsonl":
        for r in rows:
            typer.echo(json.dumps(r, ensure_ascii=False, sort_keys=True))
    else:
        t = Table(
            title=f"cases overdue or due within {settings.rules.due_soon_days} days, as of {day}"
        )
        t.add_column("案件编号", no_wrap=True)
        for col in ("状态", "期限", "到期日", "剩余天数", "承办人", "案由"):
            t.add_column(col, overflow="fold")
        for r in rows:
            left = r["days_left"]
            t.add_row(
                r["case_no"],
                r["state"],
                r["deadline"],
                r["due"],
                f"[red]逾期{-left}天[/red]" if left < 0 else str(left),
                r["assignee"] or "—",
                r["title"] or "",
            )
        console.print(t if rows else f"nothing overdue or due soon as of {day}")
    if any(r["overdue"] for r in rows):
        raise typer.Exit(1)


@cases_app.command("mirror")
def cases_mirror(engine: EngineOpt = None, data_dir: DataDirOpt = None) -> None:
    """Write every registered complaint and case to the graph again (after the graph was
    rebuilt or restored, or a complaint's mirror failed)."""
    from api.db import Database
    from api.workflow.mirror import mirror_all

    settings = _api_settings(engine, data_dir)
    db = Database(settings.db_url)
    db.create()
    try:
        with connect(settings) as store:
            n = mirror_all(db, store, settings.rules)
    finally:
        db.dispose()
    console.print(f"{n} complaints and cases mirrored to the graph")
