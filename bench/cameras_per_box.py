"""How many cameras one `sitegw run` judges at 1 analysed frame a second each, every check on, on this box.

Each camera is a real RTSP stream of its own: GStreamer's RTSP server (tests/servers/rtsp_server.py)
sending site footage made from real site photos (bench/site_footage.py: no real site video ships with the
project; a third of the frames move) as a camera's H.264 main stream, 25 fps, a key frame a second,
looped, without encoding it again per camera. Each camera plays the footage from its own point of it,
drawn at random with a fixed seed (SEED: the same draw run after run), so that, as on a site whose cameras
were switched on at different times, each camera's key frames come at an instant of the second of its own
(the draw spreads them over the second; the server's log says where each falls) and its picture moves at
moments of its own. Until 2026-11-26 every camera was a client of one shared stream: all their key frames
came at the same instant, and at ``decode: auto`` (key frames only at fps 1) each worker got all its
cameras' frames at once each second, with the CPU idle the rest of it; a round of analyses that ran past
the second lost frames (a newer one replaced each one not yet analysed): 0.87-0.89 frames/s per camera at
16 cameras on a box 30 % idle. ``--in-phase`` measures that case again (every camera on the one stream).

The gateway is the real `sitegw run` of the example site (its cranes, hoists and anemometers over Modbus
TCP from pymodbus simulators, its pits, formworks and gates over MQTT through a Mosquitto of the bench's
own, as bench/site_scale.py runs them) with N cameras added,
each at fps 1 with every check on: hard hats, persons, a danger zone, a protected edge (its reference the
footage's first frame), evidence pictures and clips. N goes up (``--counts``) until a step fails:

- a frame is late: the 99th percentile of the frames' lateness (each analysed frame's ``late_s``
  reading on the dashboard's live stream: from the frame being taken to its analysis done, from the
  stream's own timestamps) above 2 s;
- an alert is late: the 99th percentile of the vision alerts' time from their frame being taken to
  their arrival on the dashboard's live stream (/api/v1/stream) above 3 s;
- or the cameras are analysed at less than 0.95 frames a second each on average.

Before the steps, the cost of reading one camera's stream at 1 analysed frame a second, decoding every
frame and decoding the key frames only (``decode: all`` and ``keyframes``), each in a process of its own
for the same seconds, in the same run: the ratio is the figure (the box is shared).

Prints ``name: value unit`` lines; the box's load is marked (bench/load.py): on a loaded box the count is
a floor, and ``cameras_per_2_cores_by_cpu`` says how many cameras two whole cores carry at what one camera
costs at 1 frame a second (reading its stream, as measured above, and the mean CPU of its analysis per
frame), beside what the gateway's own process took (the site's devices, the API, the alerts): what a box
of its own would judge, were CPU the only limit (the workers' memory is printed beside it). Run: ``.venv/bin/python bench/cameras_per_box.py [--sizes 1920x1080 1280x720] [--counts 8 16 24
32] [--seconds 40] [--decode auto] [--walkers] [--in-phase]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import httpx
import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import site_footage
from bench.load import watched
from bench.rules_scale import scaled_site_data
from bench.site_run import run_gateway, stop_site
from bench.site_scale import start_publisher, stop_publisher
from contract.config import load_site
from sitegw.modbus_sims import start_modbus_simulators
from tests.servers.mosquitto import MosquittoServer
from tests.servers.rtsp import RtspServer
from tests.support import free_port

LATE_S, ALERT_S, MIN_FPS = 2.0, 3.0, 0.95  # the bounds; the rate each camera must keep
WARMUP_S = 15.0  # after every camera's first analysed frame: the workers' first full analyses done
FPS = 25  # the footage's frame rate, a camera's main stream's
SEED = 55  # the draw of each camera's point in the footage: the same phases run after run


def p99(values: list[float]) -> float:
    """The 99th percentile (the largest of fewer than 100 values); NaN of none."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(0.99 * len(s)))]


def camera(i: int, url: str, decode: str, reference: Path, analyse_px: int) -> dict[str, Any]:
    """Camera ``i`` of the site file: fps 1, every check on (a zone on the frame's lower right, an edge),
    its frames analysed at ``analyse_px`` (0: whole, the default)."""
    return {
        "name": f"cam-{i + 1:02d}",
        "source": url,
        "fps": 1,
        "decode": decode,
        "analyse_px": analyse_px,
        "zones": [
            {"name": "卸料平台下方", "polygon": [[0.55, 0.45], [1, 0.45], [1, 1], [0.55, 1]], "inertia": 2}
        ],
        "edges": [{"name": "3F东侧临边", "polyline": [[0.05, 0.35], [0.45, 0.35]]}],
        "edge_reference": str(reference),
    }


