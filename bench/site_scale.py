"""The whole gateway at 1×, 5×, 20× and 80× the example site's devices: CPU and memory per 1,000 readings/s.

For each size k the example site's every device is copied k times (bench/rules_scale.py's
``scaled_site_data``: its own ids, ports, topics and ground per copy; no siren, no cameras), and the
real ``sitegw run`` process reads it: the cranes, hoists and anemometers over Modbus TCP from pymodbus
simulators (the example's RS-485 anemometer becomes a Modbus TCP copy here: one 9,600-baud bus could not
carry 80 of them), the pits, formworks and gates over MQTT through a Mosquitto of the bench's own, every
device at the rate its site file configures (``poll_interval_s``: Modbus every second, a formwork's
points every 30 s through a pour, a pit's every 2 h, so once at start; a gate's passages as its day
brings them), through decode, rules, alert manager and local store (the example site configures no
InfluxDB). The Modbus simulators run in this process, the MQTT ones in a child of it, and the gateway
in its own, so the gateway's CPU is its own work. Once every device is online and a warm-up has passed, over a window it prints:

- readings/s the gateway took (its drivers' counters, /metrics ``sitegw_readings``), Modbus and MQTT;
- the gateway's CPU (utime + stime from /proc) as % of one core, and per 1,000 readings/s;
- its RSS at the window's end and its peak since start (VmHWM);
- delivery: Modbus readings the gateway counted / values the simulators served in the window, MQTT
  readings the gateway counted / values the simulators published (all of them, counted after the
  simulators stopped); and the Modbus polls made / the polls configured, with this process's CPU, so a
  bench whose simulators could not keep up says so.

With ``--split`` (the default) each size runs a second time with the Modbus devices alone: the
Modbus devices' share of the CPU is that run's, the MQTT devices' what the whole site costs more (one
process's CPU cannot be split by device honestly; the fixed cost of a gateway with no device, the API
and its timers, counts in the Modbus share).

Run: ``.venv/bin/python bench/site_scale.py [--sizes 1 5 20 80] [--seconds 25] [--no-split]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.idle_cpu import cpu_seconds
from bench.load import watched
from bench.rules_scale import scaled_site_data
from bench.site_run import run_gateway, start_mqtt_sims, stop_site
from bench.soak_probe import Scrape, memory_mb, scrape
from contract.config import LoadedSite, load_site
from drivers.modbus.plan import FC_NUMBER, plan_requests
from drivers.simulators.modbus_server import Served, ServedHook
from sitegw.modbus_sims import start_modbus_simulators
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port

MODBUS = ("modbus_tcp", "modbus_rtu")
WARMUP_S = 5.0  # after every device is online: connections made, the rules' first samples in
SETTLE_S = 15.0  # at most, for the gateway to take what the MQTT simulators published last
KEEPS_UP = 0.97  # below this share of the configured polls, the output says who fell behind


def site_data(copies: int, modbus_only: bool) -> dict[str, Any]:
    """The scaled example site's data; with ``modbus_only`` its Modbus devices alone."""
    data = scaled_site_data(copies)
    if modbus_only:
        data["devices"] = [d for d in data["devices"] if d["transport"]["type"] in MODBUS]
        keep_references(data)
    return data


def keep_references(data: dict[str, Any]) -> None:
    """A site file's mapping whose devices were cut down: the per-device rule settings and the 危大 list
    keep only the devices still there (the loader refuses a name of a device the file does not have)."""
    kept = {d["id"] for d in data["devices"]}
    overrides = data.get("rules", {}).get("devices", {})
    for device in set(overrides) - kept:
        del overrides[device]
    for work in data.get("dangerous_works", []):
        work["devices"] = [d for d in work.get("devices", []) if d in kept]


def values_per_read(site: LoadedSite) -> dict[str, dict[tuple[int, int], int]]:
    """For each Modbus device: the values a read of the gateway's plan carries, by function code and
    first address (what a served read of that request turns into, readings, once decoded)."""
    out: dict[str, dict[tuple[int, int], int]] = {}
    for d in site.config.devices:
        mmap = site.profiles[d.profile].modbus
        if d.transport.type in MODBUS and mmap is not None:
            out[d.id] = {(FC_NUMBER[r.function], r.address): len(r.values) for r in plan_requests(mmap)}
    return out


@dataclass
class ServedCount:
    """What the Modbus simulators answered, per device: reads, and the values in them."""

    plan: dict[str, dict[tuple[int, int], int]]
    reads: Counter[str] = field(default_factory=Counter)
    values: Counter[str] = field(default_factory=Counter)

    def hook(self, device: str) -> ServedHook:
        """The served hook of ``device``'s simulator."""
        per_read = self.plan[device]

        def count(served: Served) -> None:
            self.reads[device] += 1
            self.values[device] += per_read.get((served.function, served.address), 0)

        return count

    def polls(self) -> float:
        """Whole polls answered, every device together (a poll is every request of the plan once)."""
        return sum(self.reads[d] / len(plan) for d, plan in self.plan.items())


@dataclass(frozen=True)
class Snapshot:
    """The counters at one moment."""

    t: float
    gateway_cpu_s: float
    bench_cpu_s: float
    metrics: Scrape
    served_values: int
    polls: float


