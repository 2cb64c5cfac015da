"""training.card_diagnosis: where a false box lies and how a box differs from its label, by the rules its
docstring states, on boxes worked out by hand (a 20x20 head at (100, 100): a box shifted by 5 px overlaps
it at IoU 0.6, by 8 px at 0.43, by 12 px at 0.25), and hats of known colours painted in BGR."""

from __future__ import annotations

import numpy as np
import pytest

from training.card_diagnosis import box_style, hat_colour, nearest, where

HEAD = np.array([100, 100, 120, 120, 0], np.float32)  # a hard hat (class 0)
NO_ZONES = np.zeros((0, 4), np.float32)


def box(dx: float, cls: int = 0) -> np.ndarray:
    return np.array([100 + dx, 100, 120 + dx, 120, 0.9, cls], np.float32)


@pytest.mark.parametrize(
    ("shift", "cls", "expected"),
    [
        (5, 0, None),  # on the head, its class: found, not false
        (5, 1, "other class"),
        (8, 0, "loose box"),
        (12, 0, "no head"),
    ],
)
def test_a_box_is_placed_by_its_overlap_with_the_labels(shift: float, cls: int, expected: str | None) -> None:
    assert where(box(shift, cls), HEAD[None], NO_ZONES) == expected


def test_a_box_on_no_label_in_an_unlabelled_persons_head_zone_is_told_apart() -> None:
    zones = np.array([[200, 90, 260, 140]], np.float32)
    assert where(box(120), HEAD[None], zones) == "unlabelled person"
    assert where(box(120), np.zeros((0, 5), np.float32), NO_ZONES) == "no head"


def test_the_nearest_box_is_of_the_heads_class() -> None:
    passed = np.stack([box(5, cls=1), box(8)])
    iou, best = nearest(HEAD, passed)
    assert best is not None and best[0] == 108 and round(iou, 2) == 0.43
    assert nearest(HEAD, passed[:1]) == (0.0, None)


def test_box_style_is_height_and_width_over_the_labels_and_the_centre_lower_in_label_heights() -> None:
    taller = np.array([100, 100, 120, 126, 0.9, 0], np.float32)  # 26 high, 20 wide, centre 3 px lower
    assert box_style(HEAD, taller) == pytest.approx((1.3, 1.0, 0.15))


@pytest.mark.parametrize(
    ("bgr", "expected"),
    [
        ((240, 240, 240), "white/grey"),
        ((0, 220, 240), "yellow"),
        ((0, 0, 220), "red"),
        ((0, 120, 250), "orange"),
        ((220, 60, 0), "blue"),
        ((20, 20, 20), "dark"),
    ],
)
def test_the_hat_colour_is_read_from_the_top_third_of_the_box(
    bgr: tuple[int, int, int], expected: str
) -> None:
    img = np.zeros((200, 200, 3), np.uint8)
    img[100:107, 100:121] = bgr  # the top third of HEAD; the face under it is black
    assert hat_colour(img, HEAD) == expected
