"""Which train photos a detector's step draws (training/sampling.py): a photo with a bare head and a photo of a
folder the run names (``--folder-oversample``, the close-up folders round 15's far-field detector lost) drawn as
many times more often as asked, every other photo alike; a wrong list refused, saying what is wrong. And which
crops a classifier's step draws: a named folder's crops as many times more often within their class."""

from __future__ import annotations

import numpy as np
import pytest

from training.sampling import crop_weights, draw_crops, draw_weights, parse_oversample

IDS = ["cap/1.jpg", "cap/2.jpg", "hhwraw/3.jpg", "hhwraw/4.jpg", "sfchd/5.jpg", "hhw/6.jpg"]
BARE = [False, True, False, True, False, False]


def test_a_named_folder_and_a_bare_head_each_multiply_a_photos_chance() -> None:
    weights = draw_weights(IDS, BARE, 3.0, parse_oversample("cap=2, sfchd=4"))
    assert weights.sum() == pytest.approx(1.0)
    plain = weights[2]  # hhwraw, no bare head
    assert weights / plain == pytest.approx([2, 6, 1, 3, 4, 1])  # cap x2, bare x3, both x6, sfchd x4
    # drawn as the run draws them (rng.choice with p): the close-up folders come as often as their weight says
    drawn = np.random.default_rng(0).choice(len(IDS), 60_000, p=weights)
    share = np.bincount(drawn, minlength=len(IDS)) / len(drawn)
    assert share == pytest.approx(weights, abs=0.01)


def test_no_folder_named_draws_as_before() -> None:
    # a run's recipe written before the option existed keeps its draws (its rebuild is bit for bit)
    before = np.array([3.0 if b else 1.0 for b in BARE])
    before /= before.sum()
    assert np.array_equal(draw_weights(IDS, BARE, 3.0, parse_oversample("")), before)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("closeups=3", "FOLDER one of cap, sfchd, hhw, hhwraw"),
        ("cap3", "expected FOLDER=FACTOR"),
        ("cap=three", "'three' is not a number"),
        ("cap=0", "above 0 and at most 100"),
        ("sfchd=1000", "above 0 and at most 100"),
    ],
)
def test_a_wrong_list_is_refused_naming_the_part(text: str, said: str) -> None:
    with pytest.raises(ValueError, match="--folder-oversample") as caught:
        parse_oversample(text)
    assert said in str(caught.value) and repr(text.split(",")[0]) in str(caught.value)


def test_a_classifiers_draws_take_a_named_folders_crops_more_often_within_their_class() -> None:
    # crops of the six photos: photo k gave k + 1 crops; classes alternate helmet / no_helmet
    origin = np.concatenate([np.full(k + 1, k) for k in range(len(IDS))])
    label = np.arange(len(origin)) % 2
    by_class = [np.nonzero(label == c)[0] for c in (0, 1)]
    cumulative = crop_weights(by_class, origin, IDS, parse_oversample("cap=3"))
    assert cumulative is not None
    rng = np.random.default_rng(1)
    cls = np.zeros(40_000, np.int64)  # helmets only: a batch's class shares stay the run's own
    drawn = draw_crops(rng, by_class, cls, cumulative)
    assert (label[drawn] == 0).all()
    weight = np.where(np.char.startswith(np.array(IDS)[origin[by_class[0]]], "cap/"), 3.0, 1.0)
    expected = weight / weight.sum()
    share = np.bincount(np.searchsorted(by_class[0], drawn), minlength=len(by_class[0])) / len(drawn)
    assert share == pytest.approx(expected, abs=0.01)
    # no folder named: every crop of a class alike, drawn as every run before the option drew them
    assert crop_weights(by_class, origin, IDS, {}) is None
    before = np.random.default_rng(2)
    plain = draw_crops(np.random.default_rng(2), by_class, cls[:50], None)
    assert (plain == np.array([before.choice(by_class[0]) for _ in range(50)])).all()
