"""The bootstrap spread of AP50 (vision/metrics.py): what `sitegw vision eval` and training.evaluate print
beside each figure so that a difference between two cards can be told from the luck of the images drawn.

The detections here are made up from the truth boxes with a seeded generator (found heads moved a little,
missed heads left out, false boxes added), so the AP of each image set is known to be neither 0 nor 1."""

from __future__ import annotations

import numpy as np
import pytest

from vision.metrics import Evaluator, Spread, bootstrap_ap50

CLASSES = ("helmet", "no_helmet")


def _image(rng: np.random.Generator, found: float) -> tuple[np.ndarray, np.ndarray]:
    """One image's truth heads and detections: each head found with probability `found`, two false boxes."""
    n = int(rng.integers(1, 6))
    xy = rng.uniform(0, 600, (n, 2))
    truth = np.concatenate([xy, xy + 30, rng.integers(0, 2, (n, 1))], 1).astype(np.float32)
    keep = rng.random(n) < found
    hit = truth[keep].copy()
    hit[:, :4] += rng.uniform(-3, 3, (len(hit), 4))
    hits = np.concatenate([hit[:, :4], rng.uniform(0.3, 1, (len(hit), 1)), hit[:, 4:]], 1)
    fxy = rng.uniform(700, 900, (2, 2))
    false = np.concatenate([fxy, fxy + 30, rng.uniform(0, 0.8, (2, 1)), rng.integers(0, 2, (2, 1))], 1)
    return np.concatenate([hits, false]).astype(np.float32), truth


def _evaluator(images: list[tuple[np.ndarray, np.ndarray]]) -> Evaluator:
    ev = Evaluator(CLASSES)
    for pred, truth in images:
        ev.add(pred, truth)
    return ev


def _images(n: int, found: float, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [_image(rng, found) for _ in range(n)]


def test_a_resample_scores_as_the_images_it_draws_added_that_many_times() -> None:
    images = _images(40, 0.7, 1)
    ev = _evaluator(images)
    plain = [r.ap50 for r in ev.result({})]
    assert min(plain) > 0.2 and max(plain) < 0.95
    every_once = np.arange(40)[None]
    assert np.allclose(ev.resampled_ap50(every_once)[0], plain)
    draw = np.array([[0, 0, 0, 5, 7, 7, 12, 39, 39, 20]])
    spelt_out = _evaluator([images[i] for i in draw[0]])
    assert np.allclose(ev.resampled_ap50(draw)[0], [r.ap50 for r in spelt_out.result({})])


def test_the_spread_narrows_as_the_part_grows_and_holds_the_figure() -> None:
    small, large = _evaluator(_images(40, 0.7, 2)), _evaluator(_images(640, 0.7, 3))
    spreads = []
    for ev in (small, large):
        samples = bootstrap_ap50([ev], 400, seed=0)[:, 0, 1]
        spread = Spread.of(samples)
        assert spread.low < ev.result({})[1].ap50 < spread.high
        spreads.append(spread.std)
    # the standard error of a mean falls as one over the square root of the images: 16x the images, ~1/4
    assert 0.15 < spreads[1] / spreads[0] < 0.4, spreads


def test_paired_resamples_cancel_what_two_cards_share() -> None:
    images = _images(200, 0.7, 4)
    same = bootstrap_ap50([_evaluator(images), _evaluator(images)], 200)
    assert np.array_equal(same[:, 0], same[:, 1])  # one card against itself: no difference, every draw
    rng = np.random.default_rng(5)
    # a second card that loses a quarter of the heads the first finds, on the same images
    worse = [(p[(p[:, 4] < 0.3) | (rng.random(len(p)) > 0.25)], t) for p, t in images]
    both = bootstrap_ap50([_evaluator(images), _evaluator(worse)], 400)
    diff = both[:, 0] - both[:, 1]
    assert (Spread.of(diff[:, 0]).low > 0) and (Spread.of(diff[:, 1]).low > 0)
    # pairing: the difference varies less than either card's own figure does
    assert diff[:, 0].std() < both[:, 0, 0].std()


def test_resamples_of_different_images_are_refused() -> None:
    a, b = _evaluator(_images(10, 0.7, 6)), _evaluator(_images(11, 0.7, 6))
    with pytest.raises(ValueError, match="same images"):
        bootstrap_ap50([a, b], 10)
