"""The ``guanxi`` command line. Settings come from ``GUANXI_*``; flags override them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.helptext import label_flags_without_type
from graph.errors import GuanxiError
from graph.settings import Settings
from graph.store import GraphStore, Node, embedded_engine, open_sealed, open_store

label_flags_without_type()
app = typer.Typer(
    help="guanxi: relationship analysis of public-money registers.", no_args_is_help=True
)
engine_app = typer.Typer(help="Run the embedded graph engine (FalkorDB).", no_args_is_help=True)
app.add_typer(engine_app, name="engine")
user_app = typer.Typer(help="API users and their keys.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)

EngineOpt = Annotated[
    str | None, typer.Option("--engine", help="embedded or neo4j (default: GUANXI_ENGINE)")
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="embedded engine data (GUANXI_DATA_DIR)")
]


def settings_from(engine: str | None = None, data_dir: Path | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if engine:
        overrides["engine"] = engine
    if data_dir:
        overrides["data_dir"] = data_dir
    return Settings(**overrides)


def connect(settings: Settings) -> GraphStore:
    """Open the store; a running ``guanxi engine start`` daemon is reused, else one is owned."""
    return open_store(settings)


def connect_loaded(settings: Settings) -> GraphStore:
    """Open the store for a command that reads the graph. An empty graph is refused: it is
    what a wrong data directory looks like, and every answer from it would be a silent 0."""
    store = connect(settings)
    try:
        empty = store.count() == 0
    except BaseException:
        store.close()
        raise
    if empty:
        store.close()
        fail(no_graph(settings))
    return store


def no_graph(settings: Settings) -> str:
    if settings.engine == "neo4j":
        where = f"the Neo4j database {settings.neo4j_database!r} at {settings.neo4j_uri}"
        point = "point GUANXI_NEO4J_URI / GUANXI_NEO4J_DATABASE at a loaded one"
    else:
        where = f"the data directory {settings.data_dir}"
        point = (
            "point at a loaded one with --data-dir DIR or GUANXI_DATA_DIR "
            "(`make demo` keeps its graph in out/demo-data)"
        )
    return f"{where} holds no graph: load registers with `guanxi load FOLDER`, or {point}"


def fail(message: str) -> NoReturn:
    """One red line on stderr and exit status 2, as for every refused command."""
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


@engine_app.command("start")
def engine_start(data_dir: DataDirOpt = None) -> None:
    """Start the embedded engine as a daemon that outlives this command."""
    eng = embedded_engine(settings_from(data_dir=data_dir))
    eng.start(owned=False)
    _print_status(eng.status())


@engine_app.command("stop")
def engine_stop(data_dir: DataDirOpt = None) -> None:
    """Stop the embedded engine, writing a final snapshot."""
    eng = embedded_engine(settings_from(data_dir=data_dir))
    stopped = eng.stop()
    console.print("stopped" if stopped else "not running")


@engine_app.command("status")
def engine_status(
    data_dir: DataDirOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Show whether the embedded engine runs, where, and what it holds."""
    st = embedded_engine(settings_from(data_dir=data_dir)).status()
    if as_json:
        console.print_json(json.dumps(st, default=str))
    else:
        _print_status(st)
    if not st["running"]:
        raise typer.Exit(1)


def _print_status(st: dict[str, Any]) -> None:
    t = Table(title="embedded engine", show_header=False)
    for k, v in st.items():
        t.add_row(k, str(v))
    console.print(t)


