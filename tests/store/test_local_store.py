"""The embedded SQLite history: what the API reads back, downsampling, retention, the disk
budget, and committed data surviving a SIGKILL."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.config.sinks import LocalStoreConfig
from contract.kinds.kind import Pick
from contract.readings import Quality, Reading
from gateway.store.local import LocalStore
from gateway.store.local_query import HistoryReader
from gateway.store.local_schema import StoreError
from plumbing.sqlite import sqlite3

ROOT = Path(__file__).resolve().parents[2]
T0 = float(int(time.time()) - 86400)  # inside the retention, which the writer applies as it starts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = LocalStore(tmp_path / "history.db", LocalStoreConfig(flush_interval_s=0.05))
    s.start()
    yield s
    s.stop()


def test_series_latest_text_and_faults_read_back(store: LocalStore) -> None:
    store.add(
        [
            Reading(T0, "GD-1", "crane-1", "load_t", 2.0, "t"),
            Reading(T0, "GD-1", "crane-1", "operator_id", "OP-007"),
            Reading(T0 + 1, "GD-1", "crane-1", "load_t", 2.5, "t", Quality.STALE),
        ]
    )
    store.add(
        [
            Reading(T0 + 2, "GD-1", "pit-1", "disp_h_mm", 40.0, "mm", Quality.FAULT, "ZQS-01"),
            Reading(T0 + 2, "GD-1", "pit-1", "disp_h_mm", 12.0, "mm", point="ZQS-02"),
        ]
    )
    assert store.flush(10)
    reader = store.reader
    assert [(s.device, s.point, s.metric, s.unit) for s in reader.series()] == [
        ("crane-1", "", "load_t", "t"),
        ("crane-1", "", "operator_id", ""),
        ("pit-1", "ZQS-01", "disp_h_mm", "mm"),
        ("pit-1", "ZQS-02", "disp_h_mm", "mm"),
    ]
    crane = {v.metric: (v.ts, v.value, v.quality) for v in reader.latest("crane-1")}
    assert crane == {"load_t": (T0 + 1, 2.5, "stale"), "operator_id": (T0, "OP-007", "ok")}
    pit = {v.point: (v.value, v.quality) for v in reader.latest() if v.device == "pit-1"}
    assert pit == {"ZQS-01": (40.0, "fault"), "ZQS-02": (12.0, "ok")}
    counts = reader.counts()
    assert (counts.rows, counts.series, counts.oldest_ts, counts.newest_ts) == (5, 4, T0, T0 + 2)
    assert counts.file_bytes > 0


def test_history_is_raw_up_to_max_points_then_bucketed(store: LocalStore) -> None:
    # 600 readings, one per second; every 7th one is a fault reading of 1000 that must not skew the average
    readings = [
        Reading(
            T0 + i,
            "GD-1",
            "crane-1",
            "load_t",
            1000.0 if i % 7 == 0 else float(i % 50),
            "t",
            Quality.FAULT if i % 7 == 0 else Quality.OK,
        )
        for i in range(600)
    ]
    store.add(readings)
    assert store.flush(10)

    raw = store.reader.history("crane-1", "load_t", T0 + 10, T0 + 19, max_points=10)
    assert raw is not None and raw.bucket_s == 0
    assert [(p.ts, p.value, p.quality) for p in raw.points] == [
        (T0 + i, 1000.0 if i % 7 == 0 else float(i % 50), "fault" if i % 7 == 0 else "ok")
        for i in range(10, 20)
    ]

    hist = store.reader.history("crane-1", "load_t", T0, T0 + 599.999, max_points=60)
    assert hist is not None and hist.bucket_s == 10.0 and len(hist.points) == 60
    for k, bucket in enumerate(hist.points):
        members = readings[k * 10 : (k + 1) * 10]
        good = [float(r.value) for r in members if r.quality is Quality.OK]
        assert bucket.ts == T0 + k * 10
        assert (bucket.count, bucket.faults) == (10, 10 - len(good))
        assert bucket.value == pytest.approx(sum(good) / len(good))
        assert (bucket.min, bucket.max) == (min(good), max(good))

    odd = store.reader.history("crane-1", "load_t", T0, T0 + 599, max_points=7)
    assert odd is not None and len(odd.points) <= 7 and sum(p.count for p in odd.points) == 600
    assert store.reader.history("crane-1", "nope", T0, T0 + 1) is None


def test_text_history_buckets_keep_the_last_text(store: LocalStore) -> None:
    store.add([Reading(T0 + i, "GD-1", "crane-1", "operator_id", f"OP-{i // 5}") for i in range(20)])
    assert store.flush(10)
    hist = store.reader.history("crane-1", "operator_id", T0, T0 + 19.999, max_points=4)
    assert hist is not None
    assert [(p.ts, p.value, p.count) for p in hist.points] == [(T0 + 5 * k, f"OP-{k}", 5) for k in range(4)]


def test_add_never_waits_for_the_disk(store: LocalStore) -> None:
    """Another process holds the write lock: add() still returns, and nothing is lost once it lets go."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    for i in range(50):
        store.add([Reading(T0 + i, "GD-1", "crane-1", "load_t", float(i))])
    assert not store.flush(timeout=0.5)  # the writer is stuck behind the lock, add() was not
    other.execute("ROLLBACK")
    other.close()
    assert store.flush(10)
    assert store.reader.counts().rows == 50


