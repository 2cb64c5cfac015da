"""YOLO label files (`class cx cy w h`, normalised) of the hard-hat data sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def read_yolo(path: Path, width: int, height: int, classes: tuple[int, ...] = (0, 1)) -> np.ndarray:
    """Boxes of the wanted classes as rows (x1, y1, x2, y2, class) in pixels; empty if no file.

    A malformed line raises ValueError naming the file and line, so a bad label set is noticed
    instead of silently scoring as 'no object'.
    """
    rows: list[list[float]] = []
    if not path.exists():
        return np.zeros((0, 5), np.float32)
    for n, line in enumerate(path.read_text().splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 5:
            raise ValueError(f"{path}:{n}: expected 'class cx cy w h', got {line!r}")
        c = int(float(parts[0]))
        if c not in classes:
            continue
        cx, cy, w, h = (float(p) for p in parts[1:])
        rows.append(
            [
                (cx - w / 2) * width,
                (cy - h / 2) * height,
                (cx + w / 2) * width,
                (cy + h / 2) * height,
                classes.index(c),
            ]
        )
    return np.array(rows, np.float32).reshape(-1, 5)


def as_heads(truth: np.ndarray, helmet_height: float, height: int) -> np.ndarray:
    """Helmet labels that box only the hard hat grown to the head under it: each helmet row's height times
    ``helmet_height``, its top kept, clipped to the image's ``height``; bare heads as they are.

    The data sets' stated convention is a head box, "the hard hat with the face under it"; some label sets
    box only the hat, and a detector drawing heads then misses their helmets at IoU 0.5 while finding them
    (training/label_convention.py measures a label set against the convention)."""
    out = truth.copy()
    hats = out[:, 4] == 0
    out[hats, 3] = np.minimum(out[hats, 1] + helmet_height * (out[hats, 3] - out[hats, 1]), height)
    return out


def list_images(folder: Path) -> list[Path]:
    """Image files of a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
