"""SafetyMonitor: the rules and the alert manager on the bus, the one object the gateway wires up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.bus import Bus
from contract.config.loader import LoadedSite
from contract.readings import DeviceStatus, Quality, Reading
from gateway.alerts.manager import AlertManager
from rules.engine import RuleEngine


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
    ) -> None:
        self.engine = RuleEngine(site)
        self.alerts = AlertManager(db_path, site.config.project.code, on_event, clock)
        self._on_fault = on_fault
        self._clock = clock

    def attach(self, bus: Bus, name: str = "rules") -> None:
        """Subscribe to readings and device status changes."""
        bus.subscribe(name, self.on_readings)
        bus.subscribe_status(name, self.on_status)

    def judge(self, batch: Sequence[Reading]) -> list[Reading]:
        """Judge a batch, act on the verdicts, and return the batch as the rules marked it
        (readings of a broken sensor come back with quality ``fault``), for the stores."""
        evaluation = self.engine.evaluate(batch)
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
        """Offline detection, silences ending, undelivered events retried."""
        now = self._clock() if now is None else now
        self.alerts.handle(self.engine.tick(now))
        self.alerts.tick(now)

    async def run(self, period_s: float = 1.0) -> None:
        """Tick until cancelled (run as a task in the gateway's loop)."""
        while True:
            self.tick()
            await asyncio.sleep(period_s)

    def close(self) -> None:
        """Close the alert database."""
        self.alerts.close()
