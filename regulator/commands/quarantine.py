"""``sitegw regulator forwarding list|release``: a city's admin sees the records its province refused for good
and queues them again once the cause is fixed (regulator/forwarding/quarantine.py)."""

from __future__ import annotations

import time

import typer

from regulator.commands.opening import DB_HELP, DEFAULT_DB, open_repo
from regulator.forwarding import quarantine

forwarding_app = typer.Typer(help="City: the records the province refused for good, and releasing them.")


@forwarding_app.command("list")
def list_held(db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP)) -> None:
    """The records set aside: each with the province's reason and what to do."""
    repo = open_repo(db)
    try:
        with repo.engine.connect() as conn:
            rows = quarantine.held(conn)
    finally:
        repo.close()
    if not rows:
        typer.echo("no record set aside: everything the province was sent, it kept")
    for h in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(h.last_at))
        typer.echo(
            f"{h.kind} {h.ref} (project {h.project or '-'}), refused {h.refusals}x, last {when}: {h.code}"
        )
        typer.echo(f"  {h.what_to_do}")
        typer.echo(f"  {h.reason}")


@forwarding_app.command("release")
def release(
    project: str = typer.Option("", "--project", help="only the records of this project (left out: all)"),
    db: str = typer.Option(DEFAULT_DB, "--db", envvar="REGULATOR_DB", help=DB_HELP),
) -> None:
    """Queue the records set aside again (after fixing their cause); the province refuses them again if not."""
    repo = open_repo(db)
    try:
        with repo.engine.begin() as conn:
            n = quarantine.release(conn, project or None)
    finally:
        repo.close()
    typer.echo(f"{n} records queued again for the province")
