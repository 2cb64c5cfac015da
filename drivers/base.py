"""What every driver group offers the gateway: start, stop, and per-device counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class DeviceStats:
    """Counters of one device's link, for the summary, /metrics and the dashboard."""

    device: str
    online: bool = False
    readings: int = 0  # Readings published
    requests: int = 0  # Modbus requests sent, or MQTT messages received
    registers: int = 0  # Modbus registers (or bits) read
    errors: int = 0  # failed polls, malformed payloads
    last_error: str = ""
    last_reading_ts: float | None = None
    per_metric: dict[str, int] = field(default_factory=dict)  # Readings published per metric
    refused: dict[str, int] = field(default_factory=dict)  # messages refused past a bound, by cause


class Driver(Protocol):
    """A group of devices read the same way (all Modbus devices, all devices on one broker)."""

    async def start(self) -> None:
        """Begin polling/subscribing; returns once the background tasks are running."""

    async def stop(self) -> None:
        """Stop every task and close every connection."""

    def stats(self) -> dict[str, DeviceStats]:
        """Counters by device id."""
