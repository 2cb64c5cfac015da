"""Camera workers: processes of several cameras each, watched by a supervisor that restarts and reports them.

Vision never runs in the gateway's event loop. Each worker process reads and analyses its cameras
(``cameras_per_worker``: by default one worker per core, the cameras spread evenly; vision/group.py) and
sends results on its own queue (a worker killed mid-write can only spoil its own queue, which is then
replaced). The supervisor's thread drains the queues, and restarts a worker that died or whose
heartbeat stopped, with backoff, raising `camera.offline` for its cameras until they work again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import math
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np

from contract.config.camera import EXCLUSION_PERSONS, HOT_WORK_PERSONS, CameraConfig, VisionConfig
from contract.readings import Quality, Reading
from contract.vision_event import VisionEvent
from vision.detections import FrameResult
from vision.model_files import DEFAULT_MODEL

if TYPE_CHECKING:  # the worker imports these itself: the gateway must not load OpenCV and onnxruntime
    from vision.group import Lane
    from vision.sources import Frame

log = logging.getLogger(__name__)

_CTX = mp.get_context("spawn")  # no fork of the gateway's threads and event loop into workers
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PREVIEW_EVERY_S = 2.0  # the tile refreshes this often at most: a 640 px JPEG costs ~3 ms and ~40 KB
PREVIEW_WIDTH = 640
STARTUP_GRACE_S = 20.0
LATE_S = "late_s"  # a camera's reading: seconds from a frame being taken to its analysis done  # a fresh worker imports OpenCV and loads its model before its first heartbeat


@dataclass(frozen=True, slots=True)
class FrameSummary:
    """Per analysed frame, the camera's canonical metrics (docs/design.md: camera)."""

    camera: str
    ts: float
    persons: int
    no_helmet: int
    edge_missing: int
    zone_intrusions: int
    inference_ms: float
    motion: bool
    jpeg: bytes | None = None  # small annotated preview for the dashboard's camera tile
    heads: int = 0  # heads found, hard hat or not (the patrol picture's findings)
    zones_inside: tuple[str, ...] = ()  # zones someone is inside on this frame
    edges_open: tuple[str, ...] = ()  # edges whose protection is missing on this frame
    exclusions: tuple[tuple[str, int], ...] = ()  # (zone, people inside) of each 安拆 exclusion zone
    hot_work: tuple[tuple[str, int], ...] = ()  # (zone, people inside) of each zone marked for hot work
    pictures: tuple[tuple[str, bytes], ...] = ()  # (zone, evidence JPEG) of hot-work zones, when due
    late_s: float = 0.0  # from the frame being taken to its analysis done (a camera falling behind: more)

    @classmethod
    def of(cls, res: FrameResult, jpeg: bytes | None = None, done: float | None = None) -> FrameSummary:
        """Counts of one frame's result (and its preview, when one was made); ``done``: when its analysis
        ended (wall clock), for its lateness."""
        rules = [v.rule for v in res.violations]
        heads = sum(d.label != "person" for d in res.detections)
        # heads and person boxes are not paired up: each undercounts (a head hidden, a crowd in one box),
        # so the larger count is the estimate
        people = max(heads, sum(d.label == "person" for d in res.detections))
        return cls(
            res.camera,
            res.ts,
            people,
            sum(d.label == "no_helmet" for d in res.detections),
            rules.count("vision.edge_missing"),
            rules.count("vision.zone_intrusion"),
            res.inference_ms,
            res.motion,
            jpeg,
            heads,
            tuple(v.target for v in res.violations if v.rule == "vision.zone_intrusion"),
            tuple(v.target for v in res.violations if v.rule == "vision.edge_missing"),
            tuple(res.exclusions.items()),
            tuple(res.hot_work.items()),
            tuple(res.pictures.items()),
            max(0.0, (done if done is not None else res.ts) - res.ts),
        )

    def readings(self, project: str) -> list[Reading]:
        """The camera's Readings for the bus: its counts, and the people in each exclusion zone and each
        zone marked for hot work (the zone as the point; the install rule and the hot-work rule judge them,
        rules/install_zone.py, rules/hot_work_zone.py)."""
        return (
            [
                Reading(self.ts, project, self.camera, m, float(getattr(self, m)), "", Quality.OK, "")
                for m in ("persons", "no_helmet", "edge_missing", "zone_intrusions")
            ]
            + [
                Reading(
                    self.ts, project, self.camera, "inference_ms", self.inference_ms, "ms", Quality.OK, ""
                ),
                Reading(self.ts, project, self.camera, LATE_S, round(self.late_s, 3), "s", Quality.OK, ""),
            ]
            + [
                Reading(self.ts, project, self.camera, EXCLUSION_PERSONS, float(n), "", Quality.OK, zone)
                for zone, n in self.exclusions
            ]
            + [
                Reading(self.ts, project, self.camera, HOT_WORK_PERSONS, float(n), "", Quality.OK, zone)
                for zone, n in self.hot_work
            ]
        )


