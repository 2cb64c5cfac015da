"""Evidence: annotated JPEG with camera and time burned in, clips around the alert, disk budget."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig, ZoneConfig
from tests.vision.conftest import load
from vision.detections import Detection, FrameResult, Violation
from vision.evidence import ClipRecorder, EvidenceStore, annotate, to_jpeg


def test_annotated_jpeg_shows_boxes_zone_and_stamp() -> None:
    img, _ = load("000303.jpg")
    cam = CameraConfig(
        name="gate-cam",
        source="x",
        drawn_on=(640, 640),  # the photo's size
        zones=[ZoneConfig(name="pit", polygon=[(10, 300), (300, 300), (300, 600)])],
    )
    res = FrameResult(
        "gate-cam",
        1_790_000_000.0,
        img.shape[1],
        img.shape[0],
        [Detection("no_helmet", (100, 100, 160, 170), 0.9)],
        [Violation("vision.no_helmet", "", 0.9, ((100, 100, 160, 170),))],
    )
    out = annotate(img, res, cam)
    assert out.shape == img.shape and not np.array_equal(out, img)
    assert np.array_equal(img, load("000303.jpg")[0]), "the caller's frame must stay untouched"
    # the no_helmet box is drawn in red on its border
    assert (out[100, 120] == (0, 0, 255)).all() or (out[101, 120] == (0, 0, 255)).all()
    data = to_jpeg(out)
    assert data[:2] == b"\xff\xd8"
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == img.shape


def test_store_keeps_within_budget_dropping_oldest(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, budget_bytes=2500)
    for i in range(5):
        p = store.save(f"e{i}.jpg", bytes(1000))
        os.utime(p, (1000 + i, 1000 + i))
    store.trim()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e3.jpg", "e4.jpg"]


def _marked(img: np.ndarray, t: int) -> np.ndarray:
    """The photo with a grey square whose shade says which second it was taken at."""
    out = img.copy()
    out[:160, :160] = 20 + 30 * t
    return out


def test_clip_holds_seconds_before_and_after(tmp_path: Path) -> None:
    img, _ = load("000930.jpg")
    rec = ClipRecorder(EvidenceStore(tmp_path, 10**8), pre_s=2.0, post_s=2.0)
    for t in range(5):
        assert rec.push(float(t), _marked(img, t)) == []
    rec.start(4.0, "cam_clip.webm")
    done: list[Path] = []
    for t in range(5, 8):
        done += rec.push(float(t), _marked(img, t))
    assert done == [tmp_path / "cam_clip.webm"]
    # what a supervisor checks: every second kept is in the clip, in order, each its own picture
    cap = cv2.VideoCapture(str(done[0]), cv2.CAP_FFMPEG)
    seconds = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        seconds.append(round((float(frame[10:150, 10:150].mean()) - 20) / 30))
    cap.release()
    assert seconds == [2, 3, 4, 5, 6]  # 2 s before the alert at t = 4, 2 s after (t = 7 is past them)
