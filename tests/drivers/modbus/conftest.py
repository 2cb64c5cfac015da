"""Shared pieces of the Modbus tests: the reference site, a bus recorder, device configs for local servers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from contract.bus import Bus
from contract.config import LoadedSite, load_site
from contract.config.device import DeviceConfig
from contract.config.profile import ModbusMap, Profile
from contract.config.transport import ModbusTcpTransport
from contract.readings import DeviceStatus, Reading
from drivers.modbus import ModbusDriver
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from tests.support import free_port

SITE = Path(__file__).resolve().parents[3] / "config" / "examples" / "site.yaml"


@dataclass
class Recorder:
    """Everything published on a bus, with arrival times."""

    batches: list[tuple[float, list[Reading]]] = field(default_factory=list)
    statuses: list[DeviceStatus] = field(default_factory=list)

    def attach(self, bus: Bus) -> Recorder:
        bus.subscribe("recorder", lambda batch: self.batches.append((time.monotonic(), list(batch))))
        bus.subscribe_status("recorder", self.statuses.append)
        return self

    def readings(self, device: str) -> list[Reading]:
        return [r for _, batch in self.batches for r in batch if r.device == device]

    def batch_times(self, device: str, since: float = 0.0) -> list[float]:
        return [t for t, batch in self.batches if batch and batch[0].device == device and t >= since]

    def status_of(self, device: str) -> list[bool]:
        return [s.online for s in self.statuses if s.device == device]


async def wait_until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``check`` every 20 ms until it is truthy."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture(scope="session")
def site() -> LoadedSite:
    return load_site(SITE)


@pytest.fixture
def bus_recorder() -> tuple[Bus, Recorder]:
    bus = Bus()
    return bus, Recorder().attach(bus)


def fast(device: DeviceConfig, **changes: Any) -> DeviceConfig:
    """``device`` polled fast, with short timeouts and backoff, for tests of a few seconds."""
    base: dict[str, Any] = {"poll_interval_s": 0.2, "timeout_s": 0.3, "retries": 2, "backoff_max_s": 0.5}
    base.update(changes)
    return device.model_copy(update=base)


def with_profiles(site: LoadedSite, **profiles: Profile) -> LoadedSite:
    """The site with extra profiles loaded (the tests give the driver their devices directly)."""
    return LoadedSite(site.path, site.config, {**site.profiles, **profiles})


async def polled_from_a_server(
    site: LoadedSite,
    device: DeviceConfig,
    mmap: ModbusMap,
    source: Callable[[], Mapping[str, float | str]],
    until: Callable[[Recorder], bool],
    what: str,
    **fast_changes: Any,
) -> Recorder:
    """``device`` (made ``fast``, with ``fast_changes``) read by the real Modbus driver over TCP from a pymodbus
    server answering ``source``'s values as unit 1 of ``mmap``, until ``until`` holds of what was published
    (``what`` names it in a timeout); what was published. Every poll must have succeeded."""
    port = free_port()
    polled = fast(
        device, transport=ModbusTcpTransport(host="127.0.0.1", port=port, unit_id=1), **fast_changes
    )
    bus = Bus()
    rec = Recorder().attach(bus)
    async with ModbusSimulatorServer([SimUnit(1, mmap, source)], tcp=("127.0.0.1", port)):
        driver = ModbusDriver(site, bus, [polled])
        await driver.start()
        try:
            await wait_until(lambda: until(rec), 20, what)
        finally:
            await driver.stop()
    assert driver.stats()[device.id].errors == 0
    return rec
