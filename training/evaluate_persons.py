"""How many of the workers in real site photos the person check finds, against OpenCV's HOG people detector.

    .venv/bin/python -m training.evaluate_persons --data ../shared/data/helmet

No public site photos label whole persons, but the sfchd set labels each worker's torso (classes 2 and
3: without or with hi-vis workwear). A torso counts as found when one person box holds at least 70 %
of it. Neither detector was trained on sfchd, so every image is used. The labels mark workers, not
every bystander, so person boxes over no labelled torso are counted and printed but not called false.
Prints, per detector: torso recall, person boxes per image, the share of boxes over no labelled
torso, and CPU ms per image (one thread, images as stored, mostly 1200x800).

Precision of the shipped network: a seeded random sample of its boxes over no labelled torso was
looked at by eye (`--sheets DIR` draws the sample as numbered contact sheets, outside the project:
sfchd images must not be copied into it) and the verdicts are kept in split/person_audit.txt; the
precision printed counts the boxes over a labelled torso as right and the others at the sample's
share of real people (with its 95 % Wilson interval).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from training.contact_sheets import contact_sheets
from vision.detections import Detection
from vision.detectors.person import PERSON_MODEL, PersonDetector
from vision.images import read_image
from vision.labels import list_images, read_yolo

TORSO_CLASSES = (2, 3)
HELD = 0.7
AUDIT = Path(__file__).parent / "split" / "person_audit.txt"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    mid, half = p + z * z / (2 * n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (mid - half) / (1 + z * z / n), (mid + half) / (1 + z * z / n)


def read_audit(path: Path = AUDIT) -> tuple[int, int]:
    """(boxes that are people, boxes looked at) of the audit file: lines `image x1 y1 x2 y2 verdict`,
    verdict `person` or `not`."""
    verdicts = [
        line.split()[-1]
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    bad = sorted(set(verdicts) - {"person", "not"})
    if bad:
        raise ValueError(f"{path}: verdicts must be 'person' or 'not', found {bad}")
    return verdicts.count("person"), len(verdicts)


class HogPersons:
    """The person check shipped before (OpenCV 4.x HOG + linear SVM on the frame scaled to 640 wide), kept as
    the baseline this measurement and `make bench` compare with."""

    def __init__(self, width: int = 640) -> None:
        self.width = width
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), np.float32))

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """People boxes in frame pixels (SVM margin >= 0.5 after NMS, as it ran in the gateway)."""
        h, w = frame.shape[:2]
        s = min(1.0, self.width / w)
        img = (
            cv2.resize(frame, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else frame
        )
        rects, weights = self.hog.detectMultiScale(img, winStride=(8, 8), padding=(8, 8), scale=1.1)
        if len(rects) == 0:
            return []
        boxes = [[float(v) for v in r] for r in rects]
        scores = [float(v) for v in np.asarray(weights).ravel()]
        keep = np.asarray(cv2.dnn.NMSBoxes(boxes, scores, 0.5, 0.5), int).ravel()
        return [
            Detection(
                "person",
                (
                    boxes[i][0] / s,
                    boxes[i][1] / s,
                    (boxes[i][0] + boxes[i][2]) / s,
                    (boxes[i][1] + boxes[i][3]) / s,
                ),
                scores[i],
            )
            for i in keep
        ]


def held(torsos: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(torsos, boxes) share of each torso's area inside each box."""
    if len(torsos) == 0 or len(boxes) == 0:
        return np.zeros((len(torsos), len(boxes)))
    t, b = torsos[:, None, :4], boxes[None, :, :4]
    ix = np.clip(np.minimum(t[..., 2], b[..., 2]) - np.maximum(t[..., 0], b[..., 0]), 0, None)
    iy = np.clip(np.minimum(t[..., 3], b[..., 3]) - np.maximum(t[..., 1], b[..., 1]), 0, None)
    area = np.maximum((t[..., 2] - t[..., 0]) * (t[..., 3] - t[..., 1]), 1e-9)
    return ix * iy / area


def torsos_of(data: Path, path: Path, img: np.ndarray) -> np.ndarray:
    """The labelled workers' torsos of sfchd photo ``path`` (``img``), in its pixels."""
    return read_yolo(
        data / "sfchd" / "labels" / (path.stem + ".txt"), img.shape[1], img.shape[0], TORSO_CLASSES
    )


def scored(torsos: np.ndarray, boxes: np.ndarray) -> tuple[int, np.ndarray]:
    """How many ``torsos`` a person box holds (>= HELD of it), and the boxes over no labelled torso."""
    share = held(torsos, boxes)
    lone = boxes[share.max(0, initial=0) < HELD] if len(torsos) else boxes
    return int((share.max(1, initial=0) >= HELD).sum()), lone


