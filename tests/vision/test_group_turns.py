"""The cameras of one worker take fair turns on their newest frames (vision/group.py).

Real reader threads feed the lanes while the loop analyses; a slow camera (its analysis five times the
others') must not starve a fast one, and a camera judged late is judged on its newest frame, not a queue.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator

import numpy as np

from contract.config.camera import CameraConfig
from vision.group import Lane, read_into, readers_alive, turns
from vision.sources import Frame

IMG = np.zeros((4, 4, 3), np.uint8)


def live(period: float, stop: threading.Event) -> Iterator[Frame]:
    """A live camera's frames, one every ``period`` s, numbered, until ``stop``."""
    for i in itertools.count():
        if stop.is_set():
            return
        yield Frame(time.time(), IMG, str(i), True)
        time.sleep(period)


def lanes_of(*names: str) -> tuple[list[Lane], threading.Condition]:
    ready = threading.Condition()
    return [Lane(CameraConfig(name=n, source="rtsp://x/"), ready) for n in names], ready


def test_a_slow_camera_does_not_starve_the_others_and_each_is_judged_on_its_newest_frame() -> None:
    lanes, ready = lanes_of("slow", "fast-1", "fast-2")
    stop = threading.Event()
    for lane in lanes:
        threading.Thread(target=read_into, args=(lane, lambda: live(0.02, stop), print), daemon=True).start()
    done: Counter[str] = Counter()
    skipped: list[int] = []
    last: dict[str, int] = {}
    end = time.monotonic() + 2.0
    for lane, frame in turns(lanes, ready):
        if lane is None or frame is None:
            continue
        n = int(frame.name)
        skipped.append(n - last.get(lane.cam.name, n - 1) - 1)
        last[lane.cam.name] = n
        done[lane.cam.name] += 1
        time.sleep(0.1 if lane.cam.name == "slow" else 0.02)  # the slow camera's analysis
        if time.monotonic() > end:
            break
    stop.set()
    # one turn each a round: the fast cameras are analysed as often as the slow one, not less
    assert min(done.values()) >= max(done.values()) - 1, done
    # frames came every 20 ms, a round takes ~140 ms: the frames between were replaced, not queued
    assert max(skipped) >= 3, skipped


def test_frames_of_a_file_wait_their_turn_and_the_ended_source_is_said_once() -> None:
    (lane,), ready = lanes_of("file")
    frames = [Frame(float(i), IMG, str(i), False) for i in range(5)]
    threading.Thread(target=read_into, args=(lane, lambda: iter(frames), print), daemon=True).start()
    got = []
    for turn_lane, frame in turns([lane], ready):
        if turn_lane is None:
            continue
        got.append(None if frame is None else frame.name)
        time.sleep(0.05)  # slower than the reader: each file frame must still be analysed
    assert got == ["0", "1", "2", "3", "4", None]


def test_a_reader_stuck_past_the_hang_time_stops_the_heartbeat() -> None:
    (lane,), _ = lanes_of("stuck")
    assert readers_alive([lane], 2.0, time.monotonic())
    assert not readers_alive([lane], 2.0, time.monotonic() + 3.0)
    lane.end()
    assert readers_alive([lane], 2.0, time.monotonic() + 3.0)  # an ended source is not read any more
