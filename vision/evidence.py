"""Evidence of a vision alert: the annotated JPEG, a short clip around it, kept within a disk budget.

The clip is VP8 in WebM: browsers play it (the regulator's hazard page shows it in a <video>), and it is
several times smaller than the MJPG AVI it replaces; a 6 s 640x360 clip is ~0.2 MB at 1 analysed frame/s
and ~0.6 MB at 10, for 0.2-0.5 s of one core (`make bench`, README: Evidence clips).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig, ZoneConfig
from vision.detections import FrameResult
from vision.events import LABELS
from vision.label_layout import LabelLayout, Rect
from vision.text import CELL, put_text, text_mask

COLOURS = {"helmet": (60, 180, 60), "no_helmet": (0, 0, 255), "person": (255, 160, 0)}
# what each detection is called on the picture (Chinese: the people on site read it)
DETECTION_LABELS = {"helmet": "戴安全帽", "no_helmet": "未戴安全帽", "person": "人员"}
WHITE = (255, 255, 255)
RULE_COLOURS = {
    "vision.no_helmet": (0, 0, 255),
    "vision.zone_intrusion": (0, 140, 255),
    "vision.edge_missing": (255, 0, 255),
}


def header_lines(result: FrameResult, cam: CameraConfig) -> list[str]:
    """The lines burned in at the top of a picture: time and camera, then the broken rules in Chinese."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(result.ts)) + f"  {cam.name}"
    rules = "、".join(LABELS.get(r, r) for r in sorted({v.rule for v in result.violations}))
    return [stamp, rules] if rules else [stamp]


def zone_label(zone: ZoneConfig) -> str:
    """What a zone is called on the picture: a hot-work place, a machine's 安拆 警戒区, or a 禁入区."""
    if zone.hot_work_at:
        return "动火区"
    return "警戒区" if zone.exclusion_of is not None else "禁入区"


def text_scales(width: int) -> tuple[int, int]:
    """Whole-pixel scales of the 16-pixel font: (labels, header) for a frame ``width`` wide."""
    return max(1, round(width / 1280)), max(1, round(width / 640))


def annotate(frame: np.ndarray, result: FrameResult, cam: CameraConfig) -> np.ndarray:
    """A copy of the frame with zones, edges, boxes, violations, camera name and time burned in,
    every label in Chinese (禁入区, 临边, 未戴安全帽 ...), no label over another (vision/label_layout.py)."""
    img = frame.copy()
    cam = cam.scaled(img.shape[1], img.shape[0])  # zones and edges in this frame's pixels
    lw = max(2, img.shape[1] // 640)
    small, big = text_scales(img.shape[1])
    header = header_lines(result, cam)
    header_rect = (0, 0, img.shape[1], 6 + len(header) * (CELL + 4) * big)
    boxes: list[Rect] = [
        (int(a), int(b), int(c), int(e)) for a, b, c, e in (d.box for d in result.detections)
    ]
    # no label over the header, nor over a head's box (a later box's lines would cross its words)
    layout = LabelLayout(img.shape[1], img.shape[0], [header_rect, *boxes])

    def label(text: str, box: Rect, colour: tuple[int, int, int]) -> None:
        mask = text_mask(text, small)
        put_text(img, text, layout.place((mask.shape[1], mask.shape[0]), box), colour, small)

    for z in cam.zones:
        cv2.polylines(img, [np.array(z.polygon, np.int32)], True, (0, 215, 255), lw)
        x, y = (int(v) for v in z.polygon[0])
        label(f"{zone_label(z)} {z.name}", (x, y, x, y), (0, 215, 255))
    for e in cam.edges:
        cv2.polylines(img, [np.array(e.polyline, np.int32)], False, (255, 0, 255), lw)
        x, y = (int(v) for v in e.polyline[0])
        label(f"临边 {e.name}", (x, y, x, y), (255, 0, 255))
    for d, (x1, y1, x2, y2) in zip(result.detections, boxes, strict=True):
        cv2.rectangle(img, (x1, y1), (x2, y2), COLOURS[d.label], lw)
        label(f"{DETECTION_LABELS[d.label]} {d.score:.2f}", (x1, y1, x2, y2), COLOURS[d.label])
    for v in result.violations:
        for bx1, by1, bx2, by2 in v.boxes:
            cv2.rectangle(img, (int(bx1), int(by1)), (int(bx2), int(by2)), RULE_COLOURS[v.rule], lw + 1)
    for i, text in enumerate(header):
        put_text(img, text, (10, 6 + i * (CELL + 4) * big), WHITE, big)
    return img


def to_jpeg(img: np.ndarray, quality: int = 80) -> bytes:
    """JPEG bytes of an image."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


class EvidenceStore:
    """A folder of evidence files; the oldest go first when the folder passes its budget."""

    def __init__(self, folder: Path, budget_bytes: int) -> None:
        self.folder = folder
        self.budget = budget_bytes
        folder.mkdir(parents=True, exist_ok=True)

    def save(self, name: str, data: bytes) -> Path:
        """Write one file (atomically) and trim the folder to the budget."""
        path = self.folder / name
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        self.trim()
        return path

    def trim(self) -> None:
        """Delete the oldest files until the folder fits its budget (the newest file is always kept)."""
        files = sorted(
            (p for p in self.folder.iterdir() if p.is_file() and ".part" not in p.name),
            key=lambda p: p.stat().st_mtime,
        )
        total = sum(p.stat().st_size for p in files)
        for p in files[:-1]:
            if total <= self.budget:
                break
            total -= p.stat().st_size
            p.unlink(missing_ok=True)


@dataclass(slots=True)
class _PendingClip:
    name: str
    frames: list[np.ndarray]
    until: float


@dataclass(slots=True)
class ClipRecorder:
    """Keeps the last seconds of a stream; on an alert writes pre + post seconds as a VP8 WebM."""

    store: EvidenceStore
    pre_s: float
    post_s: float
    width: int = 640
    _ring: deque[tuple[float, np.ndarray]] = field(default_factory=deque)
    _pending: list[_PendingClip] = field(default_factory=list)

    def push(self, ts: float, frame: np.ndarray) -> list[Path]:
        """Add a frame (downscaled); returns clips finished by it."""
        h, w = frame.shape[:2]
        s = min(1.0, self.width / w)
        small = (
            cv2.resize(frame, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else frame
        )
        self._ring.append((ts, small))
        while self._ring and ts - self._ring[0][0] > self.pre_s:
            self._ring.popleft()
        done = []
        for p in list(self._pending):
            p.frames.append(small)
            if ts >= p.until:
                done.append(self._write(p))
                self._pending.remove(p)
        return done

    def start(self, ts: float, name: str) -> None:
        """Begin a clip for an alert raised at `ts`, from the frames already kept."""
        self._pending.append(_PendingClip(name, [f for _, f in self._ring], ts + self.post_s))

    def _write(self, clip: _PendingClip) -> Path:
        tmp = self.store.folder / (clip.name + ".part.webm")  # OpenCV picks the container by the suffix
        h, w = clip.frames[0].shape[:2]
        fps = max(1.0, len(clip.frames) / max(self.pre_s + self.post_s, 1.0))
        # OpenCV's FFmpeg says the VP80 tag "is not supported" for WebM and writes VP8 with WebM's own tag
        vw = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"VP80"), fps, (w, h))
        for f in clip.frames:
            vw.write(f if f.shape[:2] == (h, w) else cv2.resize(f, (w, h)))
        vw.release()
        path = self.store.folder / clip.name
        tmp.replace(path)
        self.store.trim()
        return path
