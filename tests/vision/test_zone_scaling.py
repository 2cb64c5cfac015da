"""Danger zones stay on the same part of the scene when the camera's stream size changes.

A zone is drawn once (here on the 640x640 photo, the bottom strip where the workers stand); the camera may
send a sub-stream half that size or a stream twice that size, or switch mid-stream. The same photo at each
size must give the same verdicts, and coordinates that cannot be placed are a config error naming the
camera, the zone and the fix.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from contract.config.camera import CameraConfig, ZoneConfig
from tests.vision.conftest import load
from vision.detectors.person import PersonDetector
from vision.pipeline import CameraAnalyzer
from vision.sources import Frame

BOTTOM = [(0, 400), (640, 400), (640, 640), (0, 640)]  # where the workers of 000702.jpg stand
TOP = [(0, 0), (640, 0), (640, 60), (0, 60)]  # sky: nobody


@pytest.fixture(scope="module")
def persons() -> PersonDetector:
    return PersonDetector()


def camera(polygon: list[tuple[float, float]], drawn_on: tuple[int, int] | None) -> CameraConfig:
    zone = ZoneConfig(name="pit-edge", polygon=polygon, inertia=2)
    return CameraConfig(
        name="c", source="x", helmet=False, motion_gate=False, drawn_on=drawn_on, zones=[zone]
    )


def intrusions(cam: CameraConfig, persons: PersonDetector, frames: list[np.ndarray]) -> list[str]:
    an = CameraAnalyzer(cam, None, persons)
    events = [e for t, img in enumerate(frames) for e in an.analyse(Frame(float(t), img, str(t), True))[1]]
    return [e.state for e in events if e.rule == "vision.zone_intrusion"]


@pytest.mark.parametrize("side", [320, 640, 1280])
def test_a_zone_drawn_on_one_size_judges_every_stream_size_alike(persons: PersonDetector, side: int) -> None:
    img, _ = load("000702.jpg")
    frame = cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
    assert intrusions(camera(BOTTOM, (640, 640)), persons, [frame] * 3) == ["firing"]
    assert intrusions(camera(TOP, (640, 640)), persons, [frame] * 3) == []
    # the same zone as fractions of the frame, no drawn_on
    fractions = [(x / 640, y / 640) for x, y in BOTTOM]
    assert intrusions(camera(fractions, None), persons, [frame] * 3) == ["firing"]


def test_the_zone_follows_a_stream_that_changes_size(persons: PersonDetector) -> None:
    img, _ = load("000702.jpg")
    small = cv2.resize(img, (320, 320), interpolation=cv2.INTER_AREA)
    # one frame at full size, then the sub-stream: the zone is placed again on the smaller frames; had it
    # kept full-size pixels, the bottom strip (y >= 400) would lie below the 320-pixel frame
    frames = [img, small, small, small]
    assert intrusions(camera(BOTTOM, (640, 640)), persons, frames) == ["firing"]


def test_pixel_coordinates_without_the_size_they_were_drawn_on_name_the_fix() -> None:
    with pytest.raises(
        ValidationError,
        match=r"camera c: zone 'pit-edge' has point \[0\.0, 400\.0\] outside 0-1: "
        r"give the frame size it was drawn on as drawn_on",
    ):
        camera(BOTTOM, None)
    with pytest.raises(ValidationError, match=r"outside the 320x320 frame of drawn_on"):
        camera(BOTTOM, (320, 320))
