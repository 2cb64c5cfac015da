"""A gateway whose rules fall behind a burst holds a bounded number of decoded readings, and loses none.

Through a real Mosquitto: a backlog of messages arrives at once while the bus's consumer is slow
(it sleeps in every batch, as the rules would after an outage); paho's thread must wait for the
loop rather than decode the whole burst into memory, and every reading must still arrive, in order.
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


async def test_a_burst_waits_in_the_broker_not_in_memory(
    tmp_path: Path, mosquitto: MosquittoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link, "MAX_BUFFERED", BOUND)
    bus = Bus()
    got: list[Reading] = []
    batch_sizes: list[int] = []

    def slow_rules(batch: list[Reading]) -> None:
        batch_sizes.append(len(batch))
        got.extend(batch)
        time.sleep(0.3)  # the loop is busy: paho's thread keeps receiving meanwhile

    bus.subscribe("slow", slow_rules)  # type: ignore[arg-type]
    online: list[bool] = []
    bus.subscribe_status("status", lambda s: online.append(s.online))
    driver = MqttDriver(write_site(tmp_path, mosquitto.port), bus)
    await driver.start()
    try:
        deadline = time.monotonic() + 10
        while not any(online):
            assert time.monotonic() < deadline, "the driver did not connect"
            await asyncio.sleep(0.02)
        t0 = time.time() - 86400
        await asyncio.to_thread(
            publish,
            mosquitto.port,
            [point_msg("ZQS-01", t0 + i, disp_h_mm=float(i), disp_v_mm=-float(i)) for i in range(MESSAGES)],
        )
        deadline = time.monotonic() + 60
        while len(got) < 2 * MESSAGES:
            assert time.monotonic() < deadline, f"{len(got)} of {2 * MESSAGES} readings arrived"
            await asyncio.sleep(0.05)
    finally:
        await driver.stop()
    # nothing lost, nothing twice, in the order published
    assert [r.value for r in got if r.metric == "disp_h_mm"] == [float(i) for i in range(MESSAGES)]
    assert [r.value for r in got if r.metric == "disp_v_mm"] == [-float(i) for i in range(MESSAGES)]
    # paho's thread waited once the buffer was full: no batch held more than the bound and one message
    assert max(batch_sizes) <= BOUND + 2, batch_sizes
    assert len(batch_sizes) >= 2 * MESSAGES // (BOUND + 2)
