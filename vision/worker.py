"""Camera workers: one process per camera, watched by a supervisor that restarts and reports them.

Vision never runs in the gateway's event loop. Each camera's process reads, analyses and sends
results on its own queue (a worker killed mid-write can only spoil its own queue, which is then
replaced). The supervisor's thread drains the queues, and restarts a worker that died or whose
heartbeat stopped, with backoff, raising `camera.offline` until the camera works again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Literal, TypeAlias

import numpy as np

from contract.config.camera import EXCLUSION_PERSONS, HOT_WORK_PERSONS, CameraConfig, VisionConfig
from contract.readings import Quality, Reading
from contract.vision_event import VisionEvent
from vision.auto_card import Card, CardChoice, CardChooser
from vision.detections import FrameResult
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL

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


def helmet_model(cam: CameraConfig, cfg: VisionConfig, chosen: Card | None = None) -> str:
    """The hard-hat model file a camera's worker loads: the far-field card for a camera set to it, or at
    ``auto`` once it chose it (``chosen``); else the vision section's model, else the shipped default card."""
    card = chosen if cam.helmet_model == "auto" else cam.helmet_model
    if card == "far_field":
        return str(FAR_FIELD_MODEL)
    return str(cfg.model or DEFAULT_MODEL)


# what a camera's worker sends on its queue: (kind, payload...), drained by the supervisor
WorkerMessage: TypeAlias = (
    tuple[Literal["frame"], FrameSummary]
    | tuple[Literal["event"], VisionEvent]
    | tuple[Literal["clip"], str]
    | tuple[Literal["card"], CardChoice]
    | tuple[Literal["status"], bool, str, float]
)


def card_shown(cam: CameraConfig, choice: CardChoice | None) -> tuple[str, str]:
    """(card, why) of a camera as the dashboard shows it: the site file's choice, or auto's."""
    if cam.helmet_model != "auto":
        return cam.helmet_model, f"site file: helmet_model {cam.helmet_model}"
    if choice is None:
        return "default", f"auto: choosing (default card for the first {cam.helmet_auto_s:g} s and 30 heads)"
    return choice.card, choice.why()


def camera_main(
    cam_json: str,
    model: str,
    choose: bool,
    evidence_dir: str,
    budget: int,
    out: mp.Queue[WorkerMessage],
    heartbeat: Synchronized[float],
    parent: int,
) -> None:
    """Body of a camera's worker process: read, analyse, send; runs until killed (or its gateway dies).

    With ``choose`` (a camera at helmet_model auto that has not chosen yet) it runs ``model`` (the default
    card) while a CardChooser watches its heads, sends the choice once made (``("card", CardChoice)``), and
    moves to the far-field card when that is the choice."""
    _die_with(parent)  # first, before the slow imports: the gateway may die while we load
    # Ctrl-C in a terminal reaches the whole process group; the gateway stops its workers itself,
    # so the worker must not die of it halfway through a frame with a traceback on the console
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import cv2

    from vision.detectors.helmet import HelmetDetector
    from vision.detectors.person import PersonDetector
    from vision.evidence import EvidenceStore
    from vision.pipeline import CameraAnalyzer
    from vision.sources import FrameSource

    cv2.setNumThreads(1)  # one camera, one core: eight cameras share a small box predictably
    cam = CameraConfig.model_validate_json(cam_json)

    def beat() -> None:
        heartbeat.value = time.time()
        if os.getppid() != parent:  # the gateway is gone (SIGKILL, power cut of its cgroup): so are we
            os._exit(0)

    beat()
    helmet = HelmetDetector(Path(model))
    analyzer = CameraAnalyzer(
        cam,
        helmet,
        PersonDetector() if cam.persons else None,
        EvidenceStore(Path(evidence_dir), budget),
    )
    chooser = CardChooser(helmet.card.size, cam.helmet_tile_px, cam.helmet_auto_s) if choose else None
    src = FrameSource(
        cam, on_status=lambda online, why: out.put(("status", online, why, time.time())), tick=beat
    )
    last_preview = 0.0
    for frame in src.frames():
        beat()
        res, events = analyzer.analyse(frame)
        preview = None
        if time.monotonic() - last_preview >= PREVIEW_EVERY_S:
            preview, last_preview = _preview(frame.image, res, cam), time.monotonic()
        out.put(("frame", FrameSummary.of(res, preview, time.time())))
        for ev in events:
            out.put(("event", ev))
        for clip in analyzer.written_clips():
            out.put(("clip", str(clip)))
        choice = chooser.add(res) if chooser is not None else None
        if choice is not None:
            chooser = None
            if choice.card == "far_field":
                analyzer.helmet = HelmetDetector(FAR_FIELD_MODEL)
            out.put(("card", choice))
    out.put(("status", False, f"camera {cam.name}: source ended", time.time()))


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
class _Worker:
    cam: CameraConfig
    proc: mp.process.BaseProcess | None = None
    out: mp.Queue[WorkerMessage] | None = None
    heartbeat: Synchronized[float] | None = None
    restarts: int = 0
    next_start: float = 0.0
    offline: bool = False
    ended: bool = False
    choice: CardChoice | None = None  # what a camera at helmet_model auto chose (kept over restarts)


