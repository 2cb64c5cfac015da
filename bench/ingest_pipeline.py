"""Readings/s from MQTT JSON through decoding into the local store and the InfluxDB batch.

The path measured is the gateway's own: paho's message callback (topic match, JSON, payload
map, Readings) -> hand-over to the event loop -> bus -> ``Gateway._ingest`` (the rules, the
live state, the local store's writer thread until committed, the InfluxDB sink until written
to a real VictoriaMetrics through influxdb-client's v2 write API). The broker is not in the
path: one QoS 1 publisher on this machine tops out far below the gateway
(bench/mqtt_end_to_end.py measures through Mosquitto). Two figures: with the rules, as the
gateway runs, and without them (decode -> stores only), the issue's definition.

Run: .venv/bin/python bench/ingest_pipeline.py [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mqtt_decode import SITE, messages
from contract.config.loader import LoadedSite, load_site
from contract.config.sinks import InfluxConfig
from drivers.mqtt.driver import site_decoders
from drivers.mqtt.link import BrokerLink
from sitegw.runtime import Gateway
from tests.servers.influx import VictoriaMetrics


async def run(site: LoadedSite, state: Path, msgs: list[tuple[str, bytes]], rules: bool) -> tuple[float, int]:
    gw = Gateway(site, state, serve_api=False)
    gw.drivers.clear()  # messages are fed to the driver's callback below, not from a broker
    if not rules:
        gw.monitor.judge = lambda batch: batch  # type: ignore[method-assign]
    await gw.start()
    link = BrokerLink(
        "site", site.config.mqtt_brokers["site"], "bench", site_decoders(site)["site"], ["pit-1"], gw.bus, 30
    )
    link._loop = asyncio.get_running_loop()
    paho_msgs = []
    for topic, payload in msgs:
        m = mqtt.MQTTMessage(topic=topic.encode())
        m.payload = payload
        paho_msgs.append(m)
    expected = len(msgs)
    start = time.perf_counter()

    def paho_thread() -> None:  # stands in for paho's network thread
        for m in paho_msgs:
            link._on_message(None, None, m)  # type: ignore[arg-type]

    threading.Thread(target=paho_thread, daemon=True).start()
    readings = 0
    while True:
        readings = link.stats["pit-1"].readings
        influx = gw.influx.stats() if gw.influx else None
        if (
            link.stats["pit-1"].requests >= expected
            and gw.live.total >= readings
            and influx is not None
            and influx.buffered_readings == 0
            and influx.points_written >= expected
        ):
            # one InfluxDB line per message (its 7 metrics are fields of it)
            break
        await asyncio.sleep(0.005)
    await asyncio.to_thread(gw.store.flush)
    elapsed = time.perf_counter() - start
    assert gw.store.reader.counts().rows + gw.store.reader.counts().duplicates >= readings
    await gw.stop()
    return readings / elapsed, readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30_000, help="pit DAU messages, 7 metrics each")
    args = parser.parse_args()
    msgs = messages(7, args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        vm = VictoriaMetrics(Path(tmp) / "vm")
        vm.start()
        try:
            for rules in (False, True):
                site_path = Path(tmp) / f"site-{rules}.yaml"
                site_path.write_text(SITE)
                site = load_site(site_path)
                influx = InfluxConfig(url=vm.url, api="v2", bucket="bench", org="bench", token="x")
                site = LoadedSite(site.path, site.config.model_copy(update={"influx": influx}), site.profiles)
                rate, n = asyncio.run(run(site, Path(tmp) / f"state-{rules}", msgs, rules))
                name = "ingest_with_rules" if rules else "ingest"
                print(f"{name}_readings_per_s: {rate:.0f} readings/s")
                print(f"{name}_readings: {n} readings")
        finally:
            vm.stop()
    print(f"ingest_peak_rss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
