"""MQTT hot path without a broker: JSON messages -> Readings on the bus, per second.

Two figures per payload shape: ``route`` is MessageRouter alone (topic match, json.loads,
paths, Reading objects); ``on_message`` is what paho's thread runs per message in the driver
(route + per-device counters + the hand-over buffer), with the event loop draining batches
into a Bus that has one cheap subscriber, as the store's buffer would be.

Run: .venv/bin/python bench/mqtt_decode.py [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from contract.bus import Bus
from contract.config.loader import load_site
from drivers.mqtt.decode import MessageRouter
from drivers.mqtt.driver import site_decoders
from drivers.mqtt.link import BrokerLink

PREFIX = "sitegw/B-0001/pit-1"
POINTS = [f"ZQS-{i:02d}" for i in range(1, 41)]
METRICS = ["disp_h_mm", "disp_v_mm", "incl_mm", "axial_kn", "anchor_kn", "water_level_m", "settle_mm"]
SITE = f"""\
project: {{code: B-0001}}
mqtt_brokers: {{site: {{host: 127.0.0.1, port: 1}}}}
devices:
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {{type: mqtt, broker: site, topic_prefix: {PREFIX}}}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points: [{", ".join(f"{{code: {p}, kind: wall_top}}" for p in POINTS)}]
"""


def messages(n_values: int, count: int = 4000) -> list[tuple[str, bytes]]:
    """Pit DAU messages over 40 points, each carrying ``n_values`` metrics, a second apart from a day ago."""
    return list(iter_messages(n_values, count, time.time() - 86400))


def iter_messages(n_values: int, count: int, start: float) -> Iterator[tuple[str, bytes]]:
    """``count`` pit DAU messages over 40 points in turn, each carrying ``n_values`` metrics, the first
    stamped ``start`` and each next one a second later."""
    for i in range(count):
        point = POINTS[i % len(POINTS)]
        body = {"ts": round(start + i, 3), "point": point}
        body.update({m: round(10 + i * 0.001 + k, 2) for k, m in enumerate(METRICS[:n_values])})
        yield f"{PREFIX}/points/{point}/data", json.dumps(body).encode()


def bench_route(router: MessageRouter, msgs: list[tuple[str, bytes]], seconds: float) -> tuple[float, float]:
    n_msgs = n_readings = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for topic, payload in msgs:
            for _dec, out in router.route(topic, payload, time.time() + 86400):
                n_readings += len(out.readings)
        n_msgs += len(msgs)
    elapsed = time.perf_counter() - start
    return n_msgs / elapsed, n_readings / elapsed


async def bench_on_message(
    site_path: Path, msgs: list[tuple[str, bytes]], seconds: float
) -> tuple[float, float]:
    site = load_site(site_path)
    bus = Bus()
    delivered = [0]
    bus.subscribe("count", lambda batch: delivered.__setitem__(0, delivered[0] + len(batch)))
    link = BrokerLink(
        "site", site.config.mqtt_brokers["site"], "bench", site_decoders(site)["site"], ["pit-1"], bus, 30
    )
    link._loop = asyncio.get_running_loop()  # as start() would, without connecting anywhere
    paho_msgs = []
    for topic, payload in msgs:
        m = mqtt.MQTTMessage(topic=topic.encode())
        m.payload = payload
        paho_msgs.append(m)
    done = threading.Event()
    counts = [0, 0.0]

    def paho_thread() -> None:  # stands in for paho's network thread
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for m in paho_msgs:
                link._on_message(None, None, m)  # type: ignore[arg-type]
            n += len(paho_msgs)
        counts[0], counts[1] = n, time.perf_counter() - start
        done.set()

    t0 = time.perf_counter()
    threading.Thread(target=paho_thread, daemon=True).start()
    while not done.is_set():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # last drain
    elapsed = time.perf_counter() - t0
    stats = link.stats["pit-1"]
    assert delivered[0] == stats.readings, (delivered[0], stats.readings)
    return counts[0] / counts[1], delivered[0] / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site_path = Path(tmp) / "site.yaml"
        site_path.write_text(SITE)
        router = MessageRouter(site_decoders(load_site(site_path))["site"])
        for n_values in (2, 7):
            msgs = messages(n_values)
            m, r = bench_route(router, msgs, args.seconds)
            print(f"mqtt_route_{n_values}v_messages: {m:.0f} msg/s")
            print(f"mqtt_route_{n_values}v_readings: {r:.0f} readings/s")
            m, r = asyncio.run(bench_on_message(site_path, msgs, args.seconds))
            print(f"mqtt_on_message_{n_values}v_messages: {m:.0f} msg/s")
            print(f"mqtt_on_message_{n_values}v_readings_to_bus: {r:.0f} readings/s")


if __name__ == "__main__":
    with watched():
        main()
