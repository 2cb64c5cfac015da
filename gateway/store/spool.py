"""A FIFO of line-protocol batches on disk, for while InfluxDB cannot be reached.

Each spooled batch is one write-once file ``<seq>-<points>.lp`` (written to a temporary name,
fsynced, renamed), so a power cut leaves either the whole batch or none of it, and the point
count is known at start-up without reading the files. Sequence numbers give the order in which
batches are replayed; they carry on across restarts. When the byte budget is exceeded the
oldest batches are dropped, each drop logged as an error and counted.

Not thread-safe: the sink makes every call from one task at a time.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_SEGMENT = re.compile(r"^(\d{12})-(\d+)\.lp$")


@dataclass(slots=True, frozen=True)
class SpoolSegment:
    """One spooled batch: its place in the queue, its line count, its file and size."""

    seq: int
    points: int
    path: Path
    size: int


class DiskSpool:
    """Batches of line protocol kept on disk in arrival order, within ``max_bytes``."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.points = 0
        self.bytes = 0
        self.dropped_points = 0
        self.dropped_batches = 0
        self._segments: list[SpoolSegment] = []
        directory.mkdir(parents=True, exist_ok=True)
        self._load()
        self._next_seq = self._segments[-1].seq + 1 if self._segments else 1

    def __len__(self) -> int:
        return len(self._segments)

    def append(self, body: bytes, points: int) -> None:
        """Add a batch at the tail; it is on disk (fsynced) when this returns."""
        seq = self._next_seq
        self._next_seq += 1
        path = self.directory / f"{seq:012d}-{points}.lp"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        self._fsync_dir()
        self._segments.append(SpoolSegment(seq, points, path, len(body)))
        self.points += points
        self.bytes += len(body)
        self._enforce_budget()

    def head(self, max_points: int) -> tuple[list[SpoolSegment], bytes]:
        """The oldest batches, together at most ``max_points`` lines (at least one batch), and their
        concatenated bytes. They stay in the spool until :meth:`remove`."""
        taken: list[SpoolSegment] = []
        chunks: list[bytes] = []
        total = 0
        for seg in self._segments:
            if taken and total + seg.points > max_points:
                break
            chunks.append(seg.path.read_bytes())
            taken.append(seg)
            total += seg.points
        return taken, b"".join(chunks)

    def remove(self, segments: list[SpoolSegment]) -> None:
        """Forget batches returned by :meth:`head` (written, or moved to the dead letters)."""
        gone = {seg.seq for seg in segments}
        for seg in segments:
            seg.path.unlink(missing_ok=True)
            self.points -= seg.points
            self.bytes -= seg.size
        self._segments = [seg for seg in self._segments if seg.seq not in gone]

    def _enforce_budget(self) -> None:
        while self.bytes > self.max_bytes and len(self._segments) > 1:
            oldest = self._segments[0]
            self.remove([oldest])
            self.dropped_points += oldest.points
            self.dropped_batches += 1
            log.error(
                "InfluxDB spool full (%.3g MB budget): dropped its oldest batch of %d points "
                "(%d points dropped so far); raise influx.spool_max_mb or bring InfluxDB back",
                self.max_bytes / 1e6,
                oldest.points,
                self.dropped_points,
            )

    def _load(self) -> None:
        for path in sorted(self.directory.iterdir()):
            match = _SEGMENT.match(path.name)
            if match:
                size = path.stat().st_size
                self._segments.append(SpoolSegment(int(match[1]), int(match[2]), path, size))
                self.points += int(match[2])
                self.bytes += size
            elif path.suffix == ".tmp":
                # a batch cut off by a crash before it was renamed: it was never acknowledged
                log.warning("removing the half-written spool file %s left by a crash", path)
                path.unlink()
        if self._segments:
            log.info(
                "InfluxDB spool %s holds %d points in %d batches from before the restart",
                self.directory,
                self.points,
                len(self._segments),
            )

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
