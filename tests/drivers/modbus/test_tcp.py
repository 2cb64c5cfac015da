"""Modbus TCP end to end: the driver against the profile-driven simulator server on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import pytest

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.device import DeviceConfig
from contract.config.profile import Profile
from contract.config.transport import ModbusTcpTransport
from drivers.modbus import ModbusDriver
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from tests.drivers.modbus.conftest import Recorder, fast, wait_until, with_profiles
from tests.support import free_port

BOX = {
    "load_t": 3.25,
    "radius_m": 21.4,
    "height_m": 35.5,
    "slew_deg": 271.3,
    "wind_ms": 8.6,
    "tilt_deg": -0.12,
    "moment_pct": 71.9,
    "rated_load_t": 4.52,
    "trolley_speed_ms": -0.45,
    "reeving": 2.0,
    "flag_overload": 0.0,
    "flag_wind_alarm": 0.0,
    "flag_tilt_alarm": 0.0,
    "flag_sensor_fault": 1.0,
    "flag_limiter_bypass": 0.0,
    "flag_operator_logged_in": 1.0,
    "flag_limiter_fault": 0.0,
    "flag_anticollision": 1.0,
    "flag_zone_limit": 0.0,
    "operator_id": "OP-1002",
}


def crane_server(
    site: LoadedSite, port: int, values: dict[str, float | str] | None = None
) -> ModbusSimulatorServer:
    mmap = site.profiles["tower_crane_blackbox"].modbus
    assert mmap is not None
    return ModbusSimulatorServer([SimUnit(1, mmap, lambda: values or BOX)], tcp=("127.0.0.1", port))


def tcp_crane(site: LoadedSite, device_id: str, port: int, **changes: object) -> DeviceConfig:
    return fast(
        site.config.device(device_id), transport=ModbusTcpTransport(host="127.0.0.1", port=port), **changes
    )


async def test_every_register_arrives_decoded_as_one_batch_per_poll(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder]
) -> None:
    bus, rec = bus_recorder
    port = free_port()
    async with crane_server(site, port):
        driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", port)])
        before = time.time()
        await driver.start()
        try:
            await wait_until(lambda: len(rec.batch_times("crane-1")) >= 3, 5, "three polls")
        finally:
            await driver.stop()
    _, batch = next((t, b) for t, b in rec.batches if b)
    assert {r.metric: r.value for r in batch} == BOX
    assert {r.ts for r in batch} == {batch[0].ts} and before <= batch[0].ts <= time.time()
    assert {r.project for r in batch} == {"GD-SZ-2026-0001"}
    assert next(r.unit for r in batch if r.metric == "load_t") == "t"
    assert rec.status_of("crane-1") == [True]
    stats = driver.stats()["crane-1"]
    assert stats.online and stats.errors == 0 and stats.readings == len(rec.readings("crane-1"))
    assert stats.registers == 21 * stats.requests // 2  # 13 + 8 registers in two requests per poll


async def test_poll_schedule_does_not_drift(site: LoadedSite, bus_recorder: tuple[Bus, Recorder]) -> None:
    bus, rec = bus_recorder
    port = free_port()

    def slow_box() -> dict[str, float | str]:
        time.sleep(0.02)  # each request takes 20 ms: a poll is 40 ms of a 100 ms period
        return BOX

    mmap = site.profiles["tower_crane_blackbox"].modbus
    assert mmap is not None
    async with ModbusSimulatorServer([SimUnit(1, mmap, slow_box)], tcp=("127.0.0.1", port)):
        driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", port, poll_interval_s=0.1)])
        await driver.start()
        await asyncio.sleep(2.05)
        await driver.stop()
    starts = sorted({r.ts for r in rec.readings("crane-1")})
    # anchored: ~20 polls, each starting on the 100 ms grid; sleeping 100 ms after each 40 ms
    # poll would give ~14 polls, each 40 ms later than the one before
    assert 17 <= len(starts) <= 22
    off_grid = sorted(abs((t - starts[0]) / 0.1 - round((t - starts[0]) / 0.1)) * 0.1 for t in starts)
    assert off_grid[len(off_grid) // 2] < 0.015, off_grid  # median: a busy machine delays a few timers


async def test_device_that_stops_answering_goes_offline_and_comes_back_by_itself(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    port = free_port()
    server = crane_server(site, port)
    await server.start()
    driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", port)])
    await driver.start()
    try:
        await wait_until(lambda: rec.status_of("crane-1") == [True], 5, "online")
        with caplog.at_level(logging.INFO, logger="drivers.modbus"):
            await server.stop()
            await wait_until(lambda: rec.status_of("crane-1") == [True, False], 5, "offline")
            offline = rec.statuses[-1]
            await asyncio.sleep(1.5)  # several failed reconnects with backoff
            failed_polls = driver.stats()["crane-1"].errors
            await server.start()
            await wait_until(lambda: rec.status_of("crane-1") == [True, False, True], 5, "back online")
            count = len(rec.readings("crane-1"))
            await wait_until(lambda: len(rec.readings("crane-1")) > count, 5, "readings again")
    finally:
        await driver.stop()
        await server.stop()
    assert "failed polls in a row" in offline.reason and offline.device == "crane-1"
    assert failed_polls >= 4  # it kept trying while offline...
    lines = [r.getMessage() for r in caplog.records if "crane-1" in r.getMessage()]
    connect_lines = [m for m in lines if "cannot connect" in m or "no answer" in m or "connection" in m]
    assert len(connect_lines) <= 3, connect_lines  # ...but logged each kind of failure once, not every poll
    assert any("is offline" in m for m in lines) and any("is online: answering again" in m for m in lines)


async def test_exception_response_names_device_and_register_and_others_keep_going(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    crane = site.profiles["tower_crane_blackbox"]
    data = crane.model_dump(mode="json")
    data["name"] = "box_with_extra_register"
    data["modbus"]["values"].append(
        {"metric": "slew_speed_rpm", "address": 40, "type": "uint16", "scale": 0.01}
    )
    extra = Profile.model_validate(data)
    test_site = with_profiles(site, box_with_extra_register=extra)
    p1, p2 = free_port(), free_port()
    async with crane_server(site, p1), crane_server(site, p2):
        devices = [
            tcp_crane(site, "crane-1", p1, profile="box_with_extra_register"),
            tcp_crane(site, "crane-2", p2),
        ]
        driver = ModbusDriver(test_site, bus, devices)
        with caplog.at_level(logging.WARNING, logger="drivers.modbus"):
            await driver.start()
            await asyncio.sleep(1.5)
            await driver.stop()
    messages = [r.getMessage() for r in caplog.records]
    wanted = [m for m in messages if "holding registers 40" in m]
    assert len(wanted) == 1, messages  # once, not once per poll
    assert "crane-1" in wanted[0] and "slew_speed_rpm" in wanted[0] and "exception response 2" in wanted[0]
    assert "ILLEGAL DATA ADDRESS" in wanted[0] and "box_with_extra_register" in wanted[0]
    # the device answered, so it stays online and its other registers keep coming
    assert rec.status_of("crane-1") == [True]
    assert {r.metric for r in rec.readings("crane-1")} == set(BOX)
    assert driver.stats()["crane-1"].errors >= 5
    assert len(rec.batch_times("crane-2")) >= 6 and driver.stats()["crane-2"].errors == 0


async def test_device_answering_garbage_is_reported_and_others_keep_going(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(256):
            writer.write(b"\x00\x01\x00\x00\x00\x05\x01HELLO, I am not Modbus")
            await writer.drain()
        writer.close()

    bad_port, good_port = free_port(), free_port()
    raw = await asyncio.start_server(garbage, "127.0.0.1", bad_port)
    try:
        async with crane_server(site, good_port):
            driver = ModbusDriver(
                site, bus, [tcp_crane(site, "crane-1", bad_port), tcp_crane(site, "crane-2", good_port)]
            )
            with caplog.at_level(logging.WARNING):
                await driver.start()
                await wait_until(lambda: rec.status_of("crane-1") == [False], 5, "garbage device offline")
                # the other device keeps its rate meanwhile (a garbled answer fails at once, no timeout)
                await wait_until(lambda: len(rec.batch_times("crane-2")) >= 5, 5, "crane-2 polled on")
                await driver.stop()
    finally:
        raw.close()
        await raw.wait_closed()
    messages = [r.getMessage() for r in caplog.records]
    garbled = [m for m in messages if "not a valid Modbus frame" in m and "is offline" not in m]
    assert len(garbled) == 1, messages
    assert (
        "crane-1" in garbled[0] and "holding registers 0-12" in garbled[0] and "48 45 4c 4c 4f" in garbled[0]
    )
    assert not any(r.exc_info for r in caplog.records), "no traceback for a garbled answer"
    assert rec.readings("crane-1") == []
    assert len(rec.batch_times("crane-2")) >= 5 and rec.status_of("crane-2") == [True]


async def test_value_out_of_range_for_its_type_is_reported_once_and_the_rest_published(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    port = free_port()
    async with crane_server(site, port, {**BOX, "height_m": float("nan")}):  # "sensor missing" as NaN
        driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", port)])
        with caplog.at_level(logging.WARNING, logger="drivers.modbus"):
            await driver.start()
            await wait_until(lambda: len(rec.batch_times("crane-1")) >= 4, 5, "four polls")
            await driver.stop()
    bad = [r.getMessage() for r in caplog.records if "height_m" in r.getMessage()]
    assert len(bad) == 1 and "crane-1" in bad[0] and "holding register 2" in bad[0] and "float32" in bad[0]
    assert "value out of range for its type" in bad[0]
    assert {r.metric for r in rec.readings("crane-1")} == set(BOX) - {"height_m"}
    assert rec.status_of("crane-1") == [True] and driver.stats()["crane-1"].errors >= 4


async def test_every_function_code_and_type_round_trips_through_a_real_server(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder]
) -> None:
    """The simulator's encoder and the driver's decoder agree over the wire for FC01-FC04 and every type."""
    bus, rec = bus_recorder
    profile = Profile.model_validate(
        {
            "name": "every_type",
            "kind": "generic",
            "modbus": {
                "word_order": "little",
                "values": [
                    {"metric": "siren", "function": "coils", "address": 17, "type": "bit"},
                    {"metric": "door", "function": "coils", "address": 18, "type": "bit"},
                    # coils 19-27 take the request past its first byte of bits (application protocol 6.1)
                    *(
                        {"metric": f"relay_{a}", "function": "coils", "address": a, "type": "bit"}
                        for a in range(19, 28)
                    ),
                    {"metric": "estop", "function": "discrete_inputs", "address": 3, "type": "bit"},
                    {"metric": "level", "function": "input", "address": 0, "type": "int32", "scale": 0.001},
                    {
                        "metric": "counter",
                        "function": "input",
                        "address": 2,
                        "type": "uint32",
                        "word_order": "big",
                    },
                    {"metric": "temp", "function": "holding", "address": 100, "type": "float64"},
                    {
                        "metric": "pressure",
                        "function": "holding",
                        "address": 104,
                        "type": "int16",
                        "byte_order": "little",
                    },
                    {
                        "metric": "serial_no",
                        "function": "holding",
                        "address": 105,
                        "type": "string",
                        "length": 4,
                    },
                ],
            },
        }
    )
    values = {
        "siren": 1.0,
        "door": 0.0,
        "estop": 1.0,
        "level": -12.345,
        "counter": 4_000_000_000.0,
        "temp": 21.125,
        "pressure": -300.0,
        "serial_no": "SN-42",
        **{f"relay_{a}": float(a % 3 == 0) for a in range(19, 28)},
    }
    assert profile.modbus is not None
    port = free_port()
    async with ModbusSimulatorServer([SimUnit(3, profile.modbus, lambda: values)], tcp=("127.0.0.1", port)):
        device = fast(
            site.config.device("crane-1"),
            id="plc-1",
            kind="generic",
            profile="every_type",
            crane=None,
            transport=ModbusTcpTransport(host="127.0.0.1", port=port, unit_id=3),
        )
        driver = ModbusDriver(with_profiles(site, every_type=profile), bus, [device])
        await driver.start()
        await wait_until(lambda: rec.batch_times("plc-1"), 5, "a poll")
        await driver.stop()
    assert {r.metric: r.value for r in rec.readings("plc-1")[: len(values)]} == values


def test_driver_takes_the_sites_modbus_devices_and_refuses_others(site: LoadedSite) -> None:
    polled = [p.device.id for p in ModbusDriver(site, Bus()).pollers]
    modbus = [d.id for d in site.config.devices if d.transport.type in ("modbus_tcp", "modbus_rtu")]
    assert polled == modbus and {"crane-1", "crane-2", "anemo-1", "hoist-1"} <= set(polled)
    with pytest.raises(ValueError, match="pit-1 are not Modbus devices"):
        ModbusDriver(site, Bus(), [site.config.device("pit-1")])


async def test_stop_ends_polling_even_when_a_cancel_is_swallowed(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder]
) -> None:
    """Python 3.11's asyncio.wait_for (inside pymodbus) loses a cancel that lands as the answer arrives.

    The race cannot be timed against a real server, so this link stand-in swallows every cancel
    the way wait_for does, and stop() must still end the task.
    """
    bus, _rec = bus_recorder

    class SwallowingLink:
        description = "stand-in"
        reads = 0

        async def read(self, request: object, unit: int, timeout_s: float) -> list[int]:
            SwallowingLink.reads += 1
            # a slow answer: the cancel lands here, and is swallowed as wait_for does when its future
            # completed at the same moment
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(10)
            return [0] * request.count  # type: ignore[attr-defined]

        async def close(self) -> None:
            return None

    driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", free_port())])
    driver.pollers[0].link = SwallowingLink()  # type: ignore[assignment]
    await driver.start()
    await wait_until(lambda: SwallowingLink.reads == 1, 5, "a read in progress")
    await asyncio.wait_for(driver.stop(), 5)
    assert not driver._tasks and SwallowingLink.reads == 1


async def test_stop_ends_a_long_pause_between_polls_at_once(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder]
) -> None:
    """The pause between polls is a timer resolving a future (no task cancel): request_stop must wake
    it, so a device polled every minute, or backing off, does not hold stop() up for its pause."""
    bus, rec = bus_recorder
    port = free_port()
    async with crane_server(site, port):
        driver = ModbusDriver(site, bus, [tcp_crane(site, "crane-1", port, poll_interval_s=60.0)])
        poller = driver.pollers[0]
        task = asyncio.create_task(poller.run())
        await wait_until(lambda: rec.batch_times("crane-1"), 5, "the first poll")
        await asyncio.sleep(0.05)  # in its 60 s pause now
        started = time.monotonic()
        poller.request_stop()
        await asyncio.wait_for(task, 1)  # returns by itself: no cancel
        assert time.monotonic() - started < 0.5 and len(rec.batch_times("crane-1")) == 1
        await driver.stop()