@app.command()
def query(
    cypher: Annotated[str, typer.Argument(help="Cypher to run (read-only)")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="k=v; v parsed as JSON if it can be")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print rows as JSON")] = False,
    limit: Annotated[int, typer.Option(help="row limit")] = 1000,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run a read-only Cypher query and print the rows."""
    params = dict(_parse_param(p) for p in param or [])
    with connect_loaded(settings_from(engine, data_dir)) as store:
        rows = store.read_only(cypher, params, row_limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    t = Table()
    cols = list(rows[0]) if rows else []
    for c in cols:
        t.add_column(c)
    for r in rows:
        t.add_row(*(_cell(r[c]) for c in cols))
    console.print(t)
    console.print(f"{len(rows)} row(s)")


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="folder to write the registers into")],
    persons: Annotated[
        int | None,
        typer.Option(help="people in the county or city (default 20,000; city 6,600,000)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="same seed, same county")] = 7,
    preset: Annotated[
        str,
        typer.Option(help="county: one county; city: several counties with cross-county links"),
    ] = "county",
    counties: Annotated[int | None, typer.Option(help="counties of a city (2 to 7)")] = None,
) -> None:
    """Generate a synthetic county or city: every register, planted cases, decoys, truth.json."""
    if preset not in ("county", "city"):
        raise typer.BadParameter("county or city", param_hint="--preset")
    out.mkdir(parents=True, exist_ok=True)
    if preset == "city":
        from graph.synth.city import CITY, generate_city

        truth = generate_city(
            persons or CITY["persons"],
            seed,
            out,
            counties,
            progress=lambda c: console.print(
                f"county {c.index + 1}: {c.name} ({c.code}), {c.persons:,} persons, "
                f"{c.towns} townships, {c.villages} villages"
            ),
        )
        title = f"synthetic city of {len(truth['counties'])} counties ({out})"
    else:
        from graph.synth import generate

        truth = generate(persons or 20_000, seed, out)
        title = f"synthetic county {truth['county']['name']} ({out})"
    t = Table(title=title)
    t.add_column("register")
    t.add_column("rows", justify="right")
    for name, n in truth["counts"].items():
        t.add_row(name, f"{n:,}")
    console.print(t)
    console.print(
        f"planted {len(truth['cases'])} cases and {len(truth['decoys'])} decoys "
        f"in {truth['seconds']} s; truth: {out / 'truth.json'}"
    )


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="folder holding the register files")],
    batch_size: Annotated[int, typer.Option(help="rows per write statement")] = 5000,
    fresh: Annotated[bool, typer.Option(help="empty the graph first")] = False,
    merge: Annotated[
        bool,
        typer.Option(
            help="write with MERGE statements even into an empty graph (by default a first "
            "load into the embedded engine is built on disk and bulk-created, and into "
            "Neo4j imported with neo4j-admin when GUANXI_NEO4J_HOME is set)"
        ),
    ] = False,
    resolve_after: Annotated[
        bool, typer.Option("--resolve/--no-resolve", help="link name-only mentions afterwards")
    ] = True,
    import_files: Annotated[
        Path | None,
        typer.Option(
            "--import-files",
            help="Neo4j, a first load into an empty database on a server guanxi does not "
            "manage: write the neo4j-admin import files into this folder, with import.sh "
            "(the command to run with the server stopped), instead of loading",
        ),
    ] = None,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Load every register found in FOLDER; rejects go to FOLDER/_load/rejects.csv.

    Exit status: 0 the load completed (rejected rows, if any, are counted on the last
    line and listed in rejects.csv); 2 refused before writing anything (a file failed
    its checks, no register in FOLDER, a bad option): the graph is as it was; 3 failed
    after writing began: the graph is marked partially loaded (engine status, /health,
    the explorer) until a load completes. FOLDER/_load/load_report.json says which.
    """
    from graph.pipeline import Stage, run_pipeline

    if not folder.is_dir():
        raise typer.BadParameter(f"{folder} is not a folder")

    def show(stage: Stage, report: Any) -> None:
        if report is not None:
            console.print(report.render())
        if report is not None and stage == "load":
            console.print(report.outcome())

    settings = settings_from(engine, data_dir)
    if import_files is not None:
        if settings.engine != "neo4j":
            raise typer.BadParameter(
                "--import-files writes Neo4j's import files: use --engine neo4j"
            )
        if merge:
            raise typer.BadParameter("--import-files and --merge exclude each other")
    sealed = open_sealed(settings)
    try:
        with connect(settings) as store:
            if import_files is not None:
                _write_import_files(store, folder, import_files, batch_size, fresh, sealed, show)
                return
            run_pipeline(
                store,
                folder,
                fresh=fresh,
                resolve_mentions=resolve_after,
                find=False,
                batch_size=batch_size,
                bulk=False if merge else None,
                progress=True,
                on_stage=show,
                sealed=sealed,
            )
    finally:
        sealed.close()


def _write_import_files(
    store: GraphStore,
    folder: Path,
    out: Path,
    batch_size: int,
    fresh: bool,
    sealed: Any,
    show: Callable[[Any, Any], None],
) -> None:
    """``guanxi load --import-files``: the first load as neo4j-admin's files, and the
    command that imports them."""
    from graph.loaders import load_folder
    from graph.store.neo4j import Neo4jStore
    from graph.store.neo4j_import import write_import_script

    assert isinstance(store, Neo4jStore)
    store.import_folder = out.resolve()
    store.server_home = None  # the files are the point: guanxi imports nothing itself
    report = load_folder(
        store, folder, batch_size=batch_size, progress=True, bulk=True, fresh=fresh, sealed=sealed
    )
    show("load", report)
    files = store.import_written
    assert files is not None
    script = write_import_script(files, store.database)
    console.print(
        f"wrote {files.node_count:,} nodes and {files.relationship_count:,} relationships "
        f"as import files into {files.folder}. Stop the server, then run {script}:"
    )
    typer.echo(script.read_text(encoding="utf-8").splitlines()[-1])
    console.print(
        "then start the server and run `guanxi resolve --engine neo4j`, which creates the "
        "indexes and constraints and links name-only mentions. The database stays empty "
        "until the import runs."
    )


@app.command()
def detect(
    pattern: Annotated[
        list[str] | None, typer.Option("--pattern", help="pattern id (repeatable); all if omitted")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="judge deadlines as of this date")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv")] = "table",
    out: Annotated[Path | None, typer.Option(help="write findings to this file")] = None,
    save: Annotated[bool, typer.Option(help="keep findings in the graph")] = True,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Run the pattern library and print its findings."""
    from graph.algorithms.numbering import number_communities
    from graph.queries import detect as run_detect
    from graph.queries.render import findings_csv, findings_jsonl, findings_table

    if fmt not in ("table", "jsonl", "csv"):
        raise typer.BadParameter("--format must be table, jsonl or csv")
    settings = settings_from(engine, data_dir)
    with connect_loaded(settings) as store:
        result = run_detect(store, pattern, as_of=as_of, save=save)
        if save:
            # Communities hold findings, so they are numbered anew with them (numbering.py).
            n = number_communities(store, settings.algorithms)
            err.print(f"{n:,} communities numbered (property `community`)")
    text = {"jsonl": findings_jsonl, "csv": findings_csv}.get(fmt)
    if text is not None:
        body = text(result.findings)
        if out:
            out.write_text(body, encoding="utf-8")
        else:
            typer.echo(body, nl=False)
    else:
        if out:
            out.write_text(findings_jsonl(result.findings), encoding="utf-8")
        console.print(findings_table(result))


# -- the API: serve it, manage its users ----------------------------------------------------
# The CLI is where the program is put together, so it may reach the API; the imports stay
# inside the commands so that the engine commands start without loading the API.


@app.command()
def resolve(engine: EngineOpt = None, data_dir: DataDirOpt = None) -> None:
    """Link name-only mentions to persons; report links, unresolved mentions, conflicts."""
    from graph.resolve import resolve as run_resolve

    with connect_loaded(settings_from(engine, data_dir)) as store:
        # The schema's indexes and constraints, created if missing: after an offline import
        # that guanxi did not run (`guanxi load --import-files`) they are not there yet.
        store.ensure_schema()
        console.print(run_resolve(store).render())


@app.command()
def communities(
    top: Annotated[int, typer.Option(help="how many communities to show")] = 10,
    division: Annotated[str | None, typer.Option(help="only within this division code")] = None,
    at: Annotated[str | None, typer.Option(help="relationships valid on this date")] = None,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Rank the communities that detect numbered by risk, with the reasons.

    A graph that detect has not numbered yet is numbered now (Leiden), and stored.
    """
    from graph.algorithms import leiden, rank_communities
    from graph.algorithms.numbering import (
        SEED,
        number_communities,
        numbered_projection,
        stored_partition,
    )
    from graph.algorithms.risk import render

    settings = settings_from(engine, data_dir)
    with connect_loaded(settings) as store:
        proj = numbered_projection(store, division=division, at=at)
        part = stored_partition(proj)
        if part is None and division is None and at is None:
            number_communities(store, settings.algorithms)
            proj = numbered_projection(store)
            part = stored_partition(proj)
        elif part is None:
            err.print("no stored communities: run `guanxi detect`; numbers below are this view's")
            part = leiden(proj, seed=SEED)
        ranked = rank_communities(store, top, proj=proj, partition=part, at=at)
    console.print(render(ranked))


@app.command()
def export(
    key: Annotated[str, typer.Argument(help="natural key of the entity at the centre")],
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    fmt: Annotated[
        str, typer.Option("--format", help="json, graphml, gexf, csv, xlsx, ftm or html")
    ] = "html",
    label: Annotated[str | None, typer.Option(help="label, when keys collide")] = None,
    depth: Annotated[int, typer.Option(help="hops from the entity (1-3)", min=1, max=3)] = 1,
    limit: Annotated[int, typer.Option(help="most nodes to include")] = 300,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Export the neighbourhood of an entity (unmasked: this is the operator's own copy)."""
    from graph.export import FORMATS
    from graph.export import export as render_export
    from graph.queries.subgraph import find_node, neighbourhood

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    with connect_loaded(settings_from(engine, data_dir)) as store:
        start = find_node(store, key, label)
        sub = neighbourhood(store, start, depth=depth, limit=limit).to_subgraph()
    out.write_bytes(render_export(sub, fmt, title=f"关系图 {key}"))
    console.print(f"{len(sub['nodes'])} nodes, {len(sub['relationships'])} relationships → {out}")


@app.command()
def paths(
    source: Annotated[str, typer.Argument(help="natural key of one end (Label:key if shared)")],
    target: Annotated[str, typer.Argument(help="natural key of the other end")],
    max_hops: Annotated[int, typer.Option(help="longest path, in hops", min=1, max=8)] = 4,
    k: Annotated[int, typer.Option(help="most paths to show", min=1)] = 5,
    rel_type: Annotated[
        list[str] | None, typer.Option("--type", help="relationship type (repeatable); all")
    ] = None,
    through_hubs: Annotated[
        bool, typer.Option(help="walk through hubs (a programme, a village) too")
    ] = False,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """The shortest paths between two entities, each hop in words (as the API's /paths)."""
    from graph.algorithms.paths import describe_hop, find_paths
    from graph.queries.subgraph import find_node

    with connect_loaded(settings_from(engine, data_dir)) as store:
        a, b = find_node(store, source), find_node(store, target)
        found = find_paths(
            store, a, b, max_hops=max_hops, types=rel_type, exclude_hubs=not through_hubs, k=k
        )
    for i, (nodes, rels) in enumerate(found.paths, 1):
        hops = [describe_hop(r, _names(nodes)) for r in rels]
        console.print(f"{i}. ({len(rels)} hops) " + "；".join(hops), highlight=False)
    tail = "; the search was cut short (hubs or node budget)" if found.truncated else ""
    console.print(f"{len(found.paths)} path(s), {found.explored} nodes explored{tail}")


def _names(nodes: list[Node]) -> Callable[[tuple[str, Any]], str]:
    """A node's name (its key when it has none), looked up by ``(label, key)``."""
    from graph.queries.subgraph import node_id

    names = {node_id(n): str(n["properties"].get("name") or n["key"]) for n in nodes}
    return lambda nid: names.get(nid, "?")


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="people in the synthetic county")] = 20_000,
    seed: Annotated[int, typer.Option(help="same seed, same county")] = 7,
    out: Annotated[Path, typer.Option(help="where the county's registers go")] = Path("out/demo"),
    port: Annotated[int, typer.Option(help="port of the explorer")] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the explorer at the end")
    ] = True,
    data_dir: DataDirOpt = None,
) -> None:
    """Generate a county, load it, resolve, detect, rank communities, serve the explorer."""
    import json

    from graph.algorithms import rank_communities
    from graph.algorithms.numbering import numbered_projection, store_communities
    from graph.algorithms.risk import render
    from graph.pipeline import Stage, run_pipeline
    from graph.queries.evaluate import score
    from graph.queries.render import findings_table
    from graph.synth import generate

    if serve_after:
        _require_free_port(port)
    # The demo keeps its own engine and user database, so it never clears a real graph.
    data_dir = data_dir or demo_data_dir(out)
    settings = settings_from("embedded", data_dir)
    console.rule(f"1/5 synthesising a county of {persons:,} persons → {out}")
    out.mkdir(parents=True, exist_ok=True)
    truth = generate(persons, seed, out)
    titles: dict[Stage, str] = {
        "load": "2/5 loading the registers into the embedded engine",
        "resolve": "3/5 entity resolution",
        "detect": "4/5 detection",
    }

    def show(stage: Stage, report: Any) -> None:
        if report is None:
            console.rule(titles[stage])
        else:
            console.print(findings_table(report) if stage == "detect" else report.render())

    sealed = open_sealed(settings)
    with connect(settings) as store:
        try:
            ran = run_pipeline(
                store,
                out,
                fresh=True,
                as_of=truth["as_of"],
                progress=True,
                on_stage=show,
                sealed=sealed,
            )
        finally:
            sealed.close()
        assert ran.detect is not None
        result = ran.detect
        scores = score(result.findings, truth)
        found = sum(s.found for s in scores.values())
        planted = sum(s.planted for s in scores.values())
        flagged = sum(s.decoys_flagged for s in scores.values())
        console.print(f"planted cases found: {found}/{planted}; decoys flagged: {flagged}")
        console.rule("5/5 communities ranked by risk")
        proj = numbered_projection(store)
        part = store_communities(store, proj)
        console.print(render(rank_communities(store, 5, proj=proj, partition=part)))
    if not serve_after:
        return
    from api.policy import Role
    from api.users import add_user

    county = truth["county"]["code"]
    key = add_user(_api_db(data_dir), f"demo-{seed}-{persons}", Role.INVESTIGATOR, [county], None)
    ring = truth.get("ring", {}).get("persons", [])
    console.rule("the explorer")
    console.print(f"open http://127.0.0.1:{port}/ and sign in with this investigator key:")
    typer.echo(key)
    if ring:
        console.print(
            f"try searching {json.dumps(ring[0])} (a village secretary in a planted ring)"
        )
    serve(host="127.0.0.1", port=port, engine="embedded", data_dir=data_dir)


def demo_data_dir(out: Path) -> Path:
    """Where ``guanxi demo --out OUT`` keeps its engine and users: beside the registers.

    >>> demo_data_dir(Path("out/demo")).as_posix()
    'out/demo-data'
    """
    return out.parent / f"{out.name}-data"


def _require_free_port(port: int) -> None:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise typer.BadParameter(f"port {port} is in use; choose another with --port") from None


def _api_settings(engine: str | None = None, data_dir: Path | None = None) -> Any:
    from api.settings import ApiSettings

    overrides: dict[str, Any] = {}
    if engine:
        overrides["engine"] = engine
    if data_dir:
        overrides["data_dir"] = data_dir
    return ApiSettings(**overrides)


def _api_db(data_dir: Path | None) -> Any:
    from api.db import Database

    settings = _api_settings(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url)
    db.create()
    return db


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind; 127.0.0.1 keeps it local")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="processes; each keeps its own name index and rate limits")
    ] = 1,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Serve the API under /api/v1 (and the explorer at /, when installed)."""
    import os

    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/yellow] serving on {host}: reachable from other machines")
    if workers > 1:
        # Worker processes build the application themselves, from the environment; an
        # embedded engine is started once here, as a daemon they all share.
        settings = _api_settings(engine, data_dir)
        if settings.engine == "embedded":
            eng = embedded_engine(settings)
            if not eng.is_running():
                eng.start(owned=False)
        if engine:
            os.environ["GUANXI_ENGINE"] = engine
        if data_dir:
            os.environ["GUANXI_DATA_DIR"] = str(data_dir)
        from api import serving

        serving.serve(host, port, workers)
        return
    # Imported here, not above: the workers above import the application themselves, and
    # the 3 s this process would spend on it delayed their start by as much.
    import uvicorn

    from api.app import create_app

    app_ = create_app(_api_settings(engine, data_dir))
    uvicorn.run(app_, host=host, port=port, access_log=False, log_level="info")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="the user's name")],
    role: Annotated[
        str,
        typer.Option(help="investigator, analyst, api_consumer, complaint_handler or admin"),
    ],
    division: Annotated[
        list[str],
        typer.Option(help="division code prefix in scope (repeatable); '' or all: every one"),
    ],
    rate: Annotated[
        float | None, typer.Option(help="requests per second (default GUANXI_RATE_PER_SECOND)")
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create a user and print their API key (shown once, stored only as a salted hash)."""
    from api.policy import Role
    from api.users import add_user

    try:
        role_ = Role(role)
    except ValueError:
        raise typer.BadParameter(
            f"--role must be one of {', '.join(r.value for r in Role)}"
        ) from None
    key = add_user(_api_db(data_dir), name, role_, division, rate)
    err.print(f"user {name} ({role_.value}, {', '.join(division) or 'all'}): API key —")
    err.print("[bold]store it now: it is not shown again[/bold]")
    typer.echo(key)


