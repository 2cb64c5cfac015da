"""`make soak`: a large site for SOAK_MINUTES (30 by default) against real servers, sampled over time.

The site (bench/soak_site.py, generated from the example site): 20 tower cranes, 4 hoists and 4
anemometers on Modbus TCP (the anemometers on one RS-485 bus, RTU over a pty pair, as the demo's),
12 deep pits and 11 high formworks (200 points) publishing to a real Mosquitto, and 8 cameras
replaying video files made from the shipped photos. The gateway is the real `sitegw run` process
delivering to the real `sitegw regulator serve` (PostgreSQL when it answers at SITEGW_TEST_PG, else
SQLite). The simulators are the demo's (drivers/simulators), in this process, so the gateway's own
process does only the gateway's work.

Every interval the soak reads the gateway's RSS, open descriptors and CPU (user + system) from /proc,
the same for its camera workers, its /metrics counters (readings taken, local store rows, frames
analysed per camera, outbox), and the alert events the regulator stored since the last look (event
time to stored: p50/p99). At the end it waits for the outbox to drain, stops the gateway and checks
every event `sitegw events` lists is stored at the regulator. It writes docs/soak/soak.csv, the plots,
docs/soak/summary.json and docs/soak.md with the verdict (bench/soak_report.py), and exits 1 when the
soak fails: memory or descriptors growing, or an event lost.

Run: .venv/bin/python bench/soak.py [--minutes 30] [--interval 15] [--note "shared machine ..."]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import cv2
import httpx

from bench import soak_report, soak_site
from bench.load import watched
from bench.site_run import cli, start_mqtt_sims, stop, until_online
from bench.soak_probe import (
    CpuMeter,
    DeliveryWatch,
    Scrape,
    descendants,
    memory_mb,
    open_fds,
    rss_total_mb,
    scrape,
)
from bench.soak_trace import report
from contract.config import LoadedSite, load_site
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from sitegw.modbus_sims import ModbusSimulators, start_modbus_simulators
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port, wait_port
from vision.demo import camera_frames

PG_ADMIN = os.environ.get("SITEGW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "soak-secret"
nan = float("nan")
CAMERA_FPS = 1.0  # the camera default: one analysed frame a second
VIDEO_FPS, HOLD_S = (
    2,
    3,
)  # the video files: 2 frames a second, each photo held 3 s (a still scene, then a cut)
PIT_EVERY_S = 30.0  # a busy automated DAU (real sites: every 2 h, hourly when alarmed)
FORMWORK_EVERY_S = 2.0  # the simulator's default, within DBJ/T 15-197-2020's 30 s during a pour
DRAIN_S = 180.0  # the outbox's backlog at the end: retries back off up to a few minutes


def parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "30")))
    ap.add_argument(
        "--interval", type=float, default=None, help="seconds between samples (default: 120 samples)"
    )
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "soak", help="CSV, plots and summary")
    ap.add_argument("--doc", type=Path, default=REPO / "docs" / "soak.md", help="the report (markdown)")
    ap.add_argument(
        "--workdir", type=Path, default=None, help="keep the run's state here (default: a temp dir)"
    )
    ap.add_argument(
        "--memory-probe",
        action="store_true",
        help="probe the gateway's allocators after the warm-up and at the end, and write what grew",
    )
    ap.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="FRAMES",
        help="with --memory-probe, tracemalloc too, keeping FRAMES of each stack (slow: diagnosis only)",
    )
    ap.add_argument(
        "--report-only",
        action="store_true",
        help="no run: the plots and the report again from --out's soak.csv and summary.json",
    )
    ap.add_argument("--note", default="", help="a line on the machine (shared with other work, etc.)")
    ap.add_argument("--rss-limit", type=float, default=soak_report.RSS_LIMIT_MB_H, help="MB/h that fails")
    ap.add_argument(
        "--fd-limit", type=float, default=soak_report.FD_LIMIT_PER_H, help="descriptors/h that fails"
    )
    return ap.parse_args()


def make_videos(folder: Path, count: int) -> list[Path]:
    """``count`` MJPEG videos of the shipped photos (1280x720), each starting at another photo."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = camera_frames()
    paths = []
    for i in range(count):
        path = folder / f"cam-{i + 1}.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), VIDEO_FPS, (1280, 720))
        for k in range(len(frames)):
            for _ in range(VIDEO_FPS * HOLD_S):
                writer.write(frames[(i + k) % len(frames)])
        writer.release()
        paths.append(path)
    return paths


