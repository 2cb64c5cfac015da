"""The demo's embedded amqtt broker: the driver works against it, persistent sessions included."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from contract.bus import Bus
from drivers.mqtt import MqttDriver
from drivers.mqtt.embedded_broker import EmbeddedBroker
from kinds.pit.sim import PitSimulator
from tests.support import wait_port

from .conftest import PREFIX, Recorder, example_spec, point_msg, publish, write_site


async def test_driver_reads_through_the_embedded_broker_given_as_override(tmp_path: Path) -> None:
    async with EmbeddedBroker() as broker:
        wait_port(broker.port)
        # the site names a broker on a port where nothing listens; the override points it at ours
        site = write_site(tmp_path, 1)
        bus = Bus()
        rec = Recorder(bus)
        driver = MqttDriver(site, bus, brokers={"site": broker.as_config()})
        await driver.start()
        try:
            await rec.wait(lambda: any(s.online for s in rec.statuses), what="connect")
            await asyncio.to_thread(publish, broker.port, [point_msg("ZQS-01", time.time(), disp_h_mm=3.3)])
            await rec.wait(lambda: len(rec.readings) == 1, what="a reading")
            assert (rec.readings[0].point, rec.readings[0].value) == ("ZQS-01", 3.3)
        finally:
            await driver.stop()


async def test_qos1_messages_queued_for_an_absent_gateway_are_delivered_on_return(tmp_path: Path) -> None:
    # amqtt drops the sessions of clients its AnonymousAuthPlugin admits; EmbeddedBroker must not.
    async with EmbeddedBroker() as broker:
        site = write_site(tmp_path, broker.port)
        bus = Bus()
        rec = Recorder(bus)
        driver = MqttDriver(site, bus)
        await driver.start()
        await rec.wait(lambda: any(s.online for s in rec.statuses), what="connect")
        await driver.stop()
        t0 = time.time() - 600
        await asyncio.to_thread(
            publish, broker.port, [point_msg("ZQS-01", t0 + i, disp_h_mm=float(i)) for i in range(20)]
        )
        bus2 = Bus()
        rec2 = Recorder(bus2)
        driver2 = MqttDriver(site, bus2)
        await driver2.start()
        try:
            await rec2.wait(lambda: len(rec2.readings) == 20, what="the 20 queued messages")
            assert [r.value for r in rec2.readings] == [float(i) for i in range(20)]
        finally:
            await driver2.stop()


async def test_stop_closes_the_port(tmp_path: Path) -> None:
    broker = EmbeddedBroker()
    await broker.start()
    port = broker.port
    await broker.stop()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_demo_path_simulated_pit_through_the_embedded_broker(tmp_path: Path) -> None:
    spec = example_spec()
    async with EmbeddedBroker() as broker:
        site = write_site(tmp_path, broker.port, points=[p.code for p in spec.points])
        bus = Bus()
        rec = Recorder(bus)
        driver = MqttDriver(site, bus)
        await driver.start()
        try:
            await rec.wait(lambda: any(s.online for s in rec.statuses), what="connect")
            sim = PitSimulator(
                spec, "127.0.0.1", broker.port, PREFIX, scenario="rate", time_scale=1e6, history_hours=24
            )
            await sim.run(duration=0.5)
            await rec.wait(lambda: driver.stats()["pit-1"].requests == sim.published, what="every message")
        finally:
            await driver.stop()
    assert sim.published >= 12 * len(spec.points)
    assert {r.point for r in rec.readings} == {p.code for p in spec.points}
    assert driver.stats()["pit-1"].errors == 0
