"""Modbus RTU over a pty pair: several slaves on one serial port, one of them dead."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.transport import ModbusRtuTransport
from drivers.modbus import ModbusDriver
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from drivers.simulators.ptypair import PtyPair
from tests.drivers.modbus.conftest import Recorder, fast, wait_until
from tests.drivers.modbus.test_tcp import BOX


@pytest.fixture
def pty() -> PtyPair:
    with PtyPair() as pair:
        yield pair


async def test_live_slaves_keep_their_rate_while_one_slave_is_dead(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], pty: PtyPair, caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    crane_map, anemo_map = (
        site.profiles["tower_crane_blackbox"].modbus,
        site.profiles["anemometer_rs485"].modbus,
    )
    assert crane_map is not None and anemo_map is not None
    units = [SimUnit(1, crane_map, lambda: BOX), SimUnit(2, anemo_map, lambda: {"wind_ms": 14.2})]
    line = {"port": pty.b, "baudrate": 9600}
    devices = [
        fast(site.config.device("crane-2"), transport=ModbusRtuTransport(unit_id=1, **line)),
        fast(site.config.device("anemo-1"), transport=ModbusRtuTransport(unit_id=2, **line)),
        # unit 5 is wired but dead: it never answers
        fast(
            site.config.device("anemo-1"),
            id="anemo-dead",
            transport=ModbusRtuTransport(unit_id=5, **line),
            backoff_max_s=5,
        ),
    ]
    async with ModbusSimulatorServer(units, serial=pty.a):
        driver = ModbusDriver(site, bus, devices)
        with caplog.at_level(logging.WARNING, logger="drivers.modbus"):
            start = time.monotonic()
            await driver.start()
            await wait_until(lambda: rec.status_of("anemo-dead") == [False], 5, "dead slave offline")
            await asyncio.sleep(4.5 - (time.monotonic() - start))
            await driver.stop()
    # 15 slots of 0.2 s after the dead slave was found dead: its probes, backing off, may cost a
    # slot or two; probing it at the poll rate (0.3 s of silence each time) would cost five or more
    window = (start + 1.5, start + 4.5)
    for device in ("crane-2", "anemo-1"):
        polls = [t for t in rec.batch_times(device) if window[0] <= t < window[1]]
        assert len(polls) >= 13, f"{device}: {len(polls)} polls in 3 s, expected ~15"
        assert rec.status_of(device) == [True]
    assert {r.metric: r.value for r in rec.readings("crane-2")[: len(BOX)]} == BOX  # one poll
    assert {r.value for r in rec.readings("anemo-1")} == {14.2}
    dead = driver.stats()["anemo-dead"]
    assert not dead.online and dead.readings == 0 and "no answer within 0.3 s" in dead.last_error
    timeouts = [
        r.getMessage()
        for r in caplog.records
        if "anemo-dead" in r.getMessage()
        and "no answer" in r.getMessage()
        and "is offline" not in r.getMessage()
    ]
    assert len(timeouts) == 1 and "unit 5" in timeouts[0] and "holding registers 0" in timeouts[0]


async def test_missing_serial_port_is_a_clear_error_not_a_crash(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    device = fast(
        site.config.device("anemo-1"), transport=ModbusRtuTransport(port="/dev/ttyNOPE9", unit_id=2)
    )
    driver = ModbusDriver(site, bus, [device])
    with caplog.at_level(logging.WARNING, logger="drivers.modbus"):
        await driver.start()
        await wait_until(lambda: rec.status_of("anemo-1") == [False], 5, "offline")
        await driver.stop()
    assert any("cannot connect to rtu /dev/ttyNOPE9" in r.getMessage() for r in caplog.records)


def test_backoff_doubles_from_twice_the_interval_up_to_its_cap(site: LoadedSite) -> None:
    device = fast(
        site.config.device("anemo-1"),
        transport=ModbusRtuTransport(port="/dev/ttyNOPE9", unit_id=2),
        poll_interval_s=1.0,
        retries=2,
        backoff_max_s=30,
    )
    poller = ModbusDriver(site, Bus(), [device]).pollers[0]
    delays = []
    for failures in (2, 3, 4, 5, 6, 50_000):  # the last: weeks of probing a dead slave, no overflow
        poller._failures = failures
        delays.append(poller.backoff_s())
    assert delays == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
