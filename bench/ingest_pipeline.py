"""Ingest of a data logger's backlog: MQTT JSON through decoding (and the rules) into the local store and InfluxDB.

A burst of ``--messages`` pit DAU messages, seven metrics each, a second apart and all in the past
(bench/burst.py), arrives at once, as a data logger flushes a day's backlog after a 4G outage. The path
measured is the gateway's own: paho's message callback (topic match, JSON, payload map, Readings) ->
hand-over to the event loop -> bus -> ``Gateway._ingest`` (the rules, the live state, the local store's
writer thread until committed, the InfluxDB sink until written to a real VictoriaMetrics through the v2
write API). The process is built as `sitegw run` builds it: the console script's module (``sitegw.cli``)
imported, the API served (no client connected), and, as on an edge box (README, Installing), without the
regulator extra's packages: this development install has them, and a module that imported one (the command
line imported the regulator's commands, with SQLAlchemy and Alembic, 23 MB, until issue #55 made it lazy)
would count what the box does not have.

Where the burst waits (``--source``):

- ``file`` (default): a stand-in for paho's network thread reads the burst from a file and calls the
  gateway's own MQTT link with each message, as paho does when a PUBLISH arrives; when the gateway's
  consumers are behind, that thread waits in the link as paho's would, and the rest of the burst waits in
  the file as it would at the broker. paho's own socket reading is not in the path: on this machine it
  tops out near 7,000 messages a second, below the gateway.
- ``broker``: a real Mosquitto with the shipped broker settings (deploy/mosquitto/sitegw-site.conf) holds
  the burst for the gateway's persistent session while the gateway is away; then the gateway starts and
  takes it, paho's socket reading included.

Each figure runs in a process of its own (the gateway's, nothing else in it: no load generator), so its
peak RSS (VmHWM) is the gateway's, interpreter and imports included, and no figure inherits another's peak.
Two figures a size: with the rules, as the gateway runs, and without them (decode -> stores only).
Nothing may be lost: the readings in the burst are counted again where they were stored, the rows of the
local store's file and the samples in VictoriaMetrics, and the benchmark fails if any is missing.

CPU: ``process_time`` over the same span as the rate, every thread of the process; the broker and
VictoriaMetrics are processes of their own. Readings per CPU-second is the figure a busy box moves least.

Run: .venv/bin/python bench/ingest_pipeline.py [--messages 30000,150000,1000000] [--source file|broker]
     [--modes with_rules,without_rules] [--profile rss|trace]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import paho.mqtt.client as mqtt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import edge_install, memory_budget

edge_install.install()

import sitegw.cli  # noqa: F401  # what the `sitegw` console script imports: its memory is the gateway's
from bench.burst import (
    METRICS,
    burst,
    burst_start,
    open_session,
    preload,
    read_burst,
    stored_in_store,
    stored_in_victoria,
    write_burst,
)
from bench.load import watched
from bench.mqtt_decode import SITE
from bench.peak_profile import PeakProbe
from contract.config.loader import LoadedSite, load_site
from contract.config.sinks import ApiConfig, InfluxConfig
from contract.config.transport import MqttBroker
from drivers.mqtt.driver import MqttDriver, site_decoders
from drivers.mqtt.link import BrokerLink
from sitegw.runtime import Gateway

SIZES = (30_000, 150_000, 1_000_000)
MODES = ("without_rules", "with_rules")
STALL_S = 120.0  # no reading decoded, judged or stored for this long: the benchmark fails, saying where


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak so far (VmHWM), in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def figure_name(source: str, mode: str, count: int) -> str:
    """The prefix of one run's figures: ``ingest_with_rules_150000``, ``ingest_broker_with_rules_150000``."""
    return f"ingest_{'broker_' if source == 'broker' else ''}{mode}_{count}"


