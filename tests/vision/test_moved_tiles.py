"""Issue #55: a 1080p camera whose picture moves in a few places proposes heads only in the tiles that moved.

The frame is a real photo with eight bare heads (vision/demo/cap, CC BY) in the bottom-right corner of a
1920x1080 grey picture, which the hard-hat check cuts into six tiles of 688x588 (tiles.tile_windows). Two
squares flicker in the top corners: the motion gate's window is then the whole frame, which used to run
all six tiles; now only the two tiles the squares reach run beside the whole frame, and the heads of the
still corner are kept, their alert still firing, until the periodic full pass looks at everything again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from contract.config.camera import CameraConfig
from contract.vision_event import VisionEvent
from tests.vision.conftest import load
from vision.detections import FrameResult
from vision.detectors.helmet import HelmetDetector
from vision.detectors.tiles import moved_tiles, tile_windows
from vision.pipeline import CLEAR_FRAMES, CameraAnalyzer
from vision.sources import Frame

W, H = 1920, 1080
PHOTO_AT = (1280, 440)  # the photo's corner: its heads lie in the bottom-right tile only
LEFT_SQUARE, RIGHT_SQUARE = (50, 50), (1650, 50)  # 200 px squares in the top-left and top-right tiles
RECHECK_S = 30.0


def test_a_region_runs_the_tiles_it_reaches_with_their_overlap() -> None:
    tiles = tile_windows(W, H, 720)
    assert tiles[0] == (0, 0, 688, 588) and tiles[5] == (1232, 492, 1920, 1080)
    assert moved_tiles(tiles, [(100.0, 100.0, 300.0, 300.0)]) == [tiles[0]]
    # 20 px short of the next column's tile (616): within the overlap, so both run
    assert moved_tiles(tiles, [(400.0, 100.0, 596.0, 300.0)]) == [tiles[0], tiles[1]]
    assert moved_tiles(tiles, [(100.0, 100.0, 200.0, 200.0), (1700.0, 900.0, 1800.0, 1000.0)]) == [
        tiles[0],
        tiles[5],
    ]
    assert moved_tiles(tiles, [(0.0, 0.0, float(W), float(H))]) == tiles


def picture(squares: int, cover_photo: bool = False) -> np.ndarray:
    """The scene with the squares white (odd ``squares``) or black: each change is motion to the gate."""
    img = np.full((H, W, 3), 114, np.uint8)
    if not cover_photo:
        photo, _ = load("000160.jpg")
        img[PHOTO_AT[1] : PHOTO_AT[1] + photo.shape[0], PHOTO_AT[0] : PHOTO_AT[0] + photo.shape[1]] = photo
    for x, y in (LEFT_SQUARE, RIGHT_SQUARE):
        img[y : y + 200, x : x + 200] = 255 if squares % 2 else 0
    return img


class Counted:
    """The head detector's network, counting its passes (a tile, or the whole frame, each)."""

    def __init__(self, net: Callable[[np.ndarray], np.ndarray]) -> None:
        self.net, self.passes = net, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.passes += 1
        return self.net(x)


@pytest.fixture(scope="module")
def helmet() -> HelmetDetector:
    return HelmetDetector()


def test_local_motion_runs_only_its_tiles_and_a_still_bare_head_keeps_alerting(
    helmet: HelmetDetector,
) -> None:
    net = Counted(helmet.proposer.net)
    helmet.proposer.net = net  # type: ignore[assignment]
    cam = CameraConfig(name="gate", source="rtsp://cam/1", still_recheck_s=RECHECK_S)
    analyzer = CameraAnalyzer(cam, helmet)

    def at(ts: float, img: np.ndarray) -> tuple[FrameResult, list[VisionEvent], int]:
        before = net.passes
        res, events = analyzer.analyse(Frame(ts, img, str(ts), True, scene="cam"))
        return res, events, net.passes - before

    res, events, passes = at(0.0, picture(0))
    assert passes == 7  # the first frame: six tiles and the whole frame
    bare = [d for d in res.detections if d.label == "no_helmet"]
    assert len(bare) >= 5 and all(d.box[0] >= PHOTO_AT[0] and d.box[1] >= PHOTO_AT[1] for d in bare)
    # the squares move: the window is the whole frame, but only the two top-corner tiles and the whole
    # frame are proposed; the bare heads of the still corner are kept and confirm the alert (2 frames)
    res, events, passes = at(1.0, picture(1))
    assert res.motion and passes == 3
    assert [d for d in res.detections if d.label == "no_helmet"] == bare
    assert [(e.rule, e.state) for e in events] == [("vision.no_helmet", "firing")]
    # the gate's background takes the squares' new colour in over a few frames (moving, the same tiles),
    # then the scene is still: nothing is looked at, and the alert neither resolves nor fires again
    still = 0
    for ts in range(2, 25):
        res, events, passes = at(float(ts), picture(1))
        assert passes == (3 if res.detected else 0) and events == []
        assert [v.rule for v in res.violations] == ["vision.no_helmet"]
        still += not res.detected
    assert still > CLEAR_FRAMES
    # the periodic full pass looks at every tile again, though only the corners move
    res, events, passes = at(RECHECK_S, picture(0))
    assert passes == 7 and events == []
    assert len([d for d in res.detections if d.label == "no_helmet"]) == len(bare)


def test_motion_over_the_bare_heads_looks_at_their_tile_again(helmet: HelmetDetector) -> None:
    cam = CameraConfig(name="gate", source="rtsp://cam/1", still_recheck_s=1e6)
    analyzer = CameraAnalyzer(cam, helmet)
    states = []
    for ts, img in enumerate([picture(0), picture(1)] + [picture(k, cover_photo=True) for k in range(6)]):
        res, events = analyzer.analyse(Frame(float(ts), img, str(ts), True, scene="cam"))
        states += [e.state for e in events]
    # the workers left (their corner moved): their tile ran again, found nobody, and the alert resolved
    assert not [d for d in res.detections if d.label == "no_helmet"]
    assert states == ["firing", "resolved"]