def helmet_model(cfg: VisionConfig) -> str:
    """The hard-hat model file every camera's worker loads: the vision section's model, else the shipped card
    (since round 17 one card for every view; a camera's ``helmet_model`` of an older site file changes
    nothing, training/rounds/round17.md)."""
    return str(cfg.model or DEFAULT_MODEL)


# what a worker sends on its queue: (kind, payload...), drained by the supervisor; status names its camera
# (a worker runs several), frames, events and clips carry it
WorkerMessage: TypeAlias = (
    tuple[Literal["frame"], FrameSummary]
    | tuple[Literal["event"], VisionEvent]
    | tuple[Literal["clip"], str]
    | tuple[Literal["status"], str, bool, str, float]
)


def cameras_per_worker(cfg: VisionConfig, cores: int | None = None) -> int:
    """How many cameras share a worker process: the site file's ``cameras_per_worker``, or at 0 (auto) the
    cameras spread evenly over one worker per core (``cores``: this process's usable cores), so each
    worker's analysing loop has a core and the networks are loaded once per core, not once per camera."""
    if cfg.cameras_per_worker:
        return cfg.cameras_per_worker
    cores = cores or len(os.sched_getaffinity(0)) or 1
    return max(1, math.ceil(len(cfg.cameras) / cores))


def groups(cams: list[CameraConfig], per_worker: int) -> list[list[CameraConfig]]:
    """``cams`` in groups of at most ``per_worker``, as even as can be (9 on 2 workers: 5 and 4, in order)."""
    if not cams:
        return []
    n = math.ceil(len(cams) / per_worker)
    size, extra = divmod(len(cams), n)
    out, i = [], 0
    for k in range(n):
        j = i + size + (k < extra)
        out.append(cams[i:j])
        i = j
    return out


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """What a worker process is given: its cameras (JSON), the hard-hat model file and the shared settings."""

    cameras: tuple[str, ...]
    model: str
    evidence_dir: str
    budget: int
    hang_s: float


def camera_main(
    job: WorkerJob, out: mp.Queue[WorkerMessage], heartbeat: Synchronized[float], parent: int
) -> None:
    """Body of a worker process: read, analyse and send its cameras' frames; runs until killed (or its
    gateway dies), or every camera's source ended.

    The networks are loaded once and shared by the cameras (vision/group.py: a reading thread per camera,
    one analysing loop in fair turns)."""
    _die_with(parent)  # first, before the slow imports: the gateway may die while we load
    # Ctrl-C in a terminal reaches the whole process group; the gateway stops its workers itself,
    # so the worker must not die of it halfway through a frame with a traceback on the console
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import cv2

    from vision.group import Lane, readers_alive, turns

    cv2.setNumThreads(1)  # one analysing loop, one core: the box's cores are shared out by worker
    cams = [CameraConfig.model_validate_json(c) for c in job.cameras]

    def beat() -> None:
        heartbeat.value = time.time()
        if os.getppid() != parent:  # the gateway is gone (SIGKILL, power cut of its cgroup): so are we
            os._exit(0)

    beat()
    cams_state = _CameraRuns(job, cams, out)  # the networks loaded first: the readers' clocks start after
    ready = threading.Condition()
    lanes = [Lane(cam, ready) for cam in cams]
    _start_readers(lanes, out)
    for lane, frame in turns(lanes, ready):
        if readers_alive(lanes, job.hang_s, time.monotonic()):
            beat()
        if lane is None:
            continue
        if frame is None:
            out.put(("status", lane.cam.name, False, f"camera {lane.cam.name}: source ended", time.time()))
            continue
        cams_state.analyse(lane.cam.name, frame)


def _start_readers(lanes: list[Lane], out: mp.Queue[WorkerMessage]) -> None:
    """A daemon thread per camera reading its source into its lane (vision/group.py)."""
    from vision.group import read_into
    from vision.sources import FrameSource

    for lane in lanes:
        name = lane.cam.name

        def status(online: bool, why: str, name: str = name) -> None:
            out.put(("status", name, online, why, time.time()))

        # frames scaled when taken for analysis (_CameraRuns.analyse): one a newer frame replaced costs no scaling
        src = FrameSource(lane.cam, on_status=status, tick=lane.tick, scale=False)
        threading.Thread(
            target=read_into,
            args=(lane, src.frames, lambda why, status=status: status(False, why)),
            name=f"read-{name}",
            daemon=True,
        ).start()


