"""Reading a picture file, with an error that names it when it is not one OpenCV can read."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def read_image(path: Path | str) -> np.ndarray:
    """The BGR image in ``path``; ValueError naming the file when it is missing or not a readable image
    (cv2.imread answers None for both)."""
    img = cv2.imread(str(path))
    if img is None:
        raise ValueError(f"{path}: not an image OpenCV can read (missing, unreadable or not JPEG/PNG/BMP)")
    return img
