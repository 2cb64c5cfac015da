"""What one card gets wrong that another gets right, head by head, on a part of the data (never test).

    .venv/bin/python -m training.card_diagnosis --parts train val --folders cap \\
        --model CANDIDATE.onnx --other vision/models/helmet.onnx

Round 15 (training/rounds/round15.md, sections 13 and 14) found the far-field card losing the cap
folder's helmets that the default card keeps, and located the loss in the classifier, not the
proposals. This answers where, through the path `detect` runs (each card's detector, classifier,
det_power and thresholds; ``--tile-px`` as a camera's ``helmet_tile_px``):

- labelled heads: each card's share found (a passing box of the head's class at IoU >= 0.5), per class,
  per head height in the photo's pixels and, for hard hats, per colour of the hat (the hue of the
  head box's top third: a far-field set of white and yellow hats may teach nothing of red or blue);
- false detections (passing boxes on no labelled head of their class): each card's count by where they
  lie: on a head of the other class, loose on a labelled head (IoU 0.3-0.5), in the head zone of a
  person who holds no labelled head (a head the labels omit: training/bystanders.py), or on no head;
  and of the card's false boxes, the share the other card's classifier calls "not a head".
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from contract.config.camera import HELMET_TILE_PX
from training import split
from training.bystanders import BYSTANDER_SCORE, bystander_zones, on_bystanders
from vision.cli import rows
from vision.detectors.centernet import CLASSES, iou_one_to_many
from vision.detectors.helmet import NOT_HEAD, HelmetDetector
from vision.detectors.person import PersonDetector
from vision.images import read_image
from vision.model_files import DEFAULT_MODEL

SIZES = ((0, 24), (24, 36), (36, 56), (56, 100_000))  # head height in the photo's pixels (cap: median 36)
WHERE = ("other class", "loose box", "unlabelled person", "no head")


def hat_colour(img: np.ndarray, head: np.ndarray) -> str:
    """The colour name of the hat: the median hue, saturation and value of the head box's top third."""
    x1, y1, x2, y2 = (round(float(v)) for v in head[:4])
    top = img[max(y1, 0) : max(y1 + max((y2 - y1) // 3, 1), 1), max(x1, 0) : max(x2, x1 + 1)]
    if top.size == 0:
        return "unknown"
    h, s, v = np.median(cv2.cvtColor(top, cv2.COLOR_BGR2HSV).reshape(-1, 3), 0)
    if v < 60:
        return "dark"
    if s < 60:
        return "white/grey"
    if h < 10 or h >= 165:
        return "red"
    if h < 22:
        return "orange"
    if h < 35:
        return "yellow"
    if h < 85:
        return "green"
    if h < 130:
        return "blue"
    return "purple/pink"


def size_name(head: np.ndarray) -> str:
    h = head[3] - head[1]
    lo, hi = next(b for b in SIZES if b[0] <= h < b[1])
    return f"{lo}+" if hi == SIZES[-1][1] else f"{lo}-{hi}"


def nearest(head: np.ndarray, passed: np.ndarray) -> tuple[float, np.ndarray | None]:
    """The passing box of the head's class that overlaps it most, with that IoU (0 and None if none)."""
    same = passed[passed[:, 5] == head[4]]
    if not len(same):
        return 0.0, None
    iou = iou_one_to_many(head[:4], same[:, :4])
    return float(iou.max()), same[int(iou.argmax())]


def box_style(head: np.ndarray, box: np.ndarray) -> tuple[float, float, float]:
    """How a box differs from the label it lies on: its height and width over the label's, and its
    centre's offset downwards in label heights."""
    lh, lw = head[3] - head[1], head[2] - head[0]
    return (
        float((box[3] - box[1]) / lh),
        float((box[2] - box[0]) / lw),
        float(((box[1] + box[3]) - (head[1] + head[3])) / 2 / lh),
    )


def where(box: np.ndarray, truth: np.ndarray, zones: np.ndarray) -> str | None:
    """Where a passing box lies (one of WHERE), or None where it found a labelled head of its class."""
    if len(truth):
        iou = iou_one_to_many(box[:4], truth[:, :4])
        if ((iou >= 0.5) & (truth[:, 4] == box[5])).any():
            return None
        if (iou >= 0.5).any():
            return "other class"
        if iou.max() >= 0.3:
            return "loose box"
    return "unlabelled person" if on_bystanders(box[None, :4], zones)[0] else "no head"


class Tally:
    """The counts of one run: heads found per card, false boxes per card and where they lie."""

    def __init__(self) -> None:
        self.heads: Counter[tuple[str, str, str]] = Counter()  # (class, facet, value) -> heads
        self.found: Counter[tuple[str, str, str, str]] = Counter()  # (card, class, facet, value) -> found
        self.false: Counter[tuple[str, str, str]] = Counter()  # (card, class of the box, where) -> boxes
        self.rejected: Counter[str] = Counter()  # card -> its false boxes the other classifier calls no head
        self.loose: Counter[tuple[str, str, str, str]] = (
            Counter()
        )  # missed, a box of its class at IoU 0.3-0.5
        self.styles: dict[
            tuple[str, str], list[tuple[float, float, float]]
        ] = {}  # (card, height) -> box_style

    def add(
        self,
        img: np.ndarray,
        truth: np.ndarray,
        zones: np.ndarray,
        cards: dict[str, tuple[HelmetDetector, np.ndarray]],
    ) -> None:
        for head in truth:
            cls = CLASSES[int(head[4])]
            height = size_name(head)
            facets = [("all", "all"), ("height", height)]
            if cls == "helmet":
                facets.append(("colour", hat_colour(img, head)))
            for name, (_, passed) in cards.items():
                iou, box = nearest(head, passed)
                if box is not None and iou >= 0.3:
                    self.styles.setdefault((name, height), []).append(box_style(head, box))
                for facet, value in facets:
                    self.found[(name, cls, facet, value)] += iou >= 0.5
                    self.loose[(name, cls, facet, value)] += 0.3 <= iou < 0.5
            for facet, value in facets:
                self.heads[(cls, facet, value)] += 1
        for name, (_, passed) in cards.items():
            other = next(d for n, (d, _) in cards.items() if n != name)
            wrong = []
            for b in passed:
                if (place := where(b, truth, zones)) is not None:
                    self.false[(name, CLASSES[int(b[5])], place)] += 1
                    wrong.append(b)
            if wrong:
                probs = other.classify(img, np.array(wrong)[:, :4])
                self.rejected[name] += int((probs[:, : NOT_HEAD + 1].argmax(1) == NOT_HEAD).sum())

    def report(self, names: list[str], title: str) -> str:
        lines = [title, "labelled heads found (share), per card:"]
        lines.append(
            f"  {'class':<9} {'facet':<7} {'value':<12} {'heads':>6} " + " ".join(f"{n:>10}" for n in names)
        )
        for (cls, facet, value), n in sorted(self.heads.items()):
            shares = " ".join(f"{self.found[(name, cls, facet, value)] / n:>10.3f}" for name in names)
            lines.append(f"  {cls:<9} {facet:<7} {value:<12} {n:>6} {shares}")
        lines.append("labelled heads missed with a box of their class at IoU 0.3-0.5 only (share), per card:")
        for (cls, facet, value), n in sorted(self.heads.items()):
            shares = " ".join(f"{self.loose[(name, cls, facet, value)] / n:>10.3f}" for name in names)
            lines.append(f"  {cls:<9} {facet:<7} {value:<12} {n:>6} {shares}")
        lines.append(
            "the boxes on labelled heads (IoU >= 0.3), medians: height and width over the label's, centre lower by"
        )
        for (name, height), styles in sorted(self.styles.items()):
            h, w, dy = np.median(np.array(styles), 0)
            lines.append(
                f"  {name:<12} height {height:<7} {len(styles):>5} boxes: {h:.2f} x, {w:.2f} x, {dy:+.2f}"
            )
        lines.append("false detections (boxes passing a threshold on no labelled head of their class):")
        lines.append(f"  {'card':<10} {'class':<9} " + " ".join(f"{w:>17}" for w in WHERE) + f" {'all':>6}")
        for name in names:
            for cls in CLASSES:
                counts = [self.false[(name, cls, w)] for w in WHERE]
                lines.append(
                    f"  {name:<10} {cls:<9} " + " ".join(f"{c:>17}" for c in counts) + f" {sum(counts):>6}"
                )
            total = sum(v for (n, _, _), v in self.false.items() if n == name)
            if total:
                lines.append(
                    f"  {name}: {self.rejected[name]} of its {total} false boxes are no head to the other classifier"
                )
        return "\n".join(lines)


def run(
    data: Path,
    ids: Iterable[str],
    models: dict[str, Path],
    tile_px: int = HELMET_TILE_PX,
) -> Tally:
    """The tally over the photos `ids` of the two cards `models` (name -> ONNX with its card beside it)."""
    dets = {name: HelmetDetector(path) for name, path in models.items()}
    persons = PersonDetector(score_min=BYSTANDER_SCORE)
    tally = Tally()
    for i in ids:
        img = read_image(split.image_path(data, i))
        truth = split.truth(data, i, img.shape[1], img.shape[0])
        zones = bystander_zones(np.array([d.box for d in persons.detect(img)]).reshape(-1, 4), truth)
        # each card's boxes that pass its thresholds, as `sitegw vision detect` writes them
        tally.add(img, truth, zones, {n: (d, rows(d.detect(img, tile_px))) for n, d in dets.items()})
    return tally


def main() -> None:
    """Command line entry: one report per data folder asked for, then all of them together."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--parts", nargs="+", default=["val"], choices=["train", "val"], help="never test")
    ap.add_argument("--folders", nargs="+", default=list(split.SETS), choices=list(split.SETS))
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the card diagnosed")
    ap.add_argument("--other", type=Path, required=True, help="the card it is compared with")
    ap.add_argument("--tile-px", type=int, default=HELMET_TILE_PX, help="a camera's helmet_tile_px")
    args = ap.parse_args()
    models = {args.model.stem: args.model, args.other.stem: args.other}
    ids = [i for p in args.parts for i in split.load(p)]
    for folder in args.folders:
        mine = [i for i in ids if i.startswith(folder + "/")]
        title = f"\n{folder}: {len(mine)} photos of {' + '.join(args.parts)}, tiles of {args.tile_px} px"
        print(run(args.data, mine, models, args.tile_px).report(list(models), title), flush=True)


if __name__ == "__main__":
    main()
