"""Batches InfluxDB refused for good (bad line, unknown database, auth), kept for inspection.

The file is line protocol with ``#`` comment headers naming when, the status and the server's
message, so once the cause is fixed it can be posted as it is:
``curl --data-binary @deadletter.lp 'http://influx:8086/write?db=site&precision=ms'``.
When it outgrows its budget it is rotated once to ``deadletter.lp.1`` (the older one goes).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)


class DeadLetters:
    """Appends refused batches to ``directory/deadletter.lp``, within about ``max_bytes`` (two files)."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "deadletter.lp"
        self.max_bytes = max_bytes
        self.batches = 0
        self.points = 0

    def add(self, body: bytes, points: int, status: int, message: str) -> None:
        """Keep a refused batch with a header saying why; count it."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        reason = " ".join(message.split())  # the server's message may span lines
        header = f"# {stamp} HTTP {status}: {reason}\n".encode()
        if self.path.exists() and self.path.stat().st_size + len(body) > self.max_bytes / 2:
            os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        with open(self.path, "ab") as f:
            f.write(header + body)
            f.flush()
            os.fsync(f.fileno())
        self.batches += 1
        self.points += points
