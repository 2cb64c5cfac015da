"""training.loss_analysis: each labelled head gets the fate its boxes give it, by the rule its docstring
states (IoU >= 0.5 for a passing box or a proposal, 0.3 for a loose one). The boxes here are worked out
by hand: a 20x20 head at (100, 100); a box shifted by 5 px overlaps it at IoU 15*20/(2*400-300) = 0.6,
one shifted by 8 px at 12*20/(800-240) = 0.43, one shifted by 12 px at 8*20/(800-160) = 0.25."""

from __future__ import annotations

import numpy as np
import pytest

from training.loss_analysis import bucket, fate

HEAD = np.array([100, 100, 120, 120, 1], np.float32)  # a bare head (class 1)


def box(dx: float, score: float = 0.9, cls: int = 1) -> list[float]:
    return [100 + dx, 100, 120 + dx, 120, score, cls]


def rows(*boxes: list[float]) -> np.ndarray:
    return np.array(boxes, np.float32).reshape(-1, 6)


@pytest.mark.parametrize(
    ("cands", "passed", "expected"),
    [
        (rows(box(5)), rows(box(5)), "found"),
        (rows(box(5)), rows(box(5, cls=0)), "wrong class"),
        (rows(box(5)), rows(box(5, cls=0), box(5)), "found"),  # one box of its class at the head is enough
        (rows(box(5)), rows(), "rejected"),
        (rows(box(5)), rows(box(12)), "rejected"),  # a passing box too far away does not count
        (rows(box(8)), rows(), "loose box"),
        (rows(box(12)), rows(), "never proposed"),
        (rows(), rows(), "never proposed"),
    ],
)
def test_each_head_gets_the_first_fate_that_applies(
    cands: np.ndarray, passed: np.ndarray, expected: str
) -> None:
    assert fate(HEAD, cands, passed) == expected


def test_heads_are_bucketed_by_their_height_at_the_detectors_input() -> None:
    # 20 px high: at input 576 of a 416 px frame it is 27.7 px; of a 1280 px frame, 9 px
    assert bucket(HEAD, 576 / 416) == "24-48"
    assert bucket(HEAD, 576 / 1280) == "0-12"
    assert bucket(HEAD, 3.0) == "48+"
