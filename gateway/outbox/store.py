"""The outbox's disk: one SQLite file (WAL, synchronous=FULL) with every AlertEvent and its deliveries.

Tables: ``events`` (one row per AlertEvent, in arrival order ``seq``), ``deliveries`` (one row per
event and uplink that takes it: pending, delivered or dead), ``dead_letters`` (what a platform
refused, with its answer), ``platforms`` (the platform each uplink delivered to last, as a hash of
its address, to notice a change) and ``dropped`` (events given up because the disk budget ran out).

synchronous=FULL makes every commit fsync the WAL, so an event `put` has returned for survives a
power cut, not only a SIGKILL. A commit costs ~0.25 ms on an idle disk, so puts are not batched.
Only "delivered" marks skip the fsync (see `mark_delivered`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from contract.alert_event import LEVEL_RANK, AlertEvent
from gateway.outbox.sqlite import DurableDb

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    alert_id TEXT NOT NULL,
    level_rank INTEGER NOT NULL,
    queued_at REAL NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries(
    uplink TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    done_at REAL,
    backfill INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uplink, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries(uplink, state, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_seq ON deliveries(seq, state);
CREATE TABLE IF NOT EXISTS dead_letters(
    id INTEGER PRIMARY KEY,
    uplink TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at REAL NOT NULL,
    answer TEXT NOT NULL,
    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS platforms(
    uplink TEXT PRIMARY KEY,
    key_sha256 TEXT NOT NULL,
    shown TEXT NOT NULL,
    since REAL NOT NULL);
CREATE TABLE IF NOT EXISTS dropped(
    event_id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    level_rank INTEGER NOT NULL,
    at REAL NOT NULL,
    uplinks TEXT NOT NULL);
"""

OUTBOX_FILE = "outbox.sqlite"


def platform_digest(key: str) -> str:
    """What the outbox keeps of a platform's address: its SHA-256 (the address may hold a token)."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Pending:
    """One undelivered event for one uplink, as the dispatcher needs it."""

    seq: int
    alert_id: str
    queued_at: float


@dataclass(frozen=True, slots=True)
class Backlog:
    """An uplink's queue: what /metrics and the summary show."""

    uplink: str
    depth: int
    oldest_unsent_s: float
    delivered: int
    dead: int


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """How one event stands with one uplink (for `sitegw events`)."""

    state: str
    attempts: int
    last_error: str
    done_at: float | None
    backfill: bool


