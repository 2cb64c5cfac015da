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


def test_clip_holds_seconds_before_and_after(tmp_path: Path) -> None:
    img, _ = load("000930.jpg")
    rec = ClipRecorder(EvidenceStore(tmp_path, 10**8), pre_s=2.0, post_s=2.0)
    for t in range(5):
        assert rec.push(float(t), img) == []
    rec.start(4.0, "cam_clip.webm")
    done: list[Path] = []
    for t in range(5, 8):
        done += rec.push(float(t), img)
    assert done == [tmp_path / "cam_clip.webm"]
    cap = cv2.VideoCapture(str(done[0]))
    n = 0
    while cap.grab():
        n += 1
    assert n == 3 + 2  # t = 2, 3, 4 kept before, 5, 6 after (t = 7 is past the 2 s)
