"""The embedded history every gateway keeps: SQLite (WAL), written by one thread in batches.

``add`` (a bus handler) only appends the batch to a queue, so the event loop never waits on the
disk. The writer thread wakes every ``flush_interval_s`` (or early once many readings wait),
turns everything queued into compact rows and commits them in one transaction. Every
``maintenance_interval_s`` it applies the retention and the disk budget (local_trim). Reads go
through :attr:`LocalStore.reader` (local_query), on their own connections.

A reading whose minute ended more than ``LATE_AFTER_S`` before its commit may belong to a minute the
readings summaries already sent: the same transaction marks that (series, minute) in ``late_minutes``
for each uplink named in ``late_for``, one row per minute however many readings it got, and the
uplink's sender removes the marks it delivered through :meth:`LocalStore.forget_late`, which the
writer thread runs like any other write.

While more than ``BEHIND_AT`` readings wait and the writer is working through them, :meth:`LocalStore.behind` says
so: the gateway's MQTT intake then stops taking messages off its brokers (drivers/mqtt/link.py), so a burst waits
at the broker instead of in this queue.

While the disk is full (``may_write`` false, gateway/disk_watch.py) readings wait in memory, in order, up to
``max_held_readings``; past that the writer drops the oldest (newest kept: the latest state of every
device is what a site looks at after an outage), counts them (:attr:`LocalStore.dropped`,
``sitegw_store_dropped_total``) and says so in the log once per outage, with the time span lost, when it
starts dropping and when the disk is writable again. Alerts never wait here: they go to their own
stores, which have the disk's reserve.

The cut is taken from the latest time the clock ever read at a commit, kept in the file, not from the
clock alone: when the clock is set back (an NTP step after weeks of drift, a correction after it ran
ahead), the summaries have already read minutes up to the clock's old time, and a live reading stamped
before that time would otherwise reach none of them. While the clock is behind, every reading is marked.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from gateway.sqlite_tx import transaction
from gateway.store.local_query import HistoryReader, LateMark
from gateway.store.local_schema import QUALITY_CODES, open_store
from gateway.store.local_trim import TrimReport, trim
from plumbing.sqlite import sqlite3

log = logging.getLogger(__name__)

# readings waiting before the writer commits without waiting for the interval
EARLY_COMMIT = 10_000
# readings waiting at which the store says it is behind (``behind``): the MQTT intake then leaves the rest of a
# burst at the broker. Four early commits' worth, so the writer always has a commit's worth while the intake
# waits; at about 150 bytes a reading, 6 MB.
BEHIND_AT = 40_000
# a writer that has not finished a pass for this long (a commit failing and retried, a disk gone slow) no
# longer holds the intake back: the rules must keep getting live readings, and what waits is the store's
# own to bound (``max_held_readings`` while the disk is full)
STALL_S = 10.0
_INSERT = "INSERT OR IGNORE INTO readings (series_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)"
# Rows go in a hundred to a statement: sqlite3 lets go of the GIL around every step of a statement, and a
# row a step made the writer wait for the event loop to give the GIL back once per row (issue #20:
# 1.70 -> 1.29 µs of CPU a reading in ingest_stages.py's store stage)
ROWS_PER_INSERT = 100
_INSERT_MANY = _INSERT + ", (?, ?, ?, ?, ?)" * (ROWS_PER_INSERT - 1)
# a newer mark of a minute replaces the older one's seq, so a sender holding the older one leaves it in place
_MARK = (
    "INSERT INTO late_minutes (uplink, minute, series_id, seq) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (uplink, minute, series_id) DO UPDATE SET seq = excluded.seq"
)
_FORGET = "DELETE FROM late_minutes WHERE uplink = ? AND minute = ? AND series_id = ? AND seq = ?"
# A reading is late when its minute ended this long before the commit. The summaries read a minute only
# once it ended SETTLE_S (60 s) ago, so a minute ending later than 30 s before the commit cannot have been
# read before the commit made the reading visible, and live readings (committed every <= 10 s) are never
# marked; the other 30 s cover the time between taking this instant and the commit.
LATE_AFTER_S = 30.0
_NEVER = -(1 << 62)  # the cut when no uplink wants late minutes: no ts is before it

Row = tuple[int, int, float | None, str | None, int]


class LocalStore:
    """SQLite history at ``path``: ``start()``, ``add(batch)`` from the bus, ``stop()``. While
    ``may_write()`` is false (a full disk, gateway/disk_watch.py) readings wait in memory, in order.

    ``start`` and ``stop`` block briefly (opening the file, the last commit): from async code call
    them with ``asyncio.to_thread``.
    """

    def __init__(
        self,
        path: Path,
        cfg: LocalStoreConfig,
        maintenance_interval_s: float = 10.0,
        late_for: Collection[str] = (),
        clock: Callable[[], float] = time.time,
        may_write: Callable[[], bool] = lambda: True,
    ) -> None:
        self.path = path
        self._may_write = may_write  # False while the disk is full: readings wait in memory
        self.cfg = cfg
        self.late_for = tuple(late_for)  # the uplinks whose summaries send late minutes again
        self.reader = HistoryReader(path)
        self._maintenance_interval_s = maintenance_interval_s
        self._queue: deque[Sequence[Reading]] = deque()
        self._lock = threading.Lock()
        self._committed_cv = threading.Condition(self._lock)
        self._added = 0
        self._committed = 0
        self.dropped = 0  # readings dropped, oldest first, while the disk was full (the cap)
        self._outage: _Dropped | None = None  # this disk-full outage's drops, for the log
        self._wake = threading.Event()
        self._stopping = False
        self._passed_at = time.monotonic()  # the writer's last pass that left nothing queued or committed
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._series: dict[tuple[str, str, str, str], int] = {}
        self._trims_wanted = 0
        self._trims_done = 0
        self._last_trim: TrimReport | None = None
        self._late_seq = 0  # the last commit that marked late minutes
        self._clock = clock
        self._clock_high_ms = 0  # the latest time the clock read at a commit, ever (meta clock_high_ms)
        self._clock_behind = False  # said in the log: the clock reads before clock_high_ms
        self._forgets: deque[tuple[str, Sequence[LateMark], int | None, Future[int]]] = deque()
        self.rejected = 0  # readings that could not be stored at all (their ts or value unusable)

    def start(self) -> None:
        """Open (or create) the file and start the writer thread; raises StoreError if unusable."""
        self._thread = threading.Thread(target=self._run, name="local-store", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._start_error is not None:
            self._thread.join()
            raise self._start_error

    def stop(self, timeout: float = 30.0) -> None:
        """Commit everything added so far and stop the writer."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error(
                "local store: writer still busy after %.0f s at stop; %d readings not committed",
                timeout,
                self.pending,
            )
        self._thread = None

    def add(self, batch: Sequence[Reading]) -> None:
        """Bus handler: queue ``batch`` for the writer (cheap, never touches the disk)."""
        self._queue.append(batch)
        with self._lock:
            self._added += len(batch)
            if self._added - self._committed >= EARLY_COMMIT:
                self._wake.set()

    @property
    def pending(self) -> int:
        """Readings added but not committed (nor dropped) yet."""
        return self._added - self._committed - self.dropped

    def behind(self) -> bool:
        """Whether the intake should wait for the writer: ``BEHIND_AT`` readings or more pending while the
        writer commits them (any thread may ask). Never while the disk is full, nor once the writer has
        finished no pass for ``STALL_S``: the rules must not wait on a store that cannot write."""
        return (
            self.pending >= BEHIND_AT and time.monotonic() - self._passed_at < STALL_S and self._may_write()
        )

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every reading added before this call is committed; False on timeout."""
        return self._settled(timeout)[0]

    def flush_stored(self, timeout: float = 30.0) -> bool:
        """Like :meth:`flush`, for a caller that tells another party the readings are safe (a data logger's
        acknowledgement, drivers/modbus/history.py): True only when every reading added before this call is
        committed; False on timeout, and when readings were dropped meanwhile (a full disk), as they may
        have been among those."""
        done, dropped = self._settled(timeout)
        return done and not dropped

    def _settled(self, timeout: float) -> tuple[bool, bool]:
        """Wait until every reading added before this call is committed or dropped: whether they are (False
        on timeout), and whether any reading was dropped meanwhile."""
        self._require_running()
        with self._lock:
            target, dropped = self._added, self.dropped
            self._wake.set()
            done = self._committed_cv.wait_for(lambda: self._committed + self.dropped >= target, timeout)
            return done, self.dropped != dropped

    def maintain(self, timeout: float = 60.0) -> TrimReport | None:
        """Run retention and budget enforcement now (normally periodic) and return what it did."""
        self._require_running()
        with self._lock:
            self._trims_wanted += 1
            wanted = self._trims_wanted
            self._wake.set()
            done = self._committed_cv.wait_for(lambda: self._trims_done >= wanted, timeout)
        return self._last_trim if done else None

    def forget_late(
        self, uplink: str, marks: Sequence[LateMark], from_minute: int | None = None, timeout: float = 30.0
    ) -> int:
        """Remove ``uplink``'s late-minute ``marks`` (those not marked again since they were read) and, with
        ``from_minute``, all its marks of that minute and later; how many went. Runs in the writer's thread
        (blocks until it did); raises sqlite3.Error if the delete failed, TimeoutError after ``timeout``."""
        self._require_running()
        done: Future[int] = Future()
        self._forgets.append((uplink, marks, from_minute, done))
        self._wake.set()
        return done.result(timeout)

    def _require_running(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            raise RuntimeError(f"local store {self.path} is not running: call start() first")

    def _run(self) -> None:
        try:
            conn = open_store(self.path, writer=True)
            self._load_series(conn)
            self._late_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM late_minutes").fetchone()[0]
            self._clock_high_ms = conn.execute(
                "SELECT value FROM meta WHERE key = 'clock_high_ms'"
            ).fetchone()[0]
        except BaseException as exc:
            self._start_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._trim(conn)  # a gateway back after weeks off starts within its limits
            next_trim = time.monotonic() + self._maintenance_interval_s
            while True:
                self._wake.wait(self.cfg.flush_interval_s)
                self._wake.clear()
                stopping = self._stopping
                if stopping or self._may_write():
                    if self._write_queued(conn):
                        self._passed_at = time.monotonic()
                    self._outage_over()
                else:
                    self._hold_within_cap()
                self._forget_queued(conn)
                if self._trims_wanted > self._trims_done or time.monotonic() >= next_trim:
                    self._trim(conn)
                    next_trim = time.monotonic() + self._maintenance_interval_s
                if stopping and not self._queue:
                    break
        finally:
            conn.close()

    def _write_queued(self, conn: sqlite3.Connection) -> bool:
        """Commit what is queued; False if the commit failed (the readings stay queued, in order)."""
        batches: list[Sequence[Reading]] = []
        while self._queue:
            batches.append(self._queue.popleft())
        if not batches:
            return True
        count = sum(len(b) for b in batches)
        try:
            self._commit(conn, batches)
        except sqlite3.Error:
            # disk full, I/O error: keep the readings queued, in order, and try again
            log.exception("local store %s: commit of %d readings failed; retrying in 1 s", self.path, count)
            self._queue.extendleft(reversed(batches))
            self._series.clear()  # ids made in the rolled-back transaction are gone
            self._load_series(conn)
            time.sleep(1)
            return False
        with self._lock:
            self._committed += count
            self._committed_cv.notify_all()
        return True

    def _hold_within_cap(self) -> None:
        """While the disk is full: drop the oldest readings held beyond ``max_held_readings``."""
        excess = self.pending - self.cfg.max_held_readings
        if excess <= 0:
            return
        gone: list[Reading] = []
        while excess > len(gone) and self._queue:
            batch = self._queue.popleft()
            take = excess - len(gone)
            if len(batch) > take:
                self._queue.appendleft(batch[take:])  # the rest of the batch is among the newest kept
                batch = batch[:take]
            gone.extend(batch)
        with self._lock:
            self.dropped += len(gone)
            self._committed_cv.notify_all()
        if self._outage is None:
            self._outage = _Dropped(gone[0].ts, gone[-1].ts, len(gone))
            log.error(
                "local store %s: the disk is full and %d readings wait in memory, the most it keeps "
                "(store.max_held_readings): the oldest are dropped from now on, from %s, the newest "
                "kept (alerts are still recorded)",
                self.path,
                self.cfg.max_held_readings,
                _local(round(gone[0].ts * 1000)),
            )
        else:
            self._outage.count += len(gone)
            self._outage.last_ts = gone[-1].ts

    def _outage_over(self) -> None:
        """Say once what a disk-full outage cost, when the readings are written again."""
        if self._outage is None:
            return
        outage, self._outage = self._outage, None
        log.warning(
            "local store %s: the disk is writable again; %d readings taken from %s to %s were dropped "
            "while it was full (%d dropped since start); the newer ones it kept are stored now",
            self.path,
            outage.count,
            _local(round(outage.first_ts * 1000)),
            _local(round(outage.last_ts * 1000)),
            self.dropped,
        )

    def _commit(self, conn: sqlite3.Connection, batches: list[Sequence[Reading]]) -> None:
        with transaction(conn):
            # taken inside the transaction, so the commit follows within far less than LATE_AFTER_S
            now_ms = round(self._clock() * 1000)
            high = max(now_ms, self._clock_high_ms)
            cut = math.floor((high / 1000 - LATE_AFTER_S) / 60) * 60_000 if self.late_for else _NEVER
            late: set[tuple[int, int]] = set()
            offered = inserted = 0
            # a bus batch's rows at a time: a commit after a busy half-second takes 50,000 readings, and
            # their rows made all at once were the largest thing the gateway held for that moment
            for batch in batches:
                try:
                    rows = self._rows(conn, batch, cut, late)
                except (ValueError, TypeError, KeyError, OverflowError):
                    rows = self._rows_checked(conn, batch, cut, late)
                inserted += _insert(conn, rows)
                offered += len(rows)
            conn.execute("UPDATE meta SET value = value + ? WHERE key = 'rows'", (inserted,))
            if inserted < offered:
                conn.execute(
                    "UPDATE meta SET value = value + ? WHERE key = 'duplicates'", (offered - inserted,)
                )
            if late:
                self._late_seq += 1
                conn.executemany(
                    _MARK,
                    [
                        (uplink, minute * 60, sid, self._late_seq)
                        for uplink in self.late_for
                        for sid, minute in late
                    ],
                )
            if now_ms > self._clock_high_ms:
                conn.execute("UPDATE meta SET value = ? WHERE key = 'clock_high_ms'", (now_ms,))
        self._note_clock(now_ms)

    def _note_clock(self, now_ms: int) -> None:
        """Keep the clock's high mark and say in the log when the clock went back behind it, and when it
        passed it again (a step of less than a minute is NTP's everyday correction and is not said)."""
        high = self._clock_high_ms
        if now_ms >= high:
            self._clock_high_ms = now_ms
            if self._clock_behind:
                self._clock_behind = False
                log.info(
                    "local store %s: this machine's clock has passed the time it read before it was set "
                    "back; readings are marked late again only when they come late",
                    self.path,
                )
        elif not self._clock_behind and high - now_ms > 60_000:
            self._clock_behind = True
            marked = (
                " until it passes that time every reading is marked for the readings summaries to send "
                "again, so none is skipped;"
                if self.late_for
                else ""
            )
            log.warning(
                "local store %s: this machine's clock reads %s, %.0f s before the time it read "
                "at an earlier commit (%s): it was set back. The gateway stamps readings by this "
                "clock;%s if the clock is wrong now, check its time source (NTP, the RTC battery)",
                self.path,
                _local(now_ms),
                (high - now_ms) / 1000,
                _local(high),
                marked,
            )

    def _rows(
        self, conn: sqlite3.Connection, batch: Sequence[Reading], cut: int, late: set[tuple[int, int]]
    ) -> list[Row]:
        """The fast path: well-formed readings to rows; the (series, minute number) of each reading older
        than ``cut`` (Unix ms) is added to ``late``."""
        series = self._series
        codes = QUALITY_CODES
        rows: list[Row] = []
        append = rows.append
        for r in batch:
            key = (r.device, r.point, r.metric, r.unit)
            sid = series.get(key)
            if sid is None:
                sid = self._series_id(conn, r)
            value = r.value
            ts = round(r.ts * 1000)
            if value.__class__ is str:
                append((sid, ts, None, value, codes[r.quality]))
            else:
                append((sid, ts, float(value), None, codes[r.quality]))
            if ts < cut:  # one comparison: a live reading costs no extra row or query
                late.add((sid, ts // 60_000))
        return rows

    def _rows_checked(
        self, conn: sqlite3.Connection, batch: Sequence[Reading], cut: int, late: set[tuple[int, int]]
    ) -> list[Row]:
        """The slow path for a batch holding a malformed reading: keep all the others."""
        rows: list[Row] = []
        for r in batch:
            try:
                rows.extend(self._rows(conn, [r], cut, late))
            except (ValueError, TypeError, KeyError, OverflowError) as exc:
                self.rejected += 1
                log.error(
                    "local store: cannot store reading %s/%s/%s ts=%r value=%r quality=%r (%s); "
                    "%d rejected so far",
                    r.device,
                    r.point,
                    r.metric,
                    r.ts,
                    r.value,
                    r.quality,
                    exc,
                    self.rejected,
                )
        return rows

    def _forget_queued(self, conn: sqlite3.Connection) -> None:
        """Run the senders' requests to remove late-minute marks, each in its own transaction."""
        while self._forgets:
            uplink, marks, from_minute, done = self._forgets.popleft()
            try:
                with transaction(conn):
                    before = conn.total_changes
                    if from_minute is not None:
                        conn.execute(
                            "DELETE FROM late_minutes WHERE uplink = ? AND minute >= ?", (uplink, from_minute)
                        )
                    conn.executemany(_FORGET, [(uplink, m.minute, m.series_id, m.seq) for m in marks])
                    removed = conn.total_changes - before
            except sqlite3.Error as exc:
                done.set_exception(exc)
            else:
                done.set_result(removed)

    def _series_id(self, conn: sqlite3.Connection, r: Reading) -> int:
        """Id of the reading's series, created (or its unit updated) inside the open transaction."""
        conn.execute(
            "INSERT INTO series (device, point, metric, unit) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (device, point, metric) DO UPDATE SET unit = excluded.unit",
            (r.device, r.point, r.metric, r.unit),
        )
        sid: int = conn.execute(
            "SELECT id FROM series WHERE device = ? AND point = ? AND metric = ?",
            (r.device, r.point, r.metric),
        ).fetchone()[0]
        self._series[(r.device, r.point, r.metric, r.unit)] = sid
        return sid

    def _load_series(self, conn: sqlite3.Connection) -> None:
        rows = conn.execute("SELECT id, device, point, metric, unit FROM series")
        for sid, device, point, metric, unit in rows:
            self._series[(device, point, metric, unit)] = sid

    def _trim(self, conn: sqlite3.Connection) -> None:
        wanted = self._trims_wanted
        try:
            self._last_trim = trim(conn, self.path, self.cfg)
        except sqlite3.Error:
            log.exception(
                "local store %s: retention/budget pass failed; next try in %.0f s",
                self.path,
                self._maintenance_interval_s,
            )
        with self._lock:
            self._trims_done = max(self._trims_done, wanted)
            self._committed_cv.notify_all()


@dataclass
class _Dropped:
    """The readings dropped in one disk-full outage: the span of their timestamps and how many."""

    first_ts: float
    last_ts: float
    count: int


def _insert(conn: sqlite3.Connection, rows: list[Row]) -> int:
    """Insert ``rows`` (each ignored if its series already has that ts), a hundred to a statement and the
    rest one by one; how many were new."""
    before = conn.total_changes
    whole = len(rows) - len(rows) % ROWS_PER_INSERT
    if whole:
        runs = range(0, whole, ROWS_PER_INSERT)
        conn.executemany(
            _INSERT_MANY, [tuple(chain.from_iterable(rows[i : i + ROWS_PER_INSERT])) for i in runs]
        )
    conn.executemany(_INSERT, rows[whole:])
    return conn.total_changes - before


def _local(ms: int) -> str:
    """A commit's time as the site's logs show it (the gateway's local time)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))
