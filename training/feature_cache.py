"""The frozen detector body's feature maps, computed once per image and view and kept on disk (round 14).

    nice -n 19 .venv/bin/python -m training.feature_cache --init-onnx training/weights/helmet_det_lite0_fp32.onnx

Why: on the 2-core CPU a training step of round 13's path (LiteHeadNet, body trained from stride 8 on,
16 photos at 384 px, each augmented afresh) spends almost all its time in the body, forward and backward.
With the whole body frozen its output for a given image and view never changes, so it is computed once
(the same pass as a val forward, ~0.5 s a photo on one contended thread) and every later step trains the
neck and head (LiteHeadNet.maps, 75 k parameters) on the stored maps, ~50 times cheaper a step. What is
given up: the body no longer adapts to the new photos, and augmentation is limited to the views cached
(the photo as the run time letterboxes it, and its mirror image), not round 13's fresh random scale,
shift and colour each step. training/rounds/round14.md measures what that costs in val AP50.

A view is the photo (as training.data.load_set keeps it), optionally mirrored, letterboxed as the run time
letterboxes a frame (vision.detectors.centernet.letterbox: long side to SIZE, padded to a multiple of 32).
The cache folder is keyed by the body's weights and the input size; each file by the photo's pixels and
the mirror flag, so a changed photo, body or size never reads a stale map. Maps are float32 (the head's
gradients on them are those of the uncached network, bit for bit: tests/vision/test_feature_cache.py).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import numpy as np
import torch

from training import checkpoint
from training.data import eval_view
from training.model import LiteHeadNet
from vision.detectors.centernet import PAD_MULTIPLE

CACHE = Path("/var/tmp/sitegw-train-cache")


def body_digest(net: LiteHeadNet) -> str:
    """sha256 of the body's weights (and its norms' statistics): the maps are a function of these alone."""
    return checkpoint.weights_digest(net.body.state_dict())


def image_digest(img: np.ndarray) -> str:
    """sha256 of a photo's pixels and shape, as training reads it."""
    h = hashlib.sha256(str(img.shape).encode())
    h.update(np.ascontiguousarray(img).tobytes())
    return h.hexdigest()


