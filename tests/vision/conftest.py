"""Fixtures of the vision tests: the small sample of real, held-out, CC BY 4.0 photos shipped for the demo."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from training.label_convention import HAT_TO_HEAD as HAT_LABEL_HEIGHT
from vision.labels import as_heads, read_yolo

SAMPLE = Path(__file__).resolve().parents[2] / "vision" / "demo" / "cap"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """Folder with images/ and labels/ (8 photos from the test part of the split)."""
    return SAMPLE


def load(name: str, heads: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A sample photo and its boxes (x1, y1, x2, y2, class) in pixels: as labelled (cap's helmets box only the
    hard hat), or with ``heads`` each helmet grown to the head under it, as the shipped card boxes it."""
    img = cv2.imread(str(SAMPLE / "images" / name))
    assert img is not None, name
    truth = read_yolo(SAMPLE / "labels" / (Path(name).stem + ".txt"), img.shape[1], img.shape[0])
    return img, as_heads(truth, HAT_LABEL_HEIGHT["cap"], img.shape[0]) if heads else truth
