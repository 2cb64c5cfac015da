"""The camera benchmark's cameras are independent, as a site's are (issue #55).

bench/cameras_per_box.py reads its cameras from the test RTSP server (tests/servers/rtsp_server.py --video):
one H.264 file looped, sent as it is. Served as one shared stream, every camera's key frames came at the
same instant, so a gateway decoding key frames only (fps 1) got all its frames at once each second and
idled the rest: not what a site's cameras, each started at a time of its own, send. Here each camera is a
stream of its own, the file played from its own point: a real gateway's source (vision/sources.py, key
frames only) must see each camera's frames a second apart, at the instant of the second the server drew
for it, and the cameras' instants spread over the second.
"""

from __future__ import annotations

import re
import subprocess
import threading
from itertools import cycle
from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import CameraConfig
from tests.servers.rtsp import DEMO_PHOTOS, SYSTEM_PYTHON, RtspServer
from vision.sources import Frame, FrameSource

REPO = Path(__file__).resolve().parents[2]
FPS, SIZE = 25, (320, 180)
CAMERAS, FRAMES_EACH = 4, 6


def clip(into: Path, seconds: int = 4) -> Path:
    """A small H.264 stream file of the demo photos, a photo a second, a key frame a second (as the bench's)."""
    w, h = SIZE
    argv = [SYSTEM_PYTHON, str(REPO / "bench" / "h264_encode.py"), "--size", f"{w}x{h}", "--fps", str(FPS)]
    enc = subprocess.Popen(
        [*argv, "--gop", str(FPS), "--kbps", "256", "--out", str(into)], stdin=subprocess.PIPE
    )
    assert enc.stdin is not None
    photos = cycle(sorted(DEMO_PHOTOS.iterdir()))
    for _ in range(seconds):
        photo = cv2.imread(str(next(photos)))
        assert photo is not None
        frame = cv2.resize(photo, SIZE, interpolation=cv2.INTER_AREA)
        enc.stdin.write(np.ascontiguousarray(frame).tobytes() * FPS)
    enc.stdin.close()
    assert enc.wait(timeout=60) == 0
    return into


def read(url: str, into: list[Frame]) -> None:
    """A thread's body: FRAMES_EACH frames of ``url`` as a camera analysed once a second (key frames only)."""
    frames = FrameSource(CameraConfig(name="cam", source=url, fps=1.0)).frames()
    into += [next(frames) for _ in range(FRAMES_EACH)]


def instant(times: list[float]) -> float:
    """The instant of the second (0..1) that times a second apart share, their circular mean: one late read
    moves it by a fifth of its lateness, not by all of it."""
    return float(np.angle(np.exp(2j * np.pi * np.asarray(times)).mean()) / (2 * np.pi) % 1.0)


def phase_gap(a: float, b: float) -> float:
    """How far apart two instants of the second are (0..0.5 s)."""
    d = (a - b) % 1.0
    return min(d, 1.0 - d)


def test_each_camera_sends_its_key_frames_at_an_instant_of_its_own(tmp_path: Path) -> None:
    server = RtspServer(tmp_path / "rtsp", fps=FPS, video=tmp_path / "clip.h264", cameras=CAMERAS, seed=55)
    clip(tmp_path / "clip.h264")
    server.start()
    try:
        seen: list[list[Frame]] = [[] for _ in server.urls]
        readers = [threading.Thread(target=read, args=a) for a in zip(server.urls, seen, strict=True)]
        for t in readers:
            t.start()
        for t in readers:
            t.join(timeout=60)
        # each mount's first key frame after the server's start, as the server drew it: /cam, /cam1, ...
        drawn = [float(s) for s in re.findall(r"first key frame at \+([0-9.]+) s", server.log())]
    finally:
        server.kill()
    assert len(drawn) == CAMERAS, server.log()
    assert [len(s) for s in seen] == [FRAMES_EACH] * CAMERAS, "every camera read"
    phases = []
    for frames in seen:
        times = [f.ts for f in frames[1:]]  # the first, read at the stream's opening, sets the cadence
        gaps = np.diff(times)
        # a key frame a second, none lost or doubled; the times are when the gateway read each frame, so on a
        # loaded box one frame read 0.13 s late makes its gaps 1.13 and 0.87 while the stream kept its cadence
        assert (np.round(gaps) == 1).all() and abs(gaps.mean() - 1.0) < 0.05, gaps
        phases.append(instant(times))
    # each camera keeps the instant drawn for it (its offset from the first camera's), and the cameras'
    # instants are spread: not all at once, as one shared stream sent them
    for k in range(1, CAMERAS):
        assert phase_gap(phases[k] - phases[0], drawn[k] - drawn[0]) < 0.1, (phases, drawn)
    assert max(phase_gap(a, b) for a in phases for b in phases) > 0.25, phases