@user_app.command("list")
def user_list(
    data_dir: DataDirOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List users, their role, divisions and whether they are revoked."""
    from api.users import list_users

    users = list_users(_api_db(data_dir))
    if as_json:
        typer.echo(json.dumps(users, ensure_ascii=False, indent=2))
        return
    t = Table()
    for col in ("name", "role", "divisions", "created", "revoked"):
        t.add_column(col)
    for u in users:
        divs = ", ".join(d or "(all)" for d in u["divisions"])
        t.add_row(u["name"], u["role"], divs, u["created_at"], u["revoked_at"] or "")
    console.print(t)


@user_app.command("revoke")
def user_revoke(
    name: Annotated[str, typer.Argument(help="the user to revoke")],
    data_dir: DataDirOpt = None,
) -> None:
    """Revoke a user and every key they hold; takes effect on the next request."""
    from api.users import revoke_user

    if not revoke_user(_api_db(data_dir), name):
        err.print(f"no active user {name!r}")
        raise typer.Exit(1)
    console.print(f"revoked {name}")


def _parse_param(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise typer.BadParameter(f"expected k=v, got {text!r}")
    k, v = text.split("=", 1)
    try:
        return k, json.loads(v)
    except json.JSONDecodeError:
        return k, v


def _cell(v: Any) -> str:
    if isinstance(v, dict) and v.get("_kind") == "node":
        return f"({':'.join(v['labels'])} {v['key']})"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=str)
    return "" if v is None else str(v)


def main() -> None:
    try:
        app()
    except GuanxiError as e:
        err.print(f"[red]error:[/red] {e}")
        raise SystemExit(getattr(e, "exit_code", 2)) from None


import cli.cases  # noqa: E402  (registers `guanxi leads` and `guanxi cases`)
import cli.public  # noqa: E402, F401  (registers `guanxi public`)

if __name__ == "__main__":
    main()