def test_a_full_disk_holds_the_newest_readings_up_to_the_cap_and_says_what_it_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """While the disk is full readings wait in memory, at most max_held_readings: the oldest go, counted
    and logged with their time span; once it is writable the ones kept are stored, nothing else."""
    full = True
    cfg = LocalStoreConfig(flush_interval_s=0.05, max_held_readings=1000)
    store = LocalStore(tmp_path / "history.db", cfg, may_write=lambda: not full)
    store.start()
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.store.local"):
            for i in range(30):  # 3,000 readings, 100 a batch, one a second
                store.add(
                    [Reading(T0 + 100 * i + j, "GD-1", "crane-1", "load_t", float(j)) for j in range(100)]
                )
                time.sleep(0.01)
            deadline = time.monotonic() + 10
            while store.pending > cfg.max_held_readings and time.monotonic() < deadline:
                time.sleep(0.02)
            held, dropped = store.pending, store.dropped
            full = False
            assert store.flush(10)
    finally:
        store.stop()
    assert (held, dropped) == (1000, 2000)
    history = store.reader.history("crane-1", "load_t", T0 - 1, T0 + 4000, max_points=10_000)
    assert history is not None
    stored = [p.ts for p in history.points]
    assert stored == [T0 + i for i in range(2000, 3000)]  # the newest thousand, in order
    said = [r.getMessage() for r in caplog.records]
    assert sum("the oldest are dropped from now on" in m and "max_held_readings" in m for m in said) == 1, (
        said
    )
    assert any("2000 readings taken from" in m and "were dropped while it was full" in m for m in said), said


def test_readings_dropped_on_a_full_disk_are_never_reported_stored(tmp_path: Path) -> None:
    """flush() returns once what was added is committed or dropped; flush_stored(), on which a data logger's
    acknowledgement waits, says no when readings were dropped meanwhile: they may have been those."""
    full = True
    cfg = LocalStoreConfig(flush_interval_s=0.05, max_held_readings=1000)
    store = LocalStore(tmp_path / "history.db", cfg, may_write=lambda: not full)
    store.start()
    try:
        store.add(
            [
                Reading(T0 + i, "GD-1", "pit-1", "disp_h_mm", 1.0, quality=Quality.BACKFILL)
                for i in range(1000)
            ]
        )
        assert not store.flush_stored(0.3)  # held in memory, not committed: no answer yet
        answers: dict[str, bool] = {}
        waiting = [
            threading.Thread(target=lambda: answers.update(flush_stored=store.flush_stored(10))),
            threading.Thread(target=lambda: answers.update(flush=store.flush(10))),
        ]
        for t in waiting:
            t.start()
        time.sleep(0.1)
        # the next thousand: past the cap, so the first thousand are dropped
        store.add([Reading(T0 + 1000 + i, "GD-1", "pit-1", "disp_h_mm", 2.0) for i in range(1000)])
        for t in waiting:
            t.join(10)
        assert store.dropped == 1000
        assert answers == {"flush": True, "flush_stored": False}
        full = False
        assert store.flush_stored(10)  # the newer thousand, committed once the disk is writable
    finally:
        store.stop()


