"""Readings/s from MQTT JSON through decoding into the local store and the InfluxDB batch.

The path measured is the gateway's own: paho's message callback (topic match, JSON, payload
map, Readings) -> hand-over to the event loop -> bus -> ``Gateway._ingest`` (the rules, the
live state, the local store's writer thread until committed, the InfluxDB sink until written
to a real VictoriaMetrics through the v2 write API). The process is built as `sitegw run` builds
it: the console script's module (``sitegw.cli``) imported, the API served (no client connected), and,
as on an edge box (README, Installing), without the regulator extra's packages: this development install
has them, and the command line would otherwise import the regulator's commands with SQLAlchemy and
Alembic (23 MB) that the box does not have.
The broker is not in the path: one QoS 1 publisher on this machine tops out far below the gateway
(bench/mqtt_end_to_end.py measures through Mosquitto). Two figures: with the rules, as the
gateway runs, and without them (decode -> stores only), the issue's definition.

Memory: each figure runs in a process of its own, so neither inherits the other's peak. The load
generator (each message's topic and payload, as bytes, as they come from the socket) is built before
the gateway exists and measured then; the gateway's peak RSS is the process's peak less that
(interpreter and imports count to the gateway, as they would in its own process; the test servers'
module, which pulls in pytest, is imported only by the parent that runs VictoriaMetrics). The stand-in
for paho's network thread makes each ``MQTTMessage`` as paho does when a PUBLISH arrives: made in
advance, 30,000 of them were 300,000 objects that every full collection of the gateway walked.

CPU: ``process_time`` over the same span as the rate, every thread of the process (the stand-in for
paho's thread: its message objects and the gateway's own callback); VictoriaMetrics is a process of its
own. Readings per CPU-second is the figure a busy box moves least.

Run: .venv/bin/python bench/ingest_pipeline.py [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.abc
import importlib.machinery
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path

import paho.mqtt.client as mqtt


class EdgeInstall(importlib.abc.MetaPathFinder):
    """Makes ``packages`` (the regulator extra's) missing, as they are on an edge box."""

    def __init__(self, packages: Collection[str]) -> None:
        self.packages = packages

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in self.packages:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not on an edge box)", name=fullname)
        return None


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sitegw import extras

sys.meta_path.insert(0, EdgeInstall(extras._REGULATOR_ONLY))

import sitegw.cli  # noqa: F401  # what the `sitegw` console script imports: its memory is the gateway's
from bench.mqtt_decode import SITE, messages
from contract.config.loader import LoadedSite, load_site
from contract.config.sinks import ApiConfig, InfluxConfig
from drivers.mqtt.driver import site_decoders
from drivers.mqtt.link import BrokerLink
from sitegw.runtime import Gateway


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak so far (VmHWM), in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def wire_messages(msgs: list[tuple[str, bytes]]) -> list[tuple[bytes, bytes]]:
    """The messages' topics and payloads as bytes, as paho reads them from the socket."""
    return [(topic.encode(), payload) for topic, payload in msgs]


async def run(
    site: LoadedSite, state: Path, wire: list[tuple[bytes, bytes]], rules: bool
) -> tuple[float, float, int]:
    """Readings/s, CPU seconds of the whole process, and readings, from the first message until
    every reading is judged, committed locally and written to InfluxDB."""
    gw = Gateway(site, state, api=ApiConfig(port=0))  # serving the API, as `sitegw run` does
    gw.drivers.clear()  # messages are fed to the driver's callback below, not from a broker
    if not rules:
        gw.monitor.judge = lambda batch: batch  # type: ignore[method-assign]
    await gw.start()
    link = BrokerLink(
        "site", site.config.mqtt_brokers["site"], "bench", site_decoders(site)["site"], ["pit-1"], gw.bus, 30
    )
    link._loop = asyncio.get_running_loop()
    expected = len(wire)
    start = time.perf_counter()
    cpu_start = time.process_time()

    def paho_thread() -> None:  # stands in for paho's network thread
        for topic, payload in wire:
            m = mqtt.MQTTMessage(topic=topic)
            m.payload = payload
            link._on_message(None, None, m)  # type: ignore[arg-type]

    paho = threading.Thread(target=paho_thread, daemon=True)
    paho.start()
    while paho.is_alive():  # every message decoded
        await asyncio.sleep(0.005)
    readings = link.stats["pit-1"].readings
    while gw.live.total < readings:  # every reading judged
        await asyncio.sleep(0.005)
    # The burst is over. What waits for the InfluxDB sink's flush interval (a partial batch, up to 1 s) is
    # written now, as a stop writes it: that wait is the sink's latency, not throughput, and whether a
    # burst ends on a batch boundary (210,000 readings are 42 batches of 5,000) is luck.
    assert gw.influx is not None
    await gw.influx.stop()
    await asyncio.to_thread(gw.store.flush)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    influx = gw.influx.stats()
    assert influx.buffered_readings == 0 and influx.spool_points == 0 and influx.points_written >= expected
    assert gw.store.reader.counts().rows + gw.store.reader.counts().duplicates >= readings
    await gw.stop()
    return readings / elapsed, cpu, readings


def one(rules: bool, vm_url: str, count: int, tmp: Path) -> None:
    """One figure in this process: its rate, and its memory split into load generator and gateway."""
    before = rss_mb()
    wire = wire_messages(messages(7, count))
    loadgen = rss_mb() - before
    site_path = tmp / "site.yaml"
    site_path.write_text(SITE)
    site = load_site(site_path)
    influx = InfluxConfig(url=vm_url, api="v2", bucket="bench", org="bench", token="x")
    site = LoadedSite(site.path, site.config.model_copy(update={"influx": influx}), site.profiles)
    rate, cpu, n = asyncio.run(run(site, tmp / "state", wire, rules))
    name = "ingest_with_rules" if rules else "ingest"
    print(f"{name}_readings_per_s: {rate:.0f} readings/s")
    print(f"{name}_readings_per_cpu_s: {n / cpu:.0f} readings/s")
    print(f"{name}_cpu_us_per_reading: {cpu / n * 1e6:.2f} us")
    print(f"{name}_readings: {n} readings")
    peak = rss_mb("VmHWM")
    print(f"{name}_peak_rss: {peak:.0f} MB")
    print(f"{name}_loadgen_rss: {loadgen:.0f} MB")
    print(f"{name}_gateway_rss: {peak - loadgen:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30_000, help="pit DAU messages, 7 metrics each")
    parser.add_argument("--one", choices=["rules", "plain"], help=argparse.SUPPRESS)  # a child: one figure
    parser.add_argument("--vm-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            one(args.one == "rules", args.vm_url, args.messages, Path(tmp))
        return
    from tests.servers.influx import VictoriaMetrics  # here, not in the children: it imports pytest

    with tempfile.TemporaryDirectory() as tmp:
        vm = VictoriaMetrics(Path(tmp) / "vm")
        vm.start()
        try:
            for mode in ("plain", "rules"):
                argv = [
                    sys.executable,
                    __file__,
                    "--one",
                    mode,
                    "--vm-url",
                    vm.url,
                    "--messages",
                    str(args.messages),
                ]
                sys.stdout.write(subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout)
                sys.stdout.flush()
        finally:
            vm.stop()


if __name__ == "__main__":
    main()
