"""An MQTT fuzzer against the real gateway (issue #19): `sitegw run` with a real Mosquitto.

Every topic the gateway subscribes (the pit's and the formwork's points, the gate's passages) gets
malformed JSON, a 1 MB payload, JSON nested 10,000 levels deep, bytes that are not UTF-8, the
wrong types in every field, an empty payload and numbers past the largest float; then one valid
message each. The gateway stays up, logs one clear line per topic naming it (with a sample of the
payload, never the megabyte), no traceback, and stores the valid readings and nothing of the rest.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.drivers.mqtt.conftest import publish
from tests.hostile.gateway import PROJECT, RunningGateway, mqtt_site
from tests.servers.mosquitto import MosquittoServer

PIT = f"sitegw/{PROJECT}/pit-1/points/{{}}/data"
FORMWORK = f"sitegw/{PROJECT}/formwork-1/points/{{}}/data"
GATE = f"sitegw/{PROJECT}/gate-1/passages"


def hostile_payloads(now: float) -> dict[str, bytes]:
    """What a broken or hostile publisher sends, by name."""
    return {
        "malformed": b'{"ts": 1763701200, "disp_h_mm": 12.',
        "huge": json.dumps(
            {"ts": now, "person_id": "KP-02", "direction": "x" * 1_000_000, "disp_h_mm": "1" * 1_000_000}
            | {"settle_mm": [0.5] * 100_000}
        ).encode(),
        "nested": b'{"ts": 1, "disp_h_mm": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "binary": bytes(range(256)) * 4,
        "not utf-8 json": b'{"ts": 1763701200, "person_id": "\xff\xfe", "direction": "in"}',
        "wrong types": json.dumps(
            {"ts": [now], "person_id": {"id": 1}, "direction": 5, "disp_h_mm": "12.4", "settle_mm": True}
        ).encode(),
        "empty": b"",
        "too large": b'{"ts": 1' + b"0" * 400 + b', "disp_h_mm": 1' + b"0" * 400 + b"}",
        "a list": b"[1, 2, 3]",
        "nan": b'{"ts": NaN, "disp_h_mm": NaN, "settle_mm": Infinity}',
    }


def test_hostile_payloads_on_every_topic_then_valid_ones_are_stored(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    gw = RunningGateway(mqtt_site(tmp_path / "site", mosquitto.port), tmp_path / "state")
    try:
        gw.wait_for_log("subscribed to")
        now = time.time()
        payloads = hostile_payloads(now)
        # each kind of payload on a topic of its own, so the log must name each of them
        pit_points = [
            "ZQS-01",
            "ZQS-02",
            "ZQS-03",
            "ZQS-04",
            "ZQS-05",
            "ZQS-06",
            "ZQS-07",
            "ZQS-08",
            "CX-01",
            "CX-02",
        ]
        bad: list[tuple[str, bytes]] = []
        for i, payload in enumerate(payloads.values()):
            bad.append((PIT.format(pit_points[i]), payload))
            bad.append((FORMWORK.format(f"M{i % 4 + 1}"), payload))
            bad.append((GATE, payload))
        publish(mosquitto.port, bad)
        good = [
            (PIT.format("ZQS-01"), json.dumps({"ts": now, "disp_h_mm": 12.34})),
            (FORMWORK.format("M1"), json.dumps({"ts": now, "settle_mm": 1.5})),
            (GATE, json.dumps({"ts": now, "person_id": "KP-01", "direction": "in"})),
        ]
        publish(mosquitto.port, good, client_id="test-good")

        def stored(values: list) -> bool:
            got = {(v.device, v.point, v.metric): v.value for v in values}
            return (
                got.get(("pit-1", "ZQS-01", "disp_h_mm")) == 12.34
                and got.get(("formwork-1", "M1", "settle_mm")) == 1.5
                and got.get(("gate-1", "KP-01", "on_site")) == 1.0
            )

        gw.wait_stored(stored, "the three valid readings after the hostile ones")
        assert gw.proc.poll() is None, "the gateway is still running"
        log = gw.log()
        # nothing of the hostile payloads was stored: exactly the three valid readings
        assert {(v.device, v.point, v.metric) for v in gw.latest()} == {
            ("pit-1", "ZQS-01", "disp_h_mm"),
            ("formwork-1", "M1", "settle_mm"),
            ("gate-1", "KP-01", "on_site"),
        }
    finally:
        status = gw.stop()
    assert status == 0, log[-3000:]
    assert "Traceback" not in log, log[-6000:]
    for topic in {t for t, _ in bad}:
        assert f"bad message on topic {topic}:" in log, f"no error naming {topic}:\n{log[-4000:]}"
    assert "nested too deeply" in log and "not valid JSON" in log
    assert max(len(line) for line in log.splitlines()) < 4000, "a log line carries a sample, not the payload"
