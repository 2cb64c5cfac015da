"""Command functions of ``sitegw regulator ...`` (registered on the CLI by gateway/cli.py)."""

from __future__ import annotations

import asyncio

import typer

from regulator.storage import Repository

DEFAULT_DB = "sqlite:///regulator.sqlite"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8700, "--port", help="TCP port"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help="sqlite:///PATH"),
) -> None:
    """Run the regulator receiver: POST /api/v1/events (the default sitegw protocol)."""
    from regulator.server import RegulatorServer

    async def _run() -> None:
        server = RegulatorServer(db, host, port)
        await server.start()
        typer.echo(f"regulator receiver on {server.base_url}/api/v1/events (db {db})")
        try:
            await server.wait()
        finally:
            await server.stop()

    try:
        asyncio.run(_run())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        typer.echo(f"cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


def add_project(
    code: str = typer.Argument(..., help="project code, e.g. GD-SZ-2026-0001"),
    name: str = typer.Option(..., "--name", help="project name"),
    city: str = typer.Option("", "--city", help="city, e.g. 深圳"),
    secret: str = typer.Option(..., "--secret", envvar="REGULATOR_SECRET", help="the project's signing secret"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help="sqlite:///PATH"),
) -> None:
    """Register a project (or change its secret) so its gateway's events are accepted."""
    try:
        repo = Repository(db)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    repo.add_project(code, name, city, secret)
    repo.close()
    typer.echo(f"project {code} registered in {db}")
