"""Camera workers are real processes: a crash or a hang is restarted and reported, the others go on."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from contract.config.camera import CameraConfig, VisionConfig
from contract.vision_event import VisionEvent
from tests.vision.camera_server import CameraServer
from tests.vision.conftest import SAMPLE
from vision.worker import FrameSummary, VisionSupervisor


class Collector:
    """What the supervisor hands over, with waits."""

    def __init__(self) -> None:
        self.events: list[VisionEvent] = []
        self.frames: list[FrameSummary] = []
        self.lock = threading.Lock()

    def event(self, e: VisionEvent) -> None:
        with self.lock:
            self.events.append(e)

    def frame(self, f: FrameSummary) -> None:
        with self.lock:
            self.frames.append(f)

    def wait(self, cond: Callable[[], bool], timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if cond():
                    return
            time.sleep(0.1)
        raise AssertionError(
            f"condition not met in {timeout} s; events {[(e.camera, e.rule, e.state) for e in self.events]}"
        )

    def offline(self, cam: str, state: str) -> list[VisionEvent]:
        return [e for e in self.events if e.camera == cam and e.rule == "camera.offline" and e.state == state]


def looping(name: str) -> CameraConfig:
    return CameraConfig(name=name, source=str(SAMPLE / "images"), loop=True, fps=4, persons=False)


@pytest.fixture
def collector() -> Collector:
    return Collector()


def test_killed_worker_is_reported_restarted_and_the_other_camera_keeps_going(
    tmp_path: Path, collector: Collector
) -> None:
    # a process each (cameras_per_worker 1): a crash takes only its own camera down
    cfg = VisionConfig(
        cameras=[looping("cam-a"), looping("cam-b")],
        evidence_dir=tmp_path,
        hang_timeout_s=10,
        cameras_per_worker=1,
    )
    sup = VisionSupervisor(cfg, collector.event, collector.frame, backoff=(0.5, 2.0))
    sup.start()
    try:
        collector.wait(lambda: {f.camera for f in collector.frames} == {"cam-a", "cam-b"})
        victim = sup._workers[0].proc
        assert victim is not None and victim.pid is not None
        os.kill(victim.pid, signal.SIGKILL)
        collector.wait(lambda: bool(collector.offline("cam-a", "firing")))
        (down,) = collector.offline("cam-a", "firing")
        assert "exited with code -9" in down.message
        b_before = sum(f.camera == "cam-b" for f in collector.frames)
        collector.wait(lambda: bool(collector.offline("cam-a", "resolved")))
        assert sup.stats()["cam-a"]["restarts"] == 1
        assert sum(f.camera == "cam-b" for f in collector.frames) > b_before, "cam-b must not stop"
        assert collector.offline("cam-b", "firing") == []
    finally:
        sup.stop()
    assert not any(w.proc.is_alive() for w in sup._workers if w.proc)


def test_hung_worker_is_killed_after_its_heartbeat_stops(tmp_path: Path, collector: Collector) -> None:
    with CameraServer([(SAMPLE / "images" / "000930.jpg").read_bytes()]) as cam:
        cam.mode = "hang"  # accepts the request and never answers: the worker blocks in its read
        cfg = VisionConfig(
            cameras=[CameraConfig(name="stuck", source=cam.url("/snapshot.jpg"), persons=False)],
            evidence_dir=tmp_path,
            hang_timeout_s=2,
        )
        sup = VisionSupervisor(cfg, collector.event, collector.frame, backoff=(30.0, 30.0))
        sup.start()
        try:
            collector.wait(lambda: bool(collector.offline("stuck", "firing")))
            (down,) = collector.offline("stuck", "firing")
            assert "silent" in down.message and "killed" in down.message
            collector.wait(lambda: not sup._workers[0].proc.is_alive(), 10)
        finally:
            sup.stop()


def test_frames_carry_a_small_annotated_preview_for_the_dashboard(
    tmp_path: Path, collector: Collector
) -> None:
    import cv2
    import numpy as np

    sup = VisionSupervisor(
        VisionConfig(cameras=[looping("cam-p")], evidence_dir=tmp_path), collector.event, collector.frame
    )
    sup.start()
    try:
        collector.wait(lambda: any(f.jpeg for f in collector.frames))
    finally:
        sup.stop()
    with collector.lock:
        previews = [f.jpeg for f in collector.frames if f.jpeg]
        frames = len(collector.frames)
    img = cv2.imdecode(np.frombuffer(previews[0], np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[1] <= 640  # a tile, not the full frame
    assert len(previews) <= frames  # at most one per analysed frame (rate-limited to one per 2 s)
