"""The site's safety logs and what of them waits for the regulators, in ``<state-dir>/safety_logs.sqlite``
(gateway/outbox/sqlite.py's DurableDb: WAL, synchronous=FULL).

``logs`` holds one row per day: the gateway's draft (redrafted until it is signed), the safety officer's
edits, and the signature, after which the row never changes. Signing queues the signed log, in the same
transaction, for every regulator uplink; a finished day's key-people attendance is queued once the same way.
A delivery is ``delivered`` only on the regulator's receipt naming the day, and retried until then, so a
signed log or an attendance day survives a restart or a power cut and reaches each regulator (which keeps one
per project and day: a retry after a lost answer stores nothing twice).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from contract.safety_log import KeyAttendance, SafetyLog, SafetyLogContent
from gateway.outbox.sqlite import DurableDb
from gateway.uplinks.durable_sender import Wakers
from plumbing.sqlite import sqlite3

FILE = "safety_logs.sqlite"
Doc = Literal["log", "attendance"]
SCHEMA = """
CREATE TABLE IF NOT EXISTS logs(
    day TEXT PRIMARY KEY,
    drafted_at REAL NOT NULL,
    content TEXT NOT NULL,
    edited_by TEXT NOT NULL DEFAULT '',
    signed_by TEXT NOT NULL DEFAULT '',
    signed_at REAL);
