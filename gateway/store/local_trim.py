"""Keeping the local store within its retention and its disk budget.

Retention deletes what is older than ``retention_days``, the access gates' passages (``on_site``) what is
older than ``gate_retention_days`` (90: the regulator looks back 3 months at the key people's attendance, and
passages are a few hundred small rows a day, so the budget never takes them before that either). The budget counts the pages in use plus
the WAL; above 90 % of ``max_disk_mb`` the oldest data goes (in every series alike) until 80 %
is in use, so new rows reuse the freed pages and the file stops growing. When the budget forces
out data younger than the retention, a warning says how many days the budget holds.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from contract.config.sinks import LocalStoreConfig
from gateway.sqlite_tx import transaction
from kinds.attendance.kind import PRESENCE
from plumbing.sqlite import sqlite3

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
HIGH_WATER = 0.9
LOW_WATER = 0.8


@dataclass(slots=True, frozen=True)
class TrimReport:
    """What one maintenance pass removed."""

    expired_rows: int  # older than the retention
    budget_rows: int  # removed to stay within the disk budget
    used_bytes: int  # pages in use plus WAL, after the pass
    oldest_ts: float | None  # oldest reading kept, Unix seconds


def used_bytes(conn: sqlite3.Connection, path: Path) -> int:
    """Bytes the store occupies, not counting free pages the next inserts will reuse."""
    page_size: int = conn.execute("PRAGMA page_size").fetchone()[0]
    pages: int = conn.execute("PRAGMA page_count").fetchone()[0]
    free: int = conn.execute("PRAGMA freelist_count").fetchone()[0]
    wal = Path(f"{path}-wal")
    return (pages - free) * page_size + (wal.stat().st_size if wal.exists() else 0)


def trim(conn: sqlite3.Connection, path: Path, cfg: LocalStoreConfig, now: float | None = None) -> TrimReport:
    """Apply retention, then the budget. Runs in the writer's thread, between commits."""
    now_ms = round((time.time() if now is None else now) * 1000)
    retention_cutoff = now_ms - round(cfg.retention_days * DAY_MS)
    gate_cutoff = now_ms - round(cfg.gate_retention_days * DAY_MS)
    expired = _delete_before(conn, retention_cutoff, gate_cutoff)
    budget = cfg.max_disk_mb * 1e6
    removed = 0
    used = used_bytes(conn, path)
    if used > budget * HIGH_WATER:
        # only now fold the WAL in: a TRUNCATE checkpoint waits for the API's readers
        used = _checkpointed_bytes(conn, path)
    if used > budget * HIGH_WATER:
        removed, used = _shrink_to(
            conn, path, budget * LOW_WATER, used, (retention_cutoff, gate_cutoff), now_ms
        )
        if _file_bytes(path) > budget:
            # the file outgrew the budget (it was lowered, or grew between passes): give pages back.
            # execute() would step the pragma once, freeing one page; executescript runs it through
            conn.executescript("PRAGMA incremental_vacuum;")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    oldest = _oldest_ms(conn)
    return TrimReport(expired, removed, used, None if oldest is None else oldest / 1000)


def _shrink_to(
    conn: sqlite3.Connection, path: Path, target: float, used: int, cutoffs: tuple[int, int], now_ms: int
) -> tuple[int, int]:
    retention_cutoff, gate_cutoff = cutoffs
    removed = 0
    cutoff = None
    for _ in range(20):
        # the span of what the budget may take: the gates' passages stay their 90 days, and their older
        # rows must not hold the cut back where nothing else is left to delete
        oldest, newest = _oldest_ms(conn, but=PRESENCE), _newest_ms(conn)
        if oldest is None or newest is None or used <= target:
            break
        # rows accrue about evenly in time: cut the share of the span the excess represents
        share = min(1.0, (used - target) / used)
        cutoff = max(oldest + 1, oldest + round((newest - oldest) * share))
        removed += _delete_before(conn, cutoff, gate_cutoff)
        used = _checkpointed_bytes(conn, path)
    if cutoff is not None and cutoff > retention_cutoff:
        log.warning(
            "local store: disk budget reached; deleted readings older than %s UTC, so only %.1f days "
            "are kept instead of the %.0f-day retention: raise store.max_disk_mb",
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(cutoff / 1000)),
            (now_ms - cutoff) / DAY_MS,
            (now_ms - retention_cutoff) / DAY_MS,
        )
    return removed, used


def _checkpointed_bytes(conn: sqlite3.Connection, path: Path) -> int:
    # fold the WAL into the file first, or the pages a delete just rewrote count twice
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return used_bytes(conn, path)


def _delete_before(conn: sqlite3.Connection, cutoff_ms: int, gate_cutoff_ms: int) -> int:
    """Delete every reading older than ``cutoff_ms`` (a gate passage: older than both cutoffs), one
    primary-key range per series, and the late-minute
    marks of the minutes wholly before it (nothing left to summarise; this also bounds the marks of an
    uplink no longer in the site file, which no sender removes)."""
    deleted = 0
    with transaction(conn):
        for series_id, metric in conn.execute("SELECT id, metric FROM series").fetchall():
            before = min(cutoff_ms, gate_cutoff_ms) if metric == PRESENCE else cutoff_ms
            deleted += conn.execute(
                "DELETE FROM readings WHERE series_id = ? AND ts < ?", (series_id, before)
            ).rowcount
        conn.execute("UPDATE meta SET value = value - ? WHERE key = 'rows'", (deleted,))
        conn.execute("DELETE FROM late_minutes WHERE minute * 1000 + 60000 <= ?", (cutoff_ms,))
    return deleted


def _oldest_ms(conn: sqlite3.Connection, but: str = "") -> int | None:
    """The oldest reading's time, of any series but those of metric ``but``."""
    oldest: int | None = conn.execute(
        "SELECT MIN((SELECT MIN(ts) FROM readings WHERE series_id = s.id)) FROM series s WHERE s.metric != ?",
        (but,),
    ).fetchone()[0]
    return oldest


def _newest_ms(conn: sqlite3.Connection) -> int | None:
    newest: int | None = conn.execute(
        "SELECT MAX((SELECT MAX(ts) FROM readings WHERE series_id = s.id)) FROM series s"
    ).fetchone()[0]
    return newest


def _file_bytes(path: Path) -> int:
    return os.path.getsize(path)