@contextlib.contextmanager
def regulator_db(work: Path) -> Iterator[str]:
    """A fresh PostgreSQL database for the regulator, dropped afterwards; SQLite when PostgreSQL does
    not answer (the demo's embedded receiver uses SQLite too)."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except Exception as exc:  # no driver or no server: say so and use SQLite
        print(f"soak: PostgreSQL not reachable at {PG_ADMIN} ({exc}); the regulator uses SQLite", flush=True)
        yield f"sqlite:///{work / 'regulator.sqlite'}"
        return
    name = f"sitegw_soak_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def modbus_sims(loaded: LoadedSite) -> ModbusSimulators:
    """Cranes, hoists and anemometers on local Modbus servers (the anemometers on one RTU bus); storms
    every 10 min on every anemometer, overloads on every other crane, doors on two hoists."""
    scenarios: dict[str, str] = {}
    for d in loaded.config.devices:
        if d.kind == "anemometer":
            scenarios[d.id] = "high_wind"
        elif d.kind == "crane" and int(d.id.rsplit("-", 1)[1]) % 2:
            scenarios[d.id] = "overload"
        elif d.kind == "hoist" and int(d.id.rsplit("-", 1)[1]) <= 2:
            scenarios[d.id] = "hoist_door"
    anemometers = [d.id for d in loaded.config.devices if d.kind == "anemometer"]
    return await start_modbus_simulators(loaded, scenarios=scenarios, rtu_devices=anemometers)


class Sampler:
    """One row per interval: the gateway's process, its counters, and deliveries since the last row."""

    def __init__(self, pid: int, metrics: str, watch: DeliveryWatch, sims: list[MqttJsonSimulator]) -> None:
        self.pid, self.metrics, self.watch, self.sims = pid, metrics, watch, sims
        self.gw_cpu, self.workers_cpu = CpuMeter(), CpuMeter()
        self.t0 = time.monotonic()
        self.last_t = 0.0
        self.first_frame: dict[str, tuple[float, float]] = {}  # camera: (t, frames) at its first frame
        self.latencies: list[tuple[str, float]] = []
        self.frames: dict[str, float] = {}
        self.rows: list[soak_report.Row] = []
        self.gw_cpu.used([pid])

    def sample(self) -> soak_report.Row:
        t = time.monotonic() - self.t0
        dt = max(t - self.last_t, 1e-6)
        self.last_t = t
        workers = descendants(self.pid)
        asked = time.monotonic()
        try:
            s: Scrape | None = scrape(self.metrics)
        except httpx.HTTPError as exc:  # a gateway too busy to answer is a finding, not the soak's end
            print(f"soak: /metrics did not answer: {exc!r}", flush=True)
            s = None
        metrics_ms = (time.monotonic() - asked) * 1000
        lat = self.watch.new_latencies()
        self.latencies.extend(lat)
        ms = sorted(x * 1000 for _, x in lat)
        mem = memory_mb(self.pid)
        row: soak_report.Row = {
            "t_s": round(t, 1),
            "load1": os.getloadavg()[0],
            "gw_rss_mb": rss_total_mb([self.pid]),
            "gw_anon_mb": mem["RssAnon"],
            "gw_file_mb": mem["RssFile"],
            "workers_rss_mb": rss_total_mb(workers),
            "workers": float(len(workers)),
            "gw_fds": float(open_fds(self.pid)),
            "gw_cpu_pct": 100 * self.gw_cpu.used([self.pid]) / dt,
            "workers_cpu_pct": 100 * self.workers_cpu.used(workers) / dt,
            "metrics_ms": metrics_ms,
            "readings": s.readings if s else nan,
            "store_rows": s.store_rows if s else nan,
            "published": float(sum(sim.published for sim in self.sims)),
            "events": float(len(ms)),
            "lat_p50_ms": _quantile(ms, 0.50),
            "lat_p99_ms": _quantile(ms, 0.99),
            "outbox_depth": s.outbox_depth if s else nan,
            "delivered": s.delivered if s else nan,
        }
        self.frames = s.frames if s else dict.fromkeys(self.frames, nan)
        for cam, frames in sorted(self.frames.items()):
            if frames > 0 and cam not in self.first_frame:
                self.first_frame[cam] = (t, frames)
            start = self.first_frame.get(cam)
            row[f"analysed:{cam}"] = frames
            # a looping file offers CAMERA_FPS frames a second once its worker is up (its first frame)
            row[f"offered:{cam}"] = start[1] + CAMERA_FPS * (t - start[0]) if start else 0.0
        self.rows.append(row)
        return row


