"""The tunnel's monitoring system over a real broker: the simulated points reach the driver as the tunnel_ams
profile maps them, each under its point code, with its item's metric (the prefix spans several levels, as
the reference site's does: the publisher places the point where the profile's filter counts it)."""

from __future__ import annotations

import asyncio
import json
import time

from drivers.simulators.profile_publish import messages
from kinds.tunnel.sim import TunnelSim
from tests.servers.mosquitto import MosquittoServer

from .conftest import publish
from .example_site import example_site, prefix, started_driver


async def test_the_simulated_points_reach_the_driver_as_the_profile_maps_them(
    mosquitto: MosquittoServer,
) -> None:
    site = example_site()
    topics = site.profile_of("tunnel-1").mqtt
    assert topics is not None
    sim = TunnelSim(site.config.device("tunnel-1"), site, "settlement", seed=1)
    now = time.time()
    out = [
        (topic, body)
        for t in (0, 300, 600)
        for topic_map in topics.topics
        for topic, body in messages(topic_map, prefix(site, "tunnel-1"), sim.values(t), now - 600 + t)
    ]
    assert {topic for topic, _ in out} == {
        f"sitegw/GD-SZ-2026-0001/tunnel-1/points/{code}/data"
        for code in ("GD-01", "GD-02", "SL-01", "DB-01", "DB-02")
    }
    driver, rec = await started_driver(site, mosquitto.port)
    try:
        await asyncio.to_thread(publish, mosquitto.port, [(t, json.dumps(b)) for t, b in out])
        await rec.wait(lambda: len(rec.readings) == 15, what="every point's three reports")
    finally:
        await driver.stop()
    assert driver.stats()["tunnel-1"].errors == 0
    assert {(r.metric, r.point, r.unit) for r in rec.readings} == {
        ("vault_settle_mm", "GD-01", "mm"),
        ("vault_settle_mm", "GD-02", "mm"),
        ("convergence_mm", "SL-01", "mm"),
        ("surface_settle_mm", "DB-01", "mm"),
        ("surface_settle_mm", "DB-02", "mm"),
    }
    # the settlement scenario: GD-01 at 110 % of its 10 mm control ten minutes in (its noise 0.1 mm)
    last = max((r for r in rec.readings if r.point == "GD-01"), key=lambda r: r.ts)
    assert abs(float(last.value) - 11.0) < 0.5
