"""One SQLite write transaction, as the local store and DurableDb (gateway/outbox/sqlite.py) take it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


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
