"""One uplink's delivery loop: oldest first, one alert's events strictly in order, retries paced.

Ordering: the loop looks at the oldest pending events (a window) and sends an event only if no
earlier event of the same alert is still pending or in flight, so different alerts go in parallel
(up to ``concurrency``) while each alert's events arrive in the order they happened.

Retries: a transient failure puts the whole uplink into backoff (a platform that is down is down for
every alert); while failures continue it probes with one event at a time, and the first success
brings back full concurrency. A permanent refusal dead-letters that event and the alert moves on.

Backfill (补传): an event sent more than ``backfill_after_s`` after it was queued goes out with
``backfill: true``; the queue time is the gateway's own clock, so a device's clock cannot fake it.

The outbox file that cannot be written (the state folder's disk full, before gateway/disk_watch.py frees
its reserve): the loop keeps running and tries again every ``STORE_RETRY_S``. Deliveries the platform
confirmed but the file could not record are held in memory and recorded first, so they are not sent
again; the loop dying there left every later event undelivered until the gateway restarted.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from typing import Any

from contract.alert_event import AlertEvent
from contract.config.uplinks import UplinkBase
from gateway.outbox.backoff import backoff_delay
from gateway.outbox.store import OutboxStore, Pending
from gateway.uplinks.base import DeliveryFailure, PermanentFailure, UplinkAdapter
from plumbing.sqlite import sqlite3

log = logging.getLogger(__name__)

WINDOW_PER_SLOT = 32  # pending events looked at per concurrent slot: enough to find other alerts' heads
IDLE_POLL_S = (
    5.0  # an idle uplink looks again this often: events requeued by `sitegw redeliver` get picked up
)
STORE_RETRY_S = 1.0  # an outbox file that refused a write (disk full) is written again this often


@dataclass(frozen=True, slots=True)
class _Outcome:
    row: Pending
    backfill: bool
    failure: DeliveryFailure | None


class Dispatcher:
    """Delivers one uplink's pending events until stopped."""

    def __init__(
        self,
        store: OutboxStore,
        adapter: UplinkAdapter,
        config: UplinkBase,
        backfill_after_s: float,
        rng: random.Random | None = None,
    ) -> None:
        self.name = config.name
        self._store = store
        self._adapter = adapter
        self._config = config
        self._backfill_after_s = backfill_after_s
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._inflight: dict[asyncio.Task[_Outcome], Pending] = {}
        self._failures = 0
        self._retry_at = 0.0
        self.last_error = ""
        # delivered, not yet recorded as such (the file refused the write): seq -> sent as backfill
        self._unrecorded: dict[int, bool] = {}
        self._store_error = ""

    def wake(self) -> None:
        """New events were queued (call from the loop thread)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; in-flight sends are cancelled with it (they stay pending on disk)."""
        try:
            while True:
                self._wake.clear()
                try:
                    if time.monotonic() >= self._retry_at:
                        self._start_sends()
                    await self._wait()
                    self._settle([t for t in self._inflight if t.done()])
                except sqlite3.OperationalError as exc:
                    await self._store_refused(exc)
        finally:
            for task in self._inflight:
                task.cancel()
            await asyncio.gather(*self._inflight, return_exceptions=True)

    def _start_sends(self) -> None:
        slots = 1 if self._failures else self._config.concurrency
        if len(self._inflight) >= slots:
            return
        busy_alerts = {p.alert_id for p in self._inflight.values()}
        busy_seqs = {p.seq for p in self._inflight.values()}
        seen: set[str] = set()
        for row in self._store.pending(self.name, WINDOW_PER_SLOT * self._config.concurrency):
            if row.seq in self._unrecorded:
                continue  # delivered: its alert's next event may go
            if row.alert_id in seen or row.alert_id in busy_alerts:
                seen.add(row.alert_id)  # an earlier event of this alert is pending or in flight
                continue
            seen.add(row.alert_id)
            if row.seq in busy_seqs:
                continue
            self._inflight[asyncio.create_task(self._send(row))] = row
            if len(self._inflight) >= slots:
                return

    async def _wait(self) -> None:
        waits: set[asyncio.Future[Any]] = set(self._inflight)
        waker = asyncio.ensure_future(self._wake.wait())
        waits.add(waker)
        if self._failures:
            timeout = max(0.0, self._retry_at - time.monotonic())
        else:  # deliveries the file refused are recorded again soon, not at the idle pace
            timeout = STORE_RETRY_S if self._unrecorded else IDLE_POLL_S
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waker.cancel()

    async def _send(self, row: Pending) -> _Outcome:
        event = AlertEvent.model_validate_json(self._store.body(row.seq))
        backfill = event.backfill or time.time() - row.queued_at > self._backfill_after_s
        if backfill and not event.backfill:
            event = event.model_copy(update={"backfill": True})
        try:
            await self._adapter.send(event)
        except DeliveryFailure as failure:
            return _Outcome(row, backfill, failure)
        return _Outcome(row, backfill, None)

    def _settle(self, done: list[asyncio.Task[_Outcome]]) -> None:
        delivered: list[tuple[int, bool]] = []
        for task in done:
            row = self._inflight.pop(task)
            try:
                outcome = task.result()
            except (
                Exception
            ) as exc:  # an adapter bug must not stop delivery: retried like a transient failure
                log.exception("uplink %s: unexpected error sending event seq %d", self.name, row.seq)
                outcome = _Outcome(row, False, DeliveryFailure(f"{type(exc).__name__}: {exc}"))
            if outcome.failure is None:
                delivered.append((row.seq, outcome.backfill))
            elif isinstance(outcome.failure, PermanentFailure):
                # the way back named in the line itself: a newcomer with a wrong secret sees it in the log
                log.error(
                    "uplink %s refused event seq %d for good, kept in dead_letters: %s; fix the cause "
                    "(a 401: the uplink's secret must be the one the platform registered for the project), "
                    "then `sitegw redeliver %s --state-dir %s` sends the refused events again",
                    self.name,
                    row.seq,
                    outcome.failure.detail,
                    self.name,
                    self._store.path.parent,
                )
                self._store.dead_letter(self.name, row.seq, outcome.failure.detail)
            else:
                self._failed(row, outcome.failure.detail)
        if delivered or self._unrecorded:
            self._record_delivered(dict(delivered))
        if delivered:
            if self._failures:
                log.info("uplink %s reachable again after %d failed attempts", self.name, self._failures)
            self._failures = 0
            self._retry_at = 0.0
            self.last_error = ""

    def _record_delivered(self, delivered: dict[int, bool]) -> None:
        """Record these and any earlier unrecorded deliveries; kept in memory if the file refuses."""
        self._unrecorded.update(delivered)
        self._store.mark_delivered(self.name, list(self._unrecorded.items()))
        self._unrecorded.clear()
        self._store_written()

    def _store_written(self) -> None:
        if self._store_error:
            log.warning("uplink %s: the outbox file is written again", self.name)
            self._store_error = ""

    async def _store_refused(self, exc: sqlite3.OperationalError) -> None:
        """The outbox file refused a write or a read: said once, tried again in ``STORE_RETRY_S``."""
        if not self._store_error:
            log.error(
                "uplink %s: the outbox file %s cannot be written (%s): the events stay on disk as they "
                "were and %d confirmed deliveries wait in memory; retrying every %.0f s. Free space in "
                "the state folder if it is full",
                self.name,
                self._store.path,
                exc,
                len(self._unrecorded),
                STORE_RETRY_S,
            )
        self._store_error = str(exc)
        await asyncio.sleep(STORE_RETRY_S)

    def _failed(self, row: Pending, detail: str) -> None:
        self._store.record_failure(self.name, row.seq, detail)
        self._store_written()
        self._failures += 1
        delay = backoff_delay(
            self._failures, self._config.backoff_initial_s, self._config.backoff_max_s, self._rng
        )
        self._retry_at = time.monotonic() + delay
        self.last_error = detail
        level = logging.WARNING if self._failures in (1, 5) or self._failures % 50 == 0 else logging.DEBUG
        log.log(
            level,
            "uplink %s: delivery failed (%d in a row), retrying in %.1f s: %s",
            self.name,
            self._failures,
            delay,
            detail,
        )