class _CameraRuns:
    """The analysers of a worker's cameras, sharing the networks: one HelmetDetector, one PersonDetector;
    each camera's analyser and preview clock."""

    def __init__(self, job: WorkerJob, cams: list[CameraConfig], out: mp.Queue[WorkerMessage]) -> None:
        from vision.detectors.helmet import HelmetDetector
        from vision.detectors.person import PersonDetector
        from vision.evidence import EvidenceStore
        from vision.pipeline import CameraAnalyzer

        self.out = out
        helmet = HelmetDetector(Path(job.model))
        persons = PersonDetector() if any(c.persons for c in cams) else None
        store = EvidenceStore(Path(job.evidence_dir), job.budget)
        self.analyzers: dict[str, CameraAnalyzer] = {}
        self.previewed: dict[str, float] = {}
        for cam in cams:
            self.analyzers[cam.name] = CameraAnalyzer(cam, helmet, persons if cam.persons else None, store)
            self.previewed[cam.name] = 0.0

    def analyse(self, camera: str, frame: Frame) -> None:
        """Analyse one frame of ``camera``; send its summary, events and clips."""
        from vision.sources import scaled

        analyzer = self.analyzers[camera]
        frame = replace(frame, image=scaled(frame.image, analyzer.cam.analyse_px))
        res, events = analyzer.analyse(frame)
        preview = None
        if time.monotonic() - self.previewed[camera] >= PREVIEW_EVERY_S:
            preview, self.previewed[camera] = _preview(frame.image, res, analyzer.cam), time.monotonic()
        self.out.put(("frame", FrameSummary.of(res, preview, time.time())))
        for ev in events:
            self.out.put(("event", ev))
        for clip in analyzer.written_clips():
            self.out.put(("clip", str(clip)))


def _preview(image: np.ndarray, res: FrameResult, cam: CameraConfig) -> bytes:
    """The analysed frame with its detections and zones drawn, scaled down for a dashboard tile."""
    import cv2

    from vision.evidence import annotate, to_jpeg

    img = annotate(image, res, cam)
    if img.shape[1] > PREVIEW_WIDTH:
        img = cv2.resize(
            img,
            (PREVIEW_WIDTH, round(img.shape[0] * PREVIEW_WIDTH / img.shape[1])),
            interpolation=cv2.INTER_AREA,
        )
    return to_jpeg(img, 70)


def _die_with(parent: int) -> None:
    """Ask Linux to SIGKILL this worker when its gateway (pid ``parent``) dies.

    A gateway killed with SIGKILL runs no clean-up: without this its camera workers would live on
    as orphans, and the restarted gateway would start a second set beside them. The gateway may
    already be gone by the time the worker gets here, hence the check after asking.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


@dataclass(slots=True)
class _Camera:
    """A camera as the supervisor follows it, over its worker's restarts."""

    cam: CameraConfig
    offline: bool = False
    ended: bool = False  # its source ended (a file or folder not looped): not read again on a restart


@dataclass(slots=True)
class _Worker:
    """A worker process and the cameras it runs."""

    cameras: list[_Camera]
    proc: mp.process.BaseProcess | None = None
    out: mp.Queue[WorkerMessage] | None = None
    heartbeat: Synchronized[float] | None = None
    restarts: int = 0
    next_start: float = 0.0

    @property
    def ended(self) -> bool:
        """Every camera's source ended: nothing to restart."""
        return all(c.ended for c in self.cameras)


