"""training.classifier's round-8 and round-12 options: `--card-proposals` mines and scores val on exactly
the boxes the shipped check hands its classifier (the detector's card: input, mirror pass, floor, most
candidates), mining every `--detector` given and scoring val with the first; `--bare-share` sets the bare
heads' share of a batch while the other classes keep their proportions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("torch", reason="torch is in the train extra")

from training.classifier import CLASS_DRAW_REFINE, class_draw, proposers
from vision.detectors.helmet import HelmetDetector, ModelCard
from vision.images import read_image
from vision.model_files import DEFAULT_MODEL

PHOTOS = Path(__file__).resolve().parents[2] / "vision" / "demo" / "cap" / "images"


def test_card_proposals_are_the_boxes_the_shipped_check_classifies() -> None:
    mine_with, val_with, power = proposers([DEFAULT_MODEL], card_proposals=True)
    shipped = HelmetDetector(DEFAULT_MODEL)
    assert power == ModelCard.for_model(DEFAULT_MODEL).classifier.det_power
    wide = cv2.resize(read_image(PHOTOS / "000702.jpg"), (1280, 720))  # a camera frame: tiles and whole
    for img in (read_image(PHOTOS / "000303.jpg"), read_image(PHOTOS / "hard_hat_workers0.jpg"), wide):
        want = shipped.candidates(img)
        assert len(want) > 0
        np.testing.assert_array_equal(val_with(img), want)
        # the mined crops hold those very boxes (and input 384's besides)
        assert any(len(p(img)) == len(want) and np.array_equal(p(img), want) for p in mine_with)


def test_several_detectors_are_all_mined_and_val_is_the_first_detectors_card(tmp_path: Path) -> None:
    # round 12: a classifier can learn the boxes of two detectors' cards; here a second card of the shipped
    # networks that proposes without the mirror pass and weighs the detector otherwise
    other = tmp_path / "other.onnx"
    shutil.copy(DEFAULT_MODEL, other)
    card = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())
    card["classifier"].update(flip=False, det_power=2.0, candidate_floor=0.2)
    other.with_suffix(".json").write_text(json.dumps(card))
    shutil.copy(DEFAULT_MODEL.parent / card["classifier"]["model"], tmp_path / card["classifier"]["model"])
    mine_with, val_with, power = proposers([other, DEFAULT_MODEL], card_proposals=True)
    first, default = HelmetDetector(other), HelmetDetector(DEFAULT_MODEL)
    assert power == first.card.classifier.det_power != default.card.classifier.det_power
    img = read_image(PHOTOS / "hard_hat_workers0.jpg")
    assert not np.array_equal(first.candidates(img), default.candidates(img))
    np.testing.assert_array_equal(val_with(img), first.candidates(img))
    mined = [p(img) for p in mine_with]
    for want in (first.candidates(img), default.candidates(img)):
        assert any(len(m) == len(want) and np.array_equal(m, want) for m in mined)
    assert len(mine_with) == 4  # each detector's card proposals and its input 384's


def test_default_proposals_are_rounds_3_to_7s() -> None:
    mine_with, val_with, power = proposers([DEFAULT_MODEL], card_proposals=False)
    assert [(p.size, p.floor, p.flip) for p in mine_with] == [(384, 0.1, False), (576, 0.1, False)]
    assert (val_with.size, val_with.flip, power) == (480, False, 0.5)


def test_bare_share_takes_from_the_other_classes_in_proportion() -> None:
    draw = class_draw(refine=True, bare_share=0.3)
    assert draw[1] == pytest.approx(0.3)
    assert sum(draw) == pytest.approx(1.0)
    # helmet : not a head : box-only stays 30 : 30 : 15
    assert np.array(draw)[[0, 2, 3]] / draw[0] == pytest.approx([1.0, 1.0, 0.5])
    assert class_draw(refine=True) == pytest.approx(CLASS_DRAW_REFINE)


@pytest.mark.parametrize("share", [0.0, 1.0, 30.0])
def test_a_bare_share_outside_0_to_1_is_refused_naming_the_option(share: float) -> None:
    with pytest.raises(SystemExit, match="--bare-share"):
        class_draw(refine=True, bare_share=share)