def sweep(images: list[Path], data: Path, graphs: list[Path], thresholds: list[float]) -> None:
    """Print, per half of ``images`` (even, odd), graph and threshold: torso recall and the share of boxes
    over no labelled torso."""
    found: dict[tuple[int, Path, float], list[int]] = {}
    detectors = {(graph, t): PersonDetector(graph, t) for graph in graphs for t in thresholds}
    for k, path in enumerate(images):
        img = read_image(path)
        torsos = torsos_of(data, path, img)
        for (graph, t), det in detectors.items():
            boxes = np.array([d.box for d in det.detect(img)]).reshape(-1, 4)
            hit, alone = scored(torsos, boxes)
            s = found.setdefault((k % 2, graph, t), [0, 0, 0, 0])
            s[0] += hit
            s[1] += len(torsos)
            s[2] += len(boxes)
            s[3] += len(alone)
    for (half, graph, t), (hit, n_torsos, n_boxes, lone) in found.items():
        print(
            f"{'even' if half == 0 else 'odd'} half  {graph.name:<24} p >= {t:.2f}: torso recall "
            f"{hit / max(n_torsos, 1):.3f} ({hit}/{n_torsos}), {n_boxes} boxes, "
            f"{lone / max(n_boxes, 1):.1%} over no torso"
        )


def main() -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--every", type=int, default=1, help="use every Nth image (1: all)")
    ap.add_argument(
        "--also",
        type=Path,
        action="append",
        default=[],
        help="another person graph to measure beside the shipped one (e.g. the float graph "
        "training.person_model leaves in training/runs/)",
    )
    ap.add_argument(
        "--sheets",
        type=Path,
        default=None,
        help="write contact sheets of a random sample of the shipped network's boxes over no "
        "labelled torso to this folder (keep it outside the project), to audit by eye",
    )
    ap.add_argument("--sample", type=int, default=100, help="boxes in that sample")
    ap.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        default=[],
        help="instead: each graph's torso recall and boxes over no torso at these person probabilities, on "
        "each half of the photos (even and odd in the order read): a threshold chosen on one half is "
        "read on the other",
    )
    args = ap.parse_args()
    cv2.setNumThreads(1)
    if args.thresholds:
        graphs = [PERSON_MODEL, *args.also]
        sweep(list_images(args.data / "sfchd" / "images")[:: args.every], args.data, graphs, args.thresholds)
        return
    detectors: dict[str, PersonDetector | HogPersons] = {
        "ssdlite (shipped, onnxruntime)": PersonDetector(),
        **{f"ssdlite {m.name}": PersonDetector(m) for m in args.also},
        "hog (before)": HogPersons(),
    }
    images = list_images(args.data / "sfchd" / "images")[:: args.every]
    found = dict.fromkeys(detectors, 0)
    boxes = dict.fromkeys(detectors, 0)
    unlabelled = dict.fromkeys(detectors, 0)
    cpu = dict.fromkeys(detectors, 0.0)
    n_torsos = 0
    shipped = next(iter(detectors))
    over_nothing: list[tuple[str, Path, np.ndarray]] = []
    for path in images:
        img = read_image(path)
        torsos = torsos_of(args.data, path, img)
        n_torsos += len(torsos)
        for name, det in detectors.items():
            t = time.process_time()
            found_boxes = np.array([d.box for d in det.detect(img)]).reshape(-1, 4)
            cpu[name] += time.process_time() - t
            hit, alone = scored(torsos, found_boxes)
            found[name] += hit
            boxes[name] += len(found_boxes)
            unlabelled[name] += len(alone)
            if name == shipped:
                over_nothing += [(path.stem, path, b) for b in alone]
    print(
        f"sfchd: {len(images)} images, {n_torsos} labelled torsos (a torso is found when a person box holds "
        f">= {HELD:.0%} of it)"
    )
    for name in detectors:
        print(
            f"  {name:<38} torso recall {found[name] / max(n_torsos, 1):.3f}, "
            f"{boxes[name] / len(images):.2f} person boxes per image, "
            f"{unlabelled[name] / max(boxes[name], 1):.0%} of them over no labelled torso, "
            f"{cpu[name] / len(images) * 1000:.1f} ms CPU per image"
        )
    if args.sheets:
        rng = np.random.default_rng(0)
        pick = sorted(rng.choice(len(over_nothing), min(args.sample, len(over_nothing)), replace=False))
        contact_sheets([over_nothing[i] for i in pick], args.sheets)
        print(
            f"contact sheets of {len(pick)} of {len(over_nothing)} boxes over no labelled torso in {args.sheets}"
        )
    if AUDIT.exists():
        people, seen = read_audit()
        lo, hi = wilson(people, seen)
        n, lone = boxes[shipped], unlabelled[shipped]
        p_mid, p_lo, p_hi = ((n - lone + lone * share) / max(n, 1) for share in (people / seen, lo, hi))
        print(
            f"  {shipped} precision {p_mid:.3f} (95 % interval {p_lo:.3f}-{p_hi:.3f}): {people} of {seen} "
            f"audited boxes over no labelled torso are people ({AUDIT.name})"
        )


if __name__ == "__main__":
    main()
