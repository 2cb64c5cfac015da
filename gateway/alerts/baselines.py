"""The rules' first-reading baselines on disk (rules/baselines.py): a table of the alert database, written
(synchronous=FULL) the moment a baseline is taken, read back before the warm-up, so that a water level or a
crack is measured from the same reading for the site's life, whatever the restarts and power cuts.

Only baselines taken from readings are kept: one in the site file is read from the site file. A stored baseline
whose series the site file no longer has is kept (the point may come back) and costs a row."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from gateway.sqlite_tx import connect, transaction
from rules.baselines import Baselines, Key

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS rule_baselines (
    device TEXT NOT NULL, point TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, ts REAL NOT NULL,
    PRIMARY KEY (device, point, metric));
"""


class BaselineStore:
    """The ``rule_baselines`` table of one alert database."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, SCHEMA)
        self._lock = threading.Lock()

    def load(self) -> dict[Key, float]:
        """Every baseline kept, by series."""
        with self._lock:
            rows = self._db.execute("SELECT device, point, metric, value FROM rule_baselines").fetchall()
        return {(device, point, metric): float(value) for device, point, metric, value in rows}

    def save(self, key: Key, value: float, ts: float) -> None:
        """Keep the baseline just taken for ``key``; the first one kept stays (a series has one)."""
        with self._lock, transaction(self._db):
            self._db.execute("INSERT OR IGNORE INTO rule_baselines VALUES (?, ?, ?, ?, ?)", (*key, value, ts))

    def attach(self, baselines: Baselines) -> None:
        """Give ``baselines`` those kept before this start, and keep every one it takes from now."""
        saved = self.load()
        if saved:
            log.info("rules: %d first-reading baselines kept from before this start", len(saved))
        baselines.restore(saved)
        baselines.on_new = self.save

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
