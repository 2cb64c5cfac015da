"""The suspended platform's monitoring box over MQTT (kinds/platform/profiles/platform_monitor.yaml), through a real
Mosquitto and the real driver: a good message gives every metric; bad ones (a count as words, a wire state
outside 01/02, cut-off JSON) are named with the device, the topic and the field, and lose nothing else."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.config.loader import LoadedSite, load_site
from drivers.mqtt import MqttDriver
from tests.rules.sites import REFERENCE, device
from tests.servers.mosquitto import MosquittoServer

from .conftest import publish
from .example_site import prefix, started_driver

GOOD: dict[str, Any] = {
    "currentLoadWeight": 180.5,
    "currentCounterWeight": 1000,
    "waver": 0.4,
    "swingAngle": -0.8,
    "currentHeight": 22.5,
    "personCount": 2,
    "buckleCount": 2,
    "wireState": {"left": "01", "right": "01", "safetyLeft": "01", "safetyRight": "02"},
    "lockState": 0,
    "windSpeed": 3.2,
}


def platform_on_mqtt(tmp_path: Path) -> LoadedSite:
    """The reference site with platform-1's box publishing on the site broker instead of Modbus."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    device(data, "platform-1")["transport"] = {
        "type": "mqtt",
        "broker": "site",
        "topic_prefix": "sitegw/GD-SZ-2026-0001/platform-1",
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


def requests_reach(driver: MqttDriver, n: int) -> bool:
    """Whether the driver has taken ``n`` messages of platform-1, good or bad."""
    return driver.stats()["platform-1"].requests >= n


async def test_platform_messages_good_and_bad(
    mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    site = platform_on_mqtt(tmp_path)
    topic = f"{prefix(site, 'platform-1')}/live"
    driver, rec = await started_driver(site, mosquitto.port)
    now = time.time()
    messages: list[tuple[str, bytes | str]] = [
        (topic, json.dumps({"ts": now - 4, **GOOD})),
        # the people as words: that field alone is lost
        (topic, json.dumps({"ts": now - 3, **GOOD, "personCount": "two"})),
        # a wire state no box sends: that rope alone is lost
        (topic, json.dumps({"ts": now - 2, **GOOD, "wireState": {**GOOD["wireState"], "left": "03"}})),
        (topic, b'{"ts": 1795222800, "currentLoadWeight": 18'),  # cut off: the whole message
        (topic, json.dumps({"ts": now - 1, **GOOD, "currentLoadWeight": 200.0})),
    ]
    errors: list[str] = []  # each bad message's error, as the driver's stats name it
    try:
        for n, message in enumerate(messages):
            await asyncio.to_thread(publish, mosquitto.port, [message])
            await rec.wait(partial(requests_reach, driver, n + 1), what=f"message {n}")
            stats = driver.stats()["platform-1"]
            if stats.errors > len(errors):
                errors.append(stats.last_error)
    finally:
        await driver.stop()
    by_ts: dict[float, dict[str, float | str]] = {}
    for r in rec.readings:
        assert r.device == "platform-1"
        by_ts.setdefault(r.ts, {})[r.metric] = r.value
    first, words, rope, last = (
        by_ts[round(now - k, 6)] if round(now - k, 6) in by_ts else by_ts[now - k] for k in (4, 3, 2, 1)
    )
    assert first == {
        "load_kg": 180.5,
        "counterweight_kg": 1000.0,
        "tilt_deg": 0.4,
        "swing_deg": -0.8,
        "top_distance_m": 22.5,
        "persons": 2.0,
        "buckles": 2.0,
        "rope_left_state": 1.0,
        "rope_right_state": 1.0,
        "safety_rope_left_state": 1.0,
        "safety_rope_right_state": 2.0,
        "lock_state": 0.0,
        "wind_ms": 3.2,
    }
    assert set(first) - set(words) == {"persons"}
    assert set(first) - set(rope) == {"rope_left_state"}
    assert last["load_kg"] == 200.0 and len(last) == len(first)
    assert driver.topic_errors() == {topic: 3}
    stats = driver.stats()["platform-1"]
    assert (stats.requests, stats.errors) == (5, 3)
    assert errors == [
        f"{topic}: persons at personCount is 'two', not a number",
        f"{topic}: rope_left_state at wireState.left is '03', not one of 01, 02",
        errors[2],
    ]
    assert "payload is not valid JSON" in errors[2]
    # the log says each kind of fault once per topic, naming the device, the topic, the field and what was kept
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # a value that is not one (a word, an unlisted state), not JSON
    assert all(w.startswith(f"device platform-1: bad message on topic {topic}: ") for w in warnings)
    assert "persons at personCount" in warnings[0] and "kept 12 good value(s)" in warnings[0]
    assert "not valid JSON" in warnings[1] and "nothing kept" in warnings[1]