def test_duplicates_and_malformed_readings_are_counted_not_silent(
    store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        store.add(
            [
                Reading(T0, "GD-1", "crane-1", "load_t", 1.0),
                Reading(float("nan"), "GD-1", "crane-1", "load_t", 2.0),
                Reading(T0 + 1, "GD-1", "crane-1", "load_t", 3.0),
            ]
        )
        store.add([Reading(T0, "GD-1", "crane-1", "load_t", 1.0)])  # re-delivered
        assert store.flush(10)
    counts = store.reader.counts()
    assert (counts.rows, counts.duplicates, store.rejected) == (2, 1, 1)
    assert any("cannot store reading crane-1//load_t ts=nan" in r.message for r in caplog.records)


def test_retention_deletes_only_what_is_older(tmp_path: Path) -> None:
    # the periodic pass runs once at start (on the empty file), the next one after an hour
    store = LocalStore(
        tmp_path / "h.db",
        LocalStoreConfig(retention_days=30, flush_interval_s=0.05),
        maintenance_interval_s=3600,
    )
    store.start()
    now = time.time()
    store.add(
        [
            Reading(now + 60 - d * 86400, "GD-1", "pit-1", "disp_h_mm", float(d), point="ZQS-01")
            for d in range(40)
        ]
    )  # a minute younger than whole days: day 30 is just inside
    assert store.flush(10)
    report = store.maintain()
    store.stop()
    assert report is not None and report.expired_rows == 9  # days 31..39
    assert report.oldest_ts == pytest.approx(now + 60 - 30 * 86400, abs=0.01)
    assert store.reader.counts().rows == 31


def test_disk_budget_drops_the_oldest_first_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = LocalStoreConfig(max_disk_mb=1, flush_interval_s=0.05)
    store = LocalStore(tmp_path / "h.db", cfg, maintenance_interval_s=3600)
    store.start()
    start = time.time() - 86400  # one day of readings, well inside the 35-day retention
    for k in range(10):
        store.add(
            [
                Reading(start + (k * 10_000 + i) * 0.5, "GD-1", f"crane-{i % 4}", "load_t", float(i))
                for i in range(10_000)
            ]
        )
    assert store.flush(30)
    before = store.reader.counts()
    with caplog.at_level(logging.WARNING):
        report = store.maintain()
    store.stop()
    after = store.reader.counts()
    assert report is not None and report.budget_rows > 0
    assert report.used_bytes <= 0.8e6
    assert after.rows == before.rows - report.budget_rows
    assert after.oldest_ts is not None and before.oldest_ts is not None and after.oldest_ts > before.oldest_ts
    assert after.newest_ts == before.newest_ts
    assert after.file_bytes <= 1e6 < before.file_bytes  # the pages went back to the disk
    assert any(
        "disk budget reached" in r.message and "raise store.max_disk_mb" in r.message for r in caplog.records
    )


def test_committed_readings_survive_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store.killed_writer", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        committed = 0
        assert proc.stdout is not None
        while committed < 50_000:
            line = proc.stdout.readline()
            assert line, "the writer died on its own"
            committed = int(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next batches
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0]
    values = conn.execute("SELECT MIN(value), MAX(value) FROM readings").fetchone()
    conn.close()
    assert rows >= committed
    assert values == (0.0, rows - 1.0)  # no gap: a prefix of what was added, nothing half-written

    reopened = LocalStore(path, LocalStoreConfig())
    reopened.start()
    reopened.stop()
    assert reopened.reader.counts().rows == rows


def test_a_file_that_is_not_a_store_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_text("not a database, but the site's notes " * 100)
    with pytest.raises(StoreError, match=f"{path}: cannot be used as the local store"):
        LocalStore(path, LocalStoreConfig()).start()


def test_reading_a_store_that_does_not_exist_yet_says_so_and_creates_nothing(tmp_path: Path) -> None:
    reader = HistoryReader(tmp_path / "history.db")
    with pytest.raises(StoreError, match="no local store there yet"):
        reader.latest()
    assert not list(tmp_path.iterdir())


# The schema of the first release (schema version 1), as its local_schema.py created it
VERSION_1_SCHEMA = """
CREATE TABLE series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, point TEXT NOT NULL, metric TEXT NOT NULL,
                     unit TEXT NOT NULL, UNIQUE (device, point, metric));
CREATE TABLE readings (series_id INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, text TEXT,
                       quality INTEGER NOT NULL, PRIMARY KEY (series_id, ts)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('schema_version', 1), ('rows', 2), ('duplicates', 0);
INSERT INTO series VALUES (1, 'pit-1', 'ZQS-01', 'disp_h_mm', 'mm');
"""


def marks(path: Path) -> list[tuple[str, int, int, int]]:
    """(uplink, minute, series_id, seq) of every late-minute mark in the store file."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT uplink, minute, series_id, seq FROM late_minutes ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        conn.close()


def test_a_version_1_store_of_an_earlier_release_gains_the_late_marks_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(VERSION_1_SCHEMA)
    conn.executemany(
        "INSERT INTO readings VALUES (1, ?, ?, NULL, 0)",
        [(round(T0 * 1000), 4.0), (round(T0 * 1000) + 1000, 4.5)],
    )
    conn.commit()
    conn.close()
    for _run in range(2):  # upgraded in place, then opened again as it is
        store = LocalStore(path, LocalStoreConfig(flush_interval_s=0.05), late_for=["regulator"])
        store.start()
        store.add([Reading(T0 + 2, "GD-1", "pit-1", "disp_h_mm", 5.0, "mm", Quality.BACKFILL, "ZQS-01")])
        assert store.flush(10)
        store.stop()
    counts = store.reader.counts()
    assert (counts.rows, counts.series, counts.oldest_ts, counts.newest_ts) == (3, 1, T0, T0 + 2)
    history = store.reader.history("pit-1", "disp_h_mm", T0, T0 + 2, point="ZQS-01")
    assert history is not None and [p.value for p in history.points] == [4.0, 4.5, 5.0]
    assert marks(path) == [("regulator", int(T0 + 2) // 60 * 60, 1, 2)]  # marked again by the second run
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_late_readings_mark_their_minute_once_per_uplink_and_live_ones_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = LocalStore(path, LocalStoreConfig(flush_interval_s=0.05), late_for=["regulator", "city"])
    store.start()
    now = time.time()
    start = (now - 3 * 3600) // 60 * 60
    # a data acquisition unit's buffer after an outage: 10,000 readings of one point, one every second
    store.add(
        [
            Reading(start + i, "GD-1", "pit-1", "disp_h_mm", float(i % 100), "mm", Quality.BACKFILL, "ZQS-01")
            for i in range(10_000)
        ]
    )
    store.add(
        [
            Reading(now, "GD-1", "crane-1", "load_t", 2.0, "t"),  # live readings
            Reading(now - 5, "GD-1", "crane-1", "wind_ms", 8.0, "m/s"),
        ]
    )
    assert store.flush(10)
    found = marks(path)
    minutes = [start + 60 * k for k in range(167)]  # 10,000 s: 166 whole minutes and part of one
    assert found == [(uplink, m, 1, 1) for uplink in ("city", "regulator") for m in minutes]

    picks: dict[str, Pick] = {"disp_h_mm": "peak", "load_t": "max"}
    read, values = store.reader.late_minutes(picks, "regulator", start + 120, 10)
    assert [(m.minute, m.seq) for m in read] == [(start, 1), (start + 60, 1)]  # minutes before start + 120
    assert [(v.minute, v.ts, v.value) for v in values] == [
        (start, start + 59, 59.0),
        (start + 60, start + 99, 99.0),
    ]
    store.add([Reading(start + 1.5, "GD-1", "pit-1", "disp_h_mm", -120.0, "mm", Quality.BACKFILL, "ZQS-01")])
    assert store.flush(10)
    # the first minute was marked again after it was read: its mark stays for the next send
    assert store.forget_late("regulator", read) == 1
    assert store.forget_late("regulator", (), from_minute=int(start + 600)) == 167 - 10
    again, values = store.reader.late_minutes(picks, "regulator", now, 100)
    assert [(m.minute, m.seq) for m in again] == [(start, 2)] + [(start + 60 * k, 1) for k in range(2, 10)]
    assert (values[0].ts, values[0].value) == (start + 1.5, -120.0)  # the minute's new peak
    assert len([m for m in marks(path) if m[0] == "city"]) == 167  # the other uplink's marks are its own
    store.stop()


def test_marks_of_minutes_past_the_retention_go_with_their_readings(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = LocalStore(
        path,
        LocalStoreConfig(retention_days=30, flush_interval_s=0.05),
        late_for=["regulator"],
        maintenance_interval_s=3600,
    )
    store.start()
    now = time.time()
    store.add(
        [
            Reading(now - 31 * 86400, "GD-1", "crane-1", "load_t", 1.0, "t"),
            Reading(now - 29 * 86400, "GD-1", "crane-1", "load_t", 2.0, "t"),
        ]
    )
    assert store.flush(10)
    assert len(marks(path)) == 2
    report = store.maintain()
    assert report is not None and report.expired_rows == 1
    assert [m[1] for m in marks(path)] == [int(now - 29 * 86400) // 60 * 60]
    store.stop()
