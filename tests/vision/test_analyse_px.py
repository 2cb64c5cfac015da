"""A 1080p frame analysed scaled to 1280x720 (a camera's `analyse_px: 1280`, which a site may set to fit more
cameras on a box) finds the labelled heads of real site photos about as the full frame does, and the same people
(/work/shared/data/helmet; skipped where it is absent).

Each 1920x1080 frame is a mosaic of real photos at their own pixels, not scaled up: nine of `hhwraw/`
(building sites at medium and long range, native about 500x333, median head 31 px: a 1080p site camera's
far heads) or two of `sfchd/` (1200x800, nearer heads, where the default card serves). The checks run on
the mosaic and on the mosaic scaled to 1280x720 as a camera's reader scales it (vision.sources.scaled).
sfchd's helmet labels box only the hat and are grown to the head under it, as the card boxes a helmet
(tests/vision/conftest.py). Measured (2026-11-29, round 17's card): sfchd, 73 labelled heads: 71 found at
1080p, 68 at 720p; hhwraw, 683: 536 and 475 (11 % fewer: why every camera keeps its frames whole unless its
site asks).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from contract.config.camera import HELMET_TILE_PX
from tests.vision.conftest import HAT_LABEL_HEIGHT
from vision.detections import Detection
from vision.detectors.helmet import HelmetDetector
from vision.detectors.person import PersonDetector
from vision.labels import as_heads, read_yolo
from vision.sources import scaled

DATA = Path("/work/shared/data/helmet")
ANALYSE_PX = 1280  # the size docs/site/cameras.md offers: a 1080p stream analysed as 720p
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} (the hard-hat photo set) is not on this machine"),
]


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def matched(truth: list[tuple[float, ...]], found: list[Detection], s: float) -> int:
    """How many of ``truth`` (boxes with their label) one of ``found`` (boxes times ``s``) overlaps at IoU 0.5
    with the same label, each used once."""
    left = [(d.label, tuple(v * s for v in d.box)) for d in found]
    n = 0
    for t in truth:
        hit = next(
            (k for k, (label, box) in enumerate(left) if label == t[4] and iou(t[:4], box) >= 0.5), None
        )
        if hit is not None:
            left.pop(hit)
            n += 1
    return n


def mosaic(
    folder: str, files: list[Path], cols: int, rows: int
) -> tuple[np.ndarray, list[tuple[float, ...]]]:
    """A 1920x1080 frame of ``files`` at their own pixels, cropped to fit; its labelled heads wholly inside."""
    frame = np.full((1080, 1920, 3), 114, np.uint8)
    heads: list[tuple[float, ...]] = []
    cw, ch = 1920 // cols, 1080 // rows
    for i, f in enumerate(files):
        img = cv2.imread(str(f))
        assert img is not None, f
        part = img[:ch, :cw]
        y, x = (i // cols) * ch, (i % cols) * cw
        frame[y : y + part.shape[0], x : x + part.shape[1]] = part
        labels = read_yolo(DATA / folder / "labels" / (f.stem + ".txt"), img.shape[1], img.shape[0])
        if folder in HAT_LABEL_HEIGHT:  # a helmet as the card boxes it: the head under the hat
            labels = as_heads(labels, HAT_LABEL_HEIGHT[folder], img.shape[0])
        for x1, y1, x2, y2, c in labels:
            if c <= 1 and x2 <= part.shape[1] and y2 <= part.shape[0]:
                heads.append((x1 + x, y1 + y, x2 + x, y2 + y, ("helmet", "no_helmet")[int(c)]))
    return frame, heads


def found(folder: str, cols: int, rows: int, count: int, start: int) -> tuple[int, int, int]:
    """(labelled heads, found on the 1080p frames, found on them scaled to 720p) of ``count`` mosaics."""
    helmet = HelmetDetector()
    files = sorted((DATA / folder / "images").glob("*.jpg"))[start : start + cols * rows * count]
    truth = full = small = 0
    for k in range(count):
        frame, heads = mosaic(folder, files[k * cols * rows : (k + 1) * cols * rows], cols, rows)
        scaled_frame = scaled(frame, ANALYSE_PX)
        assert scaled_frame.shape[:2] == (720, 1280)
        truth += len(heads)
        full += matched(heads, helmet.detect(frame, HELMET_TILE_PX), 1.0)
        small += matched(heads, helmet.detect(scaled_frame, HELMET_TILE_PX), 1920 / 1280)
    return truth, full, small


def test_near_heads_are_found_on_the_frame_scaled_to_720p_as_at_1080p() -> None:
    truth, full, small = found("sfchd", 2, 1, 12, 100)
    assert truth >= 50 and full >= 0.8 * truth, (truth, full)
    assert small >= full - max(3, 0.05 * full), (truth, full, small)


def test_far_heads_lose_at_most_an_eighth_on_the_frame_scaled_to_720p() -> None:
    """What the default (every camera's frames whole) and the docs' 11 % rest on: far heads are found less
    often at 720p, though not much less; a bound, so a change that loses more is seen."""
    truth, full, small = found("hhwraw", 3, 3, 12, 200)
    assert truth >= 500 and full >= 0.5 * truth, (truth, full)
    assert full * 7 / 8 <= small <= full, (truth, full, small)


def test_people_found_at_1080p_are_found_on_the_frame_scaled_to_720p() -> None:
    """The person network sees the frame squeezed to 300x300 whatever its size: the same people."""
    persons = PersonDetector()
    files = sorted((DATA / "sfchd" / "images").glob("*.jpg"))[:24]
    full_n = both = 0
    for k in range(12):
        frame, _ = mosaic("sfchd", files[2 * k : 2 * k + 2], 2, 1)
        a, b = persons.detect(frame), persons.detect(scaled(frame, ANALYSE_PX))
        people = [(*d.box, d.label) for d in a]
        full_n, both = full_n + len(a), both + matched(people, b, 1920 / 1280)
    assert full_n >= 10 and both >= 0.9 * full_n, (full_n, both)