def reference_frame(clip: Path, into: Path) -> Path:
    """The footage's first frame as a JPEG: the edges' accepted reference."""
    cap = cv2.VideoCapture(str(clip), cv2.CAP_FFMPEG)
    ok, img = cap.read()
    cap.release()
    if not ok:
        raise SystemExit(f"cameras_per_box: cannot decode {clip}")
    cv2.imwrite(str(into), img)
    return into


@dataclass
class Stream:
    """What the dashboard's live stream brought in the window: the frames' lateness, the alerts' delay."""

    late: list[float] = field(default_factory=list)
    analysis_ms: list[float] = field(default_factory=list)
    alert_delay: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def read(self, url: str) -> None:
        """Read /api/v1/stream until ``stop`` (a thread's body)."""
        with httpx.Client(timeout=httpx.Timeout(10.0, read=None)) as client, client.stream("GET", url) as r:
            event = ""
            for line in r.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    self._note(event, json.loads(line[5:]), time.time())

    def _note(self, event: str, data: Any, now: float) -> None:
        if event == "readings":
            self.late += [r["value"] for r in data if r.get("metric") == "late_s"]
            self.analysis_ms += [r["value"] for r in data if r.get("metric") == "inference_ms"]
        elif event == "alert" and data["state"] == "firing" and data["rule"].startswith("vision."):
            self.alert_delay.append(now - data["ts"])


@dataclass(frozen=True)
class Step:
    """One step's figures."""

    cameras: int
    late_p99: float
    late_max: float
    alerts: int
    alert_p99: float
    fps: float
    analysis_ms: float
    cpu_pct: float
    gateway_cpu_pct: float
    worker_rss_mb: float
    total_uss_mb: float
    load1: float
    workers: int = 0
    frames: int = 0  # analysed frames in the window, all cameras
    workers_cpu_s: float = 0.0  # CPU seconds of the camera workers in the window
    # the RTSP server and this script, on the same box here (a site's cameras stream from themselves)
    cameras_side_cpu_pct: float = 0.0

    def cpu_per_frame(self) -> float:
        """The workers' CPU seconds per analysed frame (reading and analysing): at 1 frame/s a camera's
        CPU-seconds per second. Load-insensitive, unlike the count: a starved box analyses fewer frames, but
        each costs about the same CPU."""
        return self.workers_cpu_s / self.frames if self.frames else float("nan")

    def fails(self) -> str:
        """What this step fails on ('' when it passes)."""
        why = []
        if not self.late_p99 <= LATE_S:
            why.append(f"frames late ({self.late_p99:.1f} s p99)")
        if self.alerts and not self.alert_p99 <= ALERT_S:
            why.append(f"alerts late ({self.alert_p99:.1f} s p99)")
        if not self.fps >= MIN_FPS:
            why.append(f"{self.fps:.2f} analysed frames/s per camera")
        return ", ".join(why)


def tree(pid: int) -> list[psutil.Process]:
    """The gateway and its camera workers."""
    p = psutil.Process(pid)
    return [p, *p.children(recursive=True)]


def cpu_s(procs: list[psutil.Process]) -> float:
    """CPU seconds of ``procs`` together (those that ended count nothing)."""
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


