"""Choose the head size below which a camera at ``helmet_model: auto`` takes the far-field card, on val.

    nice -n 15 .venv/bin/python -m training.auto_card --data ../shared/data/helmet --part val

Runs both shipped cards (the default and the far-field one) over every image of the part, each folder
as `sitegw vision eval` runs a folder (vision.cli.analysed, boxes down to its floor), and keeps their boxes
(training/runs/auto_card_PART_CARD.pkl, CARD the far-field card's name, so a second call only scores;
`--far-field` measures a candidate in its place). Each photo stands for a camera: what
vision.auto_card sees of it is the median height, in the detector's finest view, of the default card's
heads above its thresholds.

The photos are put in bins of that height (--bins), and in each bin the far-field card's mean AP50 (of
the two classes) minus the default card's is measured with its paired bootstrap interval. The threshold
is the lowest bin edge above which the far-field card is nowhere shown better (no bin whose interval lies
above 0): the far-field card where val shows it better, the default card where val cannot tell (round
11's test found the default card better on close-ups). The choice is then scored per folder, per kind of
camera (close-ups: cap and sfchd; far-field: hhw and hhwraw) and pooled, against each card alone.
--threshold T scores one threshold (the chosen one, on test, once).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import split
from vision.auto_card import FAR_FIELD_BELOW_PX, view_scale
from vision.cli import EVAL_FLOOR, analysed, detect_camera, rows
from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector
from vision.labels import read_yolo
from vision.metrics import Evaluator, Spread, bootstrap_ap50
from vision.model_files import DEFAULT_MODEL, FAR_FIELD_MODEL

RUNS = Path(__file__).parent / "runs"
KINDS = {"close-up": ("cap", "sfchd"), "far-field": ("hhw", "hhwraw")}
TILE_PX = 720  # a camera's default helmet_tile_px


@dataclass(frozen=True, slots=True)
class Photo:
    """One image with both cards' boxes (rows x1, y1, x2, y2, score, class) and its truth."""

    folder: str
    truth: np.ndarray
    default: np.ndarray
    far_field: np.ndarray
    scale: float  # view_scale of the default card on this image

    def median_px(self, thresholds: dict[str, float]) -> float | None:
        """The median height, in the default card's finest view, of its heads above its thresholds."""
        d = self.default
        keep = d[:, 4] >= np.array([thresholds[CLASSES[int(c)]] for c in d[:, 5]]).reshape(-1)
        if not keep.any():
            return None
        return float(np.median((d[keep, 3] - d[keep, 1]) * self.scale))


def measure(data: Path, part: str, far_field: Path = FAR_FIELD_MODEL) -> list[Photo]:
    """Both cards' boxes (the default and ``far_field``) on every image of the part, folder by folder in
    name order."""
    cards = {
        name: HelmetDetector(m, score_floor=EVAL_FLOOR, operating=False)
        for name, m in (("default", DEFAULT_MODEL), ("far_field", far_field))
    }
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = split.link(data, split.load(part), Path(tmp))
        for folder in sorted(folders):
            images, labels = Path(tmp) / folder / "images", Path(tmp) / folder / "labels"
            got = {
                name: [
                    (f, rows(r.detections))
                    for f, r in analysed(detect_camera(images, 1.0, False, TILE_PX), det, None)
                ]
                for name, det in cards.items()
            }
            for (frame, d), (_, f) in zip(got["default"], got["far_field"], strict=True):
                h, w = frame.image.shape[:2]
                truth = read_yolo(labels / (Path(frame.name).stem + ".txt"), w, h)
                scale = view_scale(w, h, cards["default"].card.size, TILE_PX)
                out.append(Photo(folder, truth, d, f, scale))
            print(f"{part} {folder}: {len(got['default'])} images", flush=True)
    return out


def evaluator(photos: list[Photo], far: list[bool]) -> Evaluator:
    """The photos scored with each one's card: the far-field card's boxes where `far`, else the default's."""
    ev = Evaluator(CLASSES)
    for p, f in zip(photos, far, strict=True):
        ev.add(p.far_field if f else p.default, p.truth)
    return ev


def mean_ap(ev: Evaluator) -> float:
    """Mean AP50 of the classes."""
    return float(np.mean([r.ap50 for r in ev.result({})]))


def scores(photos: list[Photo], far: list[bool]) -> dict[str, float]:
    """Mean AP50 per folder, per kind of camera, their mean ('kinds') and pooled ('all')."""
    out: dict[str, float] = {}
    groups = {s: (s,) for s in split.SETS} | KINDS
    for name, folders in groups.items():
        pick = [k for k, p in enumerate(photos) if p.folder in folders]
        if pick:
            out[name] = mean_ap(evaluator([photos[k] for k in pick], [far[k] for k in pick]))
    out["kinds"] = (out["close-up"] + out["far-field"]) / 2
    out["all"] = mean_ap(evaluator(photos, far))
    return out


