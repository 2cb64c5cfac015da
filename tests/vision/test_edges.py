"""Edge protection on a real photo (000848: a yellow barrier along a slab edge).

No public before/after footage of guard rails exists, so these are behaviour checks on one real
scene, not an accuracy figure: the accepted frame itself, the same frame under other light, the
barrier hidden behind a worker, and a real photo of the same place's size without the barrier.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig, EdgeConfig
from tests.vision.conftest import load
from vision.detections import Detection
from vision.edges import EdgeWatch
from vision.pipeline import CLEAR_FRAMES, CameraAnalyzer
from vision.sources import Frame

BARRIER = EdgeConfig(
    name="slab-east", polyline=[(360, 318), (500, 318), (636, 322)], band_px=24, missing_frames=3
)


def _watch() -> tuple[EdgeWatch, np.ndarray]:
    ref, _ = load("000848.jpg")
    return EdgeWatch([BARRIER], ref), ref


def test_accepted_scene_is_protected() -> None:
    w, ref = _watch()
    (p,) = w.presence(ref, [])
    assert p is not None and p > 0.9
    assert all(w.update(ref, []) == [] for _ in range(5))


def test_dusk_light_is_still_protected() -> None:
    w, ref = _watch()
    dark = (ref.astype(np.float32) * 0.45 + 10).astype(np.uint8)
    assert all(w.update(dark, []) == [] for _ in range(5))


def test_barrier_gone_raises_after_n_frames() -> None:
    w, _ = _watch()
    other, _ = load("000930.jpg")  # same size, real site, no barrier along that line
    assert w.update(other, []) == []
    assert w.update(other, []) == []
    (v,) = w.update(other, [])
    assert (v.rule, v.target) == ("vision.edge_missing", "slab-east")
    assert v.score > 0.5


def test_barrier_hidden_by_workers_is_no_decision() -> None:
    w, _ref = _watch()
    other, _ = load("000930.jpg")
    crowd = [Detection("person", (340, 200, 640, 420), 0.9)]
    assert w.presence(other, crowd) == [None]
    assert all(w.update(other, crowd) == [] for _ in range(5))


def test_a_missing_barrier_in_a_still_scene_keeps_its_alert_firing(tmp_path: Path) -> None:
    """Issue #55: frames the motion gate does not look at (nothing moved) keep the last look's verdict; they
    used to count as frames without the violation, so the alert resolved three frames after it fired."""
    ref, _ = load("000848.jpg")
    cv2.imwrite(str(tmp_path / "ref.jpg"), ref)
    cam = CameraConfig(
        name="slab",
        source="rtsp://cam/1",
        edges=[BARRIER.model_copy(update={"missing_frames": 1})],
        edge_reference=tmp_path / "ref.jpg",
        drawn_on=(ref.shape[1], ref.shape[0]),
        still_recheck_s=1e6,
    )
    analyzer = CameraAnalyzer(cam, None)
    other, _ = load("000930.jpg")
    states = []
    for ts in range(CLEAR_FRAMES + 3):
        res, events = analyzer.analyse(Frame(float(ts), other, str(ts), True, scene="cam"))
        states += [e.state for e in events]
        assert [v.rule for v in res.violations] == ["vision.edge_missing"]
    assert not res.detected and states == ["firing"]
