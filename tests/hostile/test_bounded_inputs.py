"""The gateway (`sitegw run`, a real Mosquitto) against an attacker on the site's network (issue #41): what a
publisher may make it keep is bounded.

The probes: 100,000 distinct person ids published to the gate's topic grew the gateway from 199 to 369 MB and
/api/v1/readings/latest to 11 MB (a series per person); a 200,000-character id was stored as a series name;
another client with the gateway's client id kicked it off the broker at each of its connects.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.drivers.mqtt.conftest import publish
from tests.hostile.gateway import PROJECT, RunningGateway, mqtt_site
from tests.servers.mosquitto import MosquittoServer

pytestmark = pytest.mark.slow  # a gateway subprocess and 100,000 messages: a minute

GATE = f"sitegw/{PROJECT}/gate-1/passages"
PIT = f"sitegw/{PROJECT}/pit-1/points/{{}}/data"
KEY_PEOPLE = 4  # the reference site's roster (KP-01 .. KP-04)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def passage(person: str, ts: float) -> str:
    return json.dumps({"ts": ts, "person_id": person, "direction": "in", "gate": "东门"})


def refused(metrics: str, device: str, cause: str) -> float:
    found = re.search(rf'sitegw_refused_inputs_total{{cause="{cause}",device="{device}"}} (\S+)', metrics)
    return float(found.group(1)) if found else 0.0


def readings_of(metrics: str, device: str) -> float:
    found = re.search(rf'sitegw_readings_total{{device="{device}"}} (\S+)', metrics)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def gw(tmp_path: Path, mosquitto: MosquittoServer) -> Iterator[RunningGateway]:
    """`sitegw run` on the reference site's MQTT devices, subscribed to the test broker."""
    gateway = RunningGateway(mqtt_site(tmp_path / "site", mosquitto.port), tmp_path / "state")
    try:
        gateway.wait_for_log("subscribed to")
        yield gateway
    finally:
        gateway.stop()


def dashboard(gw: RunningGateway) -> str:
    gw.wait_for_log("dashboard http")
    return re.search(r"dashboard (http://\S+)", gw.log()).group(1).rstrip("/")  # type: ignore[union-attr]


def test_a_flood_of_person_ids_and_absurd_ids_leave_the_gateway_bounded(
    gw: RunningGateway, mosquitto: MosquittoServer
) -> None:
    url = dashboard(gw)
    now = time.time()
    # the key people and a few workers pass, as on any morning; then the gateway's size is taken
    publish(mosquitto.port, [(GATE, passage(f"KP-0{i}", now)) for i in range(1, 5)])
    publish(mosquitto.port, [(GATE, passage(f"W-{i:04d}", now)) for i in range(1000)])
    with httpx.Client(base_url=url, timeout=30) as api:
        deadline = time.monotonic() + 60
        while readings_of(api.get("/metrics").text, "gate-1") < 1004:
            assert time.monotonic() < deadline, gw.log()[-3000:]
            time.sleep(0.2)
        before = rss_mb(gw.proc.pid)
        n = 100_000
        for start in range(0, n, 2000):  # in batches: paho's queue takes a few thousand at once
            batch = range(start, start + 2000)
            publish(mosquitto.port, [(GATE, passage(f"X-{i:06d}", now + i * 1e-3)) for i in batch])
        publish(mosquitto.port, [(GATE, passage("P" * 200_000, now))])
        while not (
            readings_of(metrics := api.get("/metrics").text, "gate-1") >= 1004 + n
            and refused(metrics, "gate-1", "point_too_long")
        ):
            assert time.monotonic() < deadline + 120, gw.log()[-3000:]
            time.sleep(0.5)
        grown = rss_mb(gw.proc.pid) - before
        latest = api.get("/api/v1/readings/latest", params={"device": "gate-1"})
        everything = api.get("/api/v1/readings/latest")
    # the key people keep a series each (a restarted gateway learns from them who is on site); everyone
    # else's passages are the gate's one series
    points = sorted(r["point"] for r in latest.json())
    assert points == ["", "KP-01", "KP-02", "KP-03", "KP-04"], points[:20]
    assert len(everything.content) < 20_000, len(everything.content)
    assert grown < 60, f"the gateway grew {grown:.0f} MB for {n} person ids"
    # the 200,000-character id: refused, counted, logged once naming the device and the fix
    assert refused(metrics, "gate-1", "point_too_long") == 1
    log = gw.log()
    assert log.count("device gate-1: reading of on_site refused") == 1 and "at most 64 characters" in log
    assert "P" * 1000 not in log
    assert not any(len(r.point) > 64 for r in gw.latest())


def test_topics_too_long_are_refused_and_bad_messages_logged_a_bounded_number_of_times(
    gw: RunningGateway, mosquitto: MosquittoServer
) -> None:
    url = dashboard(gw)
    settle = json.dumps({"ts": time.time(), "settle_mm": 1.0})
    # a topic of 10,000 characters on the pit's wildcard filter: refused unread, counted, logged once
    publish(mosquitto.port, [(PIT.format("x" * 10_000), settle)] * 3)
    # bad payloads on 500 topics: the log names 20 of them, then says the rest are only counted
    publish(mosquitto.port, [(PIT.format(f"B{i}"), b"{not json") for i in range(500)])
    with httpx.Client(base_url=url, timeout=30) as api:
        # a bound on a starved box, not a speed goal: 60 s ran out once with two test runs and a benchmark on
        # the 2 cores (the count then was right); the count itself is checked exactly below
        deadline = time.monotonic() + 180
        while refused(metrics := api.get("/metrics").text, "pit-1", "topic_too_long") < 3:
            assert time.monotonic() < deadline, gw.log()[-3000:]
            time.sleep(0.3)
    assert refused(metrics, "pit-1", "topic_too_long") == 3
    deadline = time.monotonic() + 60
    while "bad messages on more than 20 topics" not in gw.log():
        assert time.monotonic() < deadline, gw.log()[-3000:]
        time.sleep(0.3)
    log = gw.log()
    assert log.count("topic of 10041 characters refused (at most 256") == 1 and "x" * 100 not in log
    assert log.count("device pit-1: bad message on topic") == 20


def test_a_client_taking_the_gateway_s_client_id_is_named_in_the_log_with_the_fix(
    gw: RunningGateway, mosquitto: MosquittoServer
) -> None:
    client_id = re.search(r"connecting as (\S+) for", gw.log()).group(1)  # type: ignore[union-attr]
    # unique per machine by default: the host's name after the project and the broker
    assert client_id.startswith(f"sitegw-{PROJECT}-site-") and len(client_id) > len(f"sitegw-{PROJECT}-site-")
    for _ in range(4):  # the gateway reconnects (backoff 1 s), the intruder takes the id again
        intruder = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
        intruder.connect("127.0.0.1", mosquitto.port)
        intruder.loop(0.5)
        intruder.disconnect()
        gw.wait_for_log("subscribed to", timeout=30)
        time.sleep(2.5)
    gw.wait_for_log("another client is connecting with its client id", timeout=30)
    assert "use_username_as_clientid" in gw.log()
