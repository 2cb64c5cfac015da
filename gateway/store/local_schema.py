"""The local store's SQLite file: schema, pragmas, and how connections are opened.

Series are dictionary-encoded: ``series`` holds each (device, point, metric) once with its unit,
``readings`` holds compact rows keyed by (series_id, ts) in a WITHOUT ROWID table, so a row costs
about 20 bytes and a series' history or latest value is one index range. ``ts`` is Unix
milliseconds; a second reading of a series at the same millisecond is not stored twice (it is
counted as a duplicate: re-delivered backfill is harmless). ``value`` holds numbers, ``text``
text metrics (``operator_id``), ``quality`` the codes of :data:`QUALITY_CODES`. ``meta`` keeps
the schema version and running counters updated in the same transactions as the rows, and
``clock_high_ms``, the latest time this machine's clock read at a commit (the late minutes' cut, below).

``late_minutes`` marks, per regulator uplink that sends readings summaries, each (series, minute) that
received a reading after the summaries may already have read that minute (a device's own backfill
after an outage): the uplink's sender summarises the minute again and removes the mark once the
regulator took it (gateway/uplinks/summaries.py). ``seq`` says which commit marked it last, so a
sender removes only the marks it read, not one a newer reading set again meanwhile.

The version changes only when an older release would misread the file. A table that older releases
simply do not know (``late_minutes``, added after version 1 shipped) is created by the writer when it
opens the file (``IF NOT EXISTS``): a version-1 file from an earlier release gains it in place, and
rolling back to that release still opens the file with its history (it ignores the marks).
"""

from __future__ import annotations

from pathlib import Path

from contract.readings import Quality
from gateway.sqlite_tx import connect
from plumbing.sqlite import sqlite3

SCHEMA_VERSION = 1

QUALITY_CODES: dict[str, int] = {Quality.OK: 0, Quality.STALE: 1, Quality.FAULT: 2, Quality.BACKFILL: 3}
QUALITY_NAMES: dict[int, str] = {code: str(name) for name, code in QUALITY_CODES.items()}
FAULT = QUALITY_CODES[Quality.FAULT]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    metric TEXT NOT NULL,
    unit TEXT NOT NULL,
    UNIQUE (device, point, metric)
);
CREATE TABLE IF NOT EXISTS readings (
    series_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL,
    text TEXT,
    quality INTEGER NOT NULL,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS late_minutes (
    uplink TEXT NOT NULL,
    minute INTEGER NOT NULL,  -- the minute's start, Unix seconds
    series_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (uplink, minute, series_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta VALUES ('schema_version', 1), ('rows', 0), ('duplicates', 0), ('clock_high_ms', 0);
"""


class StoreError(RuntimeError):
    """The store's file cannot be used; the message names the file and the fix."""


def open_store(path: Path, writer: bool) -> sqlite3.Connection:
    """Open the store at ``path``; the writer creates it and sets the durable pragmas.

    WAL with ``synchronous=FULL``: every commit is fsynced, so a commit survives a power cut, not
    only a crash. Commits are batched (one per flush interval), so this costs one fsync per
    interval, not per reading.
    """
    if not writer and not path.exists():
        raise StoreError(f"{path}: no local store there yet (the gateway creates it when it starts)")
    try:
        # readers open read-only, so a query can never create or change the file; the writer's
        # auto_vacuum lets budget enforcement give pages back to the disk; its commits are batches of
        # readings (held in memory while the disk is full), so it keeps SQLite's default checkpoint (1000
        # pages) and a WAL of up to 64 MB
        conn = connect(
            path,
            _SCHEMA,
            read_only=not writer,
            pragmas=[
                "PRAGMA auto_vacuum = INCREMENTAL",
                "PRAGMA wal_autocheckpoint = 1000",
                "PRAGMA journal_size_limit = 67108864",
            ],
        )
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path}: cannot be used as the local store ({exc}); move the file away (the "
            f"gateway creates a new store) or point the gateway at another file"
        ) from exc
    if version is None or version[0] != SCHEMA_VERSION:
        conn.close()
        raise StoreError(
            f"{path}: store schema version {version and version[0]} is not {SCHEMA_VERSION}; "
            f"this file was written by another sitegw version"
        )
    return conn
