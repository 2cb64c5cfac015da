"""Which train photos a detector's step draws: how much more often a photo with a bare head is drawn
(``--bare-oversample``), and a photo of a named data folder (``--folder-oversample``, round 15: the close-up
folders, whose helmets a detector trained for the far heads lost); and which crops a classifier's step draws
(training.classifier ``--folder-oversample``: a folder's crops more often within their class).

No torch here: the weights are worked out and checked without the training extra.
"""

from __future__ import annotations

import numpy as np

from training import split

MAX_FACTOR = 100.0  # beyond it one folder would be nearly all a run sees


def parse_oversample(text: str) -> dict[str, float]:
    """``--folder-oversample``'s ``FOLDER=FACTOR`` list ("cap=3,sfchd=3"; empty: none) as {folder: factor}; a part
    that is not one is refused, naming it and what is expected."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in split.SETS:
            raise ValueError(
                f"--folder-oversample {part!r}: expected FOLDER=FACTOR, FOLDER one of {', '.join(split.SETS)}"
            )
        try:
            factor = float(value)
        except ValueError:
            raise ValueError(f"--folder-oversample {part!r}: {value.strip()!r} is not a number") from None
        if not 0 < factor <= MAX_FACTOR:
            raise ValueError(
                f"--folder-oversample {part!r}: the factor must be above 0 and at most {MAX_FACTOR:g}"
            )
        out[name] = factor
    return out


def draw_weights(
    ids: list[str], bare: list[bool], bare_oversample: float, folders: dict[str, float]
) -> np.ndarray:
    """Each train photo's chance to be drawn at a step (they sum to 1): ``bare_oversample`` for a photo with a bare
    head (``bare``), times its folder's factor in ``folders`` (ids are ``FOLDER/FILE``; a folder not named: 1)."""
    weights = np.array(
        [
            (bare_oversample if b else 1.0) * folders.get(i.split("/", 1)[0], 1.0)
            for i, b in zip(ids, bare, strict=True)
        ]
    )
    weights /= weights.sum()
    return weights


def crop_weights(
    by_class: list[np.ndarray], origin: np.ndarray, ids: list[str], folders: dict[str, float]
) -> list[np.ndarray] | None:
    """Per class, the cumulative draw weights of its crops when a crop of a named data folder is drawn
    ``folders[FOLDER]`` times as often as another of its class (None: no folder named, every crop alike)."""
    if not folders:
        return None
    photo = draw_weights(ids, [False] * len(ids), 1.0, folders)
    return [np.cumsum(photo[origin[b]]) for b in by_class]


def draw_crops(
    rng: np.random.Generator, by_class: list[np.ndarray], cls: np.ndarray, cumulative: list[np.ndarray] | None
) -> np.ndarray:
    """One batch's crop indices, a crop of class ``cls[k]`` for each k: alike within a class, or by
    ``cumulative`` (crop_weights)."""
    if cumulative is None:  # the draws every run before --folder-oversample made, one by one
        return np.array([rng.choice(by_class[c]) for c in cls])
    out = np.empty(len(cls), np.int64)
    for k, c in enumerate(cls):
        cum = cumulative[c]
        out[k] = by_class[c][
            min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(cum) - 1)
        ]
    return out
