"""Frame sources: RTSP and HTTP cameras, video files and folders of images, at a set analysis rate.

A source runs inside a camera's worker process, so blocking reads only ever block that camera.
Streams that drop are reopened with exponential backoff; frames between two analysed ones are
only grabbed (demuxed), not converted, which is the cheap way to skip them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import httpx
import numpy as np

from contract.config.camera import CameraConfig
from vision.labels import IMAGE_SUFFIXES, list_images

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame to analyse (`name` is the file name for images, else the frame index).

    ``scene`` says what the frame shows: frames of one scene follow each other (one camera's
    stream, one pass through a video file, one picture held for ``hold_frames``); a new value is a
    new scene (the next picture of a folder, another pass of a video), and the analyser forgets
    what it saw in the previous one, so no box or run carries from one picture to another."""

    ts: float
    image: np.ndarray
    name: str
    live: bool
    scene: str = ""
    late_s: float = 0.0  # how long after it was taken the frame was read (live streams; ts is when taken)


def scaled(img: np.ndarray, longest: int) -> np.ndarray:
    """``img`` scaled down so that its longer side is ``longest`` (a camera's analyse_px), or as it is when
    it already fits or ``longest`` is 0. Area averaging, as the detectors' own downscaling does: thin rails
    and far heads stay as they would be in a camera sending that size."""
    h, w = img.shape[:2]
    if longest <= 0 or max(h, w) <= longest:
        return img
    s = longest / max(h, w)
    return cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)


class SourceError(RuntimeError):
    """A source that cannot be opened; the message names the camera and what to check."""


def source_kind(cam: CameraConfig) -> str:
    """The configured kind, or the one the source string implies."""
    if cam.kind != "auto":
        return cam.kind
    s = cam.source.lower()
    if s.startswith(("rtsp://", "rtsps://")):
        return "rtsp"
    if s.startswith(("http://", "https://")):
        return (
            "snapshot" if s.split("?")[0].endswith((".jpg", ".jpeg", ".png")) or "snapshot" in s else "mjpeg"
        )
    p = Path(cam.source)
    if p.is_dir():
        return "images"
    if p.suffix.lower() in IMAGE_SUFFIXES:
        return "images"
    return "file"


StatusHook = Callable[[bool, str], None]
# FFmpeg's options go through the environment, read at each open: the cameras of one worker open in turn
_OPEN_LOCK = threading.Lock()
_FFMPEG_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"


