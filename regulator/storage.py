"""The regulator's storage behind one small repository class (SQLite now; PostgreSQL later).

Ingest (regulator/ingest.py) decides what is acceptable; this module only keeps things durably:
projects and their secrets, nonces seen within the replay window, events (idempotent by event_id)
and their evidence. Every write commits with synchronous=FULL before it returns, so an event the
receiver answered 2xx for survives a power cut.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gateway.alerts.event import AlertEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects(
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS nonces(
    project TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (project, nonce)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL REFERENCES projects(code),
    alert_id TEXT NOT NULL,
    device TEXT NOT NULL,
    rule TEXT NOT NULL,
    level TEXT NOT NULL,
    state TEXT NOT NULL,
    ts REAL NOT NULL,
    backfill INTEGER NOT NULL,
    received_at REAL NOT NULL,
    body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_alert ON events(project, alert_id, id);
CREATE TABLE IF NOT EXISTS evidence(
    event_id TEXT PRIMARY KEY REFERENCES events(event_id),
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'url')),
    jpeg BLOB,
    url TEXT);
"""


@dataclass(frozen=True, slots=True)
class Project:
    """A registered project and its signing secret."""

    code: str
    name: str
    city: str
    secret: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """An event's evidence as stored: an inline JPEG or a URL."""

    kind: str
    jpeg: bytes | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the regulator keeps it: receive order ``id`` and time, and the event."""

    id: int
    received_at: float
    event: AlertEvent


def sqlite_path(db: str) -> Path:
    """The file of a ``sqlite:///PATH`` URL (or a plain path)."""
    for prefix in ("sqlite:///", "sqlite://"):
        if db.startswith(prefix):
            return Path(db[len(prefix):])
    if "://" in db:
        raise ValueError(f"unsupported database URL {db!r}: only sqlite:///PATH (or a file path) for now")
    return Path(db)


class Repository:
    """SQLite-backed storage; thread-safe (one connection behind a lock)."""

    def __init__(self, db: str | Path) -> None:
        path = sqlite_path(str(db))
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def add_project(self, code: str, name: str, city: str, secret: str) -> None:
        """Register a project, or replace its name, city and secret."""
        with self._lock:
            self._db.execute("INSERT INTO projects VALUES (?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                             "name=excluded.name, city=excluded.city, secret=excluded.secret",
                             (code, name, city, secret, time.time()))

    def project(self, code: str) -> Project | None:
        """The project with this code, if registered."""
        with self._lock:
            row = self._db.execute("SELECT code, name, city, secret FROM projects WHERE code=?", (code,)).fetchone()
        return Project(*row) if row else None

    def use_nonce(self, project: str, nonce: str, keep_s: float) -> bool:
        """Remember a nonce for ``keep_s`` seconds; False if it was already seen (a replay)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM nonces WHERE expires_at < ?", (now,))
                fresh = self._db.execute("INSERT OR IGNORE INTO nonces VALUES (?,?,?)",
                                         (project, nonce, now + keep_s)).rowcount == 1
            finally:
                self._db.execute("COMMIT")
        return fresh

    def store_event(self, event: AlertEvent, evidence: Evidence | None = None) -> bool:
        """Store the event and its evidence in one commit; False if this event_id was stored before."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                new = self._db.execute(
                    "INSERT OR IGNORE INTO events(event_id, project, alert_id, device, rule, level, state, ts, "
                    "backfill, received_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (event.event_id, event.project, event.alert_id, event.device, event.rule, event.level,
                     event.state, event.ts, int(event.backfill), time.time(), event.model_dump_json())).rowcount == 1
                if new and evidence is not None:
                    self._db.execute("INSERT INTO evidence VALUES (?,?,?,?)",
                                     (event.event_id, evidence.kind, evidence.jpeg, evidence.url))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return new

    def events(self, project: str | None = None) -> list[StoredEvent]:
        """Stored events in the order they were received."""
        where, args = ("WHERE project=?", (project,)) if project else ("", ())
        with self._lock:
            rows = self._db.execute(f"SELECT id, received_at, body FROM events {where} ORDER BY id",  # noqa: S608
                                    args).fetchall()
        return [StoredEvent(i, at, AlertEvent.model_validate_json(body)) for i, at, body in rows]

    def evidence_jpeg(self, event_id: str) -> bytes | None:
        """The evidence JPEG stored with an event, if it came inline."""
        with self._lock:
            row = self._db.execute("SELECT jpeg FROM evidence WHERE event_id=? AND kind='jpeg'",
                                   (event_id,)).fetchone()
        return row[0] if row else None

