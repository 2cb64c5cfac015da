"""LiveHub: the fan-out of live changes (readings, device status, alert events, the regulator's
decisions) to stream clients.

Every change gets an id ``BOOT.SEQ`` and is kept in a ring buffer (bounded by events and by
characters), so a client that lost its
connection and comes back with ``Last-Event-ID`` gets exactly what it missed. When it cannot be
resumed (an id from before a gateway restart, or older than the buffer) the client is sent a
``reset`` event first: it reloads its snapshot from the REST API, and nothing is silently skipped.

Each event is serialised once, here, not once per client: 50 dashboards cost one ``json.dumps``.
Readings are coalesced for ``coalesce_s`` (100 ms) into one event: the bus delivers many small
batches (one per MQTT wake-up), and per-client cost is per event, not per reading. Pending
readings go out before any status or alert event, so the stream keeps the gateway's order.
A client too slow to keep up (its queue full) is cut off rather than slowing the gateway; it
reconnects with its last id and resumes from the buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from contract.alert_event import AlertEvent
from contract.readings import DeviceStatus, Reading
from gateway.api.live_rows import ReadingRows, array
from gateway.uplinks.decisions import Decision

RING_SIZE = 20_000  # ~30 minutes of the reference site at 10 reading events a second
# and at most this many characters of JSON (about as many bytes): on a large site each readings event is
# larger (the soak's 51 devices: ~6 KB), and 20,000 of them held 120 MB, growing for half an hour. 8 million
# is a minute of the soak's site and the whole count of the reference site; 32 million was a quarter of the
# gateway's memory goal, held for good once a burst of readings had filled it (issue #20: 24 MB after
# ingest_pipeline.py's 210,000 readings). A client away longer gets a reset and reloads its snapshot.
RING_CHARS = 8_000_000
COALESCE_S = 0.1
QUEUE_SIZE = 2_000  # per client, before it counts as too slow


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One change as streamed: ``id`` BOOT.SEQ, ``event`` its type, ``data`` JSON text."""

    seq: int
    id: str
    event: str
    data: str


END = LiveEvent(-1, "", "end", "")  # put in a queue: the stream ends there


