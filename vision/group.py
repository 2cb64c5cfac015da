"""Several cameras in one worker process: a reading thread per camera, one analysing loop taking fair turns.

A worker process per camera held its own copy of OpenCV, onnxruntime and the networks, ~250 MB each, so
memory, not the cores, capped a box at about five cameras (docs/site/cameras.md). Here the networks are
loaded once per process and shared by its cameras; each camera adds its reader (FFmpeg's decoder), its
analyser's state and its evidence clip's few frames.

Each camera's stream is read by a thread of its own (OpenCV and onnxruntime let go of the GIL while they
decode and infer), which leaves the newest frame in the camera's slot: a frame not analysed before the next
one comes is replaced, never queued, so a camera is always judged on its newest picture. The analysing loop
goes round the cameras, one frame each per round, starting each round one camera further on: a camera
whose frames take long to analyse delays the others by one analysis a round, never more, and cannot take
two turns in a row. Frames of files and folders (not live) wait for their turn instead of being replaced,
so each is analysed, as in a worker of its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from contract.config.camera import CameraConfig
from vision.sources import Frame

log = logging.getLogger(__name__)

WAIT_S = 0.5  # longest the loop sleeps for a frame: it beats the worker's heartbeat at least this often


@dataclass(eq=False)
class Lane:
    """One camera of the group: its newest unanalysed frame, and whether its reader is alive and done."""

    cam: CameraConfig
    ready: threading.Condition  # shared by the group's lanes: any new frame wakes the analysing loop
    clock: Callable[[], float] = time.monotonic
    frame: Frame | None = None
    ended: bool = (
        False  # the source ended (a file or folder not looped): reported once its last frame is done
    )
    reported: bool = False
    ticked: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.ticked = self.clock()

    def tick(self) -> None:
        """The reader is alive (it read, or waits for a reconnect or its turn)."""
        self.ticked = self.clock()

    def put(self, frame: Frame) -> None:
        """Leave ``frame`` for analysis: a live one replaces a frame not yet taken; a file's waits its turn."""
        with self.ready:
            while not frame.live and self.frame is not None:
                self.tick()  # waiting for the loop, not hung
                self.ready.wait(WAIT_S)
            self.frame = frame
            self.ready.notify_all()

    def take(self) -> Frame | None:
        """The newest frame not yet analysed, if any (the slot is emptied)."""
        with self.ready:
            frame, self.frame = self.frame, None
            self.ready.notify_all()
            return frame

    def end(self) -> None:
        """The source has no more frames."""
        with self.ready:
            self.ended = True
            self.ready.notify_all()


def read_into(lane: Lane, frames: Callable[[], Iterator[Frame]], on_error: Callable[[str], None]) -> None:
    """A reader thread's body: ``frames()`` into ``lane`` until the source ends; a source that fails (a
    missing file, no images in a folder) is reported and tried again with backoff, without stopping the
    group's other cameras."""
    delay = 1.0
    while True:
        try:
            for frame in frames():
                lane.put(frame)
                delay = 1.0
            lane.end()
            return
        except Exception as e:  # any source failure: this camera's, reported; the others go on
            log.warning("camera %s: %s", lane.cam.name, e)
            on_error(f"camera {lane.cam.name}: {e}; retry in {delay:.0f} s")
        end = time.monotonic() + delay
        while time.monotonic() < end:
            lane.tick()
            time.sleep(min(1.0, end - time.monotonic()))
        delay = min(delay * 2, 60.0)


def turns(lanes: list[Lane], ready: threading.Condition) -> Iterator[tuple[Lane | None, Frame | None]]:
    """The analysing loop's turns: (lane, its newest frame) round the lanes, one each a round, the round's
    first lane one further on each time; (lane, None) for a lane whose source ended and whose last frame is
    done (once); ends when every lane has ended. Between rounds it waits for a frame at most WAIT_S, and
    yields (None, None) after a round that found none, so the caller beats its heartbeat."""
    start = 0
    while True:
        with ready:
            if not any(lane.frame is not None for lane in lanes):
                ready.wait(WAIT_S)
        order = lanes[start:] + lanes[:start]
        start = (start + 1) % len(lanes)
        took = False
        for lane in order:
            frame = lane.take()
            if frame is not None:
                took = True
                yield lane, frame
            elif lane.ended and not lane.reported:
                lane.reported = True
                yield lane, None
        if all(lane.reported for lane in lanes):
            return
        if not took:
            yield None, None


def readers_alive(lanes: list[Lane], hang_s: float, now: float) -> bool:
    """Whether every reader of a camera still being read ticked within ``hang_s``: a reader blocked past it
    (a camera that accepts and never answers) stops the worker's heartbeat, and the supervisor restarts it."""
    return all(lane.ended or now - lane.ticked <= hang_s for lane in lanes)
