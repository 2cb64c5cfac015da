"""The gateway's SQLite: how every one of its databases is opened (alerts, outbox, local store, users), and
one write transaction as they take it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def connect(
    path: str | Path,
    schema: str = "",
    *,
    read_only: bool = False,
    synchronous: str = "FULL",
    pragmas: Sequence[str] = (),
) -> sqlite3.Connection:
    """A connection as the gateway uses them: autocommit (every write transaction explicit, see
    :func:`transaction`), usable from any thread (its owner locks), a 10 s busy timeout, WAL with
    ``synchronous=FULL`` (a commit survives a power cut), ``pragmas`` run before ``schema`` (some, such as
    auto_vacuum, must precede the first table), the folder made. ``read_only`` opens the file by URI with
    mode=ro, so a query can never create or change it (the file must exist); ``:memory:`` is a database
    of its own."""
    memory = str(path) == ":memory:"
    if not memory and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    target = Path(path).resolve().as_uri() + "?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(target, check_same_thread=False, timeout=10, isolation_level=None, uri=read_only)
    conn.execute("PRAGMA busy_timeout = 10000")
    if not read_only:
        for pragma in pragmas:
            conn.execute(pragma)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        if schema:
            conn.executescript(schema)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction on a connection in autocommit mode: BEGIN IMMEDIATE (the write lock at once, so
    it never fails halfway on a lock), COMMIT, or ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
