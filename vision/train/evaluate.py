"""The held-out measurement of a trained hard-hat model, and its model card.

    .venv/bin/python -m vision.train.evaluate --model vision/train/runs/best.onnx --data ../shared/data/helmet \
        --sizes 384,480,576 --out vision/models/helmet.onnx

Runs the ONNX file through cv2.dnn exactly as the gateway does. Thresholds are chosen on the
validation part (most recall at precision >= 0.80 per class); the figures are then measured on
the test part, which training never read: all of it, without the images that near-duplicate a
train image (split.near_duplicates), and per data set without those. Writes NAME.json beside the
model (size, thresholds, figures, provenance).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import cv2

from vision.detectors.centernet import CLASSES
from vision.detectors.helmet import HelmetDetector, ModelCard
from vision.labels import read_yolo
from vision.metrics import Evaluator
from vision.train import split

PRECISION_GOAL = 0.80


def run(det: HelmetDetector, data: Path, ids: list[str]) -> Evaluator:
    """Predictions of `det` on the images `ids`, scored against their labels."""
    ev = Evaluator(CLASSES)
    for i in ids:
        img = cv2.imread(str(split.image_path(data, i)))
        ev.add(det.raw(img), read_yolo(split.label_path(data, i), img.shape[1], img.shape[0]))
    return ev


def main() -> None:
    """Command line entry of the measurement."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--sizes", default="384", help="run-time input sizes to try; the best on val is kept")
    ap.add_argument("--out", type=Path, default=None, help="ONNX destination; the card goes beside it")
    args = ap.parse_args()
    vals = {}
    for size in (int(x) for x in args.sizes.split(",")):
        det = HelmetDetector(args.model, score_floor=0.05, card=ModelCard(size, {c: 0.05 for c in CLASSES}))
        ev = run(det, args.data, split.load("val"))
        vals[size] = (sum(r.ap50 for r in ev.result({})) / len(CLASSES), det, ev)
        print(f"val mAP50 at input {size}: {vals[size][0]:.3f}")
    size = max(vals, key=lambda k: vals[k][0])
    _, det, val = vals[size]
    thr = {c: round(val.threshold_for_precision(c, PRECISION_GOAL), 3) for c in CLASSES}
    card: dict[str, object] = {
        "size": size, "thresholds": thr,
        "size_chosen_on": f"val part mAP50 among input sizes {sorted(vals)}",
        "thresholds_chosen_on": f"val part ({len(split.load('val'))} images): most recall at precision >= "
                                f"{PRECISION_GOAL}",
        "trained_on": "vision/train/split/train.txt (cap CC BY 4.0 + sfchd, see docs/vision.md)",
        "test": {}}
    test_ids = split.load("test")
    dups = set(split.load("test_near_duplicates"))
    clean = [i for i in test_ids if i not in dups]
    parts = [("all", test_ids), ("no_near_duplicates", clean),
             *((s, [i for i in clean if i.startswith(s + "/")]) for s in split.SETS)]
    for name, ids in parts:
        res = run(det, args.data, ids).result(thr)
        card["test"][name] = {"images": len(ids), **{r.label: {k: (round(v, 3) if isinstance(v, float) else v)
                                                               for k, v in asdict(r).items() if k != "label"}
                                                     for r in res}}  # type: ignore[index]
        print(f"test {name} ({len(ids)} images), thresholds {thr}")
        for r in res:
            print(f"  {r.label:<10} truth {r.n_truth:>5} pred {r.n_pred:>5} precision {r.precision:.3f} "
                  f"recall {r.recall:.3f} AP50 {r.ap50:.3f}")
    dest = args.out or args.model
    if args.out:
        args.out.write_bytes(args.model.read_bytes())
    dest.with_suffix(".json").write_text(json.dumps(card, indent=1) + "\n")
    print(f"card written to {dest.with_suffix('.json')}")


if __name__ == "__main__":
    main()
