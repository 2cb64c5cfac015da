"""The hard-hat check's second stage, the head crop classifier, as a user would check it.

The photos are the first images (by name) of the committed test split that hold a labelled bare
head, read from ../shared/data/helmet (never copied into the project); those tests skip when the
data folder is absent. The accuracy figures themselves are in docs/vision.md (296 test images).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.vision.conftest import SAMPLE, load
from training import split
from vision.detectors.centernet import iou_one_to_many
from vision.detectors.helmet import NOT_HEAD, PAD_GREY, HelmetDetector, box_deltas, head_crops, refined_boxes
from vision.labels import read_yolo
from vision.metrics import match
from vision.model_files import DEFAULT_MODEL

# SITEGW_HELMET_DATA, else ../shared beside the checkout, else this workplace's shared folder (a CI
# clone may live elsewhere than the working checkout)
_CANDIDATES = [Path(p) for p in (os.environ.get("SITEGW_HELMET_DATA"),) if p] + [
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "helmet",
    Path("/work/shared/data/helmet"),
]
DATA = next((p for p in _CANDIDATES if (p / "cap").is_dir()), _CANDIDATES[0])
N_PHOTOS = 12
Photos = list[tuple[np.ndarray, np.ndarray]]  # (image, head boxes x1, y1, x2, y2, class)
needs_data = pytest.mark.skipif(
    not (DATA / "cap").is_dir(), reason=f"hard-hat data {DATA} absent (see training/split.py)"
)


@pytest.fixture(scope="module")
def det() -> HelmetDetector:
    return HelmetDetector()


@pytest.fixture(scope="module")
def bare_head_photos() -> Photos:
    """(image, head boxes) of the first test-split photos with a labelled bare head."""
    out = []
    for i in split.load("test"):
        img = cv2.imread(str(split.image_path(DATA, i)))
        truth = read_yolo(split.label_path(DATA, i), img.shape[1], img.shape[0])
        if (truth[:, 4] == 1).any():
            out.append((img, truth))
        if len(out) == N_PHOTOS:
            break
    return out


def test_classifier_runs_in_onnxruntime_batched_and_gives_probabilities(det: HelmetDetector) -> None:
    img, _ = load("hard_hat_workers0.jpg")
    cands = det.candidates(img)
    out = det.classify(img, cands)
    # the shipped classifier also places each proposal's head (trained with --refine): a box in the frame
    assert len(cands) >= 2 and out.shape == (len(cands), NOT_HEAD + 1 + 4)
    probs, heads = out[:, : NOT_HEAD + 1], out[:, NOT_HEAD + 1 :]
    assert np.allclose(probs.sum(1), 1.0, atol=1e-4) and (probs >= 0).all()
    assert (
        (heads[:, :2] >= 0).all()
        and (heads[:, 2] <= img.shape[1]).all()
        and (heads[:, 3] <= img.shape[0]).all()
    )
    assert (heads[:, 2:] > heads[:, :2]).all()
    assert len(det.classify(img, cands[:0])) == 0


def test_box_deltas_and_refined_boxes_are_inverse() -> None:
    rng = np.random.default_rng(3)
    boxes = np.concatenate([rng.uniform(0, 600, (50, 2)), rng.uniform(0, 600, (50, 2))], 1)
    boxes[:, 2:] = boxes[:, :2] + rng.uniform(8, 120, (50, 2))
    heads = boxes + rng.uniform(-10, 10, (50, 4))
    back = refined_boxes(boxes, box_deltas(boxes, heads, 1.6), 1.6)
    assert np.abs(back - heads).max() < 1e-3


@needs_data
def test_a_box_off_a_labelled_head_is_moved_onto_it(det: HelmetDetector, bare_head_photos: Photos) -> None:
    """The detector's near misses (IoU 0.3-0.5 with the head) would count as a false and a missed head;
    the classifier's box output pulls them onto the head. Here every labelled head's box is pushed a
    quarter of its size right and down and made 1.3x larger, then refined."""
    before, after = [], []
    for img, truth in bare_head_photos:
        w, h = truth[:, 2] - truth[:, 0], truth[:, 3] - truth[:, 1]
        cx, cy = (truth[:, 0] + truth[:, 2]) / 2 + 0.25 * w, (truth[:, 1] + truth[:, 3]) / 2 + 0.25 * h
        off = np.stack([cx - 0.65 * w, cy - 0.65 * h, cx + 0.65 * w, cy + 0.65 * h], 1)
        moved = det.classify(img, off)[:, NOT_HEAD + 1 :]  # the heads' boxes in frame pixels
        for t, a, b in zip(truth, off, moved, strict=False):
            before.append(iou_one_to_many(t[:4], a[None])[0])
            after.append(iou_one_to_many(t[:4], b[None])[0])
    before_ok, after_ok = np.mean(np.array(before) >= 0.5), np.mean(np.array(after) >= 0.5)
    assert before_ok == 0 and after_ok >= 0.7, (
        f"heads at IoU >= 0.5: {before_ok:.2f} before, {after_ok:.2f} after"
    )


def test_missing_classifier_is_an_error_naming_the_file_and_how_to_train_it(tmp_path: Path) -> None:
    for f in (DEFAULT_MODEL, DEFAULT_MODEL.with_suffix(".json")):
        shutil.copy(f, tmp_path / f.name)
    with pytest.raises(FileNotFoundError, match=r"helmet_cls\.onnx.*training\.classifier"):
        HelmetDetector(tmp_path / DEFAULT_MODEL.name)


@needs_data
def test_labelled_heads_are_classified_as_labelled(det: HelmetDetector, bare_head_photos: Photos) -> None:
    bare, hatted = [], []
    for img, truth in bare_head_photos:
        cls = det.classify(img, truth)[:, : NOT_HEAD + 1].argmax(1)
        bare += cls[truth[:, 4] == 1].tolist()
        hatted += cls[truth[:, 4] == 0].tolist()
    assert np.mean(np.array(bare) == 1) >= 0.75, f"bare heads called bare: {bare}"
    assert np.mean(np.array(hatted) == 1) <= 0.05, f"helmets called bare: {hatted}"


@needs_data
def test_bare_heads_are_flagged_and_helmets_are_not(det: HelmetDetector, bare_head_photos: Photos) -> None:
    found = n_bare = flagged_helmets = n_helmets = 0
    for img, truth in bare_head_photos:
        bare = [[*d.box, d.score, 1] for d in det.detect(img) if d.label == "no_helmet"]
        flagged = np.array(bare).reshape(-1, 6)
        found += int(match(flagged, truth[truth[:, 4] == 1]).sum())
        n_bare += int((truth[:, 4] == 1).sum())
        flagged_helmets += int(match(flagged, truth[truth[:, 4] == 0]).sum())
        n_helmets += int((truth[:, 4] == 0).sum())
    assert found >= 0.6 * n_bare, f"{found} of {n_bare} bare heads flagged"
    assert flagged_helmets <= 0.05 * n_helmets, f"{flagged_helmets} of {n_helmets} helmets flagged as bare"


@pytest.mark.parametrize(
    "box",
    [(300.0, 200.0, 340.0, 250.0), (-8.0, 10.0, 30.0, 60.0), (600.0, 590.0, 650.0, 640.0)],
    ids=["inside", "past-the-left-edge", "past-the-bottom-right"],
)
def test_a_head_crop_is_the_square_around_the_box_at_full_resolution_grey_outside(
    box: tuple[float, float, float, float],
) -> None:
    # what the classifier was trained on (training/classifier.py cuts its crops with the same function): a square
    # of context x the box's longer side centred on it, from the frame as it came, the part past the frame grey
    frame, _ = load(sorted((SAMPLE / "images").iterdir())[0].name)
    context, side = 1.5, 64
    (got,) = head_crops(frame, np.array([box]), context, side)
    x1, y1, x2, y2 = box
    n = int(max(2, round(context * max(x2 - x1, y2 - y1, 1.0))))
    a, b = round((x1 + x2 - n) / 2), round((y1 + y2 - n) / 2)
    grey = np.full((frame.shape[0] + 2 * n, frame.shape[1] + 2 * n, 3), PAD_GREY, np.uint8)
    grey[n:-n, n:-n] = frame
    square = grey[b + n : b + 2 * n, a + n : a + 2 * n]
    want = cv2.resize(square, (side, side), interpolation=cv2.INTER_AREA if n > side else cv2.INTER_LINEAR)
    assert np.array_equal(got, want)
