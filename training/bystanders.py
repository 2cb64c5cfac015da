"""Where the head of a person the labels do not mention would be, for mining the classifier's negatives.

The sfchd labels mark a photo's workers, not bystanders: on val, 3.5 % of the detector's proposals on
no labelled head lie on bare heads the labels omit (split/val_unlabelled_bare_heads.txt), and taught
as "not a head" they teach the classifier to doubt real bare heads. The person network was trained
elsewhere, so it knows nothing of these labels: a proposal in the top BYSTANDER_TOP of a person box
that holds no labelled head is left out of training (on val: 32 of those 68 proposals, at the cost of
2.8 % of the others; both constants were chosen there).
"""

from __future__ import annotations

import numpy as np

BYSTANDER_SCORE = 0.3
BYSTANDER_TOP = 0.35


def centres_in(boxes: np.ndarray, regions: np.ndarray) -> np.ndarray:
    """(len(boxes), len(regions)) whether each box's centre lies in each (x1, y1, x2, y2) region."""
    cx, cy = ((boxes[:, 0] + boxes[:, 2]) / 2)[:, None], ((boxes[:, 1] + boxes[:, 3]) / 2)[:, None]
    r = regions.reshape(-1, 4)
    return (cx >= r[:, 0]) & (cx <= r[:, 2]) & (cy >= r[:, 1]) & (cy <= r[:, 3])


def unlabelled_people(people: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The person boxes (x1, y1, x2, y2) that hold no labelled head's centre."""
    people = people.reshape(-1, 4)
    return people[~centres_in(truth.reshape(-1, 5), people).any(0)]


def bystander_zones(people: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The top BYSTANDER_TOP of each person box holding no labelled head: where its unlabelled head is."""
    z = unlabelled_people(people, truth).copy()
    z[:, 3] = z[:, 1] + BYSTANDER_TOP * (z[:, 3] - z[:, 1])
    return z


def on_bystanders(boxes: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Which `boxes` have their centre in one of the `bystander_zones`."""
    return np.asarray(centres_in(boxes, zones).any(1))
