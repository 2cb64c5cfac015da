#!/usr/bin/python3
"""A tiny real RTSP camera for the tests: GStreamer's gst-rtsp-server serving H.264 at rtsp://HOST:PORT/cam.

Runs under Debian's system python (/usr/bin/python3 with python3-gi), not the project's venv:
PyGObject and the GstRtspServer typelib come from Debian (scripts/setup-test-env.sh). The picture
is either a folder of real photos, each shown for ``--photo-s`` seconds and re-timed to ``--fps``
like a camera watching a changing scene, or GStreamer's test pattern, encoded with x264 (a key frame
every second, so a client that reconnects gets a picture within a second) and paced by the pipeline clock
as a live camera would be; or ``--video``: an H.264 stream file sent as it is in a loop, without encoding
(many cameras for a benchmark at the cost of reading a file). ``--cameras N`` serves N cameras, at /cam,
/cam1, ..., /camN-1: with ``--video`` each is a live stream of its own, the file played from a point of
it drawn with ``--seed`` (the first camera from its start), so that the cameras' key frames come at
instants of their own, as a site's cameras' do (their encoders started when each camera did), not all
at once; the log says when each camera's first key frame comes. Prints ``ready`` once it listens; ends on
SIGTERM or SIGINT. Command-line errors end it with exit code 2 and a line saying what to fix.

    /usr/bin/python3 tests/servers/rtsp_server.py --port 8554 --fps 10 --images vision/demo/cap/images
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402  (after require_version)

PHOTO_SUFFIXES = (".jpg", ".jpeg")
MOUNT = "/cam"
# element -> the Debian package that has it; a missing one would only show when a client connects
ELEMENTS = {
    "multifilesrc": "gstreamer1.0-plugins-good",
    "jpegdec": "gstreamer1.0-plugins-good",
    "h264parse": "gstreamer1.0-plugins-bad",
    "appsrc": "gstreamer1.0-plugins-base",
    "rtph264pay": "gstreamer1.0-plugins-good",
    "videorate": "gstreamer1.0-plugins-base",
    "videoscale": "gstreamer1.0-plugins-base",
    "videoconvert": "gstreamer1.0-plugins-base",
    "videotestsrc": "gstreamer1.0-plugins-base",
    "x264enc": "gstreamer1.0-plugins-ugly",
}


def photo_sequence(folder: Path, into: Path) -> str:
    """Link the folder's JPEGs as 00000.jpg, 00001.jpg, ... in ``into``; the multifilesrc pattern."""
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    if not photos:
        raise SystemExit(f"rtsp_server: no JPEG photos in {folder}: pass --images a folder of .jpg files")
    for i, p in enumerate(photos):
        (into / f"{i:05d}.jpg").symlink_to(p.resolve())
    return str(into / "%05d.jpg")


def launch_line(fps: int, width: int, height: int, pattern: str | None, photo_s: float) -> str:
    """The gst-launch description of the media: photos (or test pattern) -> raw video at fps -> H.264 RTP."""
    raw = f"video/x-raw,width={width},height={height},framerate={fps}/1"
    if pattern is None:
        source = f"videotestsrc is-live=true pattern=ball ! {raw}"
    else:
        # framerate on the JPEG caps is the photo rate; videorate repeats each photo up to the camera's fps
        photo_rate = Fraction(1 / photo_s).limit_denominator(1000)
        source = (
            f"multifilesrc location={pattern} loop=true "
            f"caps=image/jpeg,framerate={photo_rate.numerator}/{photo_rate.denominator} ! jpegdec ! "
            "videoconvert ! "
            f"videoscale ! videorate ! {raw}"
        )
    return (
        f"( {source} ! videoconvert ! video/x-raw,format=I420 ! "
        f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} ! "
        "rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


AUD = b"\x00\x00\x00\x01\x09"  # an access unit delimiter: x264 starts each frame with one


def split_frames(video: Path) -> list[bytes]:
    """An H.264 stream file (Annex B, one access unit delimiter per frame, as x264 writes it), frame by frame."""
    data = video.read_bytes()
    starts = []
    at = data.find(AUD)
    while at >= 0:
        starts.append(at)
        at = data.find(AUD, at + len(AUD))
    if not starts:
        raise SystemExit(f"rtsp_server: {video} has no access unit delimiters: encode it with x264's aud on")
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


