"""The site's live picture: the latest value of every metric and each device's link state.

Fed by the bus; read by the API, the dashboard and the demo summary. Counting here (rather
than in each driver) gives one place that knows how many readings of each metric arrived.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from contract.readings import DeviceStatus, Reading


@dataclass
class DeviceLive:
    """What the site office sees of one device right now."""

    device: str
    online: bool | None = None  # None: nothing heard yet
    reason: str = ""
    since: float | None = None  # ts of the last link change
    last_reading_ts: float | None = None
    readings: int = 0


@dataclass
class LiveState:
    """Latest readings by (device, point, metric), link state by device, counters."""

    latest: dict[tuple[str, str, str], Reading] = field(default_factory=dict)
    devices: dict[str, DeviceLive] = field(default_factory=dict)
    per_metric: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: int = 0
    started: float = field(default_factory=time.time)

    def on_readings(self, batch: Sequence[Reading]) -> None:
        """Bus handler: remember the newest value of each series."""
        latest = self.latest
        for r in batch:
            key = (r.device, r.point, r.metric)
            old = latest.get(key)
            if old is None or r.ts >= old.ts:
                latest[key] = r
            self.per_metric[(r.device, r.metric)] += 1
            dev = self.devices.get(r.device)
            if dev is None:
                dev = self.devices[r.device] = DeviceLive(r.device)
            dev.readings += 1
            if dev.last_reading_ts is None or r.ts > dev.last_reading_ts:
                dev.last_reading_ts = r.ts
        self.total += len(batch)

    def on_status(self, status: DeviceStatus) -> None:
        """Bus handler: a device went offline or came back."""
        dev = self.devices.setdefault(status.device, DeviceLive(status.device))
        if dev.online != status.online:
            dev.since = status.ts
        dev.online, dev.reason = status.online, status.reason

    def device_readings(self, device: str) -> list[Reading]:
        """Latest value of each metric (and point) of one device."""
        return [r for (d, _, _), r in self.latest.items() if d == device]

    def counts(self) -> dict[str, dict[str, int]]:
        """Readings per device and per metric since start, for the summary."""
        out: dict[str, dict[str, int]] = {}
        for (device, metric), n in sorted(self.per_metric.items()):
            out.setdefault(device, {})[metric] = n
        return out
