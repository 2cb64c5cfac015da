"""CPU of the gateway idling with the demo site (goal < 2 % of one core).

The simulators (crane-1 on Modbus TCP, crane-2 and the anemometer on one RTU bus over a pty
pair, the pit over MQTT to an embedded broker) run in one process, the gateway
(`sitegw run`) in another, so only the gateway's own work is measured: polling three Modbus
devices every second, the pit's MQTT messages, the rules, the local store, the API idling.
The CPU is utime + stime of the gateway process from /proc over the window.

Run: .venv/bin/python bench/idle_cpu.py [--seconds 30] [--warmup 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from contract.config.loader import EXAMPLE_SITE

CLK_TCK = os.sysconf("SC_CLK_TCK")


async def serve_simulators(site_out: Path, duration: float) -> None:
    """Run the demo's simulators, write the site file that points at them, wait."""
    from contract.config import load_site
    from drivers.mqtt.embedded_broker import EmbeddedBroker
    from drivers.simulators.modbus_sims import start_modbus_simulators
    from drivers.simulators.pit import PitSimulator

    site = load_site(EXAMPLE_SITE)
    async with EmbeddedBroker() as broker:
        sims = await start_modbus_simulators(site, rtu_devices=["crane-2", "anemo-1"])
        config = sims.site.config.model_dump(mode="json", exclude_none=True)
        config["mqtt_brokers"] = {"site": {"host": broker.host, "port": broker.port}}
        config["api"] = {"host": "127.0.0.1", "port": 0}
        config["profiles_dir"] = str(EXAMPLE_SITE.parent.parent / "profiles")
        site_out.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        pit = site.config.device("pit-1")
        sim = PitSimulator(
            pit.pit,
            broker.host,
            broker.port,
            pit.transport.topic_prefix,  # type: ignore[arg-type,union-attr]
            time_scale=1,
            history_hours=0,
        )
        await sim.start()
        try:
            await asyncio.sleep(duration)
        finally:
            await sim.stop()
            await sims.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--serve-simulators", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_simulators:
        asyncio.run(serve_simulators(args.serve_simulators, args.seconds + args.warmup + 30))
        return
    with tempfile.TemporaryDirectory() as tmp:
        site_file = Path(tmp) / "site.yaml"
        sims = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve-simulators",
                str(site_file),
                "--seconds",
                str(args.seconds),
                "--warmup",
                str(args.warmup),
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
            time.sleep(args.warmup)
            c0, t0 = cpu_seconds(gw.pid), time.monotonic()
            time.sleep(args.seconds)
            c1, t1 = cpu_seconds(gw.pid), time.monotonic()
            if gw.poll() is not None:
                raise SystemExit(f"the gateway exited with {gw.returncode}")
            print(f"gateway_idle_cpu_pct: {100 * (c1 - c0) / (t1 - t0):.2f} % of one core")
            print(f"gateway_idle_rss: {rss_mb(gw.pid):.0f} MB")
            # proof that it was working, not stuck: readings kept in the window's history
            from gateway.store.local_query import HistoryReader

            rows = HistoryReader(Path(tmp) / "state" / "history.sqlite").counts().rows
            print(f"gateway_idle_readings_stored: {rows} readings")
        finally:
            for proc in (gw, sims):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()


if __name__ == "__main__":
    main()