CREATE TABLE IF NOT EXISTS outgoing(
    doc TEXT NOT NULL CHECK (doc IN ('log', 'attendance')),
    day TEXT NOT NULL,
    queued_at REAL NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (doc, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deliveries(
    uplink TEXT NOT NULL,
    doc TEXT NOT NULL,
    day TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    done_at REAL,
    PRIMARY KEY (uplink, doc, day),
    FOREIGN KEY (doc, day) REFERENCES outgoing(doc, day)) WITHOUT ROWID;
"""


class LogError(ValueError):
    """A change the log does not take (no draft of that day, already signed); the message says why."""


@dataclass(frozen=True, slots=True)
class LogRow:
    """One day's log as the dashboard shows it."""

    day: date
    drafted_at: float
    content: SafetyLogContent
    edited_by: str
    signed_by: str
    signed_at: float | None
    deliveries: dict[str, str]  # uplink -> pending, delivered or dead


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A body waiting for one uplink."""

    doc: Doc
    day: date
    body: bytes


class SafetyLogStore(Wakers):
    """One site's logs, with their deliveries to ``uplinks`` (regulator uplink names); `notify` wakes the
    senders after `sign` or `queue_attendance`."""

    def __init__(self, path: Path, project: str, uplinks: list[str]) -> None:
        super().__init__()
        self.project = project
        self.uplinks = uplinks
        self._db = DurableDb(path, SCHEMA)

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def save_draft(self, day: date, content: SafetyLogContent, now: float) -> bool:
        """Keep ``content`` as ``day``'s draft, keeping the safety officer's weather and work notes; False when
        the day is signed (a signed log never changes)."""
        row = self.get(day)
        if row is not None:
            if row.signed_at is not None:
                return False
            content = content.model_copy(update={"weather": row.content.weather, "work": row.content.work})
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO logs(day, drafted_at, content) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET "
                "drafted_at = excluded.drafted_at, content = excluded.content WHERE logs.signed_at IS NULL",
                (day.isoformat(), now, content.model_dump_json()),
            )
        return True

    def edit(self, day: date, weather: str, work: str, by: str) -> LogRow:
        """The safety officer's words for ``day`` (天气, 今日施工内容 and notes); LogError when there is no
        draft or it is signed."""
        row = self._unsigned(day)
        content = row.content.model_copy(update={"weather": weather, "work": work})
        with self._db.transaction() as db:
            db.execute(
                "UPDATE logs SET content = ?, edited_by = ? WHERE day = ? AND signed_at IS NULL",
                (content.model_dump_json(), by, day.isoformat()),
            )
        return self._row(day)

    def sign(self, day: date, by: str, now: float) -> LogRow:
        """Sign ``day``'s log as ``by`` and queue it for every regulator uplink, in one transaction."""
        row = self._unsigned(day)
        signed = SafetyLog(project=self.project, day=day, content=row.content, signed_by=by, signed_at=now)
        with self._db.transaction() as db:
            db.execute(
                "UPDATE logs SET signed_by = ?, signed_at = ? WHERE day = ?", (by, now, day.isoformat())
            )
            self._queue(db, "log", day, signed.model_dump_json())
        return self._row(day)

    def attendance_queued(self, day: date) -> bool:
        """Whether ``day``'s attendance is queued (or sent) already."""
        return bool(
            self._db.read("SELECT 1 FROM outgoing WHERE doc = 'attendance' AND day = ?", (day.isoformat(),))
        )

    def queue_attendance(self, attendance: KeyAttendance) -> None:
        """Queue a finished day's attendance for every uplink (once: `attendance_queued` says whether it is)."""
        with self._db.transaction() as db:
            self._queue(db, "attendance", attendance.day, attendance.model_dump_json())

    def _queue(self, db: sqlite3.Connection, doc: Doc, day: date, body: str) -> None:
        db.execute(
            "INSERT INTO outgoing(doc, day, queued_at, body) VALUES (?, ?, ?, ?)",
            (doc, day.isoformat(), time.time(), body),
        )
        db.executemany(
            "INSERT INTO deliveries(uplink, doc, day, state) VALUES (?, ?, ?, 'pending')",
            [(u, doc, day.isoformat()) for u in self.uplinks],
        )

    def _unsigned(self, day: date) -> LogRow:
        row = self.get(day)
        if row is None:
            raise LogError(
                f"no safety log of {day} yet: draft it first (POST /api/v1/safety-logs/{day}/draft)"
            )
        if row.signed_at is not None:
            raise LogError(
                f"the safety log of {day} was signed by {row.signed_by}: a signed log never changes"
            )
        return row

    def _row(self, day: date) -> LogRow:
        row = self.get(day)
        assert row is not None  # written just before, in this thread
        return row

    def get(self, day: date) -> LogRow | None:
        """``day``'s log, or None when not drafted."""
        rows = self._db.read(
            "SELECT day, drafted_at, content, edited_by, signed_by, signed_at FROM logs WHERE day = ?",
            (day.isoformat(),),
        )
        return self._as_row(rows[0]) if rows else None

    def listing(self, limit: int = 60) -> list[LogRow]:
        """The newest days first."""
        rows = self._db.read(
            "SELECT day, drafted_at, content, edited_by, signed_by, signed_at FROM logs ORDER BY day DESC LIMIT ?",
            (limit,),
        )
        return [self._as_row(r) for r in rows]

    def _as_row(self, r: tuple[object, ...]) -> LogRow:
        day, drafted_at, content, edited_by, signed_by, signed_at = r
        states = self._db.read("SELECT uplink, state FROM deliveries WHERE doc = 'log' AND day = ?", (day,))
        return LogRow(
            date.fromisoformat(str(day)),
            float(drafted_at),  # type: ignore[arg-type]
            SafetyLogContent.model_validate_json(str(content)),
            str(edited_by),
            str(signed_by),
            None if signed_at is None else float(signed_at),  # type: ignore[arg-type]
            {str(u): str(s) for u, s in states},
        )

    # ---- the senders' side ---------------------------------------------------------------------------

    def oldest(self, uplink: str) -> Outgoing | None:
        """``uplink``'s oldest pending body, or None."""
        rows = self._db.read(
            "SELECT o.doc, o.day, o.body FROM deliveries d JOIN outgoing o ON o.doc = d.doc AND o.day = d.day "
            "WHERE d.uplink = ? AND d.state = 'pending' ORDER BY o.queued_at LIMIT 1",
            (uplink,),
        )
        if not rows:
            return None
        doc, day, body = rows[0]
        return Outgoing(doc, date.fromisoformat(day), body.encode())

    def delivered(self, uplink: str, item: Outgoing) -> None:
        """The regulator holds ``item``."""
        self._mark(uplink, item, "state = 'delivered', done_at = ?", (time.time(),))

    def failed(self, uplink: str, item: Outgoing, answer: str, dead: bool) -> None:
        """An attempt failed (``dead``: refused for good, not retried)."""
        self._mark(
            uplink,
            item,
            "attempts = attempts + 1, answer = ?, state = ?, done_at = ?",
            (answer, "dead" if dead else "pending", time.time() if dead else None),
        )

    def _mark(self, uplink: str, item: Outgoing, sets: str, args: tuple[object, ...]) -> None:
        with self._db.transaction() as db:
            db.execute(
                f"UPDATE deliveries SET {sets} WHERE uplink = ? AND doc = ? AND day = ?",
                (*args, uplink, item.doc, item.day.isoformat()),
            )
