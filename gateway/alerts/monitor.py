"""SafetyMonitor: the rules and the alert manager on the bus, the one object the gateway wires up."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.bus import Bus
from contract.config.loader import LoadedSite
from contract.readings import DeviceStatus, Quality, Reading
from gateway.alerts.baselines import BaselineStore
from gateway.alerts.manager import AlertManager
from rules.engine import RuleEngine

log = logging.getLogger(__name__)

# how far the wall clock may move beyond the monotonic clock between two ticks before it counts as a step:
# NTP slews drift at 0.5 ms/s at most, two reads of the clocks are microseconds apart
CLOCK_STEP_S = 2.0


class SafetyMonitor:
    """Feeds bus batches to the RuleEngine and its verdicts to the AlertManager.

    ``on_event`` (the outbox) receives every AlertEvent after it is in the alert database;
    ``on_fault`` (optional, e.g. the store) receives the readings the rules judged broken,
    re-marked with quality ``fault``.
    """

    def __init__(
        self,
        site: LoadedSite,
        db_path: str | Path,
        on_event: Callable[[AlertEvent], object],
        on_fault: Callable[[list[Reading]], None] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = RuleEngine(site)
        self.baselines = BaselineStore(db_path)  # before the warm-up, which measures from them
        self.baselines.attach(self.engine.baselines)
        self.alerts = AlertManager(
            db_path, site.config.project.code, on_event, clock, site.config.rules.worsening
        )
        self._on_fault = on_fault
        self._clock = clock
        self._monotonic = monotonic
        self._last_tick: tuple[float, float] | None = None  # (clock, monotonic) at the last live look

    def attach(self, bus: Bus, name: str = "rules") -> None:
        """Subscribe to readings and device status changes."""
        bus.subscribe(name, self.on_readings)
        bus.subscribe_status(name, self.on_status)

    def judge(self, batch: Sequence[Reading]) -> list[Reading]:
        """Judge a batch, act on the verdicts, and return the batch as the rules marked it
        (readings of a broken sensor come back with quality ``fault``), for the stores."""
        # the devices are heard now, by the clock the ticks read, a step of it noticed first: their silences
        # are measured on that one clock, never against the stamps of their own
        now = self._clock()
        self._check_step(now)
        evaluation = self.engine.evaluate(batch, now)
        self.alerts.handle(evaluation.results)
        if self._on_fault is not None:
            faulted = [
                r
                for r, before in zip(evaluation.readings, batch, strict=True)
                if r.quality is Quality.FAULT and before.quality is not Quality.FAULT
            ]
            if faulted:
                self._on_fault(faulted)
        return evaluation.readings

    def on_readings(self, batch: Sequence[Reading]) -> None:
        """Bus handler: judge a batch and act on the verdicts."""
        self.judge(batch)

    def on_status(self, status: DeviceStatus) -> None:
        """Bus handler: a driver's link-state change."""
        self.alerts.handle(self.engine.on_status(status))

    def tick(self, now: float | None = None) -> None:
        """Offline detection, silences ending, undelivered events retried (``now``: the clock's time,
        checked for a step first)."""
        if now is None:
            now = self._clock()
            self._check_step(now)
        self.alerts.handle(self.engine.tick(now))
        self.alerts.tick(now)

    def _check_step(self, now: float) -> None:
        """Tell the rules when the wall clock moved more, or less, than the monotonic clock since the last
        tick: a step (NTP after a boot with a stale RTC, a hand-set clock), not time that passed."""
        mono = self._monotonic()
        if self._last_tick is not None:
            step = (now - self._last_tick[0]) - (mono - self._last_tick[1])
            if abs(step) > CLOCK_STEP_S:
                log.warning(
                    "this machine's clock was stepped %+.0f s (%s): device silences and attendance are "
                    "measured across the step; check the time source (NTP, the RTC battery) if it is wrong",
                    step,
                    datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
                )
                self.engine.clock_stepped(step, now)
        self._last_tick = (now, mono)

    async def run(self, period_s: float = 1.0) -> None:
        """Tick until cancelled (run as a task in the gateway's loop)."""
        while True:
            self.tick()
            await asyncio.sleep(period_s)

    def close(self) -> None:
        """Close the alert database."""
        self.alerts.close()
        self.baselines.close()
