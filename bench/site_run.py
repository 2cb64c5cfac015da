"""What the benches that run a whole site share (bench/soak.py, bench/site_scale.py): a `sitegw` command as
its own process and its orderly stop, the site's MQTT devices simulated in the bench's process, and the
wait until the gateway has every device online."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.soak_probe import scrape
from contract.config import LoadedSite
from contract.config.device import DeviceConfig
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from kinds.attendance.sim import AccessGateSimulator
from kinds.formwork.kind import FormworkDevice
from kinds.formwork.sim import FormworkSimulator
from kinds.pit.kind import PitDevice
from kinds.pit.sim import PitSimulator
from sitegw.modbus_sims import ModbusSimulators
from tests.servers.mosquitto import MosquittoServer
from tests.support import wait_port

REPO = Path(__file__).resolve().parents[1]


def cli(
    log: Path, *args: str, trace: Path | None = None, frames: int = 0, cpus: set[int] | None = None
) -> subprocess.Popen[bytes]:
    """A `sitegw` command as its own process, its output in ``log``; with ``trace``, under the memory
    probe (bench/soak_trace.py, tracemalloc keeping ``frames`` when above 0), its files in that folder; with
    ``cpus``, it and every process it starts (its camera workers) on those CPUs only (taskset)."""
    program = ["-m", "sitegw.cli"] if trace is None else [str(REPO / "bench" / "soak_trace.py")]
    pinned = ["taskset", "-c", ",".join(map(str, sorted(cpus)))] if cpus else []
    env = os.environ | (
        {"SITEGW_TRACEMALLOC_DIR": str(trace), "SITEGW_TRACEMALLOC_FRAMES": str(frames)} if trace else {}
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [*pinned, sys.executable, *program, "--log-level", "WARNING", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """SIGINT (an orderly stop), SIGKILL past ``timeout``; the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return proc.returncode


async def start_mqtt_sims(
    loaded: LoadedSite, host: str, port: int, every_s: Callable[[DeviceConfig], float]
) -> list[MqttJsonSimulator]:
    """The site's pits, formworks and gates publishing to the broker in real time: a pit's or a
    formwork's points every ``every_s(device)`` seconds (the formworks through a pour that starts at
    once), a gate's passages as its day's schedule brings them (the site's key people and 12 workers)."""
    sims: list[MqttJsonSimulator] = []
    for i, d in enumerate(loaded.config.devices):
        prefix = getattr(d.transport, "topic_prefix", "")
        if isinstance(d, PitDevice):
            sims.append(
                PitSimulator(
                    d.pit, host, port, prefix, time_scale=1, history_hours=0, interval_s=every_s(d), seed=i
                )
            )
        elif isinstance(d, FormworkDevice):
            sims.append(
                FormworkSimulator(
                    d.formwork, host, port, prefix, interval_s=every_s(d), pour_after_s=0, seed=i
                )
            )
        elif d.kind == "attendance":
            sims.append(AccessGateSimulator(loaded.config.key_personnel, host, port, prefix, seed=i))
    for sim in sims:
        await sim.start()
    return sims


async def until_online(url: str, devices: list[str], timeout: float = 60) -> None:
    """Wait until the gateway at ``url`` (its /metrics) has ``devices`` online: an MQTT device once
    subscribed (it gets nothing published before), a Modbus device once it answered a poll."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            s = await asyncio.to_thread(scrape, url)
            if all(s.online.get(d) for d in devices):
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the gateway's devices did not come online within {timeout:.0f} s")
        await asyncio.sleep(1)


async def run_gateway(
    data: dict[str, Any],
    site_file: Path,
    sims: ModbusSimulators,
    work: Path,
    api_port: int,
    timeout: float,
    cpus: set[int] | None = None,
) -> subprocess.Popen[bytes]:
    """`sitegw run` on the site ``data`` (its Modbus devices pointed at ``sims`` first, written to
    ``site_file``), its log and state in ``work``, on ``cpus`` only when given; returned once its API answers
    on ``api_port`` and every device is online (stopped again when that does not come within ``timeout``)."""
    for d in data["devices"]:
        if d["id"] in sims.transports:
            d["transport"] = sims.transports[d["id"]].model_dump(mode="json", exclude_none=True)
    site_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    gateway = cli(work / "gateway.log", "run", str(site_file), "--state-dir", str(work / "state"), cpus=cpus)
    try:
        await asyncio.to_thread(wait_port, api_port, timeout=timeout)
        url = f"http://127.0.0.1:{api_port}/metrics"
        await until_online(url, [d["id"] for d in data["devices"]], timeout=timeout)
    except BaseException:
        stop(gateway)
        raise
    return gateway


async def stop_site(
    publisher: subprocess.Popen[str] | None,
    sims: ModbusSimulators,
    gateway: subprocess.Popen[bytes] | None,
    broker: MosquittoServer,
) -> None:
    """End what a bench of the example site started: its MQTT publisher, its Modbus simulators before the
    gateway (a server whose client left mid-answer prints to the bench's stderr), the gateway, the broker."""
    if publisher is not None:
        publisher.kill()
    await sims.stop()
    if gateway is not None:
        stop(gateway)
    broker.stop()
