"""Where the hard-hat check loses heads: each labelled head's fate through the path `detect` runs.

    .venv/bin/python -m training.loss_analysis --data ../shared/data/helmet --part test

For every labelled head of the part (per data folder), the shipped detector and its card
(vision/models/helmet.json: input size, flip, candidate floor, classifier, det_power, thresholds)
decide one fate, the first that applies:

- ``found``: a box of the head's class passes its threshold at IoU >= 0.5;
- ``wrong class``: the box that passes there is of the other class;
- ``rejected``: stage 1 proposed the head (IoU >= 0.5) but no box passes a threshold there (the
  classifier called it "not a head", or its score is under the threshold);
- ``loose box``: the best proposal overlaps the head at IoU 0.3-0.5 only;
- ``never proposed``: no proposal reaches IoU 0.3.

Heads are bucketed by their height in the detector's input pixels (the frame, or each of its tiles
with --tile-px, as a camera at its helmet_tile_px, is letterboxed to the card's size on its long side),
because that, not the photo's pixels, is what the network sees: a 20 px head of a 416 px frame is
28 px at input 576, the same head in a whole 1280x720 camera frame 9 px, in one of its two tiles 16 px.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from contract.config.camera import HELMET_TILE_PX
from training import split, wide_frames
from vision.detectors.centernet import CLASSES, iou_one_to_many
from vision.detectors.helmet import HelmetDetector
from vision.detectors.tiles import tile_windows
from vision.model_files import DEFAULT_MODEL

FATES = ("found", "wrong class", "rejected", "loose box", "never proposed")
BUCKETS = ((0, 12), (12, 24), (24, 48), (48, 10_000))  # head height in detector-input pixels


def fate(head: np.ndarray, cands: np.ndarray, passed: np.ndarray) -> str:
    """The fate of one labelled head (x1, y1, x2, y2, class) given the frame's proposals and its boxes
    that pass their class's threshold (rows x1, y1, x2, y2, score, class)."""
    if len(passed):
        iou = iou_one_to_many(head[:4], passed[:, :4])
        hit = passed[iou >= 0.5]
        if len(hit):
            return "found" if (hit[:, 5] == head[4]).any() else "wrong class"
    best = iou_one_to_many(head[:4], cands[:, :4]).max() if len(cands) else 0.0
    return "rejected" if best >= 0.5 else "loose box" if best >= 0.3 else "never proposed"


def bucket(head: np.ndarray, scale: float) -> str:
    """The head's height bucket in detector-input pixels, as a label like ``12-24``."""
    h = (head[3] - head[1]) * scale
    lo, hi = next(b for b in BUCKETS if b[0] <= h < b[1])
    return f"{lo}+" if hi == BUCKETS[-1][1] else f"{lo}-{hi}"


def analyse(
    det: HelmetDetector, items: Iterable[tuple[np.ndarray, np.ndarray]], tile_px: int = HELMET_TILE_PX
) -> Counter[tuple[str, str, str]]:
    """Counts of (class, height bucket, fate) over the labelled heads of `items` (image, heads)."""
    out: Counter[tuple[str, str, str]] = Counter()
    thresholds = np.array([det.card.thresholds[c] for c in CLASSES])
    for img, heads in items:
        h, w = img.shape[:2]
        cands = det.candidates(img, tile_px)
        rows = det.raw(img, cands)  # the rows `detect` keeps, before its thresholds
        passed = rows[rows[:, 4] >= thresholds[rows[:, 5].astype(int)]]
        x1, y1, x2, y2 = tile_windows(w, h, tile_px)[0]  # the detector sees heads at its tiles' scale
        scale = det.card.size / max(x2 - x1, y2 - y1)
        for head in heads:
            out[(CLASSES[int(head[4])], bucket(head, scale), fate(head, cands, passed))] += 1
    return out


def table(counts: Counter[tuple[str, str, str]], title: str) -> str:
    """A plain-text table: one row per class and height bucket, the share of each fate."""
    lines = [title, f"{'class':<10} {'height':>7} {'heads':>6} " + " ".join(f"{f:>14}" for f in FATES)]
    for c in CLASSES:
        for lo, hi in BUCKETS:
            b = f"{lo}+" if hi == BUCKETS[-1][1] else f"{lo}-{hi}"
            n = sum(counts[(c, b, f)] for f in FATES)
            if n:
                shares = " ".join(f"{counts[(c, b, f)] / n:>14.2f}" for f in FATES)
                lines.append(f"{c:<10} {b:>7} {n:>6} {shares}")
        n = sum(v for (cc, _, _), v in counts.items() if cc == c)
        if n:
            shares = " ".join(
                f"{sum(v for (cc, _, f), v in counts.items() if cc == c and f == fa) / n:>14.2f}"
                for fa in FATES
            )
            lines.append(f"{c:<10} {'all':>7} {n:>6} {shares}")
    return "\n".join(lines)


def main() -> None:
    """Command line entry: one table per data folder of the part, then all folders together."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--part", default="test", help="train, val or test (training/split/PART.txt)")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="hard-hat ONNX with its card beside it")
    ap.add_argument(
        "--tile-px", type=int, default=HELMET_TILE_PX, help="a camera's helmet_tile_px (0: whole frames)"
    )
    ap.add_argument(
        "--wide",
        action="store_true",
        help="each folder's frames laid 3 across, 2 down, as a wide camera sees (training/wide_frames.py)",
    )
    args = ap.parse_args()
    det = HelmetDetector(args.model)
    ids = split.load(args.part)
    total: Counter[tuple[str, str, str]] = Counter()
    for s in split.SETS:
        mine = [i for i in ids if i.startswith(s + "/")]
        items = wide_frames.mosaics(args.data, mine) if args.wide else split.labelled(args.data, mine)
        counts = analyse(det, items, args.tile_px)
        total += counts
        how = f"{len(mine)} images of {args.part}" + (", laid 3x2 as wide frames" if args.wide else "")
        print(table(counts, f"\n{s}: {how}, input {det.card.size} px, tiles of {args.tile_px} px"))
    wide = ", laid 3x2 as wide frames (each folder's remainder left out)" if args.wide else ""
    print(table(total, f"\nall: {len(ids)} images of {args.part}{wide}, tiles of {args.tile_px} px"))


if __name__ == "__main__":
    main()
