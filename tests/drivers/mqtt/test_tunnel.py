"""The tunnel's monitoring system over a real broker: the simulated points reach the driver as the tunnel_ams
profile maps them, each under its point code, with its item's metric (the prefix spans several levels, as
the reference site's does: the publisher places the point where the profile's filter counts it)."""

from __future__ import annotations

import asyncio
import json
import time

from contract.config.loader import LoadedSite
from contract.config.profile import MqttMap
from drivers.simulators.profile_publish import ProfilePublisher, messages
from kinds.confined_space.sim import TimeScaled
from kinds.tunnel.sim import TunnelSim
from tests.servers.mosquitto import MosquittoServer

from .conftest import publish
from .example_site import example_site, prefix, started_driver


def simulated(scenario: str) -> tuple[LoadedSite, MqttMap, TunnelSim]:
    """The reference site, tunnel-1's MQTT map and its simulator playing ``scenario``."""
    site = example_site()
    topics = site.profile_of("tunnel-1").mqtt
    assert topics is not None
    return site, topics, TunnelSim(site.config.device("tunnel-1"), site, scenario, seed=1)


async def test_the_simulated_points_reach_the_driver_as_the_profile_maps_them(
    mosquitto: MosquittoServer,
) -> None:
    site, topics, sim = simulated("settlement")
    now = time.time()
    out = [
        (topic, body)
        for t in (0, 300, 600)
        for topic_map in topics.topics
        for topic, body in messages(topic_map, prefix(site, "tunnel-1"), sim.values(t), now - 600 + t)
    ]
    assert {topic for topic, _ in out} == {
        f"sitegw/GD-SZ-2026-0001/tunnel-1/points/{code}/data"
        for code in ("GD-01", "GD-02", "SL-01", "DB-01", "DB-02", "ZC-01")
    }
    driver, rec = await started_driver(site, mosquitto.port)
    try:
        await asyncio.to_thread(publish, mosquitto.port, [(t, json.dumps(b)) for t, b in out])
        await rec.wait(lambda: len(rec.readings) == 18, what="every point's three reports")
    finally:
        await driver.stop()
    assert driver.stats()["tunnel-1"].errors == 0
    assert {(r.metric, r.point, r.unit) for r in rec.readings} == {
        ("vault_settle_mm", "GD-01", "mm"),
        ("vault_settle_mm", "GD-02", "mm"),
        ("convergence_mm", "SL-01", "mm"),
        ("surface_settle_mm", "DB-01", "mm"),
        ("surface_settle_mm", "DB-02", "mm"),
        ("axial_kn", "ZC-01", "kN"),
    }
    # the settlement scenario: GD-01 at 110 % of its 10 mm control ten minutes in (its noise 0.1 mm)
    last = max((r for r in rec.readings if r.point == "GD-01"), key=lambda r: r.ts)
    assert abs(float(last.value) - 11.0) < 0.5


async def test_the_demos_backlog_serves_the_hours_before_at_their_pace_gd02_silent_for_three(
    mosquitto: MosquittoServer,
) -> None:
    # the demo's publisher: live surveys 90x faster, first the logger's four hours at their own pace and times
    site, topics, sim = simulated("section")
    publisher = ProfilePublisher(
        TimeScaled(sim, 90.0),
        topics,
        "127.0.0.1",
        mosquitto.port,
        prefix(site, "tunnel-1"),
        interval_s=20.0,
        backlog_s=4 * 3600.0,
        backlog_every_s=1800.0,
        logged=sim,
    )
    driver, rec = await started_driver(site, mosquitto.port)
    started = float(int(time.time()))  # the profile's times are whole seconds
    try:
        await publisher.run(1.0)
        await rec.wait(lambda: any(r.ts >= started for r in rec.readings), what="the first live survey")
    finally:
        await driver.stop()
    assert driver.stats()["tunnel-1"].errors == 0
    by_point: dict[str, list[float]] = {}
    for r in sorted(rec.readings, key=lambda r: r.ts):
        by_point.setdefault(r.point, []).append(r.ts)
    # eight surveys of the hours before, each at its own time, half an hour apart, and the first live one
    assert [round((ts - started) / 1800) for ts in by_point["GD-01"]] == [-8, -7, -6, -5, -4, -3, -2, -1, 0]
    # GD-02's prism hidden from three hours before: its last reading then, the others reporting on
    assert [round((ts - started) / 1800) for ts in by_point["GD-02"]] == [-8, -7, -6]
    # the section had not begun to move before (no 90x clock's value under a past time): survey noise only, the
    # strut ZC-01 on its 400 kN preload
    before = [r for r in rec.readings if r.ts < started]
    assert all(abs(float(r.value)) < 0.5 for r in before if r.point != "ZC-01"), rec.readings
    assert all(abs(float(r.value) - 400.0) < 5.0 for r in before if r.point == "ZC-01"), rec.readings
