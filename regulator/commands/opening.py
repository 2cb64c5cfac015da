"""What every ``sitegw regulator ...`` command shares: its ``--db`` default and help, and opening the database
it names (a clear exit 2 where it cannot be)."""

from __future__ import annotations

import typer

from regulator.serve_settings import DB_HELP as DB_HELP  # every command's --db, as serve's
from regulator.serve_settings import DEFAULT_DB as DEFAULT_DB
from regulator.storage.db import DatabaseUrlError, SchemaAhead
from regulator.storage.db_create import CannotCreateDatabase, create_if_missing
from regulator.storage.repository import Repository, SchemaBehind

# the least characters of a signing secret: a shorter signing secret can be guessed, and whoever has it posts alerts as the site
MIN_SECRET = 16


def open_repo(db: str, read_only: bool = False) -> Repository:
    """The regulator's database of ``--db``, migrated (created where missing and the role may); a command's
    exit 2 with the reason where it cannot be opened (``read_only``: a standby's, never created)."""
    try:
        return Repository(db, read_only=read_only)
    except (DatabaseUrlError, SchemaBehind, SchemaAhead) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except Exception as exc:
        if read_only:  # a standby's reader creates nothing: the primary's regulator does
            typer.echo(f"cannot open the regulator database {db}: {str(exc).splitlines()[0]}", err=True)
            raise typer.Exit(2) from None
        first = exc
    # a fresh server has no database of the quick start's URL yet: create it where the role may
    try:
        created = create_if_missing(db)
    except CannotCreateDatabase as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if created is None:
        typer.echo(f"cannot open the regulator database {db}: {str(first).splitlines()[0]}", err=True)
        raise typer.Exit(2) from None
    _say_created(created)
    return open_repo(db)


def ensure_database(db: str) -> None:
    """Create ``db``'s PostgreSQL database where it is missing and the role may, saying so (a restore's
    target on a new server); a command's exit 2 with the ``createdb`` line where the role may not."""
    try:
        created = create_if_missing(db)
    except CannotCreateDatabase as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if created is not None:
        _say_created(created)


def _say_created(name: str) -> None:
    typer.echo(f'database "{name}" did not exist: created it (CREATE DATABASE)', err=True)
