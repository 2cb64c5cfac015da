"""Which size a camera's frames are analysed at (analyse_px), and the reader's one scaling of them."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from contract.config.camera import CameraConfig
from vision.sources import scaled


def cam(**kw: object) -> CameraConfig:
    return CameraConfig.model_validate({"name": "c", "source": "rtsp://x/", **kw})


def test_frames_are_analysed_whole_unless_the_site_asks_for_a_smaller_size() -> None:
    # scaling loses far heads (tests/vision/test_analyse_px.py): never a default, whatever an older site file
    # chose as its card
    assert cam().analyse_px == 0
    assert cam(helmet_model="far_field").analyse_px == 0
    assert cam(helmet_model="auto").analyse_px == 0
    assert cam(analyse_px=1280).analyse_px == 1280


def test_a_too_small_analysed_size_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match=r"analyse_px 320 must be 0 .* or at least 640"):
        cam(analyse_px=320)


def test_frames_are_scaled_once_to_the_analysed_size_and_never_up() -> None:
    full = np.zeros((1080, 1920, 3), np.uint8)
    assert scaled(full, 1280).shape == (720, 1280, 3)
    assert scaled(full, 0) is full
    small = np.zeros((360, 640, 3), np.uint8)
    assert scaled(small, 1280) is small
    assert scaled(np.zeros((1920, 1080, 3), np.uint8), 1280).shape == (1280, 720, 3)  # a portrait camera
