"""Modbus polling cost: registers read per CPU-second of the polling process, and its memory.

Workload (the peer benchmark's): the peer harness's modbus_farm.py serves N simulated
black boxes (default 20) of REGS holding registers (default 16) on 127.0.0.1; a separate process
runs sitegw's ModbusDriver on them, polling every POLL ms (default 100), publishing Readings to
a Bus that only counts them. The poller's CPU time (utime + stime from /proc) and peak RSS are
measured over a window after a warm-up. Prints ``name: value unit`` lines.

    .venv/bin/python bench/modbus_poll.py [--devices 20] [--regs 16] [--poll-ms 100] [--seconds 30] [--peer]

With ``--peer`` it then runs the harness's run_tbgw.sh on the same workload, ``--pairs``
times in turn (default 3): the ThingsBoard IoT gateway, and sitegw's driver through
``bench/sitegw_tb_adapter.py`` (which publishes each poll as ThingsBoard gateway telemetry over MQTT),
and prints each pair's ratio of registers per CPU-second and their median (run the harness's setup.sh
once first; TBPEER_ROOT is passed through).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched

# The peer harness (the ThingsBoard IoT gateway's benchmark): PEER_TBGW_DIR, else the shared folder beside
# this checkout (/work/main and /work/shared), else the machine's /work/shared, wherever the checkout is.
PEER_DIRS = [
    Path(__file__).resolve().parents[2] / "shared" / "bench" / "peer_tbgw",
    Path("/work/shared/bench/peer_tbgw"),
]
PEER_DIR = (
    Path(os.environ["PEER_TBGW_DIR"])
    if os.environ.get("PEER_TBGW_DIR")
    else next((d for d in PEER_DIRS if (d / "modbus_farm.py").is_file()), PEER_DIRS[-1])
)
FARM = PEER_DIR / "modbus_farm.py"
CLK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """utime + stime of ``pid``, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK


def status_kb(pid: int, key: str) -> int:
    """A ``/proc/PID/status`` memory line (VmHWM, VmRSS) in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


async def poller(devices: int, regs: int, poll_ms: float, base_port: int, stats_path: str) -> None:
    """The measured process: sitegw's Modbus driver, readings counted, counters dumped every second."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.modbus_bench_site import bench_site
    from contract.bus import Bus
    from drivers.modbus import ModbusDriver

    bus = Bus()
    counted = [0]
    bus.subscribe("count", lambda batch: counted.__setitem__(0, counted[0] + len(batch)))
    driver = ModbusDriver(bench_site(devices, regs, poll_ms, base_port=base_port), bus)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await driver.start()
    while not stop.is_set():
        stats = driver.stats().values()
        snapshot = {
            "readings": counted[0],
            "registers": sum(s.registers for s in stats),
            "requests": sum(s.requests for s in stats),
            "errors": sum(s.errors for s in stats),
            "online": sum(s.online for s in stats),
            "mono": time.monotonic(),
        }
        Path(stats_path + ".tmp").write_text(json.dumps(snapshot))
        os.replace(stats_path + ".tmp", stats_path)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    await driver.stop()


def harness_run(
    label: str, devices: int, regs: int, poll_ms: float, seconds: float, adapter_python: str
) -> dict[str, float]:
    """One run of the peer harness: the ThingsBoard gateway (``tbgw``) or sitegw through its adapter
    (``sitegw``); its ``name: value`` figures (empty if the run failed, which is said on stderr)."""
    harness = FARM.parent / "run_tbgw.sh"
    adapter = Path(__file__).resolve().parent / "sitegw_tb_adapter.py"
    env = dict(
        os.environ,
        MQTT_PORT=str(18000 + os.getpid() % 700),
        BASE_PORT=str(30000 + os.getpid() % 700 * 40),
    )
    if label == "sitegw":
        env.update(GATEWAY="sitegw", GATEWAY_CMD=f"{adapter_python} {adapter}")
    done = subprocess.run(
        ["bash", str(harness), str(devices), str(int(poll_ms)), str(int(seconds))],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 300,
    )
    figures = {}
    for line in done.stdout.splitlines():
        name, _, rest = line.partition(": ")
        if rest and name.replace("_", "").isalnum():
            with contextlib.suppress(ValueError):  # a line that is not a figure
                figures[name] = float(rest.split()[0])
    if done.returncode != 0 or "gateway_regs_per_cpu_s" not in figures:
        print(
            f"peer harness ({label}) failed, rc {done.returncode}: {done.stderr.strip()[-500:]}",
            file=sys.stderr,
        )
        return {}
    return figures


