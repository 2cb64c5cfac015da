"""Warm-up at start: the rules' memory rebuilt from the local store, so a restart loses none of it.

The rules keep their memory in RAM: the pit rate rule a window of days per point, the wind rule
its run of samples, the offline rule when each device was last heard. A site box loses power
several times a week; without this, the pit rate rule would be blind for days after each cut.
Before live readings reach the rules, the history the configured rules need (each family declares
its own, ``history_s`` beside its code, gathered by its kind's judge; ``rules.warmup_max_h`` caps it) is read from the local
store in ts order and fed through the same :meth:`RuleEngine.replay` that ``sitegw replay`` uses.

Its verdicts are dropped: the alert manager persisted every alert before the stop. Afterwards
:meth:`RuleEngine.resume` makes the next verdict of every alert count again, so live evaluation
reconciles as after any start: an alert still true stays as it is (no second ``firing``), one
whose condition ended while the box was off resolves on the first live verdict that says so.

Drivers and the API start at once; readings and device status changes that arrive meanwhile wait
in a queue and reach the rules (and, with them, the live view and the stores) after the warm-up,
in arrival order, so no live reading is judged before the history it follows.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from contract.config.loader import LoadedSite
from contract.config.site import SiteConfig
from contract.readings import Quality, Reading
from gateway.alerts.monitor import SafetyMonitor
from gateway.store.local_query import HistoryReader
from gateway.store.local_schema import StoreError
from rules.engine import RuleEngine, history_s

log = logging.getLogger(__name__)
T = TypeVar("T")


def warmup_window_s(site: SiteConfig) -> float:
    """Seconds of history to replay at start: what the longest-remembering rule needs (each rule family
    declares its own, each kind's judge gathers its families'), capped by ``rules.warmup_max_h`` (0: no
    warm-up)."""
    return min(history_s(site), site.rules.warmup_max_h * 3600)


@dataclass(frozen=True)
class WarmupReport:
    """What one warm-up did."""

    window_s: float  # how far back it looked
    readings: int
    first_ts: float | None
    last_ts: float | None
    elapsed_s: float

    def line(self) -> str:
        """The one log line of a warm-up."""
        if not self.readings:
            return f"rules warm-up: no stored readings in the last {self.window_s / 3600:.1f} h"
        span_h = ((self.last_ts or 0) - (self.first_ts or 0)) / 3600
        return (
            f"rules warm-up: {self.readings} readings over {span_h:.1f} h (window {self.window_s / 3600:.1f} h) "
            f"replayed in {self.elapsed_s:.2f} s"
        )


class WarmupStopped(Exception):
    """The gateway stopped while the warm-up was still reading (the thread's result is not awaited)."""


def warm_up(
    engine: RuleEngine, history: Iterable[Reading], window_s: float, stop: threading.Event | None = None
) -> WarmupReport:
    """Feed ``history`` (in ts order) through ``engine``, dropping the verdicts (blocking)."""
    started = time.perf_counter()
    count, first, last = 0, None, None
    for ts, batch, _verdicts in engine.replay(_as_received(r) for r in history):
        count += len(batch)
        first = ts if first is None else first
        last = ts
        if stop is not None and stop.is_set():
            raise WarmupStopped
    return WarmupReport(window_s, count, first, last, time.perf_counter() - started)


def _as_received(r: Reading) -> Reading:
    # The store keeps readings as the rules judged them, and only the rules mark fault (no driver
    # does): re-judging the raw value rebuilds what the fault verdict changed (the sensor.fault
    # memory, the jump rule restarting after a fault) instead of skipping the reading.
    return replace(r, quality=Quality.OK) if r.quality is Quality.FAULT else r


class RuleWarmup:
    """Holds the rules' bus handlers back while the warm-up runs, then lets them go in order.

    Wrap the handlers with :meth:`hold`, and run :meth:`run_then` as the rules' task.
    """

    def __init__(
        self,
        site: LoadedSite,
        monitor: SafetyMonitor,
        reader: HistoryReader,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._site = site
        self._monitor = monitor
        self._reader = reader
        self._clock = clock
        self._held: deque[tuple[Callable[[Any], None], Any]] = deque()
        self._open = False
        self._stop = threading.Event()
        self.report: WarmupReport | None = None
        self.done = asyncio.Event()  # set once live readings reach the rules

    def hold(self, handler: Callable[[T], None]) -> Callable[[T], None]:
        """``handler``, deferred until the warm-up is over (calls queue in arrival order)."""

        def gated(item: T) -> None:
            if self._open:
                handler(item)
            else:
                self._held.append((handler, item))

        return gated

    async def run_then(self, live: Callable[[], Any]) -> None:
        """Warm the rules up (in a worker thread: the event loop, API and drivers keep running), let
        the held readings through, then await ``live()`` (the rules' tick loop)."""
        try:
            await self._warm()
        except asyncio.CancelledError:
            self._stop.set()  # the reading thread ends at its next instant
            raise
        self._release()
        await live()

    async def _warm(self) -> None:
        window = warmup_window_s(self._site.config)
        now = self._clock()
        if window > 0:
            try:
                self.report = await asyncio.to_thread(self._replay, now - window, window)
                log.info(self.report.line())
            except StoreError as exc:
                log.warning(
                    "rules warm-up skipped: %s; the rules start with no memory of earlier readings", exc
                )
            except Exception:  # a damaged history must not keep the rules from live readings
                log.exception(
                    "rules warm-up from %s failed; the rules start with no memory of earlier readings "
                    "(the live readings are judged all the same)",
                    self._reader.path,
                )
        else:
            log.info(
                "rules warm-up off (rules.warmup_max_h: 0): the rules start with no memory of earlier readings"
            )
        # the alerts firing at the stop: a silence among them goes on until heard, whatever the warm-up found
        self._monitor.engine.resume(now, self._monitor.alerts.firing())

    def _replay(self, since: float, window_s: float) -> WarmupReport:
        devices = {d.id for d in self._site.config.devices}
        history = self._reader.readings_since(since, self._site.config.project.code, devices)
        try:
            return warm_up(self._monitor.engine, history, window_s, self._stop)
        finally:
            history.close()

    def _release(self) -> None:
        """Run what was held, in order, then let calls through (all in the loop's thread, so nothing
        new can slip in between)."""
        held = len(self._held)
        while self._held:
            handler, item = self._held.popleft()
            try:
                handler(item)
            except Exception:  # as on the bus: one failing batch must not stop the others
                log.exception(
                    "rules warm-up: a held reading batch failed in %s", getattr(handler, "__name__", handler)
                )
        self._open = True
        self.done.set()
        if held:
            log.info("rules warm-up: %d held batches judged", held)
