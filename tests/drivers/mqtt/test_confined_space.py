"""The confined-space monitor over a real broker: the simulated morning reaches the driver as the
confined_space_monitor profile maps it, bad messages are named and lose nothing else, and
`sitegw simulate confined_space` publishes the reference site's cs-1."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from typer.testing import CliRunner

from drivers.simulators.profile_publish import messages
from kinds.confined_space.sim import ConfinedSpaceSim
from sitegw.cli import app
from tests.servers.mosquitto import MosquittoServer

from .conftest import Subscriber, publish
from .example_site import example_site, prefix, started_driver


async def test_the_simulated_morning_reaches_the_driver_as_the_profile_maps_it(
    mosquitto: MosquittoServer,
) -> None:
    site = example_site()
    topics = site.profile_of("cs-1").mqtt
    assert topics is not None
    sim = ConfinedSpaceSim(site.config.device("cs-1"), site, "h2s_rise", seed=1)
    now = time.time()
    out = [
        (topic, json.dumps(body))
        for t in (0, 30, 60, 90, 420)
        for topic_map in topics.topics
        for topic, body in messages(topic_map, prefix(site, "cs-1"), sim.values(t), now - 500 + t)
    ]
    driver, rec = await started_driver(site, mosquitto.port)
    try:
        await asyncio.to_thread(publish, mosquitto.port, out)
        await rec.wait(
            lambda: sum(r.metric == "h2s_ppm" for r in rec.readings) == 4, what="every gas message"
        )
        await rec.wait(lambda: driver.stats()["cs-1"].requests == len(out), what="every message")
    finally:
        await driver.stop()
    assert driver.stats()["cs-1"].errors == 0
    got = {(r.metric, r.point, r.unit) for r in rec.readings}
    assert got == {
        ("fan_on", "", ""),
        ("o2_pct", "", "%"),
        ("lel_pct", "", "%"),
        ("h2s_ppm", "", "ppm"),
        ("co_ppm", "", "ppm"),
        ("inside", "W-0001", ""),
        ("inside", "W-0002", ""),
        ("attendant", "JH-01", ""),
    }
    assert max(float(r.value) for r in rec.readings if r.metric == "h2s_ppm") == 12.0  # the rise, at 420 s
    # each passage once, as a badge reader sends it: W-0001 in at 60 s
    assert [(r.point, float(r.value)) for r in rec.readings if r.metric == "inside"] == [
        ("W-0001", 1.0),
        ("W-0002", 1.0),
    ]


async def test_bad_confined_space_messages_are_named_and_the_rest_flows(
    mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    site = example_site()
    base = prefix(site, "cs-1")
    gas, fan, manhole, entrance = (f"{base}/{t}" for t in ("gas", "fan", "manhole", "entrance"))
    now = time.time()
    sent = [
        # H2S as text: the three other gases of the message are kept
        (gas, json.dumps({"ts": now - 6, "o2": 20.9, "lel": 0, "h2s": "n/a", "co": 2})),
        (fan, json.dumps({"ts": now - 5, "state": "maybe"})),
        (manhole, json.dumps({"ts": now - 4, "direction": "in"})),  # whose badge?
        (entrance, b'{"ts": 1763701200, "person_id": "JH'),  # cut off
        (entrance, json.dumps({"ts": now - 2, "person_id": "JH-01", "direction": "到岗"})),
        (manhole, json.dumps({"ts": now - 1, "person_id": "W-0001", "direction": "进"})),
    ]
    driver, rec = await started_driver(site, mosquitto.port)
    try:
        await asyncio.to_thread(publish, mosquitto.port, sent)
        await rec.wait(lambda: any(r.metric == "inside" for r in rec.readings), what="the last good message")
    finally:
        await driver.stop()
    assert [(r.point, r.metric, r.value) for r in rec.readings] == [
        ("", "o2_pct", 20.9),
        ("", "lel_pct", 0.0),
        ("", "co_ppm", 2.0),
        ("JH-01", "attendant", 1.0),
        ("W-0001", "inside", 1.0),
    ]
    assert driver.topic_errors() == {gas: 1, fan: 1, manhole: 1, entrance: 1}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

    def warning_on(topic: str, words: str) -> str:
        found = [w for w in warnings if f"bad message on topic {topic}:" in w and words in w]
        assert len(found) == 1, warnings
        assert found[0].startswith("device cs-1: ")
        return found[0]

    assert "kept 3 good value(s)" in warning_on(gas, "h2s_ppm at h2s is 'n/a', not a number")
    assert "nothing kept" in warning_on(fan, "fan_on at state is 'maybe', not one of")
    warning_on(manhole, "no point code at person_id; message dropped")
    assert "nothing kept" in warning_on(entrance, "payload is not valid JSON")


def test_cli_simulates_the_reference_sites_confined_space(mosquitto: MosquittoServer) -> None:
    base = prefix(example_site(), "cs-1")
    with Subscriber(mosquitto.port, f"{base}/#") as sub:
        args = ["simulate", "confined_space", "--broker", f"127.0.0.1:{mosquitto.port}"]
        result = CliRunner().invoke(app, [*args, "--scenario", "no_ventilation", "--duration", "1"])
        assert result.exit_code == 0, result.output
        sub.wait_for(1)
    assert (
        f"simulating 有限空间 2号污水井 scenario no_ventilation: publishing to 127.0.0.1:{mosquitto.port}"
        in (result.output)
    )
    # the first report of the morning: the fan (standing still in this scenario); gas from 20 s on
    assert sub.messages[0][0] == f"{base}/fan" and sub.messages[0][1]["state"] == "off"
    bad = CliRunner().invoke(app, ["simulate", "confined_space", "--scenario", "storm", "--duration", "1"])
    assert bad.exit_code != 0
    assert (
        "cs-1 is a confined_space: it plays normal, no_ventilation, h2s_rise, detector_silent, attendant_away"
        in (bad.output)
    )