class Subscription:
    """One client's queue of events; ``dropped`` when it fell behind and must reconnect."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(QUEUE_SIZE)
        self.dropped = False


class LiveHub:
    """Fan-out of live events with a resumable ring buffer; publish from any thread."""

    def __init__(
        self, ring_size: int = RING_SIZE, coalesce_s: float = COALESCE_S, ring_chars: int = RING_CHARS
    ) -> None:
        # the boot id makes ids from an earlier run of the gateway recognisable as such
        self.boot = format(int(time.time() * 1000), "x")
        self._seq = itertools.count(1)
        self._ring: deque[LiveEvent] = deque()
        self._ring_size, self._ring_chars = ring_size, ring_chars
        self._kept_chars = 0  # characters of data in the ring
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._coalesce_s = coalesce_s
        self._rows = ReadingRows()
        self._pending: list[str] = []  # the readings waiting for the coalesced event, as JSON objects
        self._flush_handle: asyncio.TimerHandle | None = None
        self.published = 0
        self.dropped_clients = 0
        self.closed = False

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the subscribers' queues belong to (publishers on other threads hop onto it)."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    @property
    def clients(self) -> int:
        """Stream clients connected now."""
        return len(self._subs)

    # ---- publishers

    def on_readings(self, batch: Sequence[Reading]) -> None:
        """A judged batch of readings (compact: device, point, metric, value, unit, ts, quality)."""
        if batch:
            self._on_loop(self._add_readings, self._rows.rows(batch))

    def on_status(self, status: DeviceStatus) -> None:
        """A device went offline or came back."""
        self._on_loop(
            self._append,
            "status",
            json.dumps(
                {"device": status.device, "online": status.online, "reason": status.reason, "ts": status.ts}
            ),
        )

    def on_alert(self, event: AlertEvent) -> None:
        """An alert changed (every change, delivered to the uplinks or held back by a silence)."""
        payload = event.model_dump(mode="json", exclude={"evidence"}) | {
            "has_evidence": event.evidence is not None
        }
        self._on_loop(self._append, "alert", json.dumps(payload, ensure_ascii=False, separators=(",", ":")))

    def on_decision(self, decision: Decision) -> None:
        """The regulator decided on an alert (its feedback): an event of its own type, ``regulator``."""
        self._on_loop(self._append, "regulator", decision.model_dump_json())

    def _on_loop(self, fn: Callable[..., None], *args: object) -> None:
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(fn, *args)
        else:
            fn(*args)

    def _add_readings(self, rows: list[str]) -> None:
        self._pending.extend(rows)
        if self._flush_handle is None and self._loop is not None:
            self._flush_handle = self._loop.call_later(self._coalesce_s, self._flush)
        elif self._loop is None:  # no loop bound (a test): nothing to wait with
            self._flush()

    def _flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._pending:
            rows, self._pending = self._pending, []
            self._emit("readings", array(rows))

    def _append(self, kind: str, data: str) -> None:
        self._flush()  # readings received before this change go out before it
        self._emit(kind, data)

    def _emit(self, kind: str, data: str) -> None:
        seq = next(self._seq)
        event = LiveEvent(seq, f"{self.boot}.{seq}", kind, data)
        self._keep(event)
        self.published += 1
        for sub in list(self._subs):
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                sub.dropped = True
                self._subs.discard(sub)
                self.dropped_clients += 1

    def _keep(self, event: LiveEvent) -> None:
        """Into the ring, dropping the oldest beyond its count or its characters (the newest always stays)."""
        ring = self._ring
        ring.append(event)
        self._kept_chars += len(event.data)
        while len(ring) > self._ring_size or (self._kept_chars > self._ring_chars and len(ring) > 1):
            self._kept_chars -= len(ring.popleft().data)

    def close(self) -> None:
        """End every stream (the gateway is stopping): each client's response completes normally
        instead of being cut mid-answer, and the client reconnects to the next run."""
        self.closed = True
        for sub in list(self._subs):
            sub.dropped = True
            with contextlib.suppress(asyncio.QueueFull):  # a full queue ends anyway once drained
                sub.queue.put_nowait(END)
        self._subs.clear()

    # ---- subscribers

    def backlog(self, last_event_id: str | None) -> tuple[bool, list[LiveEvent]]:
        """What a client that saw ``last_event_id`` missed: (resumable, events after it).

        Not resumable (the client must reload its snapshot) when the id is from another run of
        the gateway, malformed, or older than the ring buffer.
        """
        if not last_event_id:
            return True, []
        boot, _, seq_text = last_event_id.partition(".")
        if boot != self.boot or not seq_text.isdigit():
            return False, []
        seq = int(seq_text)
        ring = self._ring
        if ring and seq < ring[0].seq - 1:
            return False, list(ring)
        return True, [e for e in ring if e.seq > seq]

    async def stream(self, last_event_id: str | None) -> AsyncIterator[LiveEvent]:
        """Events after ``last_event_id`` then live ones, until the client is too slow (then it ends).

        A ``reset`` event (data: the reason) comes first when the client's position cannot be resumed.
        """
        if self.closed:
            return
        sub = Subscription()
        self._subs.add(sub)  # before reading the backlog: nothing published in between is lost
        try:
            resumable, missed = self.backlog(last_event_id)
            if not resumable:
                yield self._reset(last_event_id)
                missed = []
            last = max((e.seq for e in missed), default=0)
            for e in missed:
                yield e
            while not sub.dropped or not sub.queue.empty():
                event = await sub.queue.get()
                if event is END:
                    return
                if event.seq > last:
                    yield event
        finally:
            self._subs.discard(sub)

    @property
    def head(self) -> int:
        """The sequence number of the newest event (0 before the first)."""
        return self._ring[-1].seq if self._ring else 0

    @property
    def position(self) -> str:
        """The id of the newest event. A client that takes it before loading its snapshot and then streams
        from it gets every event published while the snapshot loaded, which it would miss by connecting
        after loading."""
        return f"{self.boot}.{self.head}"

    def _reset(self, last_event_id: str | None) -> LiveEvent:
        reason = "restarted" if not (last_event_id or "").startswith(self.boot + ".") else "too_old"
        return LiveEvent(self.head, self.position, "reset", json.dumps({"reason": reason}))