def snapshot(pid: int, url: str, served: ServedCount, publisher: int) -> Snapshot:
    """Read the counters; the simulators' last, so a value served while /metrics answered is not missed."""
    metrics, cpu = scrape(url), cpu_seconds(pid)
    own = os.times()
    sims_cpu = own.user + own.system + cpu_seconds(publisher)
    return Snapshot(time.monotonic(), cpu, sims_cpu, metrics, sum(served.values.values()), served.polls())


def by_transport(site: LoadedSite) -> tuple[set[str], set[str]]:
    """The site's Modbus devices and its MQTT devices."""
    modbus = {d.id for d in site.config.devices if d.transport.type in MODBUS}
    return modbus, {d.id for d in site.config.devices} - modbus


def readings(metrics: Scrape, devices: set[str]) -> float:
    """Readings the gateway took from ``devices`` since it started."""
    return sum(v for d, v in metrics.by_device.items() if d in devices)


@dataclass(frozen=True)
class Figures:
    """One run's figures over its window."""

    devices: int
    seconds: float
    modbus_rate: float
    mqtt_rate: float
    cpu_pct: float
    bench_cpu_pct: float
    rss_mb: float
    peak_rss_mb: float
    modbus_delivery: float
    mqtt_delivery: float
    polls_per_configured: float
    load1: float

    @property
    def rate(self) -> float:
        """Readings/s the gateway took, every device."""
        return self.modbus_rate + self.mqtt_rate


async def measure(copies: int, modbus_only: bool, seconds: float, work: Path) -> Figures:
    """Run the site at ``copies``× with its simulators and `sitegw run`; its figures over ``seconds``."""
    data = site_data(copies, modbus_only)
    broker = MosquittoServer(work / "mosquitto")
    broker.start()
    api_port = free_port()
    data["mqtt_brokers"] = {"site": {"host": broker.host, "port": broker.port}}
    data["api"] = {"host": "127.0.0.1", "port": api_port}
    site_file = work / "site.yaml"
    site_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = load_site(site_file)
    served = ServedCount(values_per_read(loaded))
    sims = await start_modbus_simulators(loaded, rtu_devices=[], served=served.hook)
    gateway = publisher = None
    try:
        gateway = await run_gateway(data, site_file, sims, work, api_port, timeout=120)
        url = f"http://127.0.0.1:{api_port}/metrics"
        publisher = await asyncio.to_thread(start_publisher, site_file)
        await asyncio.sleep(WARMUP_S)
        first = await asyncio.to_thread(snapshot, gateway.pid, url, served, publisher.pid)
        await asyncio.sleep(seconds)
        last = await asyncio.to_thread(snapshot, gateway.pid, url, served, publisher.pid)
        memory = memory_mb(gateway.pid)
        load1 = os.getloadavg()[0]
        published = await asyncio.to_thread(stop_publisher, publisher)
        mqtt_delivery = await _mqtt_delivery(url, loaded, published)
    finally:
        await stop_site(publisher, sims, gateway, broker)
    return _figures(loaded, first, last, memory, load1, mqtt_delivery)


