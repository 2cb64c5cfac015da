"""Site footage for the camera benchmarks: real site photos made into the H.264 stream a camera sends.

No video of a real site ships with the project, so the clip is made from real photographs of building
sites (the hard-hat photo set in /work/shared/data/helmet/sfchd when it is there, else the shipped demo
photos, vision/demo/cap): each photo fills the frame (cropped to 16:9) and stays still for ``still_s``, then
the picture pans for ``move_s`` (the whole frame moves: the costliest kind of motion for the analysis, a
full detection on each analysed frame), then the next photo. Encoded at 25 fps with a key frame each second
and no B-frames (bench/h264_encode.py, x264 veryfast: CABAC and deblocking on, as camera streams have).
The clip is cached by its parameters under ``.state/footage``; the RTSP server loops it
(tests/servers/rtsp_server.py --video).
"""

from __future__ import annotations

import subprocess
import sys
from itertools import cycle
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SITE_PHOTOS = Path("/work/shared/data/helmet/sfchd/images")
DEMO_PHOTOS = REPO / "vision" / "demo" / "cap" / "images"
PAN = 0.12  # the pan covers this fraction of the frame's width over move_s


def photos() -> tuple[str, list[Path]]:
    """(where from, the photos): the real site set when present, else the shipped demo photos."""
    folder = SITE_PHOTOS if SITE_PHOTOS.is_dir() else DEMO_PHOTOS
    return str(folder), sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))


def _cover(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """The photo scaled to cover ``width * (1 + PAN)`` x ``height``, cropped to that around its centre."""
    w, h = round(width * (1 + PAN)), height
    s = max(w / img.shape[1], h / img.shape[0])
    big = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_LINEAR)
    y, x = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return big[y : y + h, x : x + w]


def make(
    width: int,
    height: int,
    seconds: float = 60.0,
    fps: int = 25,
    still_s: float = 4.0,
    move_s: float = 2.0,
    kbps: int | None = None,
    walkers: bool = False,
) -> Path:
    """The clip's path, made first when it is not cached (a minute or two at 1080p on a loaded box).

    ``walkers``: for ``move_s`` the picture stays and two people walk across it instead, in opposite
    corners (each a person-sized cut of the photo before, a sixth of the height, moving an eighth of the
    width): the local motion of a fixed camera, against the pan's whole-picture motion."""
    source, files = photos()
    kbps = kbps or (4096 if width * height > 1280 * 720 else 2048)
    out = (
        REPO
        / ".state"
        / "footage"
        / f"site_{width}x{height}_{seconds:g}s_{still_s:g}+{move_s:g}_{kbps}k{'_walkers' if walkers else ''}.h264"
    )
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    enc = subprocess.Popen(
        [
            "/usr/bin/python3",
            str(REPO / "bench" / "h264_encode.py"),
            "--size",
            f"{width}x{height}",
            "--fps",
            str(fps),
            "--gop",
            str(fps),
            "--kbps",
            str(kbps),
            "--out",
            str(tmp),
        ],
        stdin=subprocess.PIPE,
    )
    assert enc.stdin is not None
    still, move = round(still_s * fps), round(move_s * fps)
    total, shift = round(seconds * fps), round(width * PAN)
    n = 0
    walker: np.ndarray | None = None
    # a worker some way off, a sixth of the picture's height, in a corner of the site: each stays inside
    # one hard-hat tile of a 1080p frame (tiles.tile_windows) over its walk of an eighth of the width
    ph, pw, gap = height // 6, width // 16, height // 10
    for f in cycle(files):
        img = cv2.imread(str(f))
        if img is None:
            continue
        wide = _cover(img, width, height)
        for i in range(still + move):
            if walkers:
                frame = np.ascontiguousarray(wide[:, :width])
                if i >= still and walker is not None:
                    dx = round(shift * (i - still + 1) / move)
                    frame[gap : gap + ph, gap + dx : gap + pw + dx] = walker
                    frame[-ph - gap : -gap, -pw - gap - dx : -gap - dx] = walker[:, ::-1]
            else:
                x = 0 if i < still else round(shift * (i - still + 1) / move)
                frame = np.ascontiguousarray(wide[:, x : x + width])
            enc.stdin.write(frame.tobytes())
            n += 1
            if n >= total:
                break
        if n >= total:
            break
        walker = wide[height // 3 : height // 3 + ph, width // 2 : width // 2 + pw].copy()
    enc.stdin.close()
    if enc.wait() != 0:
        raise SystemExit(f"site_footage: encoding {out.name} failed (bench/h264_encode.py)")
    tmp.rename(out)
    print(
        f"(footage: {out.name} from {source}, {still_s:g} s still + {move_s:g} s moving per photo)",
        file=sys.stderr,
    )
    return out
