"""Where the heads the train labels omit most likely are, drawn as contact sheets to audit by eye.

    .venv/bin/python -m training.head_audit --data ../shared/data/helmet --sheets /tmp/head_audit

The sfchd labels mark a photo's workers, not bystanders, and some workers are skipped too; mined as
"not a head", those heads teach the classifier to doubt real ones. Two passes over the train images,
each written to its own folder of numbered sheets (outside the project: sfchd photos must not be copied
into it) with an audit template:
- zones/: the detector's proposals (the model card's: input, mirror pass, floor, most) on no labelled
  head (IoU < 0.3), after cross-class NMS, centred where the head of a person holding no labelled head
  is (training.bystanders);
- score/: of the pipeline's detections on no labelled head outside those zones, the TOP scored highest
  (`--classifier` names the classifier whose scores rank them).
The heads kept after looking, each with its class, go into split/train_unlabelled_heads.txt, which
`training.classifier --audited-labels` adds to the training truth.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training import split
from training.bystanders import BYSTANDER_SCORE, bystander_zones, on_bystanders
from training.contact_sheets import contact_sheets
from vision.detectors.centernet import max_iou, nms_any_class
from vision.detectors.helmet import HelmetDetector
from vision.detectors.person import PersonDetector
from vision.images import read_image

UNLABELLED_IOU = 0.3  # below this IoU with every labelled head a box lies on "no labelled head"
TOP = 240
SHEET_MARGIN, SHEET_GRID = 0.7, (6, 4)  # more context than the person audit: a head is judged by its body


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--sheets", type=Path, required=True, help="folder for the sheets (outside the project)")
    ap.add_argument(
        "--classifier",
        type=Path,
        default=None,
        help="the classifier ranking the score pass (default: the shipped one; the committed "
        "audit used round 5's: git show 5bc6301:vision/models/helmet_cls.onnx)",
    )
    args = ap.parse_args()
    pipeline = HelmetDetector(score_floor=0.05, classifier=args.classifier)
    persons = PersonDetector(score_min=BYSTANDER_SCORE)
    zoned: list[tuple[str, Path, np.ndarray]] = []
    scored: list[tuple[str, Path, np.ndarray]] = []
    for i in split.load("train"):
        path = split.image_path(args.data, i)
        img = read_image(path)
        truth = split.truth(args.data, i, img.shape[1], img.shape[0])
        zones = bystander_zones(np.array([d.box for d in persons.detect(img)]).reshape(-1, 4), truth)
        cands = pipeline.candidates(img)
        zoned += [
            (i, path, b)
            for b in nms_any_class(
                cands[(max_iou(cands, truth)[0] < UNLABELLED_IOU) & on_bystanders(cands, zones)], 0.3
            )
        ]
        det = pipeline.raw(img, cands)
        det = det[(max_iou(det, truth)[0] < UNLABELLED_IOU) & ~on_bystanders(det, zones)]
        scored += [(i, path, b) for b in det]
    scored.sort(key=lambda s: -float(s[2][4]))
    contact_sheets(zoned, args.sheets / "zones", margin=SHEET_MARGIN, grid=SHEET_GRID)
    contact_sheets(scored[:TOP], args.sheets / "score", margin=SHEET_MARGIN, grid=SHEET_GRID)
    print(
        f"{len(zoned)} proposals in unlabelled people's head zones and the {min(TOP, len(scored))} highest "
        f"scored of {len(scored)} detections elsewhere on no labelled head: sheets in {args.sheets}"
    )


if __name__ == "__main__":
    main()