def _quantile(sorted_ms: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of sorted values; NaN for none."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(q * len(sorted_ms) + 0.5) - 1))]


def gateway_event_ids(state: Path) -> set[str]:
    """The ids of every AlertEvent the gateway recorded (`sitegw events --json`)."""
    out = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "events", "--state-dir", str(state), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return {json.loads(line)["event_id"] for line in out.splitlines() if line.strip()}


async def soak(opts: argparse.Namespace, work: Path) -> int:
    interval = opts.interval or min(30.0, max(5.0, opts.minutes * 60 / 120))
    broker = MosquittoServer(work / "mosquitto", persistence=True)
    broker.start()
    started = datetime.now(UTC)
    try:
        with regulator_db(work) as db:
            return await _with_broker(opts, work, broker, db, interval, started)
    finally:
        broker.stop()


async def _with_broker(
    opts: argparse.Namespace, work: Path, broker: MosquittoServer, db: str, interval: float, started: datetime
) -> int:
    site = soak_site.large_site(broker.host, broker.port)
    project = site["project"]["code"]
    log = work / "soak.log"
    add = cli(
        log,
        "regulator",
        "add-project",
        project,
        "--name",
        "soak",
        "--city",
        "深圳",
        "--secret",
        SECRET,
        "--db",
        db,
    )
    if add.wait(120) != 0:
        raise RuntimeError(f"regulator add-project failed: {log.read_text(errors='replace')[-2000:]}")
    reg_port, api_port = free_port(), free_port()
    evidence = work / "regulator-evidence"
    regulator = cli(
        work / "regulator.log",
        "regulator",
        "serve",
        "--port",
        str(reg_port),
        "--db",
        db,
        "--evidence-dir",
        str(evidence),
    )
    loaded = load_site(soak_site.write(site, work / "site-generated.yaml"))
    sims = await modbus_sims(loaded)
    mqtt_sims: list[MqttJsonSimulator] = []
    gateway: subprocess.Popen[bytes] | None = None
    try:
        wait_port(reg_port, timeout=60)
        for d in site["devices"]:
            if d["id"] in sims.transports:
                d["transport"] = sims.transports[d["id"]].model_dump(mode="json", exclude_none=True)
        videos = make_videos(work / "videos", soak_site.CAMERAS)
        site["uplinks"] = [
            {
                "type": "regulator",
                "name": "regulator",
                "base_url": f"http://127.0.0.1:{reg_port}",
                "secret": SECRET,
            }
        ]
        site["vision"] = {"cameras": soak_site.cameras(videos, CAMERA_FPS), "evidence_dir": "evidence"}
        site["api"] = {"host": "127.0.0.1", "port": api_port}
        site_file = soak_site.write(site, work / "site.yaml")
        state = work / "state"
        trace = work / "memory-probe" if opts.memory_probe else None
        gateway = cli(
            work / "gateway.log",
            "run",
            str(site_file),
            "--state-dir",
            str(state),
            trace=trace,
            frames=opts.tracemalloc,
        )
        wait_port(api_port, timeout=300)
        metrics = f"http://127.0.0.1:{api_port}/metrics"
        mqtt_devices = [d["id"] for d in site["devices"] if d["transport"]["type"] == "mqtt"]
        await until_online(metrics, mqtt_devices)
        if trace is not None:
            gateway.send_signal(signal.SIGUSR2)  # start the probe, now the imports are done
        mqtt_sims = await start_mqtt_sims(
            loaded, broker.host, broker.port, lambda d: PIT_EVERY_S if d.kind == "pit" else FORMWORK_EVERY_S
        )
        sampler = Sampler(gateway.pid, metrics, DeliveryWatch(db, project, evidence), mqtt_sims)
        print(
            f"soak: {len(site['devices'])} devices, {soak_site.point_count(site)} points, "
            f"{soak_site.CAMERAS} cameras; {opts.minutes:g} min, a sample every {interval:g} s; "
            f"gateway pid {gateway.pid}, state in {work}",
            flush=True,
        )
        end = time.monotonic() + opts.minutes * 60
        warm = time.monotonic() + opts.minutes * 60 * soak_report.WARMUP_FRACTION
        while time.monotonic() < end:
            if trace is not None and warm and time.monotonic() >= warm:
                warm = 0.0
                await snapshot(gateway, trace, 1)
            await asyncio.sleep(min(interval, max(0.0, end - time.monotonic())))
            if gateway.poll() is not None:
                raise RuntimeError(f"the gateway exited ({gateway.returncode}): see {work / 'gateway.log'}")
            row = await asyncio.to_thread(sampler.sample)
            print(
                f"  {row['t_s'] / 60:5.1f} min  rss {row['gw_rss_mb']:6.1f} MB  workers {row['workers_rss_mb']:6.0f} MB  "
                f"fds {row['gw_fds']:4.0f}  cpu {row['gw_cpu_pct']:5.1f}% + {row['workers_cpu_pct']:5.1f}%  "
                f"events {row['events']:3.0f} p99 {row['lat_p99_ms']:7.1f} ms  load {row['load1']:.1f}",
                flush=True,
            )
        if trace is not None:
            await snapshot(gateway, trace, 2)
            (work / "memory-probe.txt").write_text(report(trace))
            print(f"soak: what grew after the warm-up: {work / 'memory-probe.txt'}", flush=True)
        for sim in mqtt_sims:
            await sim.stop()
        drained = await _drain(metrics)
        code = stop(gateway)
        recorded = gateway_event_ids(state)
        sampler.latencies.extend(sampler.watch.new_latencies())  # what arrived while draining
        stored = sampler.watch.seen
    finally:
        for sim in mqtt_sims:
            await sim.stop()
        if gateway is not None:
            stop(gateway)
        await sims.stop()
        stop(regulator)
    v = soak_report.verdict(sampler.rows, opts.rss_limit, opts.fd_limit)
    lat = sorted(x * 1000 for _, x in sampler.latencies)
    by_rule: dict[str, list[float]] = {}
    for rule, x in sampler.latencies:
        by_rule.setdefault(rule, []).append(x * 1000)
    tracebacks = (work / "gateway.log").read_text(errors="replace").count("Traceback")
    summary = {
        "started_utc": started.strftime("%Y-%m-%d %H:%M"),
        "minutes": opts.minutes,
        "interval_s": interval,
        "cores": os.cpu_count(),
        "note": opts.note,
        "regulator_db": db.split(":", 1)[0],
        "devices": len(site["devices"]),
        "points": soak_site.point_count(site),
        "cameras": soak_site.CAMERAS,
        "verdict": asdict(v) | {"passed": v.passed, "failures": v.failures},
        "cpu_gateway_pct_mean": statistics.fmean(r["gw_cpu_pct"] for r in sampler.rows),
        "cpu_workers_pct_mean": statistics.fmean(r["workers_cpu_pct"] for r in sampler.rows),
        "load1_mean": statistics.fmean(r["load1"] for r in sampler.rows),
        "load1_max": max(r["load1"] for r in sampler.rows),
        "events_recorded": len(recorded),
        "events_stored": len(stored),
        "events_lost": len(recorded - stored),
        "outbox_drained": drained,
        "latency_ms": {
            "n": len(lat),
            "p50": _quantile(lat, 0.5),
            "p99": _quantile(lat, 0.99),
            "max": max(lat, default=float("nan")),
        },
        "latency_ms_by_rule": {
            rule: {"n": len(v), "p50": _quantile(sorted(v), 0.5), "p99": _quantile(sorted(v), 0.99)}
            for rule, v in sorted(by_rule.items())
        },
        "frames_analysed_per_offered": soak_report.frame_share(sampler.rows),
        "frames_by_camera": {
            c: soak_report.frame_share(sampler.rows, c) for c in soak_report.cameras(sampler.rows)
        },
        "readings_taken": sampler.rows[-1]["readings"],
        "store_rows": sampler.rows[-1]["store_rows"],
        "mqtt_messages_published": sampler.rows[-1]["published"],
        "gateway_exit": code,
        "gateway_log_tracebacks": tracebacks,
    }
    soak_report.write_csv(sampler.rows, opts.out / "soak.csv")
    soak_report.plot(sampler.rows, opts.out, v)
    (opts.out / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    opts.doc.write_text(soak_report.markdown(summary, opts.out, opts.doc.parent), encoding="utf-8")
    ok = v.passed and summary["events_lost"] == 0
    print(("soak PASSED" if ok else "soak FAILED: " + "; ".join(v.failures or ["events lost"])), flush=True)
    print(f"soak: {opts.doc} and {opts.out}/", flush=True)
    return 0 if ok else 1


async def snapshot(gateway: subprocess.Popen[bytes], folder: Path, n: int) -> None:
    """Ask the gateway under the memory probe for its ``n``-th reading and wait until it is written."""
    gateway.send_signal(signal.SIGUSR2)
    path = folder / f"stats-{n}.json"
    for _ in range(600):
        await asyncio.sleep(1)
        if path.exists() and path.stat().st_size and time.time() - path.stat().st_mtime > 2:
            return
    raise RuntimeError(f"no memory probe {path} within 10 min")


async def _drain(metrics: str) -> bool:
    """Wait (up to DRAIN_S) for the outbox to be empty; whether it emptied."""
    deadline = time.monotonic() + DRAIN_S
    while time.monotonic() < deadline:
        if (await asyncio.to_thread(scrape, metrics)).outbox_depth == 0:
            return True
        await asyncio.sleep(2)
    return False


def report_again(opts: argparse.Namespace) -> int:
    """Plots and docs/soak.md again from a run's soak.csv and summary.json (after editing
    docs/soak/findings.md, or the report's wording); the run's verdict stands."""
    summary = json.loads((opts.out / "summary.json").read_text(encoding="utf-8"))
    rows = soak_report.read_csv(opts.out / "soak.csv")
    soak_report.plot(rows, opts.out, soak_report.verdict(rows, opts.rss_limit, opts.fd_limit))
    opts.doc.write_text(soak_report.markdown(summary, opts.out, opts.doc.parent), encoding="utf-8")
    print(f"soak: {opts.doc} and the plots in {opts.out}/ written again", flush=True)
    return 0


def main() -> int:
    opts = parse()
    if opts.report_only:
        return report_again(opts)
    if opts.workdir is not None:
        opts.workdir.mkdir(parents=True, exist_ok=True)
        return asyncio.run(soak(opts, opts.workdir))
    with tempfile.TemporaryDirectory(prefix="sitegw-soak-") as tmp:
        return asyncio.run(soak(opts, Path(tmp)))


if __name__ == "__main__":
    with watched():
        code = main()
    sys.exit(code)