def is_key(frame: bytes) -> bool:
    """Whether an access unit holds an IDR slice (NAL unit type 5): a key frame."""
    at = frame.find(b"\x00\x00\x01")
    while 0 <= at < len(frame) - 3:
        if frame[at + 3] & 0x1F == 5:
            return True
        at = frame.find(b"\x00\x00\x01", at + 3)
    return False


# a live source: the server's ticker pushes each frame when its camera takes it, whether anyone watches or not
VIDEO_LINE = (
    "( appsrc name=video is-live=true format=time "
    "caps=video/x-h264,stream-format=byte-stream,alignment=au ! "
    "h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)


def camera_offsets(cameras: int, frames: int, seed: int) -> list[int]:
    """Where in the loop each of ``cameras`` cameras is at the server's start, in frames: the first at 0
    (/cam), the others drawn with ``seed``, so that each camera's key frames fall at its own instant of the
    second (a site's cameras were switched on at different times) and its motion at its own moments."""
    draw = random.Random(seed)
    return [0, *(draw.randrange(frames) for _ in range(cameras - 1))]


class LoopedCameras:
    """Live cameras playing one H.264 stream file in a loop, each from its own point of it (``offsets``):
    one ticker at ``fps`` sends frame ``(tick + offset) % len(frames)`` of each camera to the media of its
    mount, stamped with the tick's own clock time, so the cameras keep their phases for all the clients
    and across reconnects, as cameras that run whether watched or not (a file alone has no timestamps to
    pace by, and a loop must not jump back in time)."""

    def __init__(self, frames: list[bytes], fps: int, offsets: list[int]) -> None:
        self.frames, self.offsets = frames, offsets
        self.duration = Gst.SECOND // fps
        self.clock = Gst.SystemClock.obtain()  # the media pipelines' clock too (GStreamer's default)
        self.epoch = self.clock.get_time()
        self.sent = -1  # the last tick sent
        self.catch_up = fps  # frames at most: a server stopped longer than a second skips ahead
        self.sources: list[set[Any]] = [set() for _ in offsets]  # each camera's playing appsrcs

    def configure(self, camera: int) -> Callable[[GstRtspServer.RTSPMediaFactory, Any], None]:
        """The media-configure handler of ``camera``'s mount: its appsrc fed by the ticker until unprepared."""

        def configure(_factory: GstRtspServer.RTSPMediaFactory, media: Any) -> None:
            src = media.get_element().get_by_name("video")
            self.sources[camera].add(src)
            media.connect("unprepared", lambda _media: self.sources[camera].discard(src))

        return configure

    def tick(self) -> bool:
        """Send the frames due since the last tick; schedule the next (a GLib timeout's body)."""
        now = self.clock.get_time()
        due = (now - self.epoch) // self.duration
        # a late tick (a busy box) sends what came due meanwhile, each at its time, as a camera's buffer would
        for n in range(max(self.sent + 1, due - self.catch_up), due + 1):
            taken = self.epoch + n * self.duration
            for offset, sources in zip(self.offsets, self.sources, strict=True):
                data = self.frames[(n + offset) % len(self.frames)]
                for src in list(sources):
                    base = src.get_base_time()
                    if src.get_clock() is None or taken < base:
                        continue  # not playing yet: a camera's frames before a client came are not sent
                    buf = Gst.Buffer.new_wrapped(data)
                    buf.pts = buf.dts = taken - base
                    buf.duration = self.duration
                    src.emit("push-buffer", buf)
        self.sent = due
        wait_ns = self.epoch + (due + 1) * self.duration - self.clock.get_time()
        GLib.timeout_add(max(1, round(wait_ns / Gst.MSECOND)), self.tick)
        return False  # this timeout once: the next is scheduled at the next frame's time


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve until SIGTERM/SIGINT."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True, help="TCP port of the RTSP server (127.0.0.1)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--fps", type=int, default=10, help="frames per second of the stream")
    ap.add_argument(
        "--images", type=Path, help="folder of JPEG photos to play in a loop (else a test pattern)"
    )
    ap.add_argument(
        "--video",
        type=Path,
        help="an H.264 stream file (Annex B, .h264) to send as it is, looped, at --fps (instead of --images)",
    )
    ap.add_argument(
        "--cameras",
        type=int,
        default=1,
        help="cameras served, at /cam, /cam1, /cam2, ...: with --video each plays the file from its own point",
    )
    ap.add_argument(
        "--seed", type=int, default=55, help="the draw of the --video cameras' points in the file"
    )
    ap.add_argument("--photo-s", type=float, default=1.0, help="seconds each photo stays on screen")
    ap.add_argument("--size", default="640x640", help="WIDTHxHEIGHT of the stream")
    ap.add_argument(
        "--protocols",
        choices=["any", "tcp", "udp"],
        default="any",
        help="RTP transports offered (a camera set to one only refuses the other at SETUP)",
    )
    args = ap.parse_args(argv)
    if not 1 <= args.fps <= 60:
        ap.error(f"--fps {args.fps}: use 1..60")
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        ap.error(f"--size {args.size!r}: use WIDTHxHEIGHT, e.g. 640x640")
    if args.cameras < 1:
        ap.error(f"--cameras {args.cameras}: use 1 or more")
    if args.photo_s <= 0:
        ap.error(f"--photo-s {args.photo_s}: use a positive number of seconds")
    if args.video is not None and not args.video.is_file():
        ap.error(f"--video {args.video}: no such file")
    if args.images is not None and not args.images.is_dir():
        ap.error(f"--images {args.images}: not a folder")

    Gst.init(None)
    missing = sorted({pkg for name, pkg in ELEMENTS.items() if Gst.ElementFactory.find(name) is None})
    if missing:
        print(
            f"rtsp_server: GStreamer elements missing: install {' '.join(missing)} "
            "(scripts/setup-test-env.sh)",
            file=sys.stderr,
        )
        return 1
    with tempfile.TemporaryDirectory(prefix="rtsp-cam-") as tmp:
        pattern = photo_sequence(args.images, Path(tmp)) if args.images is not None else None
        server = GstRtspServer.RTSPServer()
        server.set_address(args.host)
        server.set_service(str(args.port))
        mounts = [MOUNT] + [f"{MOUNT}{k}" for k in range(1, args.cameras)]
        cameras = None
        if args.video is not None:
            frames = split_frames(args.video)
            cameras = LoopedCameras(frames, args.fps, camera_offsets(args.cameras, len(frames), args.seed))
            keys = [i for i, f in enumerate(frames) if is_key(f)]
            for mount, offset in zip(mounts, cameras.offsets, strict=True):
                # when each camera's first key frame comes after the start: its phase, what the benchmark spreads
                first = min((k - offset) % len(frames) for k in keys) / args.fps if keys else float("nan")
                print(f"{mount}: from frame {offset}, first key frame at +{first:.2f} s", file=sys.stderr)
        for camera, mount in enumerate(mounts):
            factory = GstRtspServer.RTSPMediaFactory()
            if cameras is not None:
                factory.set_launch(VIDEO_LINE)
                factory.connect("media-configure", cameras.configure(camera))
            else:
                factory.set_launch(launch_line(args.fps, width, height, pattern, args.photo_s))
            factory.set_shared(True)  # one encoder for all clients, as a camera has
            if args.protocols != "any":
                factory.set_protocols(
                    GstRtsp.RTSPLowerTrans.TCP if args.protocols == "tcp" else GstRtsp.RTSPLowerTrans.UDP
                )
            server.get_mount_points().add_factory(mount, factory)
        if server.attach(None) == 0:
            print(f"rtsp_server: cannot listen on {args.host}:{args.port} (in use?)", file=sys.stderr)
            return 1
        if cameras is not None:
            cameras.tick()
        loop = GLib.MainLoop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
        print(f"ready rtsp://{args.host}:{args.port}{MOUNT}", flush=True)
        loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
