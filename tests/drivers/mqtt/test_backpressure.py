"""A gateway whose consumers fall behind a burst holds a bounded number of decoded readings, and loses none.

Through a real Mosquitto: a backlog of messages arrives at once while the bus's consumers cannot keep up,
as after an outage. Two ways they fall behind: the loop is slow (the rules sleep in every batch), and paho's
thread must wait for the loop rather than decode the whole burst into memory; or the gateway says its stores
are behind (``may_take`` false), and the link takes no more than its bound off the broker until they catch up.
Either way every reading must still arrive, once and in order.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from contract.bus import Bus
from contract.readings import Reading
from drivers.mqtt import MqttDriver, link
from tests.servers.mosquitto import MosquittoServer

from .conftest import point_msg, publish, write_site

MESSAGES = 4000  # two readings each
BOUND = 500  # MAX_BUFFERED for the test: far below what arrives while the consumer sleeps


def bounded_bus(monkeypatch: pytest.MonkeyPatch) -> tuple[Bus, list[bool]]:
    """The link's bound lowered to ``BOUND``; a bus, and the online states it delivers."""
    monkeypatch.setattr(link, "MAX_BUFFERED", BOUND)
    bus = Bus()
    online: list[bool] = []
    bus.subscribe_status("status", lambda s: online.append(s.online))
    return bus, online


async def connect_and_publish_burst(driver: MqttDriver, online: list[bool], port: int) -> None:
    """Start ``driver``, wait until it is online, and publish the burst (acknowledged by the broker)."""
    await driver.start()
    deadline = time.monotonic() + 10
    while not any(online):
        assert time.monotonic() < deadline, "the driver did not connect"
        await asyncio.sleep(0.02)
    t0 = time.time() - 86400
    burst = [point_msg("ZQS-01", t0 + i, disp_h_mm=float(i), disp_v_mm=-float(i)) for i in range(MESSAGES)]
    await asyncio.to_thread(publish, port, burst)


async def wait_for_all(got: list[Reading]) -> None:
    """Wait until every reading of the burst arrived; then check none is missing, twice or out of order."""
    deadline = time.monotonic() + 60
    while len(got) < 2 * MESSAGES:
        assert time.monotonic() < deadline, f"{len(got)} of {2 * MESSAGES} readings arrived"
        await asyncio.sleep(0.05)
    assert [r.value for r in got if r.metric == "disp_h_mm"] == [float(i) for i in range(MESSAGES)]
    assert [r.value for r in got if r.metric == "disp_v_mm"] == [-float(i) for i in range(MESSAGES)]


async def test_a_burst_waits_in_the_broker_not_in_memory(
    tmp_path: Path, mosquitto: MosquittoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus, online = bounded_bus(monkeypatch)
    got: list[Reading] = []
    batch_sizes: list[int] = []

    def slow_rules(batch: list[Reading]) -> None:
        batch_sizes.append(len(batch))
        got.extend(batch)
        time.sleep(0.3)  # the loop is busy: paho's thread keeps receiving meanwhile

    bus.subscribe("slow", slow_rules)  # type: ignore[arg-type]
    driver = MqttDriver(write_site(tmp_path, mosquitto.port), bus)
    try:
        await connect_and_publish_burst(driver, online, mosquitto.port)
        await wait_for_all(got)
    finally:
        await driver.stop()
    # paho's thread waited once the buffer was full: no batch held more than the bound and one message
    assert max(batch_sizes) <= BOUND + 2, batch_sizes
    assert len(batch_sizes) >= 2 * MESSAGES // (BOUND + 2)


async def test_the_burst_waits_at_the_broker_while_the_stores_are_behind(
    tmp_path: Path, mosquitto: MosquittoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus, online = bounded_bus(monkeypatch)
    got: list[Reading] = []
    bus.subscribe("consumers", got.extend)
    behind = True
    asked: list[bool] = []

    def may_take() -> bool:
        asked.append(behind)
        return not behind

    driver = MqttDriver(write_site(tmp_path, mosquitto.port), bus, may_take=may_take)
    try:
        await connect_and_publish_burst(driver, online, mosquitto.port)
        await asyncio.sleep(1.0)  # time enough to take the whole burst, were the intake not held
        received = driver.stats()["pit-1"].requests
        assert got == [], "readings reached the bus while the stores were behind"
        assert asked, "the link never asked whether the consumers can take more"
        # paho's thread stopped once the link held its bound (and a message a wait): the rest is at the broker
        assert received <= BOUND // 2 + 5, f"{received} of {MESSAGES} messages taken off the broker"
        behind = False
        await wait_for_all(got)
    finally:
        await driver.stop()
