"""One camera's analysis: motion gate, then hard hats, persons, zones and edges, then events with evidence."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig
from contract.vision_event import VisionEvent
from vision.detections import Box, Detection, FrameResult, Violation
from vision.detectors.helmet import HelmetDetector
from vision.detectors.person import PersonDetector
from vision.detectors.tiles import moved_tiles, tile_windows
from vision.edges import EdgeWatch
from vision.evidence import ClipRecorder, EvidenceStore, annotate, to_jpeg
from vision.motion import MotionGate, detection_window
from vision.sources import Frame
from vision.zones import ZoneWatch

CLEAR_FRAMES = 3  # analysed frames without the violation before it is resolved
# a zone marked for hot work with people inside is pictured at once, then this often while they stay: the
# hot-work rule, which alone knows the permits, fires with the latest picture (a full frame's JPEG, ~10 ms)
HOT_WORK_PICTURE_S = 10.0


Window = tuple[int, int, int, int]


def _inside(box: Box, win: Window) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return win[0] <= cx < win[2] and win[1] <= cy < win[3]


def _looked_at(d: Detection, win: Window, heads_at: list[Window]) -> bool:
    """Whether this frame's detection looked afresh where ``d`` lies: people in the whole window, heads in
    the tiles proposed (all of the window unless only the moved tiles ran)."""
    return _inside(d.box, win) if d.label == "person" else any(_inside(d.box, t) for t in heads_at)


@dataclass(slots=True)
class _Open:
    last_seen: int
    violation: Violation


@dataclass(slots=True)
class CameraAnalyzer:
    """Stateful checks of one camera; `analyse` once per frame to analyse."""

    cam: CameraConfig
    helmet: HelmetDetector | None
    persons: PersonDetector | None = None
    store: EvidenceStore | None = None
    gate: MotionGate = field(default_factory=MotionGate)
    _zones: ZoneWatch = field(init=False)
    _edges: EdgeWatch | None = field(init=False, default=None)
    _reference: np.ndarray | None = field(init=False, default=None)
    _size: tuple[int, int] = field(init=False, default=(0, 0))
    _scene: str | None = field(init=False, default=None)
    _clips: ClipRecorder | None = field(init=False, default=None)
    _written: list[Path] = field(init=False, default_factory=list)
    _last: list[Detection] = field(init=False, default_factory=list)
    _last_full: float = field(init=False, default=float("-inf"))
    _bare_run: int = field(init=False, default=0)
    _n: int = field(init=False, default=0)
    _open: dict[tuple[str, str], _Open] = field(init=False, default_factory=dict)
    _pictured: dict[str, float] = field(init=False, default_factory=dict)  # hot-work zone: last picture ts

    def __post_init__(self) -> None:
        self._zones = ZoneWatch([])
        if self.cam.edges:
            if self.cam.edge_reference is None:
                raise ValueError(f"camera {self.cam.name}: edges need edge_reference (the accepted frame)")
            ref = cv2.imread(str(self.cam.edge_reference))
            if ref is None:
                raise ValueError(
                    f"camera {self.cam.name}: cannot read edge_reference {self.cam.edge_reference}"
                )
            self._reference = ref
        if self.store is not None:
            self._clips = ClipRecorder(self.store, self.cam.clip_pre_s, self.cam.clip_post_s)

    def _place(self, width: int, height: int) -> None:
        """Zones and edges in the pixels of frames of this size, their runs started anew: at the first
        frame of each scene."""
        cam = self.cam.scaled(width, height)
        self._zones = ZoneWatch(cam.zones)
        if self._reference is not None:
            ref = self._reference
            if ref.shape[1] != width or ref.shape[0] != height:
                ref = cv2.resize(ref, (width, height), interpolation=cv2.INTER_AREA)
            self._edges = EdgeWatch(cam.edges, ref)
        self._size = (width, height)

    def _new_scene(self, scene: str, width: int, height: int) -> None:
        """Another picture, file pass or stream size: nothing seen before may carry over (its boxes
        would lie on other people, or outside this frame); open alerts still clear as frames pass."""
        self._place(width, height)
        self._scene = scene
        self._last = []
        self._last_full = float("-inf")
        self._bare_run = 0
        self.gate.reset()

    def detect(self, img: np.ndarray, window: Window, moved: list[Box] | None = None) -> list[Detection]:
        """Heads and persons inside `window` (x1, y1, x2, y2), in frame pixels; with ``moved`` (regions of
        the whole frame's window) heads only in the tiles they reach and the whole frame."""
        x1, y1, x2, y2 = window
        crop = img[y1:y2, x1:x2]
        found: list[Detection] = []
        # heads also serve zones and edges (as people), so the network runs when any check needs it
        if self.helmet is not None and (self.cam.helmet or self.cam.zones or self.cam.edges):
            found += self.helmet.detect(crop, self.cam.helmet_tile_px, moved)
        if self.persons is not None and self.cam.persons:
            found += self.persons.detect(crop)
        h, w = img.shape[:2]
        out = []
        for d in found:
            # in frame pixels, and never outside the frame (a refined box may reach past the crop's edge)
            box = (
                min(max(d.box[0] + x1, 0.0), w),
                min(max(d.box[1] + y1, 0.0), h),
                min(max(d.box[2] + x1, 0.0), w),
                min(max(d.box[3] + y1, 0.0), h),
            )
            if box[2] > box[0] and box[3] > box[1]:
                out.append(Detection(d.label, box, d.score))
        return out

    def analyse(self, frame: Frame) -> tuple[FrameResult, list[VisionEvent]]:
        """Run the checks on one frame; returns what was seen and the events it started or ended."""
        # this thread's CPU, not the process's: a worker's other cameras' readers decode in threads of the same
        # process, and their CPU counted here made a 45 ms analysis read 120 ms with 8 cameras in a worker
        # (in a worker the networks and OpenCV run on the calling thread: one intra-op thread, cv2 at 1 thread)
        t0 = time.thread_time()
        img = frame.image
        h, w = img.shape[:2]
        if (w, h) != self._size or frame.scene != self._scene:
            self._new_scene(frame.scene, w, h)
        self._n += 1
        res = FrameResult(self.cam.name, frame.ts, w, h)
        regions = self.gate.regions(img) if self.cam.motion_gate else [(0.0, 0.0, float(w), float(h))]
        # a picture changed almost everywhere is looked at whole again: the old boxes may be gone
        full_due = frame.ts - self._last_full >= self.cam.still_recheck_s or (
            self.cam.motion_gate and self.gate.rebased
        )
        res.motion = bool(regions)
        res.detected = bool(regions) or full_due
        if res.detected:
            win = (0, 0, w, h) if full_due else detection_window(regions, w, h)
            moved, heads_at = self._moved_tiles(win, regions, full_due or win != (0, 0, w, h))
            if win == (0, 0, w, h) and moved is None:
                self._last_full = frame.ts
            # what was found outside the moved window (or the moved tiles) is still there: the scene did
            # not change there; heads the whole-frame view found there stand for those kept
            found = self.detect(img, win, moved)
            kept = [d for d in self._last if not _looked_at(d, win, heads_at)]
            self._last = kept + [d for d in found if moved is None or _looked_at(d, win, heads_at)]
        if self._edges is not None:
            res.violations += self._edges.update(img, self._last) if res.detected else self._edges.standing()
        res.violations += self._helmet_violations(res.detected)
        res.detections = list(self._last)
        res.violations += self._zones.update(frame.ts, self._last)
        res.exclusions = self._zones.exclusions()
        res.hot_work = self._zones.hot_work()
        res.pictures = self._hot_work_pictures(frame, res)
        events = self._events(frame, res)
        res.inference_ms = (time.thread_time() - t0) * 1000
        return res, events

    def written_clips(self) -> list[Path]:
        """The evidence clips finished since the last call (each ``clip_post_s`` after its alert)."""
        done, self._written = self._written, []
        return done

    def _hot_work_pictures(self, frame: Frame, res: FrameResult) -> dict[str, bytes]:
        """The evidence picture of each zone marked for hot work whose people are counted, at their first
        frame and every HOT_WORK_PICTURE_S while they stay (the picture of a hot-work alert, as a
        violation's is of its alert)."""
        due = []
        for zone, people in res.hot_work.items():
            if not people:
                self._pictured.pop(zone, None)
            elif frame.ts - self._pictured.get(zone, float("-inf")) >= HOT_WORK_PICTURE_S:
                due.append(zone)
                self._pictured[zone] = frame.ts
        if not due:
            return {}
        return dict.fromkeys(due, to_jpeg(annotate(frame.image, res, self.cam)))

    def _moved_tiles(
        self, win: Window, regions: list[Box], every_tile: bool
    ) -> tuple[list[Box] | None, list[Window]]:
        """(moved, tiles): where heads are proposed afresh on this frame. A motion pass whose window is the
        whole frame of several hard-hat tiles proposes only in the tiles the moved regions reach
        (``moved`` the regions; tiles.moved_tiles): a worker walking in one corner no longer has the
        other tiles' empty scaffolding looked at again. Otherwise (``every_tile``: a full pass or a window
        smaller than the frame; or the frame one tile) ``moved`` is None and the tiles are the window itself."""
        if every_tile:
            return None, [win]
        tiles = tile_windows(win[2], win[3], self.cam.helmet_tile_px)
        run = moved_tiles(tiles, regions)
        return (None, [win]) if len(run) == len(tiles) else (regions, run)

    def _helmet_violations(self, looked: bool) -> list[Violation]:
        """The bare heads seen, once ``helmet_frames`` looks in a row saw one. A frame not looked at (a still
        scene) neither counts nor clears: its heads are the last look's, so an alert keeps firing."""
        bare = [d for d in self._last if d.label == "no_helmet"]
        if looked:
            self._bare_run = self._bare_run + 1 if bare else 0
        if not self.cam.helmet or self._bare_run < self.cam.helmet_frames:
            return []
        return [
            Violation(
                "vision.no_helmet",
                "",
                max(d.score for d in bare),
                tuple(d.box for d in bare),
                f"发现 {len(bare)} 人未戴安全帽",
                f"sees {len(bare)} {'person' if len(bare) == 1 else 'people'} without a hard hat",
            )
        ]

    def _events(self, frame: Frame, res: FrameResult) -> list[VisionEvent]:
        events: list[VisionEvent] = []
        if self._clips is not None and frame.live:
            self._written += self._clips.push(frame.ts, frame.image)
        jpeg: bytes | None = None
        for v in res.violations:
            key = (v.rule, v.target)
            if key in self._open:
                self._open[key] = _Open(self._n, v)
                continue
            self._open[key] = _Open(self._n, v)
            jpeg = jpeg or to_jpeg(annotate(frame.image, res, self.cam))
            stem = f"{self.cam.name}_{v.rule.split('.')[1]}_{v.target or 'all'}_{int(frame.ts * 1000)}"
            path = self.store.save(stem + ".jpg", jpeg) if self.store is not None else None
            clip = ""
            if self._clips is not None and frame.live:
                self._clips.start(frame.ts, stem + ".webm")
                clip = str(Path(self._clips.store.folder) / (stem + ".webm"))
            events.append(
                VisionEvent(
                    self.cam.name,
                    v.rule,
                    v.target,
                    "firing",
                    frame.ts,
                    v.score,
                    v.message,
                    jpeg,
                    str(path or ""),
                    clip,
                    message_en=v.message_en,
                )
            )
        for key, o in list(self._open.items()):
            if self._n - o.last_seen >= CLEAR_FRAMES:
                del self._open[key]
                events.append(VisionEvent(self.cam.name, key[0], key[1], "resolved", frame.ts, 0.0))
        return events
