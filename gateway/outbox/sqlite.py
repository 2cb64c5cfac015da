"""Durable SQLite, shared by the outbox and the regulator's repository: one connection behind a lock,
WAL with synchronous=FULL (every commit fsyncs), explicit transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gateway.sqlite_tx import connect, transaction
from plumbing.sqlite import sqlite3


class DurableDb:
    """A thread-safe SQLite connection whose commits survive SIGKILL and power loss."""

    def __init__(self, path: Path, schema: str) -> None:
        self.lock = threading.Lock()
        self.conn = connect(path, schema, pragmas=["PRAGMA foreign_keys=ON"])

    @contextmanager
    def transaction(self, fsync: bool = True) -> Iterator[sqlite3.Connection]:
        """The lock held, BEGIN IMMEDIATE ... COMMIT, ROLLBACK if the block raises.

        ``fsync=False`` commits without waiting for the disk (synchronous=NORMAL for this commit): still
        safe against SIGKILL, and after a power cut only such commits can be lost, so use it only for
        writes whose loss is harmless (the next fsynced commit makes them durable too).
        """
        with self.lock:
            if not fsync:
                self.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with transaction(self.conn):
                    yield self.conn
            finally:
                if not fsync:
                    self.conn.execute("PRAGMA synchronous=FULL")

    def read(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """All rows of one query, under the lock."""
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed)."""
        with self.lock:
            self.conn.close()
