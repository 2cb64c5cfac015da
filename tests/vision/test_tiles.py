"""Issue #17: far heads on a wide camera frame keep their pixels: the head detector sees it in tiles."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contract.config.camera import HELMET_TILE_PX, CameraConfig
from tests.vision.conftest import SAMPLE, load
from training.wide_frames import mosaic
from vision.cli import detect_camera
from vision.detectors.centernet import iou_one_to_many
from vision.detectors.helmet import HelmetDetector
from vision.detectors.tiles import TILE_OVERLAP_PX, tile_windows
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame


def test_a_1280x720_camera_frame_is_two_tiles_the_detector_sees_at_0_8() -> None:
    # worked out from the rule: ceil(1280 / 720) = 2 columns, ceil(720 / 720) = 1 row; each column
    # 640 px plus the 48 px overlap, the second flush with the right edge
    assert tile_windows(1280, 720, 720) == [(0, 0, 688, 720), (592, 0, 1280, 720)]
    # what the detector is given: each tile unmirrored, its long side 720 scaled to the card's 576 (0.8),
    # then the whole frame, its long side 1280 scaled to 576 (0.45)
    inputs = HelmetDetector().proposer.inputs(np.zeros((720, 1280, 3), np.uint8), 720)
    assert [(i.x, i.y, i.width, i.mirrored) for i in inputs] == [
        (0, 0, 688, False),
        (592, 0, 688, False),
        (0, 0, 1280, False),
    ]
    assert [round(i.scale, 3) for i in inputs] == [0.8, 0.8, 0.45]


def test_a_frame_that_fits_a_tile_or_tiling_off_is_one_window() -> None:
    assert tile_windows(640, 640, 720) == [(0, 0, 640, 640)]
    assert tile_windows(1920, 1080, 0) == [(0, 0, 1920, 1080)]
    with pytest.raises(ValueError, match="0x720"):
        tile_windows(0, 720, 720)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4000),
    st.integers(1, 3000),
    st.integers(480, 1500),
)
def test_tiles_cover_the_frame_overlap_and_stay_inside_it(width: int, height: int, tile_px: int) -> None:
    windows = tile_windows(width, height, tile_px)
    covered = np.zeros((height, width), bool)
    for x1, y1, x2, y2 in windows:
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        # no tile larger than asked for but by the overlap
        assert x2 - x1 <= tile_px + TILE_OVERLAP_PX and y2 - y1 <= tile_px + TILE_OVERLAP_PX
        covered[y1:y2, x1:x2] = True
    assert covered.all()
    xs = sorted({w[0] for w in windows})
    ys = sorted({w[1] for w in windows})
    tw, th = windows[0][2] - windows[0][0], windows[0][3] - windows[0][1]
    # a far head (up to the overlap across) on a seam lies whole inside one of the tiles
    assert all(tw - (b - a) >= TILE_OVERLAP_PX for a, b in pairwise(xs))
    assert all(th - (b - a) >= TILE_OVERLAP_PX for a, b in pairwise(ys))


def test_a_tile_smaller_than_useful_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as e:
        CameraConfig(name="gate", source="rtsp://cam/1", helmet_tile_px=200)
    assert "helmet_tile_px 200 must be 0 (off: whole frames) or at least 480" in str(e.value)
    assert CameraConfig(name="gate", source="rtsp://cam/1").helmet_tile_px == HELMET_TILE_PX
    assert CameraConfig(name="gate", source="rtsp://cam/1", helmet_tile_px=0).helmet_tile_px == 0


@pytest.fixture(scope="module")
def wide() -> tuple[np.ndarray, np.ndarray]:
    """The eight shipped photos (real, CC BY) laid 4 across and 2 down: a 2560x1280 frame whose heads
    keep their pixels, as a wide camera's would."""
    photos = sorted(p.name for p in (SAMPLE / "images").iterdir())
    return mosaic([load(n, heads=True) for n in photos], cols=4)


def found(boxes: np.ndarray, truth: np.ndarray) -> int:
    """Labelled heads with a box of their class at IoU >= 0.5."""
    n = 0
    for t in truth:
        mine = boxes[boxes[:, 5] == t[4]] if len(boxes) else boxes
        n += bool(len(mine)) and iou_one_to_many(t[:4], mine[:, :4]).max() >= 0.5
    return n


def test_a_wide_frame_in_tiles_finds_its_heads_and_keeps_every_box_inside(
    wide: tuple[np.ndarray, np.ndarray],
) -> None:
    img, truth = wide
    det = HelmetDetector()
    thr = np.array([det.card.thresholds[c] for c in ("helmet", "no_helmet")])

    def passing(rows: np.ndarray) -> np.ndarray:
        return rows[rows[:, 4] >= thr[rows[:, 5].astype(int)]]

    tiled, whole = passing(det.raw(img, tile_px=720)), passing(det.raw(img, tile_px=0))
    h, w = img.shape[:2]
    assert ((tiled[:, 0] >= 0) & (tiled[:, 1] >= 0) & (tiled[:, 2] <= w) & (tiled[:, 3] <= h)).all()
    # the whole 2560-px frame reaches the detector at 0.225 of its pixels, each of its 8 tiles at 0.8
    assert found(tiled, truth) >= 0.8 * len(truth)
    assert found(tiled, truth) > found(whole, truth)


def test_a_camera_and_detect_propose_in_the_tiles_the_camera_sets(
    wide: tuple[np.ndarray, np.ndarray],
) -> None:
    img, _ = wide
    det = HelmetDetector()
    for tile_px in (0, 720):
        cam = detect_camera(SAMPLE / "images", 1.0, persons=False, tile_px=tile_px)
        seen = CameraAnalyzer(cam, det).analyse(Frame(0.0, img, "wide", True))[0].detections
        assert seen == det.detect(img, tile_px), tile_px