async def run(
    gw: Gateway, burst_file: Path | None, count: int, probe: PeakProbe | None = None
) -> tuple[float, float, int]:
    """Readings/s, CPU seconds of the whole process, and readings, from the first message until every
    reading is judged, committed locally and written to InfluxDB (``probe``: the stages marked)."""
    driver = next(d for d in gw.drivers if isinstance(d, MqttDriver))
    link: BrokerLink = driver._links[
        0
    ]  # the gateway's own link, wired to its consumers as `sitegw run` wires it
    if burst_file is not None:
        gw.drivers.remove(driver)  # the messages come from the file, through the link, not from a broker
    await gw.start()
    if probe is not None:
        probe.mark("the gateway started (API, stores, threads), before the first message")
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    cpu_start = time.process_time()
    if burst_file is not None:
        link._loop = loop

        def paho_thread() -> None:  # stands in for paho's network thread: a message at a time, as it arrives
            for topic, payload in read_burst(burst_file):
                m = mqtt.MQTTMessage(topic=topic)
                m.payload = payload
                link._on_message(None, None, m)  # type: ignore[arg-type]

        threading.Thread(target=paho_thread, daemon=True).start()
    expected = count * METRICS
    stats = link.stats["pit-1"]
    await until(lambda: stats.readings + stats.errors >= expected, lambda: f"{stats.readings} decoded")
    if stats.errors:
        raise SystemExit(f"{stats.errors} messages of the burst were refused: {stats.last_error}")
    await until(lambda: gw.live.total >= expected, lambda: f"{gw.live.total} judged")
    # A write the server did not answer (on a loaded machine VictoriaMetrics now and then drops one) waits in
    # the sink's spool, and what came after it queues behind it there, until the sink's retry replays it.
    sink = gw.influx
    assert sink is not None
    await until(lambda: sink.stats().spool_points == 0, lambda: f"{sink.stats().spool_points} points spooled")
    # The burst is over. What waits for the InfluxDB sink's flush interval (a partial batch, up to 1 s) is
    # written now, as a stop writes it: that wait is the sink's latency, not throughput.
    await sink.stop()
    store = gw.store
    await until(lambda: store.pending == 0, lambda: f"{store.pending} readings waiting for the local store")
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    if probe is not None:
        probe.mark("every reading judged and stored")
    influx = sink.stats()
    if influx.buffered_readings or influx.spool_points or influx.points_rejected:
        raise SystemExit(f"the InfluxDB sink did not write everything: {influx}")
    await gw.stop()
    if influx.batches_failed:
        print(
            f"(InfluxDB did not answer {influx.batches_failed} writes; the spool replayed them)",
            file=sys.stderr,
        )
    return expected / elapsed, cpu, expected


async def until(done: Callable[[], bool], progress: Callable[[], str]) -> None:
    """Wait until ``done()``; fail if ``progress()`` (a description of how far it got) stands still too long."""
    last, since = progress(), time.monotonic()
    while not done():
        await asyncio.sleep(0.005)
        now = progress()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > STALL_S:
            raise SystemExit(f"ingest stalled for {STALL_S:.0f} s at {now}")


def one(args: argparse.Namespace) -> None:
    """One figure in this process: its rate, CPU and peak memory."""
    probe = PeakProbe(trace=args.profile == "trace") if args.profile else None
    if probe is not None:
        probe.mark("the interpreter and the modules `sitegw` imports")
    state = Path(args.state)
    site_path = state.parent / "site.yaml"
    site_path.write_text(SITE)
    site = load_site(site_path)
    influx = InfluxConfig(url=args.vm_url, api="v2", bucket="bench", org="bench", token="x")
    site = LoadedSite(site.path, site.config.model_copy(update={"influx": influx}), site.profiles)
    brokers = None
    if args.broker:
        host, _, port = args.broker.rpartition(":")
        brokers = {"site": MqttBroker(host=host, port=int(port), client_id=args.client_id)}
    gw = Gateway(
        site, state, api=ApiConfig(port=0), mqtt_brokers=brokers
    )  # serving the API, as `sitegw run` does
    if args.one == "without_rules":
        gw.monitor.judge = lambda batch: batch  # type: ignore[method-assign]
    if probe is not None:
        probe.mark("the gateway built (the site, the rules engine, the stores)")
    burst_file = Path(args.burst) if args.burst else None
    rate, cpu, n = asyncio.run(run(gw, burst_file, args.messages, probe))
    if probe is not None:
        probe.stop()
        print(probe.report(), file=sys.stderr)
    name = figure_name("broker" if args.broker else "file", args.one, args.messages)
    print(f"{name}_readings_per_s: {rate:.0f} readings/s")
    print(f"{name}_readings_per_cpu_s: {n / cpu:.0f} readings/s")
    print(f"{name}_cpu_us_per_reading: {cpu / n * 1e6:.2f} us")
    print(f"{name}_peak_rss: {rss_mb('VmHWM'):.0f} MB")


