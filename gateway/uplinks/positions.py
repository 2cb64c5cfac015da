"""How far each periodic uplink has read the local store: a cursor per sender (the regulator's readings
summaries, the crane records), in a small SQLite file of its own (``uplink_positions.sqlite``).

A position moves only forward, and only once the platform took (or refused for good) what lay before it,
so a restart resends nothing it took and skips nothing it did not. Positions kept by an older gateway in
the alert database (its ``regulator_cursor`` table, under names with a ``:``) are carried over the first
time the file is made, so an upgrade neither resends a month nor starts an hour back.
"""

from __future__ import annotations

import threading
from pathlib import Path

from gateway.sqlite_tx import connect, transaction
from plumbing.sqlite import sqlite3

SCHEMA = "CREATE TABLE IF NOT EXISTS position (name TEXT PRIMARY KEY, after INTEGER NOT NULL);"


class ReadPositions:
    """The read positions of a gateway's periodic uplinks (thread-safe: the senders write from workers)."""

    def __init__(self, path: str | Path, carried_from: Path | None = None) -> None:
        new = str(path) == ":memory:" or not Path(path).exists()
        self._db = connect(path, SCHEMA)
        self._lock = threading.Lock()
        if new and carried_from is not None and carried_from.exists():
            self._carry(carried_from)

    def get(self, name: str) -> int:
        """The position of ``name`` (0: it has not read anything yet)."""
        with self._lock:
            row = self._db.execute("SELECT after FROM position WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def advance(self, name: str, after: int) -> None:
        """Move ``name`` to ``after`` (never backwards), durably."""
        with self._lock, transaction(self._db):
            self._db.execute(
                "INSERT INTO position VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET after = MAX(after, excluded.after)",
                (name, after),
            )

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def _carry(self, alerts_db: Path) -> None:
        old = connect(alerts_db, read_only=True)  # the gateway's own way: a busy writer is waited for
        try:
            rows = old.execute(
                "SELECT uplink, after FROM regulator_cursor WHERE uplink LIKE '%:%'"
            ).fetchall()
        except sqlite3.OperationalError:  # no such table: an alert database from before the cursors
            rows = []
        finally:
            old.close()
        for name, after in rows:
            self.advance(name, int(after))