@contextmanager
def _ffmpeg_options(options: str | None, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the worker's open lock, with FFmpeg's capture ``options`` in the environment (None: as they
    were), and put the environment back as it was on leaving. Left behind, a camera's options are every
    later open's in the process: ``avdiscard;nonkey`` made a video file (or an evidence clip read back)
    give its key frames only, 1 frame of a 5-frame clip. ``waiting`` is called each second the lock is
    held by another camera's open (at most its open timeout): the worker is not hung."""
    while not _OPEN_LOCK.acquire(timeout=1.0):
        waiting()
    before = os.environ.get(_FFMPEG_OPTIONS)
    try:
        if options is not None:
            os.environ[_FFMPEG_OPTIONS] = options
        yield
    finally:
        if before is None:
            os.environ.pop(_FFMPEG_OPTIONS, None)
        else:
            os.environ[_FFMPEG_OPTIONS] = before
        _OPEN_LOCK.release()


MAX_STALE_SKIPS = 5  # due frames passed over in a row for a newer one, before one is judged however old


class StreamClock:
    """When a live stream's frames were taken, from their timestamps, and how late each one is read.

    A camera's frame timestamps advance with its clock; a reader that keeps up reads each frame a fixed
    delay after it was taken (the camera's encoding and the network). The smallest ``now - pts`` seen is
    that delay; a frame read later than that by ``late`` seconds waited ``late`` in the socket's buffer
    behind frames the worker had no time for."""

    def __init__(self, clock: Callable[[], float], settle_s: float = 2.0) -> None:
        self._clock = clock
        self._settle_s = settle_s
        self._offset = float("inf")
        self._first: float | None = None
        self._last_pts = float("-inf")
        self._first_pts = 0.0
        self._stamped = 0  # frames with a timestamp later than the one before, since the clock began
        self.frames = 0

    def frame(self, now: float, pts: float, waited: bool = False) -> float:
        """Note a frame read at ``now`` with timestamp ``pts`` (seconds); its lateness in seconds.

        ``waited``: the read waited for the frame to arrive, so nothing was queued before it: it is on time,
        and its delay is the camera's now (a camera whose clock jumped, or a server that paused its stream
        while the reader was stopped, sends later timestamps from then on; the smallest delay seen since
        then counts again).

        The frames of the first ``settle_s`` do not set the delay and count as on time: a camera (or its
        server) sends what it buffered, a second or so, in a burst at connection, earlier than its pace.
        A stream without timestamps (each the same) is never late; one whose timestamps jump back (the
        camera restarted its clock) starts its delay anew."""
        self.frames += 1
        if self._first is None or pts < self._last_pts - 1.0:
            self._first, self._offset, self._stamped = now, float("inf"), 0
        stamped = pts > self._last_pts
        self._last_pts = pts
        if stamped:
            self._first_pts = pts if not self._stamped else self._first_pts
            self._stamped += 1
        if not stamped or now - self._first < self._settle_s:
            return 0.0
        offset = now - pts
        self._offset = offset if waited else min(self._offset, offset)
        return offset - self._offset

    def period(self) -> float:
        """Mean seconds between the frames so far by their timestamps (by the wall clock for a stream
        without them): a reader that fell behind reads them in a burst, but their timestamps keep the
        camera's pace. inf before two."""
        if self._stamped >= 2:
            return (self._last_pts - self._first_pts) / (self._stamped - 1)
        if self._first is None or self.frames < 2:
            return float("inf")
        return (self._clock() - self._first) / (self.frames - 1)

    def too_slow(self, fps: float, after_s: float = 5.0) -> bool:
        """Whether, ``after_s`` seconds into the stream (its own time), its frames come less often than
        ``fps`` a second (a fifth of slack: a key frame interval of exactly 1 s at fps 1 is enough)."""
        if self._stamped >= 2:
            seen = self._last_pts - self._first_pts
        else:
            seen = 0.0 if self._first is None else self._clock() - self._first
        return seen >= after_s and self.period() > 1.25 / fps


class FrameSource:
    """Yields frames of one camera at `cam.fps`, reconnecting live sources forever."""

    def __init__(
        self,
        cam: CameraConfig,
        on_status: StatusHook | None = None,
        backoff: tuple[float, float] = (1.0, 60.0),
        clock: Callable[[], float] = time.time,
        tick: Callable[[], None] = lambda: None,
        scale: bool = True,
    ) -> None:
        """``scale``: frames come scaled to the camera's analysed size (``scaled``); False leaves that to the
        consumer (a worker of several cameras scales only the frames it takes, not those a newer replaced)."""
        self.cam = cam
        self.tick = tick
        self._side = cam.analyse_px if scale else 0
        self.kind = source_kind(cam)
        self.on_status = on_status or (lambda online, reason: None)
        self.backoff = backoff
        self.clock = clock
        self._online: bool | None = None

    def _sleep(self, seconds: float) -> None:
        # in short steps, telling the worker's watchdog we are waiting, not hung
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.tick()
            time.sleep(min(1.0, left))

    def _status(self, online: bool, reason: str) -> None:
        if online != self._online:
            self._online = online
            self.on_status(online, reason)

    def frames(self) -> Iterator[Frame]:
        """All frames to analyse; ends for files and folders unless `loop`, never for cameras."""
        if self.kind == "images":
            yield from self._images()
        elif self.kind == "file":
            yield from self._file()
        elif self.kind == "snapshot":
            yield from self._snapshots()
        else:
            yield from self._stream()

    def _images(self) -> Iterator[Frame]:
        p = Path(self.cam.source)
        files = list_images(p) if p.is_dir() else [p]
        if not files:
            raise SourceError(
                f"camera {self.cam.name}: no images in {p} (expected {', '.join(IMAGE_SUFFIXES)})"
            )
        passes = 0
        while True:
            for f in files:
                img = cv2.imread(str(f))
                if img is None:
                    # one unreadable picture must not stop the rest; it is reported, not skipped silently
                    log.warning("camera %s: cannot decode %s, skipped", self.cam.name, f)
                    continue
                for _ in range(self.cam.hold_frames):
                    yield Frame(
                        self.clock(),
                        scaled(img, self._side),
                        f.name,
                        False,
                        scene=f"{f}#{passes}",
                    )
                    if self.cam.loop:
                        self._sleep(1.0 / self.cam.fps)
            if not self.cam.loop:
                return
            passes += 1

    def _file(self) -> Iterator[Frame]:
        passes = 0
        while True:
            passes += 1  # the video's end jumps back to its start: a new scene
            with _ffmpeg_options(None, self.tick):  # not while another camera's options are set
                cap = cv2.VideoCapture(self.cam.source)
            if not cap.isOpened():
                raise SourceError(f"camera {self.cam.name}: cannot open video {self.cam.source}")
            # analyse one frame per 1/fps seconds of video time; the others are grabbed, not decoded to BGR
            step = max(1, round((cap.get(cv2.CAP_PROP_FPS) or 25.0) / self.cam.fps))
            i = 0
            while cap.grab():
                if i % step == 0:
                    ok, img = cap.retrieve()
                    if ok:
                        yield Frame(
                            self.clock(),
                            scaled(img, self._side),
                            str(i),
                            False,
                            scene=f"{self.cam.source}#{passes}",
                        )
                        if self.cam.loop:
                            self._sleep(1.0 / self.cam.fps)
                i += 1
            cap.release()
            if not self.cam.loop:
                return

    def _open(self, keyframes: bool) -> cv2.VideoCapture:
        """The camera's stream, opened with one decoding thread, and with ``keyframes`` decoding key frames only."""
        # FFmpeg reads its options from the environment at each open; a worker's cameras open one at a
        # time (_OPEN_LOCK) and the options go when the open is done, so they affect only this camera. TCP as
        # Frigate's presets do: over lossy links UDP loses packets (smeared frames) and a frozen camera
        # blocked reads for twice the timeout.
        # avdiscard nonkey: the decoder skips every frame but the key frames, a tenth to a fiftieth of the work
        options = f"rtsp_transport;{self.cam.rtsp_transport}" + ("|avdiscard;nonkey" if keyframes else "")
        with _ffmpeg_options(options, self.tick):
            # bounded open and read, so a dead camera cannot block the worker past its watchdog; one decoding
            # thread: FFmpeg's default (one per core) makes every camera's reader compete for all the cores
            return cv2.VideoCapture(
                self.cam.source,
                cv2.CAP_FFMPEG,
                [
                    cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 10000,
                    cv2.CAP_PROP_READ_TIMEOUT_MSEC, 10000,
                    cv2.CAP_PROP_N_THREADS, 1,
                ],
            )  # fmt: skip

    def _stream(self) -> Iterator[Frame]:
        delay = self.backoff[0]
        # key frames only when the camera's analysed rate is at most one a second (a camera's key frames
        # come every 1-4 s); _keyframes_too_slow turns it off when they come less often than that
        keyframes = self.cam.decode == "keyframes" or (self.cam.decode == "auto" and self.cam.fps <= 1.0)
        while True:
            cap = self._open(keyframes)
            if not cap.isOpened():
                self._status(
                    False, f"camera {self.cam.name}: cannot open {self.cam.source}, retry in {delay:.0f} s"
                )
                self._sleep(delay)
                delay = min(delay * 2, self.backoff[1])
                continue
            clock = StreamClock(self.clock)
            reopen = False
            for frame in self._read(cap, clock):
                delay = self.backoff[0]
                yield frame
                if keyframes and self.cam.decode == "auto" and clock.too_slow(self.cam.fps):
                    log.warning(
                        "camera %s: key frames every %.1f s, fewer than the %g analysed a second: decoding "
                        "every frame (set the camera's I-frame interval to at most 1 s, or decode: all)",
                        self.cam.name, clock.period(), self.cam.fps,
                    )  # fmt: skip
                    keyframes, reopen = False, True
                    break
            cap.release()
            if reopen:
                continue
            self._status(False, f"camera {self.cam.name}: stream ended, reconnect in {delay:.0f} s")
            self._sleep(delay)
            delay = min(delay * 2, self.backoff[1])

    def _read(self, cap: cv2.VideoCapture, clock: StreamClock) -> Iterator[Frame]:
        """The frames to analyse of one open stream, until it ends or fails."""
        next_due: float | None = None
        period, stale = 1.0 / self.cam.fps, 0
        while True:
            began = time.monotonic()
            if not cap.grab():
                return
            # a read that waited half a period for its frame found nothing queued: the stream's live edge
            waited = time.monotonic() - began >= period / 2
            self.tick()
            self._status(True, "stream open")
            now = self.clock()
            late = clock.frame(now, cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, waited)
            # the cadence goes by when frames were taken (their timestamps), not when they were read: key
            # frames come once a second give or take the network's jitter, and one read a hair before its
            # time by the wall clock must not wait a whole period
            taken = now - late
            if next_due is None or taken >= next_due - period / 20:
                # a frame due but more than a period old has a newer one waiting behind it (an analysis
                # ran long): judge that one, not this; a worker that cannot even read in time (always a
                # period late) still judges one in MAX_STALE_SKIPS + 1
                if late > period and stale < MAX_STALE_SKIPS:
                    stale += 1
                    continue
                stale = 0
                ok, img = cap.retrieve()
                if ok:
                    # the first frame sets the cadence (counting from 0 let the second one through
                    # at once); a source that fell behind is not made to catch up in a burst
                    next_due = taken + period if next_due is None else max(next_due + period, now)
                    img = scaled(img, self._side)  # once, as read: every check then works on it
                    yield Frame(taken, img, str(clock.frames), True, scene=self.cam.source, late_s=late)

    def _snapshots(self) -> Iterator[Frame]:
        delay = self.backoff[0]
        i = 0
        with httpx.Client(timeout=10.0) as client:
            while True:
                t = self.clock()
                try:
                    r = client.get(self.cam.source)
                    r.raise_for_status()
                    img = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
                    if img is None:
                        raise ValueError(f"answer is not an image ({r.headers.get('content-type')})")
                except (httpx.HTTPError, ValueError) as e:
                    self._status(False, f"camera {self.cam.name}: snapshot {self.cam.source} failed: {e}")
                    self._sleep(delay)
                    delay = min(delay * 2, self.backoff[1])
                    continue
                delay = self.backoff[0]
                self._status(True, "snapshot ok")
                i += 1
                yield Frame(t, scaled(img, self._side), str(i), True, scene=self.cam.source)
                self._sleep(max(0.0, 1.0 / self.cam.fps - (self.clock() - t)))
