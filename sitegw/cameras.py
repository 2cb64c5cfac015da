"""The gateway's side of vision: camera workers' results into the bus and the alert path.

Vision runs in worker processes (vision/worker.py) watched by a supervisor thread; this hub
moves what they report onto the event loop: per analysed frame the camera metrics (docs/design.md:
persons, no_helmet, edge_missing, zone_intrusions, inference_ms) go on the bus like any
device's readings (a hot-work zone's picture to the rules first, the evidence of its alert), and each vision rule starting or ending becomes a RuleResult for the alert
manager, so vision alerts get the same life as the others (acknowledgement, silences,
persistence, the outbox) with their evidence JPEG attached.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.bus import Bus
from contract.config.camera import CameraConfig, VisionConfig
from contract.vision_event import VisionEvent
from contract.wire import PictureFindings
from gateway.alerts.monitor import SafetyMonitor
from gateway.camera_service import Shot
from gateway.uplinks.clips import ClipRouter
from rules.vision_rules import to_rule_result
from sitegw.camera_lateness import BEHIND_S, CameraLateness
from vision.worker import FrameSummary, VisionSupervisor

log = logging.getLogger(__name__)


@dataclass
class CameraInfo:
    """A camera as the API lists it."""

    id: str
    name: str
    online: bool = False
    last_frame_ts: float | None = None
    frames: int = 0
    late_s: float | None = None  # how far behind its analysis is (sitegw/camera_lateness.py)
    behind: bool = False  # late_s above BEHIND_S


def patrol_findings(camera: CameraConfig | None, summary: FrameSummary) -> PictureFindings:
    """What one analysed frame of ``camera`` found, as its patrol picture tells the regulator.

    Only the standing 禁入区 are its zones: vision judges nobody in a counted zone (an 安拆 警戒区, a 动火区;
    its people go to the rules as readings), so listing one would show the inspector "无人" there whoever
    stands in it."""
    zones = [z.name for z in camera.zones if not z.counted] if camera else []
    edges = [e.name for e in camera.edges] if camera else []
    return PictureFindings(
        persons=summary.persons,
        heads=summary.heads,
        bare_heads=summary.no_helmet,
        zones={z: z in summary.zones_inside for z in zones},
        edges={e: e in summary.edges_open for e in edges},
    )


class CameraHub:
    """Starts the camera workers and turns their output into readings and alerts."""

    def __init__(
        self, cfg: VisionConfig, state_dir: Path, project: str, bus: Bus, monitor: SafetyMonitor
    ) -> None:
        evidence = cfg.evidence_dir if cfg.evidence_dir.is_absolute() else state_dir / cfg.evidence_dir.name
        self.cfg = cfg.model_copy(update={"evidence_dir": evidence})
        self._project = project
        self._bus = bus
        self._monitor = monitor
        self._info = {c.name: CameraInfo(c.name, c.name) for c in cfg.cameras}
        self._lateness = {c.name: CameraLateness(c.fps) for c in cfg.cameras}
        self._latest_jpeg: dict[str, bytes] = {}
        self._shots: dict[str, Shot] = {}
        self._cameras = {c.name: c for c in cfg.cameras}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._supervisor = VisionSupervisor(
            self.cfg,
            on_event=self._from_thread_event,
            on_frame=self._from_thread_frame,
            on_clip=self._from_thread_clip,
        )
        self.clips: ClipRouter | None = None  # set when a regulator uplink takes evidence clips
        monitor.alerts.add_listener(self._note_clip)

    async def start(self) -> None:
        """Spawn one worker process per camera (they load OpenCV and the model in the background)."""
        self._loop = asyncio.get_running_loop()
        self.cfg.evidence_dir.mkdir(parents=True, exist_ok=True)
        # from the loop's own thread, not a pool thread: Linux ties a worker's parent-death signal
        # to the thread that spawned it, and pool threads come and go
        self._supervisor.start()
        log.info("vision: %d camera worker(s), evidence in %s", len(self._info), self.cfg.evidence_dir)

    async def stop(self) -> None:
        """End every worker."""
        await asyncio.to_thread(self._supervisor.stop)

    # -- what the API reads (gw.cameras) ----------------------------------------------------------------

    def cameras(self) -> list[CameraInfo]:
        """Every camera with its link state, last analysed frame time and how far behind it is."""
        for name, info in self._info.items():
            late = self._lateness[name].late_s() if info.online else None
            info.late_s = None if late is None else round(late, 2)
            info.behind = late is not None and late > BEHIND_S
        return list(self._info.values())

    def latest_jpeg(self, camera_id: str) -> bytes | None:
        """The camera's latest analysed frame with its detections drawn, when the worker sent one."""
        return self._latest_jpeg.get(camera_id)

    def latest_shot(self, camera_id: str) -> Shot | None:
        """The camera's latest preview with the findings of the same frame (the regulator's patrol)."""
        return self._shots.get(camera_id)

    def evidence_jpeg(self, alert_id: str) -> bytes | None:
        """Evidence comes with the alert itself (base64 in its AlertEvent); nothing extra is kept here."""
        return None

    def stats(self) -> dict[str, dict[str, float | int | bool]]:
        """Per camera: worker alive, restarts, heartbeat age (for /api/v1/health)."""
        return self._supervisor.stats()

    # -- from the supervisor thread to the loop ---------------------------------------------------------

    def _from_thread_frame(self, summary: FrameSummary) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_frame, summary)

    def _from_thread_event(self, event: VisionEvent) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_event, event)

    def _from_thread_clip(self, path: str) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_clip, path)

    def _on_clip(self, path: str) -> None:
        if self.clips is not None:
            self.clips.written(path)

    def _note_clip(self, event: AlertEvent) -> None:
        """A vision alert fired with a clip to come: the clip router learns its alert id."""
        clip = event.details.get("clip") if event.details else None
        if self.clips is not None and event.state == "firing" and isinstance(clip, str):
            self.clips.note(event.alert_id, clip)

    def _on_frame(self, summary: FrameSummary) -> None:
        info = self._info.get(summary.camera)
        if info is not None:
            info.online, info.last_frame_ts, info.frames = True, summary.ts, info.frames + 1
            self._lateness[summary.camera].frame(summary.late_s)
        jpeg = getattr(summary, "jpeg", None)
        if jpeg:
            self._latest_jpeg[summary.camera] = jpeg
            self._shots[summary.camera] = self._shot(summary, jpeg)
        for zone, picture in summary.pictures:  # before the readings: the alert they raise carries it
            self._monitor.engine.hot_work_picture(summary.camera, zone, base64.b64encode(picture).decode())
        self._bus.publish(summary.readings(self._project))

    def _shot(self, summary: FrameSummary, jpeg: bytes) -> Shot:
        camera = self._cameras.get(summary.camera)
        return Shot(summary.camera, summary.ts, jpeg, patrol_findings(camera, summary))

    def _on_event(self, event: VisionEvent) -> None:
        info = self._info.get(event.camera)
        if info is not None and event.rule == "camera.offline":
            info.online = event.state == "resolved"
        self._monitor.alerts.handle([to_rule_result(event)])  # worded by the vision rules
