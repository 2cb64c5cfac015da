"""The regulator's storage behind one small repository class (SQLite now; PostgreSQL later).

Ingest (regulator/ingest.py) decides what is acceptable; this module only keeps things durably:
projects and their secrets, nonces seen within the replay window, events (idempotent by event_id)
and their evidence. A request's nonce and its event are written in one commit (one fsync, with
synchronous=FULL) before the receiver answers, so an event answered 2xx survives a power cut.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from gateway.alerts.event import AlertEvent
from gateway.outbox.sqlite import DurableDb

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


class NonceReused(Exception):
    """The request's nonce was already used within the replay window."""


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
    """SQLite-backed storage; thread-safe, every write fsynced before it returns."""

    def __init__(self, db: str | Path) -> None:
        self._db = DurableDb(sqlite_path(str(db)), SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def add_project(self, code: str, name: str, city: str, secret: str) -> None:
        """Register a project, or replace its name, city and secret."""
        with self._db.transaction() as db:
            db.execute("INSERT INTO projects VALUES (?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                       "name=excluded.name, city=excluded.city, secret=excluded.secret",
                       (code, name, city, secret, time.time()))

    def project(self, code: str) -> Project | None:
        """The project with this code, if registered."""
        rows = self._db.read("SELECT code, name, city, secret FROM projects WHERE code=?", (code,))
        return Project(*rows[0]) if rows else None

    def store_event(self, event: AlertEvent, nonce: str, keep_nonce_s: float,
                    evidence: Evidence | None = None) -> bool:
        """Remember the request's nonce and store the event with its evidence, all in one commit.

        Returns False if this event_id was stored before (the nonce is still remembered); raises
        `NonceReused` if the nonce was seen within ``keep_nonce_s`` (nothing is written then).
        """
        now = time.time()
        with self._db.transaction() as db:
            db.execute("DELETE FROM nonces WHERE expires_at < ?", (now,))
            try:
                db.execute("INSERT INTO nonces VALUES (?,?,?)", (event.project, nonce, now + keep_nonce_s))
            except sqlite3.IntegrityError:
                raise NonceReused(nonce) from None
            new = db.execute(
                "INSERT OR IGNORE INTO events(event_id, project, alert_id, device, rule, level, state, ts, "
                "backfill, received_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (event.event_id, event.project, event.alert_id, event.device, event.rule, event.level,
                 event.state, event.ts, int(event.backfill), now, event.model_dump_json())).rowcount == 1
            if new and evidence is not None:
                db.execute("INSERT INTO evidence VALUES (?,?,?,?)",
                           (event.event_id, evidence.kind, evidence.jpeg, evidence.url))
        return new

    def events(self, project: str | None = None) -> list[StoredEvent]:
        """Stored events in the order they were received."""
        where, args = ("WHERE project=?", (project,)) if project else ("", ())
        rows = self._db.read(f"SELECT id, received_at, body FROM events {where} ORDER BY id", args)  # noqa: S608
        return [StoredEvent(i, at, AlertEvent.model_validate_json(body)) for i, at, body in rows]

    def evidence_jpeg(self, event_id: str) -> bytes | None:
        """The evidence JPEG stored with an event, if it came inline."""
        rows = self._db.read("SELECT jpeg FROM evidence WHERE event_id=? AND kind='jpeg'", (event_id,))
        return rows[0][0] if rows else None