async def step(
    n: int,
    clip: Path,
    decode: str,
    seconds: float,
    work: Path,
    analyse_px: int,
    per_worker: int = 0,
    in_phase: bool = False,
    gateway_cpus: set[int] | None = None,
) -> Step:
    """The example site with ``n`` cameras, each its own stream of ``clip`` (``in_phase``: all on one), under
    `sitegw run` (on ``gateway_cpus`` only when given, the cameras' side on the box's other CPUs); its
    figures."""
    work.mkdir(parents=True)
    box = os.sched_getaffinity(0)
    if gateway_cpus:
        # what a site's cameras and devices do on their own hardware (the RTSP server, the broker, the
        # simulated devices, this script) kept off the gateway's CPUs: it inherits this process's CPUs
        os.sched_setaffinity(0, box - gateway_cpus)
    # a stream per camera, each from its own point of the footage: cameras' key frames (and motion) come at
    # instants of their own, not all 16 at once as from one shared stream
    server = RtspServer(work / "rtsp", fps=FPS, video=clip, cameras=n, seed=SEED)
    server.start()
    broker = MosquittoServer(work / "mosquitto")
    broker.start()
    data = scaled_site_data(1)
    api_port = free_port()
    data["mqtt_brokers"] = {"site": {"host": broker.host, "port": broker.port}}
    data["api"] = {"host": "127.0.0.1", "port": api_port}
    ref = reference_frame(clip, work / "edge_reference.jpg")
    data["vision"] = {
        "evidence_dir": str(work / "evidence"),
        "cameras": [
            camera(i, url, decode, ref, analyse_px)
            for i, url in enumerate([server.url] * n if in_phase else server.urls)
        ],
    }
    if per_worker:
        data["vision"]["cameras_per_worker"] = per_worker
    site_file = work / "site.yaml"
    site_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sims = await start_modbus_simulators(load_site(site_file), rtu_devices=[])
    gateway = publisher = None
    stream = Stream()
    try:
        gateway = await run_gateway(data, site_file, sims, work, api_port, timeout=180, cpus=gateway_cpus)
        base = f"http://127.0.0.1:{api_port}"
        publisher = await asyncio.to_thread(start_publisher, site_file)
        await until_analysed(base, n, timeout=300)
        await asyncio.sleep(WARMUP_S)
        reader = threading.Thread(target=stream.read, args=(f"{base}/api/v1/stream",), daemon=True)
        reader.start()
        procs = tree(gateway.pid)
        # the cameras' side, which a site's cameras do themselves: the RTSP server streaming the footage, and
        # this script (the publisher, the alert stream's reader)
        cams = (tree(server.pid) if server.pid is not None else []) + [psutil.Process()]
        c0, g0, s0, t0 = cpu_s(procs), cpu_s(procs[:1]), cpu_s(cams), time.monotonic()
        late0 = len(stream.late)
        await asyncio.sleep(seconds)
        cpu, gw_cpu, dt = cpu_s(procs) - c0, cpu_s(procs[:1]) - g0, time.monotonic() - t0
        cams_cpu = cpu_s(cams) - s0
        frames = len(stream.late) - late0
        stream.stop.set()
        workers = [p for p in procs[1:] if "spawn_main" in " ".join(p.cmdline())]  # not the resource tracker
        rss = statistics.median(p.memory_info().rss for p in workers) / 1e6
        uss = sum(p.memory_full_info().uss for p in procs) / 1e6
        load1 = psutil.getloadavg()[0]
        await asyncio.to_thread(stop_publisher, publisher)
        publisher = None
    finally:
        stream.stop.set()
        await stop_site(publisher, sims, gateway, broker)
        server.kill()
        os.sched_setaffinity(0, box)
    return Step(
        cameras=n,
        late_p99=p99(stream.late),
        late_max=max(stream.late, default=float("nan")),
        alerts=len(stream.alert_delay),
        alert_p99=p99(stream.alert_delay),
        fps=len(stream.late) / (n * dt),
        analysis_ms=statistics.mean(stream.analysis_ms) if stream.analysis_ms else float("nan"),
        cpu_pct=100 * cpu / dt,
        gateway_cpu_pct=100 * gw_cpu / dt,
        worker_rss_mb=rss,
        total_uss_mb=uss,
        load1=load1,
        workers=len(workers),
        frames=frames,
        workers_cpu_s=cpu - gw_cpu,
        cameras_side_cpu_pct=100 * cams_cpu / dt,
    )


async def until_analysed(base: str, n: int, timeout: float) -> None:
    """Wait until each of the ``n`` cameras has an analysed frame (its worker loaded and reading)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        while True:
            cams = (await client.get("/api/v1/cameras")).json()
            if len(cams) == n and all(c["last_frame_ts"] for c in cams):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"cameras without a frame after {timeout:.0f} s: {cams}")
            await asyncio.sleep(1)


def decode_probe(url: str, mode: str, seconds: float) -> None:
    """A child's body: read ``url`` as a camera at fps 1 with ``decode: mode``; print its CPU % of a core."""
    from contract.config.camera import CameraConfig
    from vision.sources import FrameSource

    cv2.setNumThreads(1)  # as a camera's worker
    frames = FrameSource(CameraConfig(name="probe", source=url, fps=1.0, decode=mode)).frames()
    next(frames)  # opened and reading
    c0, t0 = time.process_time(), time.monotonic()
    while time.monotonic() - t0 < seconds:
        next(frames)
    print(100 * (time.process_time() - c0) / (time.monotonic() - t0))


