"""Reading a QR code back, as a phone's camera would, for the second factor's enrolment tests: OpenCV's
ArUco-based QR detector (opencv-python-headless, already the vision stack's) on a picture of the code. The
classic ``cv2.QRCodeDetector`` misreads about 1 in 80 valid codes (24 of 2,000 random secrets drawn at 8 pixels
a module, none of them by the ArUco detector), which failed CI once on a code segno drew correctly.

``svg_picture`` draws segno's SVG (one ``<path>`` of horizontal unit strokes: ``M x y`` then ``h``/``m``
steps) into pixels without using segno, so a test decodes what the regulator served, not what segno
would draw again."""

from __future__ import annotations

import re

import cv2
import numpy as np

_STEP = re.compile(r"([MmHhVv])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?")


def svg_picture(svg: str, pixels_per_module: int = 8) -> np.ndarray:
    """A grey-scale picture (dark modules 0, light 255) of the QR code in ``svg``; ValueError if it has no
    QR path."""
    size = re.search(r'<svg[^>]*\bwidth="(\d+)"', svg)
    scale = re.search(r'transform="scale\(([\d.]+)\)"', svg)
    path = re.search(r'<path[^>]*\sd="([^"]+)"', svg)
    if not (size and scale and path):
        raise ValueError("no segno QR path in this SVG")
    modules = round(int(size.group(1)) / float(scale.group(1)))
    grid = np.full((modules, modules), 255, np.uint8)
    x = y = 0.0
    for op, a, b in _STEP.findall(path.group(1)):
        if op in "Mm":
            dx, dy = float(a), float(b)
            x, y = (dx, dy) if op == "M" else (x + dx, y + dy)
        elif op in "Hh":
            end = float(a) if op == "H" else x + float(a)
            row = int(y)  # a stroke of width 1 centred on y + 0.5
            grid[row, int(min(x, end)) : int(max(x, end))] = 0
            x = end
        else:
            raise ValueError(f"unexpected path step {op!r}")
    return np.kron(grid, np.ones((pixels_per_module, pixels_per_module), np.uint8))


def decode(picture: np.ndarray) -> str:
    """The text of the one QR code in ``picture`` ('' if none could be read)."""
    text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(picture)
    return str(text)
