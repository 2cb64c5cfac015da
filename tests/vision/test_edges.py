"""Edge protection on a real photo (000848: a yellow barrier along a slab edge).

No public before/after footage of guard rails exists, so these are behaviour checks on one real
scene, not an accuracy figure: the accepted frame itself, the same frame under other light, the
barrier hidden behind a worker, and a real photo of the same place's size without the barrier.
"""

from __future__ import annotations

import numpy as np

from contract.config.camera import EdgeConfig
from tests.vision.conftest import load
from vision.detections import Detection
from vision.edges import EdgeWatch

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
