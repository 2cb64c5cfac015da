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

from tests.vision.conftest import load
from vision.detectors.helmet import DEFAULT_MODEL, NOT_HEAD, HelmetDetector
from vision.labels import read_yolo
from vision.metrics import match
from vision.train import split

# SITEGW_HELMET_DATA, else ../shared beside the checkout, else this workplace's shared folder (a CI
# clone may live elsewhere than the working checkout)
_CANDIDATES = [Path(p) for p in (os.environ.get("SITEGW_HELMET_DATA"),) if p] + [
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "helmet", Path("/work/shared/data/helmet")]
DATA = next((p for p in _CANDIDATES if (p / "cap").is_dir()), _CANDIDATES[0])
N_PHOTOS = 12
Photos = list[tuple[np.ndarray, np.ndarray]]  # (image, head boxes x1, y1, x2, y2, class)
needs_data = pytest.mark.skipif(not (DATA / "cap").is_dir(),
                                reason=f"hard-hat data {DATA} absent (see vision/train/split.py)")


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
    probs = det.classify(img, cands)
    assert len(cands) >= 2 and probs.shape == (len(cands), NOT_HEAD + 1)
    assert np.allclose(probs.sum(1), 1.0, atol=1e-4) and (probs >= 0).all()
    assert det.classify(img, cands[:0]).shape == (0, NOT_HEAD + 1)


def test_missing_classifier_is_an_error_naming_the_file_and_how_to_train_it(tmp_path: Path) -> None:
    for f in (DEFAULT_MODEL, DEFAULT_MODEL.with_suffix(".json")):
        shutil.copy(f, tmp_path / f.name)
    with pytest.raises(FileNotFoundError, match=r"helmet_cls\.onnx.*vision\.train\.classifier"):
        HelmetDetector(tmp_path / DEFAULT_MODEL.name)


@needs_data
def test_labelled_heads_are_classified_as_labelled(det: HelmetDetector, bare_head_photos: Photos) -> None:
    bare, hatted = [], []
    for img, truth in bare_head_photos:
        cls = det.classify(img, truth).argmax(1)
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
