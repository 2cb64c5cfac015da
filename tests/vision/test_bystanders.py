"""Mining the hard-hat classifier's negatives: a proposal on the head of a person the labels do not
mention is left out, not taught as "not a head" (training.bystanders).

Real parts: the shipped person network on the shipped CC BY 4.0 demo photos, whose labels mark every
head. "A bystander" is made by leaving one head's label out, as the sfchd labels leave out people
who are not the photo's workers.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.vision.conftest import SAMPLE, load
from training.bystanders import BYSTANDER_SCORE, bystander_zones, on_bystanders, unlabelled_people
from vision.detectors.person import PersonDetector


@pytest.fixture(scope="module")
def people() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    det = PersonDetector(score_min=BYSTANDER_SCORE)
    out = {}
    for path in sorted((SAMPLE / "images").iterdir()):
        img, heads = load(path.name)
        out[path.name] = heads, np.array([d.box for d in det.detect(img)]).reshape(-1, 4)
    return out


def test_labelled_heads_are_never_taken_for_bystanders(
    people: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    for name, (heads, persons) in people.items():
        assert not on_bystanders(heads[:, :4], bystander_zones(persons, heads)).any(), name


def test_a_head_whose_label_is_left_out_is_a_bystander(
    people: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    flagged = alone = 0
    for heads, persons in people.values():
        for k in range(len(heads)):
            rest = np.delete(heads, k, 0)
            # only a person box holding no other labelled head can tell: in a crowd one box holds several
            if len(unlabelled_people(persons, rest)) == len(unlabelled_people(persons, heads)):
                continue
            alone += 1
            flagged += int(on_bystanders(heads[k : k + 1, :4], bystander_zones(persons, rest))[0])
    assert alone >= 10, alone
    assert flagged >= 0.8 * alone, f"{flagged} of {alone} unlabelled heads with their own person box flagged"


def test_the_ground_and_sky_around_people_are_not_bystanders(
    people: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    heads, persons = people["000702.jpg"]
    lonely = unlabelled_people(persons, heads[:0])
    w = (lonely[:, 2] - lonely[:, 0])[:, None]
    h = (lonely[:, 3] - lonely[:, 1])[:, None]
    # boxes centred on each person's feet, and above the person box
    feet = np.hstack([lonely[:, :1], lonely[:, 3:4] - 0.2 * h, lonely[:, 2:3], lonely[:, 3:4]])
    above = np.hstack([lonely[:, :1], lonely[:, 1:2] - 0.4 * h, lonely[:, 2:3], lonely[:, 1:2] - 0.1 * h])
    assert len(lonely) and w.min() > 0
    assert not on_bystanders(np.vstack([feet, above]), bystander_zones(persons, heads[:0])).any()
