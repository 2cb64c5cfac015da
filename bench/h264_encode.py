#!/usr/bin/python3
"""Raw BGR frames on stdin into an H.264 stream (Annex B, the .h264 file a camera's stream is), as a site camera's main stream is: x264 at a key frame every
``--gop`` frames, no B-frames (what cameras send). Run by Debian's /usr/bin/python3 (PyGObject and GStreamer
are Debian packages, not the venv's, as for tests/servers/rtsp_server.py); bench/site_footage.py feeds it.

    ... | /usr/bin/python3 bench/h264_encode.py --size 1920x1080 --fps 25 --gop 25 --out clip.h264
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst


def main(argv: list[str] | None = None) -> int:
    """Encode stdin to ``--out``; exit 1 with GStreamer's message when the pipeline fails."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", required=True, help="WIDTHxHEIGHT of the frames on stdin")
    ap.add_argument("--fps", type=int, default=25)
    ap.add_argument("--gop", type=int, default=25, help="frames from one key frame to the next")
    ap.add_argument("--kbps", type=int, default=4096, help="bit rate (a 1080p camera: 2,048-8,192)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"fdsrc fd=0 blocksize={width * height * 3} ! "
        f"rawvideoparse format=bgr width={width} height={height} framerate={args.fps}/1 ! "
        "videoconvert ! video/x-raw,format=I420 ! "
        f"x264enc speed-preset=veryfast bitrate={args.kbps} key-int-max={args.gop} bframes=0 ! "
        f"video/x-h264,stream-format=byte-stream ! filesink location={args.out}"
    )
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(
        Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR
    )
    pipeline.set_state(Gst.State.NULL)
    if msg.type == Gst.MessageType.ERROR:
        err, debug = msg.parse_error()
        print(f"h264_encode: {err.message} ({debug})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
