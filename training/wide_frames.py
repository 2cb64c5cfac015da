"""Wide camera frames from real site-camera frames: a part's frames laid side by side, heads at their own pixels.

    .venv/bin/python -m training.wide_frames --data ../shared/data/helmet --part test --folder hhw \\
        --out /tmp/wide_hhw_test
    sitegw vision eval --images /tmp/wide_hhw_test/images --labels /tmp/wide_hhw_test/labels
    sitegw vision eval --images /tmp/wide_hhw_test/images --labels /tmp/wide_hhw_test/labels --tile-px 0

A fixed site camera of 1280x720 sees far-off workers with heads of 15-40 px, as the `hhw` frames do
(416x416 each), but the shared data has no labelled frame of that size. Six such frames, in split
order, laid 3 across and 2 down, make one 1248x832 frame whose every pixel and every label is a real
camera's: the heads keep their own pixels and the frame has the width the detector must scale down.
No pixel is drawn or resampled (a frame smaller than its cell is padded black at its right and bottom;
the images are written as PNG), so what it measures is the detector's input scale, which is what tiles
change. Left over frames that do not fill a mosaic are not used. The mosaics are a measuring device,
not a camera's view: the seams between cells are not a scene, and heads never lie across them.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from training import split

COLS, ROWS = 3, 2


def mosaic(frames: list[tuple[np.ndarray, np.ndarray]], cols: int = COLS) -> tuple[np.ndarray, np.ndarray]:
    """One frame of ``frames`` (image, truth rows x1, y1, x2, y2, class in its pixels) laid ``cols``
    across, each in a cell as large as the largest of them; the truth moved with its frame."""
    cw = max(img.shape[1] for img, _ in frames)
    ch = max(img.shape[0] for img, _ in frames)
    rows = -(-len(frames) // cols)
    out = np.zeros((rows * ch, cols * cw, 3), np.uint8)
    truth = []
    for k, (img, t) in enumerate(frames):
        x, y = (k % cols) * cw, (k // cols) * ch
        out[y : y + img.shape[0], x : x + img.shape[1]] = img
        moved = t.copy()
        moved[:, [0, 2]] += x
        moved[:, [1, 3]] += y
        truth.append(moved)
    return out, np.concatenate(truth) if truth else np.zeros((0, 5), np.float32)


def yolo_lines(truth: np.ndarray, width: int, height: int) -> str:
    """Truth rows as YOLO label lines (class cx cy w h, fractions of the frame)."""
    return "".join(
        f"{int(c)} {(x1 + x2) / 2 / width:.6f} {(y1 + y2) / 2 / height:.6f} "
        f"{(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}\n"
        for x1, y1, x2, y2, c in truth.tolist()
    )


def mosaics(data: Path, ids: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(image, truth rows) of each mosaic of ``ids``, COLS x ROWS frames in order; a remainder that does
    not fill one is left out."""
    per = COLS * ROWS
    for k in range(0, len(ids) - per + 1, per):
        yield mosaic(list(split.labelled(data, ids[k : k + per])))


def write(data: Path, ids: list[str], out: Path) -> int:
    """Write the mosaics of ``ids`` to out/images (PNG) and out/labels (YOLO); returns how many."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    n = 0
    for img, truth in mosaics(data, ids):
        name = f"wide_{n:03d}"
        if not cv2.imwrite(str(out / "images" / f"{name}.png"), img):
            raise OSError(f"could not write {out / 'images' / name}.png")
        (out / "labels" / f"{name}.txt").write_text(yolo_lines(truth, img.shape[1], img.shape[0]))
        n += 1
    return n


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--part", default="test", help="train, val or test (training/split/PART.txt)")
    ap.add_argument("--folder", default="hhw", choices=split.SETS, help="which data folder's frames")
    ap.add_argument("--out", type=Path, required=True, help="folder to write images/ and labels/ into")
    args = ap.parse_args()
    ids = [i for i in split.load(args.part) if i.startswith(args.folder + "/")]
    n = write(args.data, ids, args.out)
    print(
        f"{n} mosaics of {COLS}x{ROWS} {args.folder} {args.part} frames ({n * COLS * ROWS} of {len(ids)}) in {args.out}"
    )


if __name__ == "__main__":
    main()