def decode_cost(clip: Path, seconds: float, work: Path) -> dict[str, float]:
    """% of a core to read one camera at fps 1, every frame decoded and key frames only, same run."""
    server = RtspServer(work, fps=FPS, video=clip)
    server.start()
    out: dict[str, list[float]] = {"all": [], "keyframes": []}
    try:
        for _ in range(2):  # interleaved: the box's other work weighs on both alike
            for mode in out:
                done = subprocess.run(
                    [sys.executable, __file__, "--decode-probe", server.url, mode, str(seconds)],
                    capture_output=True, text=True, check=True, cwd=REPO,
                )  # fmt: skip
                out[mode].append(float(done.stdout.split()[-1]))
    finally:
        server.kill()
    return {mode: statistics.median(v) for mode, v in out.items()}


def run_size(
    size: str,
    counts: list[int],
    seconds: float,
    decode: str,
    tmp: Path,
    read_cost: bool = True,
    every: bool = False,
    analyse_px: int = 0,
    walkers: bool = False,
    per_worker: int = 0,
    in_phase: bool = False,
    gateway_cpus: set[int] | None = None,
) -> None:
    """One frame size (its frames analysed at ``analyse_px``, 0: whole; with ``walkers`` the footage's motion
    is two people walking, not the picture panning): the decode cost, then the steps up to the first that
    fails; prints the figures."""
    w, h = (int(v) for v in size.split("x"))
    clip = site_footage.make(w, h, walkers=walkers)
    name = f"{h}p" + (f"_at{analyse_px}" if analyse_px else "") + ("_walkers" if walkers else "")
    name += f"_per{per_worker}" if per_worker else ""
    name += "_in_phase" if in_phase else ""
    name += f"_on{len(gateway_cpus)}cpu" if gateway_cpus else ""
    cost = (
        decode_cost(clip, min(seconds, 20.0), tmp / f"decode-{name}")
        if read_cost
        else {"all": float("nan"), "keyframes": float("nan")}
    )
    print(f"camera_read_{name}_decode_all: {cost['all']:.1f} % of a core per camera (fps 1, 25 fps stream)")
    print(f"camera_read_{name}_keyframes: {cost['keyframes']:.1f} % of a core per camera")
    print(f"camera_read_{name}_keyframes_vs_all: {cost['all'] / cost['keyframes']:.2f} x less CPU (same run)")
    best, limit = 0, "not reached"
    estimates: list[float] = []
    uss: list[tuple[int, float]] = []
    for n in counts:
        s = asyncio.run(
            step(
                n, clip, decode, seconds, tmp / f"{name}-{n}", analyse_px, per_worker, in_phase, gateway_cpus
            )
        )
        tag = f"cameras_{name}_{n}"
        if gateway_cpus:
            print(
                f"{tag}_pinned: the gateway and its workers on CPU {sorted(gateway_cpus)} only, "
                f"{len(gateway_cpus)} of the box's {len(os.sched_getaffinity(0))}; the cameras' side (the RTSP "
                "server, the broker, the site's simulated devices, this script) on the others"
            )
        print(f"{tag}_late_p99: {s.late_p99:.2f} s (max {s.late_max:.2f} s)")
        print(f"{tag}_alert_p99: {s.alert_p99:.2f} s ({s.alerts} vision alerts)")
        print(f"{tag}_analysed: {s.fps:.2f} frames/s per camera")
        print(f"{tag}_cpu: {s.cpu_pct:.0f} % of a core (gateway and workers; load {s.load1:.1f})")
        print(
            f"{tag}_cameras_side_cpu: {s.cameras_side_cpu_pct:.0f} % of a core (the RTSP server streaming the "
            "footage and this script, on the same cores here; a site's cameras stream from themselves)"
        )
        print(
            f"{tag}_memory: {s.workers} worker(s), {s.worker_rss_mb:.0f} MB RSS per worker (median), "
            f"{s.total_uss_mb:.0f} MB unique in all ({s.total_uss_mb / n:.0f} MB per camera)"
        )
        print(
            f"{tag}_cpu_per_frame: {s.cpu_per_frame():.3f} CPU-s per analysed frame (workers, reading and "
            f"analysing; {s.frames} frames): {2 / s.cpu_per_frame():.1f} cameras at 1 frame/s on 2 quiet cores"
        )
        uss.append((n, s.total_uss_mb))
        # what one camera costs at 1 frame/s: reading its stream (key frames, measured above) and the
        # analysis's CPU per frame (each frame's inference_ms reading, the analysing thread's CPU time: a
        # starved box slows it little), and how many two whole cores carry at that cost beside the gateway's own process (the
        # site's devices, the API, the alerts): the box's count were it not shared
        per_camera = cost["keyframes" if decode != "all" else "all"] + s.analysis_ms / 10
        print(f"{tag}_analysis: {s.analysis_ms:.0f} ms of CPU per analysed frame (mean; its inference_ms)")
        print(f"{tag}_cpu_per_camera: {per_camera:.1f} % of a core at 1 frame/s (reading and analysing)")
        print(f"{tag}_gateway_cpu: {s.gateway_cpu_pct:.1f} % of a core (the site's devices, API, alerts)")
        estimates.append((200.0 - s.gateway_cpu_pct) / per_camera)
        if s.fails():
            limit = limit if limit != "not reached" else f"{n} cameras: {s.fails()}"
            if not every:  # --every-step: the figures of each count even on a box too loaded to pass
                break
        elif limit == "not reached":
            best = n
    if len(uss) >= 2:
        (n0, m0), (n1, m1) = uss[0], uss[-1]
        print(
            f"cameras_{name}_memory_per_added_camera: {(m1 - m0) / (n1 - n0):.0f} MB ({n0} to {n1} cameras)"
        )
    print(f"cameras_per_box_{name}: {best} cameras (decode {decode}; first failing step: {limit})")
    print(f"cameras_per_2_cores_by_cpu_{name}: {min(estimates):.0f} cameras (two whole cores at one's CPU)")


