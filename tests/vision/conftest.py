"""Fixtures of the vision tests: the small sample of real, held-out, CC BY 4.0 photos shipped for the demo."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.labels import read_yolo

SAMPLE = Path(__file__).resolve().parents[2] / "vision" / "demo" / "cap"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """Folder with images/ and labels/ (8 photos from the test part of the split)."""
    return SAMPLE


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A sample photo and its head boxes (x1, y1, x2, y2, class) in pixels."""
    img = cv2.imread(str(SAMPLE / "images" / name))
    assert img is not None, name
    return img, read_yolo(SAMPLE / "labels" / (Path(name).stem + ".txt"), img.shape[1], img.shape[0])
