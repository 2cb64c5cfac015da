"""The gateway's SQLite: how every one of its databases is opened (alerts, outbox, local store, users), and
one write transaction as they take it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from plumbing.sqlite import sqlite3

# A small WAL, reused: SQLite's WAL grows by the pages of every commit until a checkpoint (by default at
# 1000 pages, 4 MB) and keeps its size after. At one commit per event, 200 alert events made a 4 MB WAL
# around 110 kB of data, and on a full disk that growth ate the reserve kept for alerts
# (gateway/disk_watch.py) in under a minute. At 64 pages the WAL stays near 256 kB, and a WAL grown past
# the limit (a long read held the checkpoint back) is cut back to 1 MB once it is reused. A store written
# in bulk (the local store's readings) passes its own pragmas after these.
SMALL_WAL = ("PRAGMA wal_autocheckpoint = 64", "PRAGMA journal_size_limit = 1048576")


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
    ``synchronous=FULL`` (a commit survives a power cut), a small WAL (``SMALL_WAL``), ``pragmas`` run
    after those and before ``schema`` (some, such as auto_vacuum, must precede the first table), the folder
    made. ``read_only`` opens the file by URI with
    mode=ro, so a query can never create or change it (the file must exist); ``:memory:`` is a database
    of its own."""
    memory = str(path) == ":memory:"
    if not memory and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    target = Path(path).resolve().as_uri() + "?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(target, check_same_thread=False, timeout=10, isolation_level=None, uri=read_only)
    conn.execute("PRAGMA busy_timeout = 10000")
    if not read_only:
        for pragma in (*SMALL_WAL, *pragmas):
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