def run_peer_harness(
    devices: int, regs: int, poll_ms: float, seconds: float, adapter_python: str, pairs: int
) -> None:
    """Run the peer harness ``pairs`` times in turn (ThingsBoard gateway, then sitegw through its adapter)
    and print each pair's ratio and their median.

    Why pairs: one run's CPU figure moves by about 8 % from run to run on this shared box (sitegw's 3 % of
    a core and the peer's 12 % alike), so a single pair's ratio can land a tenth either side of the
    truth; the median of interleaved pairs does not follow one unlucky run. Needs the harness's
    ``setup.sh`` (``PEER_DIR``) run once with the same ``TBPEER_ROOT``.
    """
    runs: dict[str, list[dict[str, float]]] = {"tbgw": [], "sitegw": []}
    ratios = []
    for pair in range(1, pairs + 1):
        done = {label: harness_run(label, devices, regs, poll_ms, seconds, adapter_python) for label in runs}
        if not all(done.values()):
            return
        for label, one in done.items():
            runs[label].append(one)
        # the harness's own quotient of CPU seconds (two decimals), not of the percent it rounds to one:
        # at the 3 % of a core sitegw takes, that rounding alone moved the ratio by up to 1.6 %
        ratios.append(done["sitegw"]["gateway_regs_per_cpu_s"] / done["tbgw"]["gateway_regs_per_cpu_s"])
        print(
            f"peer_pair{pair}: tbgw {done['tbgw']['gateway_regs_per_cpu_s']:.0f}, sitegw "
            f"{done['sitegw']['gateway_regs_per_cpu_s']:.0f} registers/cpu-s, ratio {ratios[-1]:.2f}, "
            f"delivery {done['tbgw'].get('delivery_ratio', 0):.3f} / {done['sitegw'].get('delivery_ratio', 0):.3f}"
        )
    for label, figures in runs.items():
        print(
            f"peer_{label}_registers_per_cpu_s: {median(f['gateway_regs_per_cpu_s'] for f in figures):.0f} registers/cpu-s"
        )
        print(
            f"peer_{label}_datapoints_per_s: {median(f.get('datapoints_per_s', 0) for f in figures):.0f} datapoints/s"
        )
        print(
            f"peer_{label}_delivery_ratio: {min(f.get('delivery_ratio', 0) for f in figures):.3f} ratio (lowest)"
        )
        print(f"peer_{label}_peak_rss_mb: {max(f.get('gateway_peak_rss_MB', 0) for f in figures):.1f} MB")
    print(f"peer_ratio_registers_per_cpu_s: {median(ratios):.2f} sitegw/tbgw (median of {pairs} pairs)")
    print(f"peer_ratio_registers_per_cpu_s_lowest: {min(ratios):.2f} sitegw/tbgw")
    rss = {label: max(f.get("gateway_peak_rss_MB", 0) for f in figures) for label, figures in runs.items()}
    print(f"peer_ratio_peak_rss: {rss['sitegw'] / rss['tbgw']:.2f} sitegw/tbgw")


