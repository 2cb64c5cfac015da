"""Every Reading to InfluxDB, in batches, with a disk spool for when the server is away.

``add`` (a bus handler) only appends to a list. One task takes batches of ``batch_size`` lines
(or whatever arrived within ``flush_interval_s``), encodes them in a worker thread and writes
them. A line carries every metric a device sent at one instant (a pit point's message of seven
values is one line), so a batch is as many readings as fill ``batch_size`` lines: the sink learns
how many readings a line holds from the batch before. Counting readings instead made a write of
5,000 pit readings only 715 lines, and each write costs the event loop several turns (the encoding's
thread, the request, the answer): when the loop is busy with the bus, as under a burst of 50,000
readings a second, the writes fell behind and the readings waiting for them held the gateway's
memory (150,000 of them at the end of ingest_pipeline.py, issue #20).

While more than two batches' worth of readings wait and the sink is moving them (to the server, or to the
spool), :meth:`InfluxSink.behind` says so: the gateway's MQTT intake then leaves the rest of a burst at the broker
(drivers/mqtt/link.py) rather than in this buffer. A sink that moved nothing for longer than a write may take
(``timeout_s``, plus a flush interval) stops saying so: the rules never wait on a stuck sink.

A write the server could not take (no connection, timeout, 5xx, 429) puts the batch in the spool,
marked ``backfill=true``; from then on new batches queue behind it in the spool, so InfluxDB
receives every point in the order it was read. The oldest spooled batches are retried
with a backoff until the server answers, then the spool drains. A batch the server refuses for
good (other 4xx) goes to the dead letters with the server's message; one refused for a line it holds
(400, 413, 422) is split first, so only the lines refused on their own go there (influx_split).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from contract.config.sinks import InfluxConfig
from contract.readings import Reading
from gateway.store.deadletter import DeadLetters
from gateway.store.influx_split import Settled, write_splitting
from gateway.store.influx_writers import InfluxWriter, WriteResult, make_writer
from gateway.store.lineproto import EncodedBatch, LineEncoder
from gateway.store.spool import DiskSpool

log = logging.getLogger(__name__)


class _SpoolUnavailable(Exception):
    """The spool could not take a batch (already logged); the batch is back in the buffer."""


@dataclass(slots=True, frozen=True)
class SinkStats:
    """Counters for the summary and /metrics. Points are InfluxDB lines (one per device, point
    and millisecond, carrying all its metrics)."""

    points_written: int
    batches_written: int
    batches_failed: int  # writes that failed and were kept for retry
    points_rejected: int  # refused by the server, kept in the dead letters
    batches_rejected: int
    values_invalid: int  # NaN/inf readings InfluxDB cannot store
    spool_points: int
    spool_bytes: int
    spool_dropped_points: int  # lost because the spool budget was exceeded
    buffered_readings: int
    last_error: str
    last_error_ts: float | None


class InfluxSink:
    """Writes Readings to the InfluxDB of ``cfg``; spool and dead letters live under ``spool_dir``.

    ``kinds`` maps device id to kind (the measurement). ``retry_max_s`` caps the backoff
    between retries of the spool while the server is away.
    """

    def __init__(
        self,
        cfg: InfluxConfig,
        spool_dir: Path,
        kinds: Mapping[str, str],
        writer: InfluxWriter | None = None,
        retry_max_s: float = 30.0,
    ) -> None:
        self._cfg = cfg
        self._spool_dir = spool_dir
        self._encoder = LineEncoder(kinds)
        self._writer = writer
        self._retry_max_s = retry_max_s
        self._buffer: list[Reading] = []
        self._full = cfg.batch_size  # readings that fill batch_size lines, at the last batch's width
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._spool: DiskSpool | None = None
        self._dead: DeadLetters | None = None
        self._last_flush = time.monotonic()
        self._moved_at = time.monotonic()  # the last batch written or spooled, or the buffer found empty
        self._retry_at = 0.0
        self._backoff = cfg.flush_interval_s
        self._outage_since: float | None = None
        self._points_written = 0
        self._batches_written = 0
        self._batches_failed = 0
        self._last_error = ""
        self._last_error_ts: float | None = None

    async def start(self) -> None:
        """Open the spool (resuming what a previous run left) and start the writer task."""
        budget = int(self._cfg.spool_max_mb * 1e6)
        self._spool = await asyncio.to_thread(DiskSpool, self._spool_dir / "spool", budget)
        # dead letters are for a person to read, a tenth of the spool's budget is plenty
        self._dead = DeadLetters(self._spool_dir / "deadletter", max(budget // 10, 1_000_000))
        if self._writer is None:
            self._writer = make_writer(self._cfg)
        self._task = asyncio.create_task(self._run(), name="influx-sink")

    async def stop(self) -> None:
        """Write (or spool) everything added so far, then close; nothing accepted is lost."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        await self._task
        self._task = None
        assert self._writer is not None
        await self._writer.close()

    def add(self, batch: Sequence[Reading]) -> None:
        """Bus handler: queue ``batch`` for writing (cheap, never blocks)."""
        self._buffer.extend(batch)
        if len(self._buffer) >= self._full:
            self._wake.set()

    def behind(self) -> bool:
        """Whether the intake should wait for this sink: two batches' worth of readings or more wait while it
        writes or spools them (ask from the loop's thread). Not once it moved nothing for ``timeout_s`` and a
        flush interval: a write cannot take longer, so the sink is stuck (its spool's disk failing)."""
        return (
            len(self._buffer) >= 2 * self._full
            and time.monotonic() - self._moved_at < self._cfg.timeout_s + self._cfg.flush_interval_s
        )

    def stats(self) -> SinkStats:
        """Current counters and depths."""
        spool, dead = self._spool, self._dead
        return SinkStats(
            points_written=self._points_written,
            batches_written=self._batches_written,
            batches_failed=self._batches_failed,
            points_rejected=dead.points if dead else 0,
            batches_rejected=dead.batches if dead else 0,
            values_invalid=self._encoder.rejected_total,
            spool_points=spool.points if spool else 0,
            spool_bytes=spool.bytes if spool else 0,
            spool_dropped_points=spool.dropped_points if spool else 0,
            buffered_readings=len(self._buffer),
            last_error=self._last_error,
            last_error_ts=self._last_error_ts,
        )

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):  # the flush interval passed without a wake-up
                await asyncio.wait_for(self._wake.wait(), timeout=self._cfg.flush_interval_s)
            self._wake.clear()
            try:
                await self._move_buffer(force=False)
                await self._drain_spool()
            except _SpoolUnavailable:
                await asyncio.sleep(self._cfg.flush_interval_s)
            except Exception:  # a bug here must not end the sink
                log.exception(
                    "InfluxDB sink: unexpected error; retrying in %.1f s", self._cfg.flush_interval_s
                )
                await asyncio.sleep(self._cfg.flush_interval_s)
        try:
            await self._move_buffer(force=True)
        except Exception:
            log.exception(
                "InfluxDB sink: %d readings could not be written or spooled at stop", len(self._buffer)
            )

    async def _move_buffer(self, force: bool) -> None:
        """Write (or spool, while the spool is not empty) the readings that are due."""
        while self._buffer and (
            force
            or len(self._buffer) >= self._full
            or time.monotonic() - self._last_flush >= self._cfg.flush_interval_s
        ):
            self._last_flush = time.monotonic()
            assert self._spool is not None and self._writer is not None
            spooling = len(self._spool) > 0
            # twice the readings the last width says fill a batch: the encoder stops at batch_size lines
            # and what it did not take stays first in the buffer (only this task takes from it)
            chunk = self._buffer[: 2 * self._full]
            encoded = await asyncio.to_thread(self._encoder.encode, chunk, spooling, self._cfg.batch_size)
            del self._buffer[: encoded.taken]
            del chunk[encoded.taken :]
            if not encoded.points:  # nothing InfluxDB can store (NaN values)
                continue
            self._full = round(self._cfg.batch_size * encoded.taken / encoded.points)
            if spooling:
                await self._spool_encoded(encoded, chunk)
                self._moved_at = time.monotonic()
                continue
            outcome = await write_splitting(self._writer, encoded.body)
            if isinstance(outcome, WriteResult):  # the server is away: the whole chunk waits
                self._failed(outcome, encoded.points)
                await self._to_spool(chunk)
            else:
                await self._settle(outcome)
            self._moved_at = time.monotonic()
        if not self._buffer:
            self._last_flush = self._moved_at = time.monotonic()

    async def _to_spool(self, chunk: list[Reading]) -> None:
        encoded = await asyncio.to_thread(self._encoder.encode, chunk, True)
        if encoded.points:
            await self._spool_encoded(encoded, chunk)

    async def _spool_encoded(self, encoded: EncodedBatch, chunk: list[Reading]) -> None:
        """Append ``chunk``'s lines (encoded with backfill) to the spool; if the disk cannot take them,
        ``chunk`` goes back first in the buffer and _SpoolUnavailable is raised."""
        assert self._spool is not None
        try:
            await asyncio.to_thread(self._spool.append, encoded.body, encoded.points)
        except OSError as exc:
            # disk full or gone: keep the readings in memory, first in line, and say so
            self._buffer[:0] = chunk
            log.error(
                "InfluxDB spool %s cannot be written (%s); %d readings kept in memory, retrying",
                self._spool.directory,
                exc,
                len(self._buffer),
            )
            raise _SpoolUnavailable from exc

    async def _drain_spool(self) -> None:
        """Replay spooled batches, oldest first, while the server takes them."""
        assert self._spool is not None and self._writer is not None
        while len(self._spool) and time.monotonic() >= self._retry_at and not self._stopping:
            segments, body = await asyncio.to_thread(self._spool.head, self._cfg.batch_size)
            points = sum(seg.points for seg in segments)
            outcome = await write_splitting(self._writer, body)
            if isinstance(outcome, WriteResult):
                self._failed(outcome, points)
                return
            await self._settle(outcome)
            await asyncio.to_thread(self._spool.remove, segments)
            if not len(self._spool):
                log.info("InfluxDB spool replayed: %d points written in all", self._points_written)
            # readings that arrived meanwhile queue behind the backlog, in order
            await self._move_buffer(force=False)

    async def _settle(self, settled: Settled) -> None:
        """Count what a write stored; keep what the server refused in the dead letters."""
        if settled.written:
            self._written(settled.written)
        for body, points, result in settled.refused:
            await self._reject(body, points, result)

    def _written(self, points: int) -> None:
        self._points_written += points
        self._batches_written += 1
        self._backoff = self._cfg.flush_interval_s
        self._retry_at = 0.0
        if self._outage_since is not None:
            log.warning(
                "InfluxDB %s answers again after %.0f s; replaying %d spooled points",
                self._cfg.url,
                time.monotonic() - self._outage_since,
                self._spool.points if self._spool else 0,
            )
            self._outage_since = None

    def _failed(self, result: WriteResult, points: int) -> None:
        self._batches_failed += 1
        self._note_error(f"HTTP {result.status}: {result.message}" if result.status else result.message)
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self._retry_max_s)
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.warning(
                "InfluxDB %s cannot take writes (%s); %d points go to the disk spool %s until it answers",
                self._cfg.url,
                self._last_error,
                points,
                self._spool_dir / "spool",
            )

    async def _reject(self, body: bytes, points: int, result: WriteResult) -> None:
        assert self._dead is not None
        await asyncio.to_thread(self._dead.add, body, points, result.status, result.message)
        self._note_error(f"HTTP {result.status}: {result.message}")
        sample = body.split(b"\n", 1)[0][:300].decode(errors="replace")
        log.error(
            "InfluxDB %s refused a batch of %d points: HTTP %d %s. Sample line: %s. The batch is kept "
            "in %s (%d refused so far); check the database/bucket, credentials and the line.",
            self._cfg.url,
            points,
            result.status,
            result.message,
            sample,
            self._dead.path,
            self._dead.points,
        )

    def _note_error(self, message: str) -> None:
        self._last_error = message
        self._last_error_ts = time.time()