def run_sizes(
    sizes: list[str],
    counts: list[int],
    seconds: float,
    decode: str,
    read_cost: bool,
    every: bool,
    analyse_px: int,
    walkers: bool = False,
    per_worker: int = 0,
    in_phase: bool = False,
    gateway_cpus: set[int] | None = None,
) -> None:
    """Each size in turn, in a scratch folder removed at the end."""
    with tempfile.TemporaryDirectory(prefix="cams-per-box-") as tmp:
        for size in sizes:
            run_size(
                size,
                counts,
                seconds,
                decode,
                Path(tmp),
                read_cost,
                every,
                analyse_px,
                walkers,
                per_worker,
                in_phase,
                gateway_cpus,
            )


def main() -> None:
    """Parse the arguments; run each size."""
    if len(sys.argv) == 5 and sys.argv[1] == "--decode-probe":
        decode_probe(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["1920x1080", "1280x720"])
    ap.add_argument("--counts", nargs="+", type=int, default=[8, 16, 24, 32])
    ap.add_argument("--seconds", type=float, default=40.0, help="measured seconds per step")
    ap.add_argument("--decode", default="auto", choices=["auto", "all", "keyframes"])
    ap.add_argument(
        "--analyse-px", type=int, default=0, help="the cameras' analyse_px (0: frames whole, the default)"
    )
    ap.add_argument("--no-read-cost", action="store_true", help="skip the stream-reading probes")
    ap.add_argument(
        "--walkers",
        action="store_true",
        help="footage whose motion is two people walking in opposite corners, not the whole picture panning",
    )
    ap.add_argument(
        "--per-worker",
        type=int,
        default=0,
        help="the site file's vision.cameras_per_worker (0: auto, one worker per core)",
    )
    ap.add_argument(
        "--in-phase",
        action="store_true",
        help="every camera a client of one stream, their key frames at the same instant (the bench before "
        "2026-11-26; not what a site's cameras send): for comparison",
    )
    ap.add_argument(
        "--gateway-cpus",
        default="",
        help="CPUs the gateway and its workers run on (taskset's list, e.g. 0), the cameras' side on the "
        "box's others, as a site's cameras and devices run on their own hardware: on a 2-core box, the "
        "cameras one core judges (default: everything shares every CPU)",
    )
    ap.add_argument(
        "--every-step", action="store_true", help="run every count, past a failing one (a loaded box)"
    )
    args = ap.parse_args()
    with watched():
        run_sizes(
            args.sizes,
            sorted(args.counts),
            args.seconds,
            args.decode,
            not args.no_read_cost,
            args.every_step,
            args.analyse_px,
            args.walkers,
            args.per_worker,
            args.in_phase,
            cpu_list(args.gateway_cpus),
        )


def cpu_list(text: str) -> set[int] | None:
    """taskset's CPU list (``0``, ``0,2``, ``0-1``) as a set, or None for ''."""
    out: set[int] = set()
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out or None


if __name__ == "__main__":
    main()
