"""A missing PostgreSQL database of ``--db``, created through the server's maintenance database.

The regulator's quick start names ``postgresql://USER@HOST:PORT/regulator``; on a fresh server that database
is not there yet and the first command failed with the server's bare ``database "regulator" does not
exist``. Where the role may create databases, the CLI creates it (and says so); where it may not, the error
names the ``createdb`` line that does.
"""

from __future__ import annotations

import psycopg
import sqlalchemy as sa
from psycopg import sql

from regulator.storage.db import normalise_url

MAINTENANCE_DB = "postgres"  # every PostgreSQL server has it; createdb itself connects there


class CannotCreateDatabase(RuntimeError):
    """The database is missing and this role may not create it; the message names the fix."""


def create_if_missing(db: str) -> str | None:
    """Create ``db``'s database when it is a PostgreSQL URL whose database does not exist; its name when
    created, None when there was nothing to create (not PostgreSQL, or the database is there) or the server
    cannot be reached (the caller reports its own error then). Raises CannotCreateDatabase with the
    ``createdb`` line when the role may not create it."""
    url = sa.engine.make_url(normalise_url(db))
    if url.get_backend_name() != "postgresql" or not url.database or url.database == MAINTENANCE_DB:
        return None
    name = url.database
    maintenance = url.set(drivername="postgresql", database=MAINTENANCE_DB)
    try:
        admin = psycopg.connect(
            maintenance.render_as_string(hide_password=False), autocommit=True, connect_timeout=10
        )
    except psycopg.Error:
        return None  # server down, wrong password: the original error says that better
    with admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return None
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.InsufficientPrivilege as exc:
            host = f"-h {url.host} " if url.host else ""
            port = f"-p {url.port} " if url.port else ""
            user = f"-U {url.username} " if url.username else ""
            raise CannotCreateDatabase(
                f'database "{name}" does not exist and role {url.username or "(default)"} may not create '
                f"it ({str(exc).strip()}): create it with `createdb {host}{port}{user}{name}`, or as the "
                f"server's admin `sudo -u postgres createdb -O {url.username or 'OWNER'} {name}`"
            ) from None
    return name
