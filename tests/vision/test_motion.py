"""Motion gate on real photos: a still scene is quiet, a moving worker is found, a light change is not motion."""

from __future__ import annotations

import numpy as np

from tests.vision.conftest import load
from vision.motion import MotionGate, detection_window


def _scene() -> np.ndarray:
    img, _ = load("000930.jpg")
    return img


def test_still_scene_reports_no_motion_after_the_first_frame() -> None:
    gate = MotionGate()
    frame = _scene()
    assert gate.regions(frame) != []  # first frame: everything is new
    rng = np.random.default_rng(1)
    for _ in range(5):
        noisy = np.clip(frame.astype(np.int16) + rng.integers(-4, 5, frame.shape), 0, 255).astype(np.uint8)
        assert gate.regions(noisy) == []


def test_a_worker_moving_into_view_is_a_region_around_him() -> None:
    gate = MotionGate()
    bg = _scene()
    worker, boxes = load("hard_hat_workers1045.jpg")
    x1, y1, _x2, _y2 = (int(v) for v in boxes[0, :4])
    patch = worker[y1 : y1 + 120, x1 : x1 + 80]  # a real head-and-shoulders crop
    gate.regions(bg)
    moved = bg.copy()
    moved[400 : 400 + patch.shape[0], 300 : 300 + patch.shape[1]] = patch
    regions = gate.regions(moved)
    assert regions, "a worker appearing must count as motion"
    assert any(r[0] <= 310 and r[2] >= 300 + patch.shape[1] - 10 and r[1] <= 410 for r in regions)


def test_lights_switched_on_is_not_motion() -> None:
    gate = MotionGate()
    bg = _scene()
    gate.regions(bg)
    brighter = np.clip(bg.astype(np.int16) + 80, 0, 255).astype(np.uint8)
    assert gate.regions(brighter) == []
    assert gate.regions(brighter) == []  # and the new light level is the background now


def test_detection_window_crops_small_motion_and_keeps_big_motion_whole() -> None:
    assert detection_window([(600, 300, 660, 380)], 1280, 720) == (438, 148, 822, 532)
    assert detection_window([(0, 0, 1000, 700)], 1280, 720) == (0, 0, 1280, 720)
