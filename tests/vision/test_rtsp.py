"""RTSP cameras against a real RTSP server: GStreamer's gst-rtsp-server sending H.264 of the demo photos.

The source reads through cv2.VideoCapture's FFmpeg backend exactly as on site; the server is
tests/servers/rtsp_server.py (skipped only where Debian's GStreamer RTSP packages are missing).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from contract.config.camera import CameraConfig, VisionConfig, ZoneConfig
from tests.servers.rtsp import DEMO_PHOTOS, RtspServer, rtsp_camera  # noqa: F401  (the fixture)
from tests.vision.test_worker import Collector, collector  # noqa: F401  (the fixture)
from vision.sources import Frame, FrameSource
from vision.worker import VisionSupervisor

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

PHOTOS = [cv2.imread(str(p)) for p in sorted(DEMO_PHOTOS.iterdir())]


def closest_photo_error(img: np.ndarray) -> float:
    """Mean absolute difference (0..255) between a frame and the demo photo it looks most like."""
    return min(float(np.abs(img.astype(np.int16) - p.astype(np.int16)).mean()) for p in PHOTOS)


def test_rtsp_camera_is_analysed_at_the_configured_rate(rtsp_camera: RtspServer) -> None:
    cam = CameraConfig(name="crane-cam", source=rtsp_camera.url, fps=2.0)
    frames: list[Frame] = []
    for f in FrameSource(cam).frames():
        frames.append(f)
        if f.ts - frames[0].ts >= 3.0:
            break
    # the server sends 10 frames/s; at fps=2 the source keeps one frame per half second
    gaps = np.diff([f.ts for f in frames])
    assert 6 <= len(frames) <= 8, [round(g, 2) for g in gaps]
    assert gaps.min() >= 0.45, "never more often than the configured rate"
    assert all(f.live and f.image.shape == (640, 640, 3) for f in frames)
    # what arrives is the photos (through H.264), not a grey or garbled picture
    assert max(closest_photo_error(f.image) for f in frames) < 12


class Refused(Exception):
    """Raised from the status hook to end the source at its first 'offline' report."""


@pytest.mark.parametrize("offered", ["tcp", "udp"])
def test_rtsp_transport_setting_reaches_the_camera(tmp_path: Path, offered: str) -> None:
    """A camera set to one RTP transport only: the source with the matching ``rtsp_transport`` gets
    pictures; with the other one the camera refuses at SETUP and the source reports it offline."""
    server = RtspServer(tmp_path / offered, protocols=offered)
    server.start()

    def status(up: bool, why: str) -> None:
        if not up:
            raise Refused(why)

    try:
        other = "udp" if offered == "tcp" else "tcp"
        good = FrameSource(
            CameraConfig(name="lift-cam", source=server.url, fps=5.0, rtsp_transport=offered),
            on_status=status,
        )
        frame = next(good.frames())
        assert frame.live and closest_photo_error(frame.image) < 12
        bad = FrameSource(
            CameraConfig(name="lift-cam", source=server.url, fps=5.0, rtsp_transport=other), on_status=status
        )
        with pytest.raises(Refused, match="cannot open"):
            next(bad.frames())
    finally:
        server.stop()


class BootingCamera:
    """Stand-in for a camera whose RTSP service is not up yet: it accepts TCP on the port and hangs up.

    A dead port would refuse too, but this one also counts each reconnect attempt and when it came,
    which is what shows the backoff.
    """

    def __init__(self, port: int) -> None:
        self.attempts: list[float] = []
        self._sock = socket.create_server(("127.0.0.1", port))
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.attempts.append(time.monotonic())
            conn.close()

    def close(self) -> None:
        """Stop answering and free the port for the real server."""
        self._stop.set()
        self._thread.join(2)
        self._sock.close()


def test_camera_that_drops_is_reported_offline_retried_with_backoff_and_back_online(
    rtsp_camera: RtspServer,
) -> None:
    status: list[tuple[bool, str]] = []
    src = FrameSource(
        CameraConfig(name="gate-cam", source=rtsp_camera.url, fps=5.0),
        on_status=lambda ok, why: status.append((ok, why)),
        backoff=(0.2, 0.8),
    )
    frames = src.frames()
    next(frames)
    assert status == [(True, "stream open")]

    rtsp_camera.kill()  # power cut: no teardown, the connection just dies
    booting = BootingCamera(rtsp_camera.port)
    timer = threading.Timer(3.0, lambda: (booting.close(), rtsp_camera.start()))
    timer.start()
    try:
        t0 = time.monotonic()
        after = next(frames)  # blocks through the outage: it must neither raise nor hang
        waited = time.monotonic() - t0
    finally:
        timer.join()
    assert after.live and closest_photo_error(after.image) < 12
    assert waited < 3.0 + 0.8 + 6.0, "back within the longest backoff plus an RTSP open after the restart"
    assert [ok for ok, _ in status] == [True, False, True]
    assert "gate-cam" in status[1][1] and "stream ended" in status[1][1]
    # reconnect attempts came further and further apart, up to the 0.8 s cap
    gaps = np.diff(booting.attempts)
    assert len(booting.attempts) >= 4, booting.attempts
    assert gaps[1] > gaps[0] * 1.5 and all(0.15 <= g <= 0.8 + 0.5 for g in gaps), [round(g, 2) for g in gaps]


def test_worker_on_rtsp_camera_writes_clip_around_a_zone_intrusion(
    tmp_path: Path, rtsp_camera: RtspServer, collector: Collector
) -> None:
    # the whole picture is the danger zone: every head the detector finds in the photos is an intrusion
    whole = ZoneConfig(name="whole-frame", polygon=[(0, 0), (640, 0), (640, 640), (0, 640)], inertia=1)
    cam = CameraConfig(
        name="pit-cam",
        source=rtsp_camera.url,
        fps=4,
        helmet=False,
        persons=False,
        drawn_on=(640, 640),  # the photos the server encodes
        zones=[whole],
        clip_pre_s=1.0,
        clip_post_s=1.0,
    )
    sup = VisionSupervisor(
        VisionConfig(cameras=[cam], evidence_dir=tmp_path / "evidence"), collector.event, collector.frame
    )
    sup.start()
    try:
        collector.wait(lambda: any(e.rule == "vision.zone_intrusion" for e in collector.events), 60)
        (fired, *_) = [e for e in collector.events if e.rule == "vision.zone_intrusion"]
        assert fired.state == "firing" and fired.camera == "pit-cam" and fired.clip_path
        clip = Path(fired.clip_path)
        # the clip is written once clip_post_s of frames have come after the alert
        collector.wait(lambda: clip.exists(), 15)
    finally:
        sup.stop()
    assert Path(fired.evidence_path).exists()
    cap = cv2.VideoCapture(str(clip))
    images = list(_read_all(cap))
    # ~1 s before and ~1 s after at 4 frames/s
    assert 5 <= len(images) <= 12, len(images)
    assert all(img.shape == (640, 640, 3) for img in images)
    assert max(closest_photo_error(img) for img in images) < 15  # VP8 of H.264 of the photos


def _read_all(cap: cv2.VideoCapture) -> Iterator[np.ndarray]:
    while True:
        ok, img = cap.read()
        if not ok:
            cap.release()
            return
        yield img
