"""CPU of the gateway idling with the demo site (goal < 2 % of one core).

The simulators (crane-1 and the hoist on Modbus TCP, crane-2 and the anemometer on one RTU bus
over a pty pair, the pit, the high formwork through a pour and the access gate over MQTT to an
embedded broker, the siren's relay board on Modbus TCP) run in one process, the gateway
(`sitegw run`) in another, so only the gateway's own work is measured: polling four Modbus
devices every second, the MQTT messages, the rules, the local store, the siren, the API idling.
The CPU is utime + stime of the gateway process from /proc over the window.

The same run measures the site without the devices issue #15 added (hoist, formwork, gate, key
personnel, siren) and prints the ratio, so what they cost is a same-run figure.

Run: .venv/bin/python bench/idle_cpu.py [--seconds 30] [--warmup 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.load import watched
from config import EXAMPLE_SITE, PROFILES

if TYPE_CHECKING:
    from contract.config import LoadedSite
    from drivers.simulators.mqtt_publish import MqttJsonSimulator

CLK_TCK = os.sysconf("SC_CLK_TCK")


NEW_DEVICES = ("hoist-1", "formwork-1", "gate-1")  # what issue #15 added to the example site


def without_new_devices(site: LoadedSite) -> LoadedSite:
    """The example site as it was before issue #15: no hoist, formwork, gate, key personnel or siren."""
    from drivers.simulators.modbus_sims import retarget

    devices = [d for d in site.config.devices if d.id not in NEW_DEVICES]
    # the 危大 list's items point at devices of their own; without those they are not monitored
    works = [
        w.model_copy(update={"devices": [d for d in w.devices if d not in NEW_DEVICES]})
        for w in site.config.dangerous_works
    ]
    before = site.config.model_copy(
        update={"devices": devices, "key_personnel": [], "sirens": [], "dangerous_works": works}
    )
    return retarget(replace(site, config=before), {})


async def serve_simulators(site_out: Path, duration: float, new_devices: bool) -> None:
    """Run the demo's simulators, write the site file that points at them, wait.

    Without ``new_devices`` the site is the one before issue #15: no hoist, formwork, gate, key
    personnel or siren."""
    from contract.config import load_site
    from drivers.mqtt.embedded_broker import EmbeddedBroker
    from drivers.simulators.access_gate import AccessGateSimulator
    from drivers.simulators.formwork import FormworkSimulator
    from drivers.simulators.modbus_sims import start_modbus_simulators
    from drivers.simulators.pit import PitSimulator
    from drivers.simulators.relay import RelaySimulator

    site = load_site(EXAMPLE_SITE)
    if not new_devices:
        site = without_new_devices(site)
    async with contextlib.AsyncExitStack() as stack:
        broker = await stack.enter_async_context(EmbeddedBroker())
        sims = await start_modbus_simulators(site, rtu_devices=["crane-2", "anemo-1"])
        stack.push_async_callback(sims.stop)
        config = sims.site.config.model_dump(mode="json", exclude_none=True)
        config["mqtt_brokers"] = {"site": {"host": broker.host, "port": broker.port}}
        config["api"] = {"host": "127.0.0.1", "port": 0}
        config["profiles_dir"] = str(PROFILES)
        for siren in config["sirens"]:
            relay = RelaySimulator(unit=siren["transport"].get("unit_id") or 1)
            await relay.start()
            stack.push_async_callback(relay.stop)
            siren["transport"].update(host="127.0.0.1", port=relay.port)
        site_out.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        publishers: list[MqttJsonSimulator] = []
        for d in site.config.devices:
            prefix = getattr(d.transport, "topic_prefix", "")
            if d.kind == "pit":
                publishers.append(PitSimulator(d.pit, broker.host, broker.port, prefix, time_scale=1))  # type: ignore[attr-defined]  # the kind's section: an extra field of DeviceConfig
            elif d.kind == "formwork":
                # the pour is under way (2 s per round of points, as during a pour), nothing going wrong
                publishers.append(
                    FormworkSimulator(d.formwork, broker.host, broker.port, prefix, pour_after_s=0)  # type: ignore[attr-defined]  # the kind's section
                )
            elif d.kind == "attendance":
                publishers.append(
                    AccessGateSimulator(site.config.key_personnel, broker.host, broker.port, prefix)
                )
        for publisher in publishers:
            await publisher.start()
            stack.push_async_callback(publisher.stop)
        await asyncio.sleep(duration)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(seconds: float, warmup: float, new_devices: bool) -> tuple[float, float, int]:
    """The gateway's CPU (% of one core), RSS (MB) and readings stored over the window."""
    with tempfile.TemporaryDirectory() as tmp:
        site_file = Path(tmp) / "site.yaml"
        sims = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve-simulators",
                str(site_file),
                "--seconds",
                str(seconds),
                "--warmup",
                str(warmup),
                *([] if new_devices else ["--without-new-devices"]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        gw = None
        try:
            deadline = time.monotonic() + 60
            while not site_file.exists():
                if time.monotonic() > deadline or sims.poll() is not None:
                    raise SystemExit("the simulators did not start")
                time.sleep(0.1)
            time.sleep(0.5)
            gw = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sitegw.cli",
                    "--log-level",
                    "WARNING",
                    "run",
                    str(site_file),
                    "--state-dir",
                    str(Path(tmp) / "state"),
                ],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(warmup)
            c0, t0 = cpu_seconds(gw.pid), time.monotonic()
            time.sleep(seconds)
            c1, t1 = cpu_seconds(gw.pid), time.monotonic()
            if gw.poll() is not None:
                raise SystemExit(f"the gateway exited with {gw.returncode}")
            rss = rss_mb(gw.pid)
        finally:
            for proc in (gw, sims):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        # proof that it was working, not stuck: readings kept in the window's history
        from gateway.store.local_query import HistoryReader

        rows = HistoryReader(Path(tmp) / "state" / "history.sqlite").counts().rows
        return 100 * (c1 - c0) / (t1 - t0), rss, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--serve-simulators", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--without-new-devices", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_simulators:
        duration = args.seconds + args.warmup + 30
        asyncio.run(serve_simulators(args.serve_simulators, duration, not args.without_new_devices))
        return
    cpu, rss, rows = measure(args.seconds, args.warmup, new_devices=True)
    print(f"gateway_idle_cpu_pct: {cpu:.2f} % of one core")
    print(f"gateway_idle_rss: {rss:.0f} MB")
    print(f"gateway_idle_readings_stored: {rows} readings")
    base_cpu, base_rss, base_rows = measure(args.seconds, args.warmup, new_devices=False)
    print(f"gateway_idle_without_hoist_formwork_gate_cpu_pct: {base_cpu:.2f} % of one core")
    print(f"gateway_idle_without_hoist_formwork_gate_rss: {base_rss:.0f} MB ({base_rows} readings)")
    print(f"gateway_idle_cpu_ratio_full_to_without: {cpu / base_cpu:.2f}x (same run)")


if __name__ == "__main__":
    with watched():
        main()