def view(
    img: np.ndarray, boxes: np.ndarray, size: int, flip: bool, scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """The letterboxed view the body sees (mirrored first when `flip`), and the boxes in its pixels.

    `scale` 1 is the photo as the run time letterboxes it; below 1 the same letterbox with its long side
    at `scale` x `size` (heads that small; the maps are smaller and sit in the batch's grid padded);
    above 1 the letterbox at `scale` x `size` cut to a window of at most `size` x `size` around the heads
    (window_at): the heads that large, and the same cost a step as the photo. Round 15."""
    if flip:
        w = img.shape[1]
        img = np.ascontiguousarray(img[:, ::-1])
        boxes = boxes.copy()
        boxes[:, [0, 2]] = w - boxes[:, [2, 0]]
    lb, b, _ = eval_view(img, boxes, round(size * scale))
    if scale > 1:
        lb, b = window_at(lb, b, size)
    return lb, b


def window_at(lb: np.ndarray, boxes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The window of at most `size` x `size` of the letterboxed `lb`, its corner on the 32-pixel grid,
    centred on the median centre of the heads (the view's centre where there are none; a function of
    the photo alone, so the cache can keep it), and the boxes in its pixels: those cut to less than half
    their area leave, as in training.data.augment."""
    h, w = lb.shape[:2]
    if len(boxes):
        cx, cy = np.median((boxes[:, 0] + boxes[:, 2]) / 2), np.median((boxes[:, 1] + boxes[:, 3]) / 2)
    else:
        cx, cy = w / 2, h / 2
    ww, wh = min(w, size), min(h, size)
    x0 = int(np.clip(round((cx - ww / 2) / PAD_MULTIPLE) * PAD_MULTIPLE, 0, w - ww))
    y0 = int(np.clip(round((cy - wh / 2) / PAD_MULTIPLE) * PAD_MULTIPLE, 0, h - wh))
    win = np.ascontiguousarray(lb[y0 : y0 + wh, x0 : x0 + ww])
    b = boxes.copy()
    b[:, [0, 2]] -= x0
    b[:, [1, 3]] -= y0
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    c = b.copy()
    c[:, [0, 2]] = np.clip(c[:, [0, 2]], 0, ww)
    c[:, [1, 3]] = np.clip(c[:, [1, 3]], 0, wh)
    carea = (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])
    return win, c[(carea > 0.5 * area) & (c[:, 2] - c[:, 0] > 2) & (c[:, 3] - c[:, 1] > 2)]


def parse_scales(text: str) -> list[float]:
    """`--cache-scales`/`--scales` text ("1,0.7,1.4") as the views' scales; each in [0.25, 4]."""
    try:
        out = [float(v) for v in text.split(",")]
    except ValueError:
        raise SystemExit(f"scales {text!r}: give numbers separated by commas, such as 1,0.7,1.4") from None
    if not out or any(not 0.25 <= v <= 4 for v in out):
        raise SystemExit(f"scales {text!r}: each scale must lie between 0.25 and 4, such as 1,0.7,1.4")
    return out


def pixels(lb: np.ndarray) -> torch.Tensor:
    """A letterboxed BGR image as the network's (1, 3, H, W) float input."""
    return torch.from_numpy(lb.transpose(2, 0, 1)[None].copy()).float()


class FeatureCache:
    """The maps (c8, c16) of one frozen body at one input size, one .npz file per photo and view."""

    def __init__(self, root: Path, net: LiteHeadNet, size: int) -> None:
        self.net = net
        self.size = size
        self.dir = root / f"lite0-{body_digest(net)[:24]}-{size}"
        self.computed = 0  # maps computed by this process (the others were read)
        self.seconds = 0.0  # spent computing them

    def path(self, img: np.ndarray, flip: bool, scale: float = 1.0) -> Path:
        """Where the maps of this photo's view lie (scale 1 keeps round 14's names)."""
        tag = "" if scale == 1 else f"-s{round(scale * 100)}"
        return self.dir / f"{image_digest(img)[:40]}-{int(flip)}{tag}.npz"

    def get(
        self, img: np.ndarray, boxes: np.ndarray, flip: bool, scale: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(c8 (40, H/8, W/8), c16 (112, H/16, W/16), boxes in the view's pixels), computed and stored once."""
        lb, b = view(img, boxes, self.size, flip, scale)
        path = self.path(img, flip, scale)
        if path.exists():
            with np.load(path) as z:
                return z["c8"], z["c16"], b
        t0 = time.monotonic()
        was_training = self.net.training
        self.net.eval()
        with torch.no_grad():
            c8, c16 = self.net.features(pixels(lb))
        self.net.train(was_training)
        a8, a16 = c8[0].numpy(), c16[0].numpy()
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")  # written whole, then renamed
        np.savez(tmp, c8=a8, c16=a16)
        os.replace(tmp, path)
        self.computed += 1
        self.seconds += time.monotonic() - t0
        return a8, a16, b


def fill(
    cache: FeatureCache,
    items: list[tuple[np.ndarray, np.ndarray]],
    flips: tuple[bool, ...],
    label: str,
    scales: tuple[float, ...] = (1.0,),
) -> None:
    """Compute every missing map of `items` in the views `flips` x `scales`, printing progress (a long
    first pass; what is there is skipped, so a stopped fill resumes where it stopped)."""
    t0 = time.monotonic()
    for n, (img, boxes) in enumerate(items, 1):
        for f in flips:
            for sc in scales:
                cache.get(img, boxes, f, sc)
        if n % 100 == 0 or n == len(items):
            print(
                f"{label}: {n}/{len(items)} photos, {cache.computed} maps computed in {cache.seconds:.0f} s "
                f"({time.monotonic() - t0:.0f} s wall)",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    """Fill the cache for a run's train and val parts ahead of training (training.train --cached fills
    what is missing by itself; this lets two processes share the first pass)."""
    from training import split
    from training.data import load_set
    from training.train import frozen_lite0

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--split-dir", type=Path, default=split.SPLIT_DIR)
    ap.add_argument("--part", choices=("train", "val"), action="append", help="default: both")
    ap.add_argument("--init-onnx", type=Path, required=True, help="the body's weights (a fused ONNX graph)")
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--cache-dir", type=Path, default=CACHE)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--shard", default="0/1", help="K/N: only every N-th photo from the K-th (parallel fills)"
    )
    ap.add_argument(
        "--scales",
        default="1",
        help="the train part's views at these scales, mirrored and not (training.train --cache-scales); "
        "val is always scale 1 only",
    )
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    k, n = (int(v) for v in args.shard.split("/"))
    net = frozen_lite0(args.init_onnx, args.size)
    cache = FeatureCache(args.cache_dir, net, args.size)
    print(f"cache {cache.dir}", flush=True)
    for part in args.part or ["val", "train"]:
        ids = (args.split_dir / f"{part}.txt").read_text().split()[k::n]
        flips = (False,) if part == "val" else (False, True)
        scales = (1.0,) if part == "val" else tuple(parse_scales(args.scales))
        fill(cache, load_set(args.data, ids), flips, part, scales)


if __name__ == "__main__":
    main()