def measure(
    mode: str,
    count: int,
    vm_url: str,
    folder: Path,
    burst_file: Path | None,
    broker: str | None,
    start: float,
    profile: str | None = None,
) -> bool:
    """One figure in a child process, then its readings counted where they were stored: whether none was lost
    or stored twice, and its peak memory is within its budget (bench/memory_budget.py)."""
    state = folder / "state"
    state.mkdir(parents=True)
    argv = [sys.executable, __file__, "--one", mode, "--vm-url", vm_url, "--messages", str(count)]
    argv += ["--state", str(state)]
    if burst_file is not None:
        argv += ["--burst", str(burst_file)]
    if broker is not None:
        argv += ["--broker", broker, "--client-id", f"sitegw-bench-{mode}-{count}"]
    if profile:
        argv += ["--profile", profile]
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
    sys.stdout.write(out)
    expected = count * METRICS
    local = stored_in_store(state / "history.sqlite")
    influx = stored_in_victoria(vm_url, start)
    name = figure_name("broker" if broker else "file", mode, count)
    print(f"{name}_readings: {expected} readings ({local} in the local store, {influx} in InfluxDB)")
    print(f"{name}_lost: {max(expected - local, 0) + max(expected - influx, 0)} readings")
    sys.stdout.flush()
    over = memory_budget.verdict(f"{name}_peak_rss", parse_output(out)[f"{name}_peak_rss"])
    if over is not None:
        print(over, file=sys.stderr)
    return local == influx == expected and over is None  # more than was sent is as wrong as less


def parse_output(text: str) -> dict[str, float]:
    """``name: value unit`` lines as numbers, by name (for the test that runs this benchmark)."""
    return {m[1]: float(m[2]) for m in re.finditer(r"^(\w+): (-?[\d.]+)", text, re.M)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        default=",".join(map(str, SIZES)),
        help="burst sizes, comma-separated: pit DAU messages of 7 metrics each (default: %(default)s)",
    )
    parser.add_argument("--source", choices=["file", "broker"], default="file", help="where the burst waits")
    parser.add_argument("--modes", default=",".join(MODES), help="with_rules, without_rules or both")
    parser.add_argument(
        "--profile",
        choices=["rss", "trace"],
        help="where each gateway's memory goes, on stderr (bench/peak_profile.py): its RSS by stage and its "
        "allocators at the peak; trace: tracemalloc's sites at the peak too (ten times slower)",
    )
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)  # a child: one figure
    for hidden in ("--vm-url", "--state", "--burst", "--broker", "--client-id"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.messages = int(args.messages)
        one(args)
        return
    # here, not in the children: the test servers' module imports pytest
    from tests.servers.influx import VictoriaMetrics
    from tests.servers.mosquitto import MosquittoServer

    sizes = [int(n) for n in args.messages.split(",")]
    modes = args.modes.split(",")
    wrong = 0
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as servers:
        site_path = Path(tmp) / "site.yaml"
        site_path.write_text(SITE)
        filters = sorted(
            {d.filter.text for d in site_decoders(load_site(site_path))["site"]}
        )  # the gateway's
        broker = None
        if args.source == "broker":
            mosquitto = MosquittoServer(Path(tmp) / "mosquitto", site_config=True)
            mosquitto.start()
            servers.callback(mosquitto.stop)
            broker = f"{mosquitto.host}:{mosquitto.port}"
        for count in sizes:
            start = burst_start(count)
            burst_file = None
            if broker is None:
                burst_file = Path(tmp) / f"burst-{count}"
                write_burst(burst_file, count, start)
            for mode in modes:
                folder = Path(tmp) / f"{mode}-{count}"
                vm = VictoriaMetrics(folder / "vm")  # one of its own, so its samples are this run's
                vm.start()
                try:
                    if broker is not None:
                        host, port = mosquitto.host, mosquitto.port
                        open_session(host, port, f"sitegw-bench-{mode}-{count}", filters)
                        preload(host, port, burst(count, start))
                    wrong += not measure(mode, count, vm.url, folder, burst_file, broker, start, args.profile)
                finally:
                    vm.stop()
            if burst_file is not None:
                burst_file.unlink()
    if wrong:
        sys.exit(
            "ingest_pipeline: readings were lost or stored twice (the _readings lines above), or a peak was "
            "above its memory budget"
        )


if __name__ == "__main__":
    with watched():
        main()
