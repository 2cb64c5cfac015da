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


def unlabelled_people(people: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The person boxes (x1, y1, x2, y2) that hold no labelled head's centre."""
    if len(truth) == 0:
        return people.reshape(-1, 4)
    hx, hy = (truth[:, 0] + truth[:, 2]) / 2, (truth[:, 1] + truth[:, 3]) / 2
    inside = ((hx[None] >= people[:, :1]) & (hx[None] <= people[:, 2:3])
              & (hy[None] >= people[:, 1:2]) & (hy[None] <= people[:, 3:4]))
    return people[~inside.any(1)].reshape(-1, 4)


def on_bystanders(boxes: np.ndarray, truth: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Which `boxes` have their centre in the top BYSTANDER_TOP of a person box holding no labelled head."""
    bx, by = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    hit = np.zeros(len(boxes), bool)
    for x1, y1, x2, y2 in unlabelled_people(people, truth):
        hit |= (bx >= x1) & (bx <= x2) & (by >= y1) & (by <= y1 + BYSTANDER_TOP * (y2 - y1))
    return hit
