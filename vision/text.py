"""Chinese (and ASCII) text on pictures: OpenCV's Hershey fonts have no Chinese, so evidence labels
are drawn from GNU Unifont's 16-pixel bitmap glyphs of GB 2312 (vision/models/unifont_gb2312.hex.gz,
made by scripts/unifont_subset.py; OFL-1.1, vision/models/UNIFONT_LICENSE.txt). A bitmap font needs
no font library and scales by whole pixels, which keeps labels sharp on any frame size.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import cv2
import numpy as np

FONT = Path(__file__).resolve().parent / "models" / "unifont_gb2312.hex.gz"
CELL = 16  # glyph height in pixels; ASCII glyphs are 8 wide, the others 16
MISSING = "?"  # drawn for a character outside GB 2312

Colour = tuple[int, int, int]


@cache
def _hex() -> dict[str, str]:
    with gzip.open(FONT, "rt", encoding="ascii") as f:
        return {
            chr(int(cp, 16)): bits for cp, bits in (line.strip().split(":") for line in f if line.strip())
        }


def has_glyph(ch: str) -> bool:
    """Whether ``ch`` is drawn as itself (not as ``MISSING``)."""
    return ch in _hex()


@cache
def _glyph(ch: str) -> np.ndarray:
    bits = _hex().get(ch) or _hex()[MISSING]
    rows = np.frombuffer(bytes.fromhex(bits), np.uint8).reshape(CELL, -1)
    return np.unpackbits(rows, axis=1).astype(bool)


def text_mask(text: str, scale: int = 1) -> np.ndarray:
    """The pixels ``text`` sets, as a boolean array ``16 × scale`` high, each glyph pixel a
    ``scale`` × ``scale`` block."""
    if not text:
        return np.zeros((CELL * scale, 0), bool)
    mask = np.hstack([_glyph(ch) for ch in text])
    return mask.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else mask


def put_text(
    img: np.ndarray,
    text: str,
    top_left: tuple[int, int],
    colour: Colour,
    scale: int = 1,
    outline: Colour | None = (0, 0, 0),
) -> tuple[int, int]:
    """Draw ``text`` with its top-left corner at ``top_left`` (x, y), in place, clipped to the image;
    a one-block ``outline`` keeps it readable on any background. Returns its (width, height)."""
    mask = text_mask(text, scale)
    h, w = mask.shape
    x, y = top_left
    # the part of the text inside the image
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, img.shape[1]), min(y + h, img.shape[0])
    if x0 >= x1 or y0 >= y1:
        return w, h
    region = img[y0:y1, x0:x1]
    if outline is not None:
        kernel = np.ones((2 * scale + 1, 2 * scale + 1), np.uint8)
        halo = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
        region[halo[y0 - y : y1 - y, x0 - x : x1 - x]] = outline
    region[mask[y0 - y : y1 - y, x0 - x : x1 - x]] = colour
    return w, h