@dataclass
class VisionSupervisor:
    """Starts the worker processes (several cameras each, ``cameras_per_worker``), forwards their results,
    restarts the ones that crash or hang."""

    cfg: VisionConfig
    on_event: Callable[[VisionEvent], None]
    on_frame: Callable[[FrameSummary], None] = lambda s: None
    on_clip: Callable[[str], None] = lambda path: None  # an alert's evidence clip is written
    backoff: tuple[float, float] = (1.0, 60.0)
    _workers: list[_Worker] = field(default_factory=list)
    _cameras: dict[str, _Camera] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Spawn all workers and the watching thread."""
        per = cameras_per_worker(self.cfg)
        self._workers = [_Worker([_Camera(c) for c in g]) for g in groups(self.cfg.cameras, per)]
        self._cameras = {c.cam.name: c for w in self._workers for c in w.cameras}
        for w in self._workers:
            self._spawn(w)
        log.info("vision: %d camera(s) in %d worker(s)", len(self._cameras), len(self._workers))
        self._thread = threading.Thread(target=self._watch, name="vision-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and end every worker (terminate, then kill what does not exit)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for w in self._workers:
            self._end(w)

    def worker_of(self, camera: str) -> _Worker:
        """The worker that runs ``camera``."""
        return next(w for w in self._workers if any(c.cam.name == camera for c in w.cameras))

    def camera(self, camera: str) -> _Camera:
        """The supervisor's state of ``camera`` (whether it is offline, its source ended)."""
        return self._cameras[camera]

    def stats(self) -> dict[str, dict[str, float | int | bool]]:
        """Per camera: its worker alive, restarts, seconds since the last heartbeat, cameras it runs."""
        now = time.time()
        return {
            c.cam.name: {
                "alive": bool(w.proc and w.proc.is_alive()),
                "restarts": w.restarts,
                "heartbeat_age_s": max(0.0, now - w.heartbeat.value) if w.heartbeat else -1.0,
                "worker_cameras": len(w.cameras),
            }
            for w in self._workers
            for c in w.cameras
        }

    def _spawn(self, w: _Worker) -> None:
        w.out = _CTX.Queue()
        w.heartbeat = _CTX.Value("d", time.time() + STARTUP_GRACE_S)
        live = [c for c in w.cameras if not c.ended]
        job = WorkerJob(
            tuple(c.cam.model_dump_json() for c in live),
            helmet_model(self.cfg),
            str(self.cfg.evidence_dir),
            int(self.cfg.evidence_budget_mb * 1e6),
            self.cfg.hang_timeout_s,
        )
        w.proc = _CTX.Process(
            target=camera_main,
            name="vision-" + "+".join(c.cam.name for c in live)[:60],
            daemon=True,
            args=(job, w.out, w.heartbeat, os.getpid()),
        )
        w.proc.start()

    def _end(self, w: _Worker) -> None:
        if w.proc is not None and w.proc.is_alive():
            w.proc.terminate()
            w.proc.join(3)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(3)
        if w.out is not None:
            w.out.cancel_join_thread()
            w.out.close()

    def _offline(self, c: _Camera, why: str) -> None:
        if not c.offline:
            c.offline = True
            self.on_event(
                VisionEvent(
                    c.cam.name,
                    "camera.offline",
                    "",
                    "firing",
                    time.time(),
                    1.0,
                    f"离线，无画面（{why}）",
                    message_en=f"offline, no picture ({why})",
                )
            )

    def _online(self, c: _Camera) -> None:
        if c.offline:
            c.offline = False
            self.on_event(VisionEvent(c.cam.name, "camera.offline", "", "resolved", time.time(), 0.0))

    def _drain(self, w: _Worker) -> None:
        while w.out is not None:
            try:
                msg = w.out.get_nowait()
            except (queue.Empty, OSError, EOFError, ValueError):
                return
            if msg[0] == "frame":
                self._online(self._cameras[msg[1].camera])
                self.on_frame(msg[1])
            elif msg[0] == "event":
                self.on_event(msg[1])
            elif msg[0] == "clip":
                self.on_clip(msg[1])
            elif msg[0] == "status":
                c = self._cameras[msg[1]]
                if msg[2]:
                    self._online(c)
                else:
                    self._offline(c, msg[3])
                    c.ended = msg[3].endswith("source ended")

    def _watch(self) -> None:
        while not self._stop.is_set():
            now = time.time()
            for w in self._workers:
                self._drain(w)
                if w.proc is None or w.ended:
                    continue
                assert w.heartbeat is not None  # made with the process
                dead = not w.proc.is_alive()
                hung = not dead and now - w.heartbeat.value > self.cfg.hang_timeout_s
                if (dead or hung) and w.next_start == 0.0:
                    why = (
                        f"worker exited with code {w.proc.exitcode}"
                        if dead
                        else (f"worker silent for {now - w.heartbeat.value:.0f} s, killed")
                    )
                    for c in w.cameras:
                        if not c.ended:
                            self._offline(c, why)
                    self._end(w)
                    delay = min(self.backoff[0] * 2**w.restarts, self.backoff[1])
                    w.next_start = now + delay
                elif w.next_start and now >= w.next_start:
                    w.restarts += 1
                    w.next_start = 0.0
                    self._spawn(w)
            self._stop.wait(0.2)
