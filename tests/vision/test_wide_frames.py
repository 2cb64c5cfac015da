"""training.wide_frames: the wide frames the tiles are measured on keep every pixel and label of the real
frames they are made of (a measuring device, so it must not change what it measures)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from tests.vision.conftest import SAMPLE, load
from training.wide_frames import COLS, ROWS, mosaic, write
from vision.labels import read_yolo


def test_a_mosaic_keeps_each_frames_pixels_and_moves_its_heads_with_it() -> None:
    a, b = load("000160.jpg"), load("hard_hat_workers0.jpg")
    small = (a[0][:300, :500], a[1][(a[1][:, 2] <= 500) & (a[1][:, 3] <= 300)])  # a smaller frame, padded
    img, truth = mosaic([a, b, small], cols=2)
    assert img.shape == (1280, 1280, 3)  # cells of the largest frame, 640x640: 2 across, 2 down
    assert (img[:640, :640] == a[0]).all() and (img[:640, 640:] == b[0]).all()
    assert (img[640:940, :500] == small[0]).all() and not img[940:, :].any()  # padded black
    assert len(truth) == len(a[1]) + len(b[1]) + len(small[1])
    moved_b = truth[len(a[1]) : len(a[1]) + len(b[1])]
    assert np.allclose(moved_b[:, [0, 2]] - 640, b[1][:, [0, 2]]) and np.allclose(
        moved_b[:, [1, 3]], b[1][:, [1, 3]]
    )
    assert (moved_b[:, 4] == b[1][:, 4]).all()


def test_written_mosaics_read_back_as_the_same_pixels_and_boxes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "cap").mkdir(parents=True)
    (data / "cap" / "images").symlink_to(SAMPLE / "images")
    (data / "cap" / "labels").symlink_to(SAMPLE / "labels")
    ids = [f"cap/{p.name}" for p in sorted((SAMPLE / "images").iterdir())]
    assert write(data, ids, tmp_path / "wide") == len(ids) // (COLS * ROWS)  # the remainder is left out
    img = cv2.imread(str(tmp_path / "wide" / "images" / "wide_000.png"))
    assert img is not None
    want, truth = mosaic([load(Path(i).name) for i in ids[: COLS * ROWS]])
    assert np.array_equal(img, want)  # PNG: not one pixel re-encoded
    back = read_yolo(tmp_path / "wide" / "labels" / "wide_000.txt", img.shape[1], img.shape[0])
    assert np.allclose(back, truth, atol=0.01)
