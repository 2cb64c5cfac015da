"""Where the head detector looks at once: a wide frame cut into overlapping tiles.

The detector scales whatever it is given so that the long side is its input size (576). A whole
1280x720 camera frame goes in at 0.45 of its pixels, so a worker's head 20 px across far off
reaches the network at 9 px, below what it finds reliably. Cut into tiles no longer than
``tile_px`` on either side, the same head reaches it at ``input / tile_px`` of its pixels (0.8 for
the default 720): a 1280x720 frame becomes two tiles of 688x720. The tiles overlap by
``TILE_OVERLAP_PX`` so that a far head on a seam lies whole inside one of them; a near head larger
than the overlap may be cut, and is found on the whole frame, which the detector also sees once
(HeadProposer.inputs).
"""

from __future__ import annotations

import math

import numpy as np

# Overlap between neighbouring tiles, in frame pixels: the far heads tiles are for are 15-40 px
TILE_OVERLAP_PX = 48


def tile_windows(
    width: int, height: int, tile_px: int, overlap: int = TILE_OVERLAP_PX
) -> list[tuple[int, int, int, int]]:
    """Windows (x1, y1, x2, y2) in frame pixels that together cover a width x height frame, none
    longer than about ``tile_px`` (plus the overlap) on a side; one window, the whole frame, when it
    already fits or ``tile_px`` is 0 (tiling off).

    Columns and rows are as few as keep each tile's share of the frame within ``tile_px``; the
    windows are spread evenly and neighbours overlap by at least ``overlap`` pixels.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"a frame of {width}x{height} has no pixels to tile")
    if tile_px <= 0:
        return [(0, 0, width, height)]
    cols, rows = math.ceil(width / tile_px), math.ceil(height / tile_px)
    tw = min(width, math.ceil(width / cols) + overlap)
    th = min(height, math.ceil(height / rows) + overlap)
    xs = np.linspace(0, width - tw, cols).round().astype(int).tolist()
    ys = np.linspace(0, height - th, rows).round().astype(int).tolist()
    return [(x, y, x + tw, y + th) for y in ys for x in xs]


def moved_tiles(
    windows: list[tuple[int, int, int, int]],
    regions: list[tuple[float, float, float, float]],
    margin: int = TILE_OVERLAP_PX,
) -> list[tuple[int, int, int, int]]:
    """The ``windows`` that a moved region, grown by ``margin`` pixels on each side, reaches into.

    A camera whose picture moved in a few places (MotionGate.regions) proposes heads in these tiles only:
    in the others nothing changed since they were last looked at, so what was found there still stands
    (vision/pipeline.py keeps it). The margin is the tiles' own overlap: a head whose edge the gate saw
    move, with its centre just across a seam, still lies inside a tile that runs.
    """
    grown = [(r[0] - margin, r[1] - margin, r[2] + margin, r[3] + margin) for r in regions]
    return [
        w for w in windows if any(g[0] < w[2] and w[0] < g[2] and g[1] < w[3] and w[1] < g[3] for g in grown)
    ]
