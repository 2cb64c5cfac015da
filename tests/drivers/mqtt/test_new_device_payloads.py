"""Bad messages from the formwork monitor and the access gate: each error names the device, the topic
and the field, and nothing else of the same message, or of the other messages, is lost."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from tests.servers.mosquitto import MosquittoServer

from .conftest import publish
from .example_site import example_site, prefix, started_driver


async def test_bad_formwork_and_gate_messages_are_named_and_the_rest_flows(
    mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drivers.mqtt")
    site = example_site()
    formwork, gate = prefix(site, "formwork-1"), prefix(site, "gate-1")
    driver, rec = await started_driver(site, mosquitto.port)
    now = time.time()
    gate_topic = f"{gate}/passages"
    m1, m2, m4, m9 = (f"{formwork}/points/{p}/data" for p in ("M1", "M2", "M4", "M9"))
    messages = [
        (gate_topic, json.dumps({"ts": now - 5, "person_id": "KP-01", "direction": "sideways"})),
        # a string load: the pole's axial force as text; its settlement in the same message is good
        (m1, json.dumps({"ts": now - 4, "point": "M1", "settle_mm": 1.25, "axial_kn": "12.5"})),
        (m9, json.dumps({"ts": now - 3, "point": "M9", "settle_mm": 0.5})),  # not among formwork-1's points
        (m2, b'{"ts": 1763701200, "settle_mm": 1.'),  # invalid JSON (cut off)
        (gate_topic, json.dumps({"ts": now - 2, "person_id": "KP-02", "direction": "in"})),
        (m4, json.dumps({"ts": now - 1, "point": "M4", "disp_h_mm": 0.8, "tilt_deg": 0.02})),
    ]
    try:
        await asyncio.to_thread(publish, mosquitto.port, messages)
        await rec.wait(lambda: any(r.point == "M4" for r in rec.readings), what="the last good message")
    finally:
        await driver.stop()
    assert [(r.device, r.point, r.metric, r.value) for r in rec.readings] == [
        ("formwork-1", "M1", "settle_mm", 1.25),
        ("gate-1", "KP-02", "on_site", 1.0),
        ("formwork-1", "M4", "disp_h_mm", 0.8),
        ("formwork-1", "M4", "tilt_deg", 0.02),
    ]
    assert driver.topic_errors() == {gate_topic: 1, m1: 1, m9: 1, m2: 1}
    stats = driver.stats()
    assert (stats["gate-1"].requests, stats["gate-1"].errors, stats["gate-1"].readings) == (2, 1, 1)
    assert (stats["formwork-1"].requests, stats["formwork-1"].errors, stats["formwork-1"].readings) == (
        4,
        3,
        3,
    )
    assert (
        stats["gate-1"].last_error
        == f"{gate_topic}: on_site at direction is 'sideways', not one of in, out, 出, 进"
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

    def warning_on(topic: str) -> str:
        found = [w for w in warnings if f"bad message on topic {topic}:" in w]
        assert len(found) == 1, warnings
        return found[0]

    sideways = warning_on(gate_topic)
    assert sideways.startswith("device gate-1: ")
    assert "on_site at direction is 'sideways', not one of in, out, 出, 进" in sideways
    assert "nothing kept" in sideways
    load = warning_on(m1)
    assert load.startswith("device formwork-1: ")
    assert "axial_kn at axial_kn is '12.5', not a number" in load and "kept 1 good value(s)" in load
    unknown = warning_on(m9)
    assert "unknown point 'M9' (this device's points: M1, M2, M3, M4); message dropped" in unknown
    garbled = warning_on(m2)
    assert "payload is not valid JSON" in garbled and "nothing kept" in garbled