def _figures(
    site: LoadedSite,
    first: Snapshot,
    last: Snapshot,
    memory: dict[str, float],
    load1: float,
    mqtt_delivery: float,
) -> Figures:
    dt = last.t - first.t
    modbus, mqtt = by_transport(site)
    modbus_taken = readings(last.metrics, modbus) - readings(first.metrics, modbus)
    configured = sum(dt / d.poll_interval_s for d in site.config.devices if d.id in modbus)
    return Figures(
        devices=len(site.config.devices),
        seconds=dt,
        modbus_rate=modbus_taken / dt,
        mqtt_rate=(readings(last.metrics, mqtt) - readings(first.metrics, mqtt)) / dt,
        cpu_pct=100 * (last.gateway_cpu_s - first.gateway_cpu_s) / dt,
        bench_cpu_pct=100 * (last.bench_cpu_s - first.bench_cpu_s) / dt,
        rss_mb=memory["VmRSS"],
        peak_rss_mb=memory["VmHWM"],
        modbus_delivery=_ratio(modbus_taken, last.served_values - first.served_values),
        mqtt_delivery=mqtt_delivery,
        polls_per_configured=_ratio(last.polls - first.polls, configured),
        load1=load1,
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def start_publisher(site_file: Path) -> subprocess.Popen[str]:
    """The site's MQTT simulators in a process of their own, publishing once it has said so.

    Not in this process: paho's network loop watches its socket with select(), which fails for a
    descriptor numbered 1,024 or more, and at 80× the Modbus simulators here hold more than that."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--publish", str(site_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "publishing":
        proc.kill()
        raise RuntimeError("the MQTT simulators did not start")
    return proc


def stop_publisher(proc: subprocess.Popen[str]) -> int:
    """Stop the MQTT simulators (the broker acknowledging what they sent); the values they published."""
    out, _ = proc.communicate("stop\n", timeout=120)
    return int(out.split()[-1])


async def publish(site_file: Path) -> None:
    """The MQTT simulators' process: publish until a line on stdin, then print the values published."""
    loaded = load_site(site_file)
    broker = loaded.config.mqtt_brokers["site"]
    sims = await start_mqtt_sims(loaded, broker.host, broker.port, lambda d: d.poll_interval_s)
    print("publishing", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    for sim in sims:
        await sim.stop()
    print(sum(sim.values_published for sim in sims), flush=True)


async def _mqtt_delivery(url: str, site: LoadedSite, published: int) -> float:
    """MQTT readings the gateway took / ``published`` values, once the two agree or SETTLE_S has passed
    (NaN for a site without MQTT devices)."""
    _, mqtt = by_transport(site)
    deadline = time.monotonic() + SETTLE_S
    while True:
        taken = readings(await asyncio.to_thread(scrape, url), mqtt)
        if taken >= published or time.monotonic() > deadline:
            return _ratio(taken, published)
        await asyncio.sleep(0.5)


def report(name: str, f: Figures) -> None:
    """``f`` as `name: value unit` lines, with a line where the configured polls were not all made."""
    print(f"{name}_devices: {f.devices} devices")
    print(f"{name}_readings_per_s: {f.rate:.0f} readings/s")
    print(f"{name}_modbus_readings_per_s: {f.modbus_rate:.0f} readings/s")
    print(f"{name}_mqtt_readings_per_s: {f.mqtt_rate:.1f} readings/s")
    print(f"{name}_cpu: {f.cpu_pct:.2f} % of a core")
    print(f"{name}_cpu_per_1000_readings_per_s: {f.cpu_pct / f.rate * 1000:.2f} % of a core")
    print(f"{name}_rss: {f.rss_mb:.1f} MB")
    print(f"{name}_peak_rss: {f.peak_rss_mb:.1f} MB")
    print(f"{name}_modbus_delivery: {f.modbus_delivery:.4f} ratio")
    print(f"{name}_mqtt_delivery: {f.mqtt_delivery:.4f} ratio")
    print(f"{name}_modbus_polls_per_configured: {f.polls_per_configured:.4f} ratio")
    print(f"{name}_simulators_cpu: {f.bench_cpu_pct:.1f} % of a core")
    print(f"{name}_window: {f.seconds:.1f} s")
    print(f"{name}_load_average: {f.load1:.2f}")
    if f.polls_per_configured < KEEPS_UP:
        who = "the simulators" if f.bench_cpu_pct > 90 else "the gateway or the shared cores"
        print(
            f"{name}_note: {f.polls_per_configured:.1%} of the configured polls were made: {who} "
            f"could not keep up (simulators {f.bench_cpu_pct:.0f} %, gateway {f.cpu_pct:.0f} % of a core, "
            f"load {f.load1:.1f}); the figures are what was delivered"
        )


def report_split(name: str, whole: Figures, modbus: Figures) -> None:
    """The Modbus and the MQTT devices' shares of the gateway's CPU, from the whole run and the Modbus run."""
    mqtt_cpu = whole.cpu_pct - modbus.cpu_pct
    print(f"{name}_modbus_share_cpu: {modbus.cpu_pct:.2f} % of a core")
    print(
        f"{name}_modbus_share_cpu_per_1000_readings_per_s: {modbus.cpu_pct / modbus.rate * 1000:.2f} % of a core"
    )
    # not per 1,000 readings/s: the MQTT devices send about 1 % of the readings at their configured
    # rates, so their share is the difference of two runs near /proc's 10 ms ticks, and divided by a rate
    # of a few readings/s it read anything from -4 % to 53 % of a core per 1,000
    print(f"{name}_mqtt_share_cpu: {mqtt_cpu:.2f} % of a core")


def run(sizes: list[int], seconds: Callable[[int], float], split: bool) -> None:
    """Every size in turn, each in a fresh folder."""
    for copies in sizes:
        name = f"site_scale_{copies}x"
        with tempfile.TemporaryDirectory(prefix="sitegw-scale-") as tmp:
            whole = asyncio.run(measure(copies, False, seconds(copies), Path(tmp)))
        report(name, whole)
        if split:
            with tempfile.TemporaryDirectory(prefix="sitegw-scale-") as tmp:
                modbus = asyncio.run(measure(copies, True, seconds(copies), Path(tmp)))
            report(f"{name}_modbus_only", modbus)
            report_split(name, whole, modbus)
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20, 80], help="copies of the site")
    parser.add_argument("--seconds", type=float, default=25.0, help="the measured window per run")
    parser.add_argument(
        "--seconds-80",
        type=float,
        default=15.0,
        help="the window from 80 copies up (thousands of readings/s)",
    )
    parser.add_argument(
        "--no-split", dest="split", action="store_false", help="no second run with the Modbus devices alone"
    )
    parser.add_argument("--publish", type=Path, help=argparse.SUPPRESS)  # the MQTT simulators' process
    args = parser.parse_args()
    if args.publish is not None:
        asyncio.run(publish(args.publish))
        return
    run(args.sizes, lambda k: args.seconds_80 if k >= 80 else args.seconds, args.split)


if __name__ == "__main__":
    with watched():
        main()
