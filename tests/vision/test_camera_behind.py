"""A camera the box cannot judge in time is said to be behind, on the API and the dashboard's card (issue #55).

A real gateway with one real RTSP camera (GStreamer sending H.264 of the demo photos); its camera worker is
paused (SIGSTOP, as a box whose cores are all taken would leave it), and /api/v1/cameras must say the
camera is behind by more than 2 s while it is, and stop saying so once it has caught up. The source
itself, against the same server, skips the frames that went stale while an analysis ran long instead of
falling behind the camera.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from contract.config import LoadedSite, load_site
from contract.config.camera import CameraConfig
from tests.servers.rtsp import RtspServer, rtsp_camera  # noqa: F401  (the fixture)
from tests.uplinks.feedback_site import ThreadedGateway
from vision.sources import FrameSource

pytestmark = pytest.mark.slow  # a camera worker loads OpenCV and its model: 20 s or more


def site(tmp_path: Path, camera_url: str) -> LoadedSite:
    """A site with one RTSP camera analysed once a second (the hard-hat network only: a cheap worker)."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: GD-SZ-2026-0001, name: 示范项目, city: 深圳}}
vision:
  evidence_dir: {tmp_path / "evidence"}
  cameras:
    - {{name: gate-cam, source: "{camera_url}", fps: 1, persons: false, patrol_every_s: 0}}
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    return load_site(path)


def camera_worker() -> psutil.Process:
    """The gateway's camera worker: the one multiprocessing child spawned by this test's process."""
    workers = [p for p in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]
    assert len(workers) == 1, [p.cmdline() for p in workers]
    return workers[0]


def until(api: httpx.Client, check: Any, timeout: float, what: str) -> dict[str, Any]:
    """Poll /api/v1/cameras until ``check(camera)``; the camera as the API showed it."""
    deadline = time.monotonic() + timeout
    while True:
        cam: dict[str, Any] = api.get("/api/v1/cameras").json()[0]
        if check(cam):
            return cam
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s; the API: {cam}"
        time.sleep(0.3)


def test_camera_that_falls_behind_is_said_to_be_behind_then_caught_up(
    tmp_path: Path, rtsp_camera: RtspServer
) -> None:
    with ThreadedGateway(site(tmp_path, rtsp_camera.url), tmp_path / "gw") as gw:
        api = httpx.Client(base_url=gw.url or "", timeout=10)
        # keeping up: each frame judged well within 2 s of being taken
        cam = until(api, lambda c: c["late_s"] is not None and c["last_frame_ts"], 90, "a first frame")
        assert cam["behind"] is False and cam["late_s"] < 2.0, cam
        worker = camera_worker()
        worker.suspend()
        try:
            behind = until(api, lambda c: c["behind"], 10, "the paused camera said to be behind")
            assert behind["late_s"] > 2.0 and behind["online"], behind
            time.sleep(2.0)
            assert api.get("/api/v1/cameras").json()[0]["late_s"] > behind["late_s"], "the lag grows"
        finally:
            worker.resume()
        # it reads what waited in the stream, judges the newest frame, and the 10 s window passes
        caught_up = until(api, lambda c: not c["behind"], 30, "back in time after the pause")
        assert caught_up["late_s"] is not None and caught_up["late_s"] <= 2.0, caught_up


def test_a_long_analysis_skips_stale_frames_rather_than_falling_behind(rtsp_camera: RtspServer) -> None:
    """Each analysis takes 2.5 s at fps 1: the camera sends on meanwhile, and the next frame analysed is
    the newest one, not the one due 1 s after the last (which would be 1.5 s late, then 3 s, ...)."""
    frames = FrameSource(CameraConfig(name="slow-cam", source=rtsp_camera.url, fps=1.0)).frames()
    seen = []
    for _ in range(5):
        f = next(frames)
        seen.append(f)
        time.sleep(2.5)  # the analysis of a frame too large for the box
    late = [round(f.late_s, 2) for f in seen]
    # the due frame each time would be 1.5 s late, then 2, 2.5 (read in turn after each analysis): the
    # newest is judged instead, taken less than a period before it is read
    assert max(late) < 1.0, late
    gaps = [b.ts - a.ts for a, b in itertools.pairwise(seen)]
    assert min(gaps) >= 2.0, gaps  # the frames in between were skipped, not queued