class OutboxStore:
    """All SQL of the outbox; thread-safe, every write committed and fsynced before it returns."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._db = DurableDb(path, SCHEMA)
        self._page_size: int = self._db.read("PRAGMA page_size")[0][0]

    def close(self) -> None:
        """Checkpoint and close the file."""
        self._db.close()

    # --- writes -------------------------------------------------------------------------------------

    def put(self, event: AlertEvent, uplinks: list[str]) -> bool:
        """Store the event with a pending delivery per uplink; durable on return. False if already stored."""
        body = event.model_dump_json()
        with self._db.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO events(event_id, alert_id, level_rank, queued_at, body) VALUES (?,?,?,?,?)",
                (event.event_id, event.alert_id, LEVEL_RANK[event.level], time.time(), body),
            )
            if cur.rowcount == 0:
                return False
            db.executemany(
                "INSERT INTO deliveries(uplink, seq, state) VALUES (?, ?, 'pending')",
                [(u, cur.lastrowid) for u in uplinks],
            )
        return True

    def mark_delivered(self, uplink: str, delivered: list[tuple[int, bool]]) -> None:
        """Record confirmed deliveries ``(seq, sent_as_backfill)`` in one commit.

        Not fsynced: a mark lost to a power cut only re-sends events the platform already has, which
        it drops by event_id, and it saves one disk flush per delivery.
        """
        now = time.time()
        with self._db.transaction(fsync=False) as db:
            db.executemany(
                "UPDATE deliveries SET state='delivered', attempts=attempts+1, done_at=?, backfill=?, "
                "last_error='' WHERE uplink=? AND seq=?",
                [(now, int(bf), uplink, seq) for seq, bf in delivered],
            )

    def record_failure(self, uplink: str, seq: int, error: str) -> None:
        """Count a failed attempt that will be retried."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE deliveries SET attempts=attempts+1, last_error=? WHERE uplink=? AND seq=?",
                (error[:2000], uplink, seq),
            )

    def dead_letter(self, uplink: str, seq: int, answer: str) -> None:
        """The platform refused this event for good: keep it, with the answer, in dead_letters."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE deliveries SET state='dead', attempts=attempts+1, last_error=?, done_at=? "
                "WHERE uplink=? AND seq=?",
                (answer[:2000], time.time(), uplink, seq),
            )
            db.execute(
                "INSERT INTO dead_letters(uplink, event_id, at, answer, body) "
                "SELECT ?, event_id, ?, ?, body FROM events WHERE seq=?",
                (uplink, time.time(), answer, seq),
            )

    def requeue_dead(self, uplink: str) -> int:
        """Make an uplink's refused events pending again (after fixing its secret or mapping); returns how many.

        They go out in arrival order, so a requeued event can reach the platform after a later event
        of the same alert that was delivered meanwhile: the event's ts still tells the true order.
        """
        with self._db.transaction() as db:
            return db.execute(
                "UPDATE deliveries SET state='pending', attempts=0, done_at=NULL "
                "WHERE uplink=? AND state='dead'",
                (uplink,),
            ).rowcount

    # --- reads --------------------------------------------------------------------------------------

    def platform(self, uplink: str) -> tuple[str, str] | None:
        """The hash and the shown form of the platform ``uplink`` last delivered to; None before its first run."""
        rows = self._db.read("SELECT key_sha256, shown FROM platforms WHERE uplink = ?", (uplink,))
        return (rows[0][0], rows[0][1]) if rows else None

    def open_alert_events(self) -> list[tuple[int, AlertEvent]]:
        """Every stored event of the alerts whose latest stored event is not ``resolved``, in order."""
        latest: dict[str, str] = {}
        events: list[tuple[int, AlertEvent]] = []
        for seq, body in self._db.read("SELECT seq, body FROM events ORDER BY seq"):
            event = AlertEvent.model_validate_json(body)
            latest[event.alert_id] = event.state
            events.append((seq, event))
        return [(seq, e) for seq, e in events if latest[e.alert_id] != "resolved"]

    def switch_platform(self, uplink: str, key: str, shown: str, requeue: list[int]) -> None:
        """``uplink`` now delivers to the platform ``key``: the events ``requeue`` go to it again
        (pending, attempts reset), in one transaction with the new platform's record."""
        digest = platform_digest(key)
        with self._db.transaction() as c:
            c.executemany(
                "INSERT INTO deliveries(uplink, seq, state) VALUES (?, ?, 'pending') "
                "ON CONFLICT(uplink, seq) DO UPDATE SET state = 'pending', attempts = 0, "
                "last_error = '', done_at = NULL, backfill = 0",
                [(uplink, seq) for seq in requeue],
            )
            c.execute(
                "INSERT INTO platforms(uplink, key_sha256, shown, since) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(uplink) DO UPDATE SET key_sha256 = excluded.key_sha256, "
                "shown = excluded.shown, since = excluded.since",
                (uplink, digest, shown, time.time()),
            )

    def pending(self, uplink: str, limit: int) -> list[Pending]:
        """The oldest undelivered events of one uplink, in arrival order."""
        rows = self._db.read(
            "SELECT d.seq, e.alert_id, e.queued_at FROM deliveries d JOIN events e ON e.seq = d.seq "
            "WHERE d.uplink=? AND d.state='pending' ORDER BY d.seq LIMIT ?",
            (uplink, limit),
        )
        return [Pending(*r) for r in rows]

    def body(self, seq: int) -> str:
        """The stored JSON of one event."""
        body: str = self._db.read("SELECT body FROM events WHERE seq=?", (seq,))[0][0]
        return body

    def has_pending(self, uplink: str) -> bool:
        """Whether ``uplink`` has an event not yet delivered (one indexed row read: asked before every
        patrol picture, which waits behind alerts)."""
        return bool(
            self._db.read("SELECT 1 FROM deliveries WHERE uplink=? AND state='pending' LIMIT 1", (uplink,))
        )

    def backlog(self, uplink: str) -> Backlog:
        """Depth, oldest age and totals of one uplink's queue."""
        counts = dict(
            self._db.read("SELECT state, COUNT(*) FROM deliveries WHERE uplink=? GROUP BY state", (uplink,))
        )
        oldest = self._db.read(
            "SELECT e.queued_at FROM deliveries d JOIN events e ON e.seq = d.seq "
            "WHERE d.uplink=? AND d.state='pending' ORDER BY d.seq LIMIT 1",
            (uplink,),
        )
        age = max(0.0, time.time() - oldest[0][0]) if oldest else 0.0
        return Backlog(
            uplink, counts.get("pending", 0), age, counts.get("delivered", 0), counts.get("dead", 0)
        )

    def events(self) -> Iterator[tuple[AlertEvent, float, dict[str, DeliveryState]]]:
        """Every stored event in arrival order with its queue time and its state per uplink."""
        last = 0
        while True:
            rows = self._db.read(
                "SELECT seq, queued_at, body FROM events WHERE seq > ? ORDER BY seq LIMIT 500", (last,)
            )
            if not rows:
                return
            states = self._db.read(
                "SELECT seq, uplink, state, attempts, last_error, done_at, backfill FROM deliveries "
                "WHERE seq > ? AND seq <= ?",
                (last, rows[-1][0]),
            )
            per_seq: dict[int, dict[str, DeliveryState]] = {}
            for seq, uplink, state, attempts, error, done_at, backfill in states:
                per_seq.setdefault(seq, {})[uplink] = DeliveryState(
                    state, attempts, error, done_at, bool(backfill)
                )
            for seq, queued_at, body in rows:
                yield AlertEvent.model_validate_json(body), queued_at, per_seq.get(seq, {})
            last = rows[-1][0]

    def dropped(self) -> list[tuple[str, str, float, str]]:
        """Events given up for lack of disk: (event_id, alert_id, when, uplinks they were pending for)."""
        return self._db.read("SELECT event_id, alert_id, at, uplinks FROM dropped ORDER BY at")

    def dropped_count(self) -> int:
        """How many events were given up for lack of disk, ever."""
        count: int = self._db.read("SELECT COUNT(*) FROM dropped")[0][0]
        return count

    # --- disk budget --------------------------------------------------------------------------------

    def used_bytes(self) -> int:
        """Bytes the database's live pages take (free pages are reused, so this is what the budget counts)."""
        pages: int = self._db.read("PRAGMA page_count")[0][0]
        free: int = self._db.read("PRAGMA freelist_count")[0][0]
        return (pages - free) * self._page_size

    def prune(self, keep_done_s: float) -> int:
        """Forget events done on every uplink longer than ``keep_done_s`` ago; over budget, older done ones too,
        then (last resort) the oldest pending events, lowest level first. Returns events removed."""
        removed = self._delete_done(time.time() - keep_done_s)
        while self.max_bytes is not None and self.used_bytes() > self.max_bytes:
            n = self._delete_done(None, limit=200) or self._drop_pending(limit=50)
            if n == 0:
                break
            removed += n
        return removed

    def _delete_done(self, before: float | None, limit: int = -1) -> int:
        cond = "" if before is None else "AND e.queued_at < :before"
        with self._db.transaction() as db:
            return db.execute(
                f"DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE NOT EXISTS ("
                f"SELECT 1 FROM deliveries d WHERE d.seq = e.seq AND d.state='pending') {cond} "
                "ORDER BY e.seq LIMIT :limit)",
                {"before": before, "limit": limit},
            ).rowcount

    def _drop_pending(self, limit: int) -> int:
        with self._db.transaction() as db:
            victims = db.execute(
                "SELECT e.seq, e.event_id, e.alert_id, e.level_rank, "
                "(SELECT group_concat(uplink) FROM deliveries d WHERE d.seq=e.seq AND d.state='pending') "
                # one level per round: the budget is checked again before a higher level is touched
                "FROM events e WHERE e.level_rank = (SELECT min(level_rank) FROM events) "
                "ORDER BY e.seq LIMIT ?",
                (limit,),
            ).fetchall()
            now = time.time()
            db.executemany(
                "INSERT OR REPLACE INTO dropped VALUES (?,?,?,?,?)",
                [(eid, aid, rank, now, ups or "") for _, eid, aid, rank, ups in victims],
            )
            db.executemany("DELETE FROM events WHERE seq=?", [(v[0],) for v in victims])
        for _, eid, aid, rank, ups in victims:
            log.error(
                "outbox over its disk budget: dropped undelivered event %s (alert %s, level rank %d) "
                "pending for %s; raise outbox.max_disk_mb or restore the uplink",
                eid,
                aid,
                rank,
                ups,
            )
        return len(victims)
