"""The shipped hard-hat models on real held-out photos (test part of the split, CC BY 4.0 sample).

What a supervisor checks: bare heads in a labelled photo are found, helmeted heads are not
called bare, by the default card and by the far-field card a camera may choose instead (the cap
photos are close-ups, the ones it is weaker on: there it must raise no false alarm and find half
the helmets). The sample is 8 photos; the accuracy figures per folder are in docs/vision.md.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.vision.conftest import load
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector
from vision.metrics import match
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL


@pytest.fixture(scope="module", params=[DEFAULT_MODEL, FAR_FIELD_MODEL], ids=["default", "far_field"])
def det(request: pytest.FixtureRequest) -> HelmetDetector:
    return HelmetDetector(request.param)


def _found(det: HelmetDetector, name: str, label: str, truth_class: int) -> tuple[int, int]:
    img, truth = load(name)
    p = np.array([[*d.box, d.score, CLASSES.index(d.label)] for d in det.detect(img) if d.label == label])
    t = truth[truth[:, 4] == truth_class]
    return int(match(p.reshape(-1, 6), t).sum()), len(t)


@pytest.mark.parametrize("name", ["000160.jpg", "000303.jpg", "hard_hat_workers0.jpg"])
def test_bare_heads_in_a_labelled_photo_are_found(det: HelmetDetector, name: str) -> None:
    hit, n = _found(det, name, "no_helmet", 1)
    assert hit >= n // 2, f"{name}: {hit} of {n} bare heads found"


@pytest.mark.parametrize("name", ["000702.jpg", "000848.jpg", "000930.jpg", "hard_hat_workers1045.jpg"])
def test_helmeted_heads_are_found_and_not_called_bare(
    det: HelmetDetector, name: str, request: pytest.FixtureRequest
) -> None:
    flagged, n = _found(det, name, "no_helmet", 0)
    assert flagged == 0, f"{name}: {flagged} of {n} helmeted heads called bare"
    hit, _ = _found(det, name, "helmet", 0)
    # the far-field card on a close-up (the cap photos, 000702 to 000930) must raise no false alarm, and
    # finds fewer of its helmets: its weak side, measured per folder in docs/vision.md (cap's test helmets
    # AP50 0.74 against the default card's 0.91); on a site camera's frame it is held to the default's bound
    far_field = request.node.callspec.params["det"] == FAR_FIELD_MODEL
    close_up_far_field = far_field and not name.startswith("hard_hat_workers")
    assert hit >= (0.5 if close_up_far_field else 0.75) * n, f"{name}: {hit} of {n} helmets found"


def test_model_card_thresholds_were_chosen_on_validation(det: HelmetDetector) -> None:
    assert set(det.card.thresholds) == {"helmet", "no_helmet"}
    assert all(0 < v < 1 for v in det.card.thresholds.values())
