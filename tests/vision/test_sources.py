"""Frame sources against real files and a real HTTP camera: rate, skipping, reconnect with backoff."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from contract.config.camera import CameraConfig
from tests.support import free_port
from tests.vision.camera_server import CameraServer
from tests.vision.conftest import SAMPLE
from vision.sources import FrameSource, SourceError, source_kind


def _jpegs() -> list[bytes]:
    return [p.read_bytes() for p in sorted((SAMPLE / "images").iterdir())[:3]]


def test_kind_follows_the_source_string(tmp_path: Path) -> None:
    def kind(s: str) -> str:
        return source_kind(CameraConfig(name="c", source=s))

    assert kind("rtsp://10.0.0.5/h264") == "rtsp"
    assert kind("http://cam/snapshot.jpg") == "snapshot"
    assert kind("http://cam/video.mjpg") == "mjpeg"
    assert kind(str(tmp_path)) == "images"
    assert kind("clip.mp4") == "file"


def test_image_folder_gives_each_image_once_by_name() -> None:
    frames = list(FrameSource(CameraConfig(name="c", source=str(SAMPLE / "images"))).frames())
    assert [f.name for f in frames] == sorted(p.name for p in (SAMPLE / "images").iterdir())
    assert all(f.image.shape == (640, 640, 3) for f in frames)


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=f"camera c: no images in {tmp_path}"):
        list(FrameSource(CameraConfig(name="c", source=str(tmp_path))).frames())


def test_video_file_is_analysed_at_the_configured_rate(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    for i in range(50):  # 5 s of video at 10 fps
        vw.write(np.full((240, 320, 3), i * 5, np.uint8))
    vw.release()
    frames = list(FrameSource(CameraConfig(name="c", source=str(path), fps=2.0)).frames())
    assert [f.name for f in frames] == [str(i) for i in range(0, 50, 5)]


class _Stop(Exception):
    """Ends a camera's reconnect loop from its watchdog tick (the loop never ends by itself)."""


def test_video_file_gives_every_frame_beside_a_key_frames_camera(tmp_path: Path) -> None:
    """A worker's RTSP camera at 1 frame/s opens with FFmpeg's avdiscard=nonkey; a video file opened in the
    same process afterwards (another camera of the worker, or an evidence clip read back) must still give
    every frame, not its key frames only."""
    path = tmp_path / "clip.webm"  # VP8: one key frame, then inter frames (an MJPG file is all key frames)
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"VP80"), 10.0, (320, 240))
    for i in range(20):
        vw.write(np.full((240, 320, 3), 40 + i * 8, np.uint8))
    vw.release()
    statuses: list[tuple[bool, str]] = []
    stop = threading.Event()

    def tick() -> None:
        if stop.is_set():
            raise _Stop

    def run_camera() -> None:
        cam = CameraConfig(name="gate", source=f"rtsp://127.0.0.1:{free_port()}/live", fps=1.0)
        with pytest.raises(_Stop):
            next(FrameSource(cam, on_status=lambda ok, why: statuses.append((ok, why)), tick=tick).frames())

    camera = threading.Thread(target=run_camera)
    camera.start()
    try:
        deadline = time.monotonic() + 20
        while not statuses and time.monotonic() < deadline:  # the camera has tried to open, and failed
            time.sleep(0.05)
        assert statuses and statuses[0][0] is False
        frames = list(FrameSource(CameraConfig(name="c", source=str(path), fps=10.0)).frames())
    finally:
        stop.set()
        camera.join(timeout=10)
    assert [f.name for f in frames] == [str(i) for i in range(20)]
    assert not camera.is_alive()


def test_http_snapshot_camera_reconnects_after_failures_and_reports_status() -> None:
    status: list[tuple[bool, str]] = []
    with CameraServer(_jpegs()) as cam:
        cam.mode = "fail"
        src = FrameSource(
            CameraConfig(name="yard", source=cam.url("/snapshot.jpg"), fps=20),
            on_status=lambda ok, why: status.append((ok, why)),
            backoff=(0.1, 0.4),
        )
        threading.Timer(0.5, lambda: setattr(cam, "mode", "ok")).start()
        t0 = time.monotonic()
        frame = next(iter(src.frames()))
        assert time.monotonic() - t0 >= 0.4
    assert frame.image.shape == (640, 640, 3) and frame.live
    assert status[0][0] is False and "503" in status[0][1] and "yard" in status[0][1]
    assert status[-1] == (True, "snapshot ok")


def test_mjpeg_stream_that_drops_is_reopened() -> None:
    status: list[bool] = []
    with CameraServer(_jpegs(), fps=20) as cam:
        cam.stream_frames = 6  # every connection ends after 6 frames, like a flaky camera
        src = FrameSource(
            CameraConfig(name="gate", source=cam.url("/stream.mjpg"), fps=30),
            on_status=lambda ok, why: status.append(ok),
            backoff=(0.1, 0.2),
        )
        frames = []
        for f in src.frames():
            frames.append(f)
            if len(frames) == 10:
                break
    assert len(frames) == 10
    assert status[:3] == [True, False, True], "the drop is reported and the stream comes back"