def choice(photos: list[Photo], thresholds: dict[str, float], below: float) -> list[bool]:
    """Per photo: does a camera seeing it choose the far-field card at this threshold (no head: no)."""
    medians = [p.median_px(thresholds) for p in photos]
    return [m is not None and m < below for m in medians]


def paired(photos: list[Photo], a: list[bool], b: list[bool], resamples: int) -> str:
    """Mean AP50 of choice a minus choice b per kind of camera, with the paired bootstrap interval."""
    parts = []
    for kind, folders in {**KINDS, "all": tuple(split.SETS)}.items():
        pick = [k for k, p in enumerate(photos) if p.folder in folders]
        sub = [photos[k] for k in pick]
        evs = [evaluator(sub, [x[k] for k in pick]) for x in (a, b)]
        res = bootstrap_ap50(evs, resamples).mean(2)  # resamples x 2 choices, mean of the classes
        s = Spread.of(res[:, 0] - res[:, 1])
        parts.append(f"{kind} {mean_ap(evs[0]) - mean_ap(evs[1]):+.3f} [{s.low:+.3f}, {s.high:+.3f}]")
    return "; ".join(parts)


def by_height(photos: list[Photo], thresholds: dict[str, float], edges: list[float], resamples: int) -> float:
    """Print far-field minus default per bin of median head height; return the chosen threshold."""
    medians = [p.median_px(thresholds) for p in photos]
    better = []
    for lo, hi in zip(edges, [*edges[1:], float("inf")], strict=True):
        sub = [p for p, m in zip(photos, medians, strict=True) if m is not None and lo <= m < hi]
        if not sub:
            continue
        evs = [evaluator(sub, [far] * len(sub)) for far in (True, False)]
        res = bootstrap_ap50(evs, resamples).mean(2)
        s = Spread.of(res[:, 0] - res[:, 1])
        better.append((lo, s.low > 0))
        folders = ", ".join(f"{f} {sum(p.folder == f for p in sub)}" for f in split.SETS)
        print(
            f"  heads {lo:g}-{hi:g} px: {len(sub)} photos ({folders}): far-field {mean_ap(evs[0]):.3f}, "
            f"default {mean_ap(evs[1]):.3f}, difference {mean_ap(evs[0]) - mean_ap(evs[1]):+.3f} "
            f"[{s.low:+.3f}, {s.high:+.3f}]"
        )
    print(
        f"  no head above the default card's thresholds: {sum(m is None for m in medians)} photos (default)"
    )
    # the lowest edge with no bin at or above it where the far-field card is shown better
    shown = [lo for lo, b in better if b]
    return next((lo for lo, _ in better if lo > max(shown)), float("inf")) if shown else 0.0


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--part", default="val", choices=("val", "test"))
    ap.add_argument(
        "--bins", default="0,16,20,24,28,32,40,56,80", help="lower edges of the head-height bins (px)"
    )
    ap.add_argument(
        "--threshold", type=float, default=None, help="score this one only (test: the chosen one)"
    )
    ap.add_argument("--bootstrap", type=int, default=1000, help="resamples for the paired intervals")
    ap.add_argument(
        "--far-field",
        type=Path,
        default=FAR_FIELD_MODEL,
        help="the far-field card (ONNX with its .json beside it): a candidate in place of the shipped one",
    )
    args = ap.parse_args()
    cache = RUNS / f"auto_card_{args.part}_{args.far_field.stem}.pkl"
    if cache.exists():
        photos = pickle.loads(cache.read_bytes())
    else:
        photos = measure(args.data, args.part, args.far_field)
        RUNS.mkdir(exist_ok=True)
        cache.write_bytes(pickle.dumps(photos))
    thresholds = HelmetDetector(DEFAULT_MODEL).card.thresholds
    n = len(photos)
    print(f"{args.part}: {n} photos")
    if args.threshold is None:
        print("far-field card minus default card, mean AP50, by the median head height the camera sees:")
        best = by_height(photos, thresholds, [float(x) for x in args.bins.split(",")], args.bootstrap)
        print(f"chosen: far-field below {best:g} px (vision.auto_card ships {FAR_FIELD_BELOW_PX:g} px)")
    else:
        best = args.threshold
    default, far_field, auto = [False] * n, [True] * n, choice(photos, thresholds, best)
    print("mean AP50 of the two classes per folder, kind of camera and pooled")
    print(f"{'card':<22} " + " ".join(f"{k:>9}" for k in scores(photos, default)))
    for name, far in (("default", default), ("far-field", far_field), (f"auto below {best:g} px", auto)):
        print(f"{name:<22} " + " ".join(f"{v:>9.3f}" for v in scores(photos, far).values()))
    print(f"auto chose the far-field card for {sum(auto)} of {n} photos; paired differences [95 % interval]:")
    print(f"  auto minus default: {paired(photos, auto, default, args.bootstrap)}")
    print(f"  auto minus far-field: {paired(photos, auto, far_field, args.bootstrap)}")
    print(f"  far-field minus default: {paired(photos, far_field, default, args.bootstrap)}")


if __name__ == "__main__":
    main()
