"""A camera's hard-hat card chosen from what it sees (a camera's ``helmet_model: auto``).

The far-field card (vision/models/helmet_site.onnx) finds more of the small heads a camera over the site
sees and fewer of the close-ups an entrance camera sees; the default card the other way round. Which one
a camera needs is a property of its view, which its owner should not have to judge: a camera left at
``auto`` runs the default card for its first minutes, notes the height of every head it finds (above the
card's thresholds) as the detector's finest view sees it (``view_scale``), and once ``WINDOW_S`` seconds
of frames with at least ``MIN_HEADS`` heads have passed, chooses the far-field card when their median is
below ``FAR_FIELD_BELOW_PX``, else keeps the default one. The threshold was chosen on the val part of the
split (training.auto_card). On test the choice gains on site-camera photos what the far-field card gains
and loses on close-ups what it loses, since most close-ups' heads are below the threshold too, so auto is
a camera's choice, not the default (training/rounds/round13.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vision.detections import FrameResult
from vision.detectors.tiles import tile_windows

Card = Literal["default", "far_field"]

# Median head height, in pixels of the detector's finest view, below which a camera gets the far-field
# card: chosen on val by training.auto_card (val shows the far-field card better in every bin of head
# height below it, and cannot tell the two cards apart above it)
FAR_FIELD_BELOW_PX = 80.0
WINDOW_S = 180.0  # frame time the choice waits for: the first minutes, a few people walking past
MIN_HEADS = 30  # heads it waits for (a camera over an empty site at night keeps the default card)
MAX_HEADS = 20_000  # heights kept: enough for a median, bounded however busy the picture is


def view_scale(width: int, height: int, size: int, tile_px: int) -> float:
    """How many of the detector's pixels a frame pixel becomes in its finest view of a width x height frame:
    the detector scales each view so its long side is ``size``, and the finest view is a tile (``tile_px``,
    vision/detectors/tiles.py) or, for a frame that fits one or with tiles off, the whole frame."""
    x1, y1, x2, y2 = tile_windows(width, height, tile_px)[0]
    return size / max(x2 - x1, y2 - y1)


@dataclass(frozen=True, slots=True)
class CardChoice:
    """What a camera at ``auto`` chose, and from what."""

    card: Card
    median_px: float  # the heads' median height in the detector's finest view
    heads: int
    seconds: float  # frame time it watched

    def why(self) -> str:
        """One line for the log and the dashboard."""
        return (
            f"auto: median head {self.median_px:.0f} px in the detector's view over {self.heads} heads in "
            f"{self.seconds:.0f} s ({'below' if self.card == 'far_field' else 'at or above'} "
            f"{FAR_FIELD_BELOW_PX:.0f} px)"
        )


@dataclass(slots=True)
class CardChooser:
    """Collects the head heights of a camera's first frames (run on the default card) and chooses."""

    size: int  # the running card's detector input
    tile_px: int  # the camera's helmet_tile_px
    window_s: float = WINDOW_S
    min_heads: int = MIN_HEADS
    _first: float | None = field(default=None, init=False)
    _heights: list[float] = field(default_factory=list, init=False)

    def add(self, res: FrameResult) -> CardChoice | None:
        """Note one analysed frame's heads; the choice once the window is over with enough heads, else None.

        Only frames the detectors ran on count (a still scene's carried boxes are counted again when the
        periodic look runs, as a camera's picture is a view, not a census)."""
        if self._first is None:
            self._first = res.ts
        if res.detected and len(self._heights) < MAX_HEADS:
            scale = view_scale(res.width, res.height, self.size, self.tile_px)
            self._heights += [(d.box[3] - d.box[1]) * scale for d in res.detections if d.label != "person"]
        seconds = res.ts - self._first
        if seconds < self.window_s or len(self._heights) < self.min_heads:
            return None
        median = float(np.median(self._heights))
        return CardChoice(
            "far_field" if median < FAR_FIELD_BELOW_PX else "default", median, len(self._heights), seconds
        )
