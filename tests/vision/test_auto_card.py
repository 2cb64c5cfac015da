"""A camera's hard-hat card chosen from what it sees (helmet_model: auto).

What an installer relies on: a camera set to auto runs the default card until it has watched its first
minutes and enough heads, then takes the far-field card when the heads it saw are small in the detector's
view and keeps the default one when they are not; the site file can still name a card; the choice is kept
when the camera's worker is restarted, and shown with the camera. The worker tests run real camera
workers (processes, the shipped networks) on real photos: the gate camera sees the middle of one shipped
photo enlarged to 1280x720, as a camera at a gate sees the people walking through it; the camera over the
site sees all of them shrunk into one 1280x720 frame, as a camera far above a yard sees a crowd.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from contract.config.camera import CameraConfig, VisionConfig
from tests.vision.conftest import SAMPLE
from vision.auto_card import FAR_FIELD_BELOW_PX, MIN_HEADS, CardChoice, CardChooser, view_scale
from vision.detections import Detection, FrameResult
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL
from vision.worker import VisionSupervisor, card_shown, helmet_model


def test_the_detectors_finest_view_is_a_tile_or_the_whole_frame_when_it_fits() -> None:
    assert view_scale(1280, 720, 576, 720) == pytest.approx(576 / 720)  # two 688x720 tiles
    assert view_scale(500, 333, 576, 720) == pytest.approx(576 / 500)  # fits one: the frame itself
    assert view_scale(1280, 720, 576, 0) == pytest.approx(576 / 1280)  # tiles off
    # 4K: six columns and three rows of 688x768 (each a sixth and a third of the frame plus the overlap)
    assert view_scale(3840, 2160, 576, 720) == pytest.approx(576 / (2160 / 3 + 48))


def frame(ts: float, head_px: float, n: int = 10, detected: bool = True) -> FrameResult:
    """A 576x384 frame (the detector sees it at its own pixels) whose heads are head_px tall."""
    heads = [Detection("helmet", (10.0 * k, 50.0, 10.0 * k + head_px, 50.0 + head_px), 0.9) for k in range(n)]
    person = Detection("person", (0.0, 0.0, 100.0, 300.0), 0.9)  # a person box is no head
    return FrameResult("cam", ts, 576, 384, [*heads, person], detected=detected)


def chooser() -> CardChooser:
    return CardChooser(size=576, tile_px=720, window_s=60.0)


def test_small_heads_over_the_window_choose_the_far_field_card() -> None:
    c = chooser()
    got = [c.add(frame(t, FAR_FIELD_BELOW_PX - 1)) for t in range(0, 61, 10)]
    assert got[:-1] == [None] * 6  # 60 s of frames first, however many heads
    choice = got[-1]
    assert choice is not None and choice.card == "far_field" and choice.heads == 70 and choice.seconds == 60
    assert choice.median_px == pytest.approx(FAR_FIELD_BELOW_PX - 1)
    assert f"median head {FAR_FIELD_BELOW_PX - 1:.0f} px" in choice.why() and "below" in choice.why()


def test_heads_at_the_threshold_keep_the_default_card() -> None:
    c = chooser()
    for t in range(0, 60, 10):
        assert c.add(frame(t, FAR_FIELD_BELOW_PX)) is None
    choice = c.add(frame(60, FAR_FIELD_BELOW_PX))
    assert choice is not None and choice.card == "default" and "at or above" in choice.why()


def test_no_choice_without_enough_heads_and_unlooked_frames_do_not_count() -> None:
    c = chooser()
    c.add(frame(0, 10, n=MIN_HEADS - 1))
    assert c.add(frame(600, 10, n=0)) is None  # ten minutes of an empty site: still waiting
    assert c.add(frame(610, 10, n=5, detected=False)) is None  # boxes carried over a still scene
    choice = c.add(frame(620, 10, n=1))
    assert choice is not None and choice.heads == MIN_HEADS and choice.card == "far_field"


def test_auto_starts_on_the_default_card_and_a_named_card_or_a_bad_window_is_the_site_files() -> None:
    cam = CameraConfig(name="c", source="rtsp://x/1", helmet_model="auto")
    vision = VisionConfig(cameras=[cam])
    assert cam.helmet_auto_s == 180
    assert helmet_model(cam, vision) == str(DEFAULT_MODEL)  # while choosing
    assert helmet_model(cam, vision, "far_field") == str(FAR_FIELD_MODEL)
    gate = cam.model_copy(update={"helmet_model": "default"})
    assert helmet_model(gate, vision, "far_field") == str(DEFAULT_MODEL)  # the site file's word wins
    assert card_shown(gate, None) == ("default", "site file: helmet_model default")
    assert card_shown(cam, None)[1].startswith("auto: choosing")
    choice = CardChoice("far_field", 21.0, 64, 180.0)
    assert card_shown(cam, choice) == ("far_field", choice.why())
    with pytest.raises(ValidationError, match="helmet_auto_s"):
        CameraConfig(name="c", source="rtsp://x/1", helmet_auto_s=0)


def far_frame(folder: Path) -> Path:
    """All the shipped photos shrunk into one 1280x720 frame (4x2 cells of 320x360)."""
    photos = [cv2.imread(str(p)) for p in sorted((SAMPLE / "images").iterdir())]
    cells = [cv2.resize(p, (320, 360), interpolation=cv2.INTER_AREA) for p in photos]
    img = np.concatenate([np.concatenate(cells[:4], 1), np.concatenate(cells[4:], 1)], 0)
    folder.mkdir()
    cv2.imwrite(str(folder / "yard.png"), img)
    return folder


def near_frame(folder: Path) -> Path:
    """The photo with the largest heads, as a close camera at a gate sees it: its middle 640x360 as a
    1280x720 frame (heads of 150 px)."""
    photo = cv2.imread(str(SAMPLE / "images" / "000160.jpg"))
    folder.mkdir()
    cv2.imwrite(
        str(folder / "gate.png"), cv2.resize(photo[140:500], (1280, 720), interpolation=cv2.INTER_CUBIC)
    )
    return folder


class Cards:
    def __init__(self) -> None:
        self.got: list[tuple[str, CardChoice]] = []
        self.lock = threading.Lock()

    def __call__(self, camera: str, choice: CardChoice) -> None:
        with self.lock:
            self.got.append((camera, choice))

    def wait(self, n: int, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if len(self.got) >= n:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{n} choices not made in {timeout} s: {self.got}")


def test_real_workers_choose_the_far_field_card_over_the_yard_and_keep_it_after_a_restart(
    tmp_path: Path,
) -> None:
    def cam(name: str, folder: Path) -> CameraConfig:
        return CameraConfig(
            name=name,
            source=str(folder),
            loop=True,
            fps=4,
            persons=False,
            motion_gate=False,
            helmet_model="auto",
            helmet_auto_s=2,
        )

    cfg = VisionConfig(
        cameras=[cam("yard", far_frame(tmp_path / "yard")), cam("gate", near_frame(tmp_path / "gate"))],
        evidence_dir=tmp_path / "evidence",
    )
    cards = Cards()
    sup = VisionSupervisor(cfg, lambda e: None, on_card=cards, backoff=(0.5, 2.0))
    sup.start()
    try:
        assert [sup.camera(n).choice for n in ("yard", "gate")] == [None, None]  # both on the default card
        cards.wait(2)
        chosen = dict(cards.got)
        assert chosen["yard"].card == "far_field" and chosen["yard"].median_px < FAR_FIELD_BELOW_PX
        assert chosen["gate"].card == "default" and chosen["gate"].median_px >= FAR_FIELD_BELOW_PX
        yard = sup.camera("yard")
        assert card_shown(yard.cam, yard.choice) == ("far_field", chosen["yard"].why())
        proc = sup.worker_of("yard").proc
        assert proc is not None and proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        end = time.monotonic() + 60
        while sup.stats()["yard"]["restarts"] < 1 or not sup.stats()["yard"]["alive"]:
            assert time.monotonic() < end, "the yard camera's worker was not restarted"
            time.sleep(0.2)
        time.sleep(4)  # twice its choosing window: a worker that chose again would have said so by now
        assert len(cards.got) == 2 and yard.choice == chosen["yard"]
        assert helmet_model(yard.cam, cfg, yard.choice.card) == str(FAR_FIELD_MODEL)  # what it restarted on
    finally:
        sup.stop()