def _read(path: Path, wait_s: float = 30.0) -> dict[str, float]:
    """The counters a process dumps to ``path``, waiting up to ``wait_s`` for its first dump (the farm
    imports pymodbus and opens 20 servers first: seconds on a loaded box, more than the 2.5 s once
    waited here)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no counters in {path} after {wait_s:g} s") from None
            time.sleep(0.05)


def main() -> None:
    found = "" if FARM.is_file() else " (missing: set PEER_TBGW_DIR)"
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"peer harness used: {PEER_DIR}{found}",
    )
    ap.add_argument("--devices", type=int, default=20)
    ap.add_argument("--regs", type=int, default=16)
    ap.add_argument("--poll-ms", type=float, default=100.0)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--base-port", type=int, default=0, help="0: pick a free range")
    ap.add_argument(
        "--peer",
        action="store_true",
        help="also run the ThingsBoard gateway and sitegw (MQTT adapter) in the peer harness, and compare",
    )
    ap.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="with --peer: interleaved runs of each gateway (the median ratio)",
    )
    ap.add_argument("--poller", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--stats", default="", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.poller:
        asyncio.run(poller(a.devices, a.regs, a.poll_ms, a.base_port, a.stats))
        return
    if not FARM.is_file():
        sys.exit(f"modbus_poll: {FARM} not found (set PEER_TBGW_DIR to the peer harness's folder)")
    base = a.base_port or 20000 + (os.getpid() % 200) * 100
    with tempfile.TemporaryDirectory(prefix="modbus-bench-") as tmp:
        farm_stats, poll_stats = Path(tmp, "farm.json"), Path(tmp, "poller.json")
        farm = subprocess.Popen(
            [
                sys.executable,
                str(FARM),
                "--devices",
                str(a.devices),
                "--regs",
                str(a.regs),
                "--base-port",
                str(base),
                "--stats",
                str(farm_stats),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        proc = None
        try:
            _read(farm_stats)
            time.sleep(0.5)
            proc = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--poller",
                    "--devices",
                    str(a.devices),
                    "--regs",
                    str(a.regs),
                    "--poll-ms",
                    str(a.poll_ms),
                    "--base-port",
                    str(base),
                    "--stats",
                    str(poll_stats),
                ]
            )
            time.sleep(a.warmup)
            p0, f0, c0, t0 = _read(poll_stats), _read(farm_stats), cpu_s(proc.pid), time.monotonic()
            time.sleep(a.seconds)
            p1, f1, c1, t1 = _read(poll_stats), _read(farm_stats), cpu_s(proc.pid), time.monotonic()
            hwm_mb, rss_mb = status_kb(proc.pid, "VmHWM") / 1024, status_kb(proc.pid, "VmRSS") / 1024
        finally:
            for p in (proc, farm):
                if p is not None and p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
    wall, cpu = t1 - t0, c1 - c0
    # the poller's counters carry their own time stamps: rate over those, applied to the CPU window
    registers = (p1["registers"] - p0["registers"]) / (p1["mono"] - p0["mono"]) * wall
    readings = (p1["readings"] - p0["readings"]) / (p1["mono"] - p0["mono"]) * wall
    offered = a.devices * a.regs * 1000.0 / a.poll_ms
    print(
        f"workload: {a.devices} devices x {a.regs} holding registers every {a.poll_ms:g} ms "
        f"(offered {offered:.0f} registers/s), window {wall:.1f} s"
    )
    print(
        f"modbus_registers_per_cpu_s: {registers / cpu:.0f} registers/cpu-s"
        if cpu > 0
        else "modbus_registers_per_cpu_s: nan registers/cpu-s"
    )
    print(f"modbus_registers_per_s: {registers / wall:.0f} registers/s")
    print(f"modbus_farm_registers_per_s: {(f1['registers'] - f0['registers']) / wall:.0f} registers/s")
    print(f"modbus_readings_per_s: {readings / wall:.0f} readings/s")
    print(f"modbus_poll_ratio: {registers / wall / offered:.3f} of offered")
    print(f"modbus_poller_cpu_pct: {100 * cpu / wall:.1f} % of one core")
    print(f"modbus_poller_cpu_us_per_register: {1e6 * cpu / max(1, registers):.1f} us")
    print(f"modbus_poller_peak_rss_mb: {hwm_mb:.1f} MB")
    print(f"modbus_poller_rss_mb: {rss_mb:.1f} MB")
    print(f"modbus_poll_errors: {p1['errors'] - p0['errors']:.0f} errors")
    print(f"modbus_devices_online: {p1['online']:.0f} devices")
    if a.peer:
        run_peer_harness(a.devices, a.regs, a.poll_ms, a.seconds, sys.executable, a.pairs)


if __name__ == "__main__":
    with watched():
        main()
