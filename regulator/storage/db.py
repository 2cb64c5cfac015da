"""The regulator's database: one SQLAlchemy engine over PostgreSQL (production) or SQLite (embedded
default), and its schema brought to the newest alembic revision (`migrate`, which regulator/storage/repository.py
runs on open).

SQLite runs in WAL with synchronous=FULL so a commit is on disk before ingest answers 2xx; PostgreSQL
keeps its default synchronous_commit=on for the same reason. Every engine comes from :func:`create_engine`,
which opens SQLite through plumbing/sqlite.py's library (its pool of connections to one WAL file is what
SQLite's WAL-reset bug needs).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg.conninfo
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from contract import __version__
from plumbing.sqlite import library_warning, sqlite3

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent.parent / "migrations"


@functools.lru_cache(maxsize=512)
def sql(statement: str) -> sa.TextClause:
    """``sa.text(statement)``, parsed once: parsing the bind parameters costs more than running the statement."""
    return sa.text(statement)


class DatabaseUrlError(ValueError):
    """A --db value that names no supported database."""


def normalise_url(db: str | Path) -> str:
    """A SQLAlchemy URL from ``postgresql://...``, ``sqlite:///PATH`` or a plain file path.

    A libpq multi-host URL (``postgresql://USER@HOST1:PORT1,HOST2:PORT2/DB?target_session_attrs=read-write``,
    as ``pg_autoctl show uri`` prints it for a highly available formation) becomes SQLAlchemy's form of
    it, one ``host=HOST:PORT`` query parameter per host: libpq then tries them in turn and keeps the one
    that accepts writes, so after a failover the next connection finds the new primary.
    """
    text = str(db)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + _hosts_as_query(text.split("://", 1)[1])
    if text.startswith(("postgresql+psycopg://", "sqlite:///")):
        return text
    if "://" in text:
        raise DatabaseUrlError(
            f"unsupported database URL {text!r}: use postgresql://USER@HOST:PORT/DB "
            "or sqlite:///PATH (or a plain file path)"
        )
    return f"sqlite:///{text}"


def create_engine(db: str | Path, **options: Any) -> Engine:
    """SQLAlchemy's engine for ``db`` (see :func:`normalise_url`), a SQLite file opened through
    plumbing/sqlite.py's library, never Python's own: ruff refuses ``sa.create_engine`` anywhere else."""
    url = normalise_url(db)
    if url.startswith("sqlite"):
        options.setdefault("module", sqlite3)
    return sa.create_engine(url, **options)  # noqa: TID251


def _hosts_as_query(rest: str) -> str:
    """``USER@H1:P1,H2:P2/DB?Q`` as ``USER@/DB?host=H1:P1&host=H2:P2&Q`` (one host: unchanged)."""
    netloc, _slash, tail = rest.partition("/")
    user, at, hosts = netloc.rpartition("@")
    if "," not in hosts:
        return rest
    database, _question, query = tail.partition("?")
    params = "&".join(f"host={h}" for h in hosts.split(",") if h)
    return f"{user}{at}/{database}?{params}{'&' + query if query else ''}"


def libpq_conninfo(url: sa.URL) -> str:
    """The libpq connection string of a PostgreSQL engine's URL, for psycopg's own pools: SQLAlchemy keeps
    a multi-host URL as ``host=HOST:PORT`` parameters, which libpq reads as host names, so several hosts
    become libpq's ``host=H1,H2 port=P1,P2``."""
    hosts = url.query.get("host")
    if not isinstance(hosts, tuple):
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    names, ports = zip(*(h.rpartition(":")[::2] if ":" in h else (h, "5432") for h in hosts), strict=True)
    query = {k: v for k, v in url.query.items() if k != "host"}
    params: dict[str, object] = {"host": ",".join(names), "port": ",".join(ports), **query}
    if url.username:
        params["user"] = url.username
    if url.password:
        params["password"] = url.password
    if url.database:
        params["dbname"] = url.database
    return psycopg.conninfo.make_conninfo(**params)  # type: ignore[arg-type]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:  # SQLAlchemy's connect event: a DB-API connection
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_engine(db: str | Path, pool_size: int = 10, read_only: bool = False) -> Engine:
    """An engine for ``db``, its schema as found (`migrate` brings it to head; regulator/storage/repository.py does, after
    setting a first receiver's tables aside). ``read_only`` (PostgreSQL only): every transaction is read-only
    (``default_transaction_read_only``), so a standby's regulator writes nothing even where libpq's
    ``prefer-standby`` fell back to the primary."""
    url = normalise_url(db)
    if read_only and url.startswith("sqlite"):
        raise DatabaseUrlError(
            f"--read-only serves a PostgreSQL standby; {db} is SQLite, which has none: give the standby's "
            "postgresql://... URL (target_session_attrs=prefer-standby)"
        )
    if url.startswith("sqlite"):
        if (warning := library_warning()) is not None:
            log.warning("%s", warning)
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # pysqlite's own transaction handling is off so BEGIN IMMEDIATE takes the write lock up front
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None},
            pool_size=pool_size,
            max_overflow=0,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    else:
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=False,
            connect_args={"options": "-c default_transaction_read_only=on"} if read_only else {},
        )
    return engine


class SchemaAhead(Exception):
    """The database's schema is newer than this release's migrations (a downgrade), with what to do."""


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (idempotent: alembic records where it stands); SchemaAhead for a
    database a newer release migrated, which this one must not touch."""
    found = current(engine)
    if found is not None and not known(found):
        raise SchemaAhead(
            f"the regulator database's schema is at revision {found}, newer than this release of sitegw "
            f"({__version__}, whose newest is {head()}): a downgrade cannot use it. Run the release that "
            "migrated it (or a later one), or restore a backup made with this release"
        )
    _alembic(engine, command.upgrade, revision)


def known(revision: str) -> bool:
    """Whether ``revision`` is one of this release's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        return ScriptDirectory.from_config(cfg).get_revision(revision) is not None
    except CommandError:  # a revision these migrations never name
        return False


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base``: empty); for operators undoing a release."""
    _alembic(engine, command.downgrade, revision)


def current(engine: Engine) -> str | None:
    """The revision the database's schema is at (None: no regulator schema)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    """The newest migration's revision: where :func:`migrate` leaves every database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    found = ScriptDirectory.from_config(cfg).get_current_head()
    assert found is not None, "the migrations have one head"
    return found


def _alembic(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        step(cfg, revision)
