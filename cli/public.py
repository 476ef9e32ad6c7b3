"""``guanxi public``: the residents' site (one-stop query, one-click report) in a process
of its own. Registered on the main app by cli/main.py (one import at its end)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.main import DataDirOpt, EngineOpt, app, err


@app.command("public")
def public(
    host: Annotated[str | None, typer.Option(help="address to bind (GUANXI_PUBLIC_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (GUANXI_PUBLIC_PORT)")] = None,
    divisions: Annotated[
        str | None,
        typer.Option(
            help="published division code prefixes, comma separated (GUANXI_PUBLIC_DIVISIONS)"
        ),
    ] = None,
    engine: EngineOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Serve the public site: published villages' funds, finance and works, and reports."""
    import uvicorn

    from public.app import create_public_app
    from public.settings import PublicSettings

    overrides: dict[str, Any] = {}
    if engine:
        overrides["engine"] = engine
    if data_dir:
        overrides["data_dir"] = data_dir
    if host:
        overrides["public_host"] = host
    if port:
        overrides["public_port"] = port
    if divisions is not None:
        overrides["public_divisions"] = divisions
    settings = PublicSettings(**overrides)
    if not settings.published:
        err.print(
            "[yellow]warning:[/yellow] no published divisions (GUANXI_PUBLIC_DIVISIONS or "
            "--divisions): the site shows nothing"
        )
    site = create_public_app(settings)
    uvicorn.run(
        site,
        host=settings.public_host,
        port=settings.public_port,
        access_log=False,  # report and look-up forms are posted; no address trail kept
        log_level="info",
    )