@dataclass
class VisionSupervisor:
    """Starts a worker per camera, forwards their results, restarts the ones that crash or hang."""

    cfg: VisionConfig
    on_event: Callable[[VisionEvent], None]
    on_frame: Callable[[FrameSummary], None] = lambda s: None
    on_clip: Callable[[str], None] = lambda path: None  # an alert's evidence clip is written
    on_card: Callable[[str, CardChoice], None] = lambda camera, choice: None  # a camera at auto chose
    backoff: tuple[float, float] = (1.0, 60.0)
    _workers: list[_Worker] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Spawn all workers and the watching thread."""
        self._workers = [_Worker(c) for c in self.cfg.cameras]
        for w in self._workers:
            self._spawn(w)
        self._thread = threading.Thread(target=self._watch, name="vision-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and end every worker (terminate, then kill what does not exit)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for w in self._workers:
            self._end(w)

    def stats(self) -> dict[str, dict[str, float | int | bool]]:
        """Per camera: alive, restarts, seconds since the last heartbeat."""
        now = time.time()
        return {
            w.cam.name: {
                "alive": bool(w.proc and w.proc.is_alive()),
                "restarts": w.restarts,
                "heartbeat_age_s": max(0.0, now - w.heartbeat.value) if w.heartbeat else -1.0,
            }
            for w in self._workers
        }

    def _spawn(self, w: _Worker) -> None:
        w.out = _CTX.Queue()
        w.heartbeat = _CTX.Value("d", time.time() + STARTUP_GRACE_S)
        chosen = w.choice.card if w.choice else None
        model = helmet_model(w.cam, self.cfg, chosen)
        w.proc = _CTX.Process(
            target=camera_main,
            name=f"vision-{w.cam.name}",
            daemon=True,
            args=(
                w.cam.model_dump_json(),
                model,
                w.cam.helmet_model == "auto" and chosen is None,
                str(self.cfg.evidence_dir),
                int(self.cfg.evidence_budget_mb * 1e6),
                w.out,
                w.heartbeat,
                os.getpid(),
            ),
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

    def _offline(self, w: _Worker, why: str) -> None:
        if not w.offline:
            w.offline = True
            self.on_event(
                VisionEvent(
                    w.cam.name,
                    "camera.offline",
                    "",
                    "firing",
                    time.time(),
                    1.0,
                    f"离线，无画面（{why}）",
                    message_en=f"offline, no picture ({why})",
                )
            )

    def _online(self, w: _Worker) -> None:
        if w.offline:
            w.offline = False
            self.on_event(VisionEvent(w.cam.name, "camera.offline", "", "resolved", time.time(), 0.0))

    def _drain(self, w: _Worker) -> None:
        while w.out is not None:
            try:
                msg = w.out.get_nowait()
            except (queue.Empty, OSError, EOFError, ValueError):
                return
            if msg[0] == "frame":
                self._online(w)
                self.on_frame(msg[1])
            elif msg[0] == "event":
                self.on_event(msg[1])
            elif msg[0] == "clip":
                self.on_clip(msg[1])
            elif msg[0] == "card":
                w.choice = msg[1]
                log.info("camera %s: hard-hat card %s (%s)", w.cam.name, w.choice.card, w.choice.why())
                self.on_card(w.cam.name, w.choice)
            elif msg[0] == "status":
                if msg[1]:
                    self._online(w)
                else:
                    self._offline(w, msg[2])
                    w.ended = msg[2].endswith("source ended")

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
                    self._offline(w, why)
                    self._end(w)
                    delay = min(self.backoff[0] * 2**w.restarts, self.backoff[1])
                    w.next_start = now + delay
                elif w.next_start and now >= w.next_start:
                    w.restarts += 1
                    w.next_start = 0.0
                    self._spawn(w)
            self._stop.wait(0.2)
