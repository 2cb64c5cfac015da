"""Motion gate (as Frigate does it): a frame difference on a small grey frame decides whether to detect.

On a still scene this is the only work per frame (a resize and a few small-image ops), so
hundreds of quiet feeds cost almost nothing. Sudden global changes (lights switched, auto
exposure) are absorbed into the background instead of counting as motion.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.detections import Box


class MotionGate:
    """Keeps a running background of one camera and returns where something moved."""

    def __init__(
        self,
        width: int = 160,
        threshold: int = 25,
        min_area_frac: float = 0.0015,
        alpha: float = 0.2,
        global_change_frac: float = 0.6,
    ) -> None:
        self.width = width
        self.threshold = threshold
        self.min_area_frac = min_area_frac
        self.alpha = alpha
        self.global_change_frac = global_change_frac
        self._bg: np.ndarray | None = None
        # True after a frame that changed almost everywhere (lights, or the picture jumped to another
        # scene): no motion to report, but whatever was seen before may no longer be there
        self.rebased = False

    def reset(self) -> None:
        """Forget the background: the next frame is a new scene, new everywhere."""
        self._bg = None

    def regions(self, frame: np.ndarray) -> list[Box]:
        """Boxes (frame pixels) of the parts that moved since the background; [] on a still scene."""
        h, w = frame.shape[:2]
        s = self.width / w
        small = cv2.resize(frame, (self.width, max(1, round(h * s))), interpolation=cv2.INTER_NEAREST)
        grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0).astype(np.float32)
        if self._bg is None or self._bg.shape != grey.shape:
            self._bg = grey
            return [(0.0, 0.0, float(w), float(h))]  # first frame: everything is new
        diff = cv2.absdiff(grey, self._bg)
        cv2.accumulateWeighted(grey, self._bg, self.alpha)
        mask = (diff > self.threshold).astype(np.uint8)
        changed = float(mask.mean())
        self.rebased = changed > self.global_change_frac
        if self.rebased:
            self._bg = grey  # light change or another scene, not movement
            return []
        grown = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)
        n, _, stats, _ = cv2.connectedComponentsWithStats(grown)
        min_area = self.min_area_frac * mask.size
        return [
            (x / s, y / s, (x + bw) / s, (y + bh) / s)
            for x, y, bw, bh, area in stats[1:n].tolist()
            if area >= min_area
        ]


def detection_window(
    regions: list[Box], width: int, height: int, min_side: int = 384, whole_frac: float = 0.5
) -> tuple[int, int, int, int]:
    """The crop to run detection on: the moved regions' union, padded, or the whole frame if large.

    Cropping keeps small, far-away workers at more pixels in the network's input.
    """
    x1 = min(r[0] for r in regions)
    y1 = min(r[1] for r in regions)
    x2 = max(r[2] for r in regions)
    y2 = max(r[3] for r in regions)
    pad = 0.25 * max(x2 - x1, y2 - y1)
    side = max(min_side, x2 - x1 + 2 * pad, y2 - y1 + 2 * pad)
    if side * side >= whole_frac * width * height or side >= min(width, height):
        return 0, 0, width, height
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    ax = int(min(max(0, cx - side / 2), width - side))
    ay = int(min(max(0, cy - side / 2), height - side))
    return ax, ay, int(ax + side), int(ay + side)
