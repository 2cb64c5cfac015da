"""The shipped hard-hat card on real held-out photos (test part of the split, CC BY 4.0 sample of cap).

What a supervisor checks: bare heads in a labelled photo are found and helmeted heads are not called bare. The
card boxes a helmeted head, hard hat and face; cap's labels box only the hat, so its
helmets are matched against the heads under them (tests/vision/conftest.py). The sample is 8 photos; the
accuracy figures per folder are in docs/vision.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.vision.conftest import load
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector
from vision.metrics import match
from vision.model_files import DEFAULT_MODEL


@pytest.fixture(scope="module")
def det() -> HelmetDetector:
    return HelmetDetector(DEFAULT_MODEL)


def _found(det: HelmetDetector, name: str, label: str, truth_class: int) -> tuple[int, int]:
    img, truth = load(name, heads=True)
    p = np.array([[*d.box, d.score, CLASSES.index(d.label)] for d in det.detect(img) if d.label == label])
    t = truth[truth[:, 4] == truth_class]
    return int(match(p.reshape(-1, 6), t).sum()), len(t)


@pytest.mark.parametrize("name", ["000160.jpg", "000303.jpg", "hard_hat_workers0.jpg"])
def test_bare_heads_in_a_labelled_photo_are_found(det: HelmetDetector, name: str) -> None:
    hit, n = _found(det, name, "no_helmet", 1)
    assert hit >= n // 2, f"{name}: {hit} of {n} bare heads found"


@pytest.mark.parametrize("name", ["000702.jpg", "000848.jpg", "000930.jpg", "hard_hat_workers1045.jpg"])
def test_helmeted_heads_are_found_and_not_called_bare(det: HelmetDetector, name: str) -> None:
    flagged, n = _found(det, name, "no_helmet", 0)
    assert flagged == 0, f"{name}: {flagged} of {n} helmeted heads called bare"
    hit, _ = _found(det, name, "helmet", 0)
    assert hit >= 0.75 * n, f"{name}: {hit} of {n} helmets found"


def test_model_card_thresholds_were_chosen_on_validation(det: HelmetDetector) -> None:
    assert set(det.card.thresholds) == {"helmet", "no_helmet"}
    assert all(0 < v < 1 for v in det.card.thresholds.values())
