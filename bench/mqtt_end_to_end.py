"""MQTT through a real Mosquitto: pit DAU messages published at QoS 1 -> MqttDriver -> Bus.

Starts its own mosquitto on a free port (tests/servers/mosquitto.py), publishes ``--messages``
JSON messages from one paho client as fast as the broker acknowledges them, and times until
every Reading has reached a Bus subscriber. The broker and the publisher share the machine's
cores with the driver, so this is a floor for the gateway, not its ceiling
(bench/mqtt_decode.py measures the driver alone).

Run: .venv/bin/python bench/mqtt_end_to_end.py [--messages N] [--values 2|7]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.mqtt_decode import SITE, messages
from contract.bus import Bus
from contract.config.loader import load_site
from drivers.mqtt import MqttDriver
from tests.servers.mosquitto import MosquittoServer


def publish_all(port: int, msgs: list[tuple[str, bytes]]) -> float:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-pub", protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(100)
    client.connect("127.0.0.1", port)
    client.loop_start()
    start = time.perf_counter()
    infos = [client.publish(t, p, qos=1) for t, p in msgs]
    infos[-1].wait_for_publish(120)
    elapsed = time.perf_counter() - start
    client.disconnect()
    client.loop_stop()
    return elapsed


async def run(tmp: Path, n_messages: int, n_values: int) -> None:
    broker = MosquittoServer(tmp / "mosquitto", persistence=False)
    broker.start()
    try:
        site_path = tmp / "site.yaml"
        site_path.write_text(SITE.replace("port: 1}", f"port: {broker.port}}}"))
        bus = Bus()
        got = [0]
        bus.subscribe("count", lambda batch: got.__setitem__(0, got[0] + len(batch)))
        driver = MqttDriver(load_site(site_path), bus)
        await driver.start()
        while not driver.stats()["pit-1"].online:
            await asyncio.sleep(0.05)
        msgs = messages(n_values, n_messages)
        expected = n_messages * n_values
        start = time.perf_counter()
        result: list[float] = []
        pub = threading.Thread(target=lambda: result.append(publish_all(broker.port, msgs)))
        pub.start()
        while got[0] < expected and time.perf_counter() - start < 120:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        pub.join()
        await driver.stop()
        print(f"mqtt_e2e_{n_values}v_messages: {n_messages / elapsed:.0f} msg/s")
        print(f"mqtt_e2e_{n_values}v_readings_to_bus: {got[0] / elapsed:.0f} readings/s")
        print(f"mqtt_e2e_{n_values}v_publish_acked: {n_messages / result[0]:.0f} msg/s")
        if got[0] != expected:
            print(f"mqtt_e2e_{n_values}v_missing_readings: {expected - got[0]} readings")
    finally:
        broker.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--values", type=int, choices=(2, 7), default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(Path(tmp), args.messages, args.values))


if __name__ == "__main__":
    with watched():
        main()
