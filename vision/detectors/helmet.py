"""The hard-hat check: the trained head network (ONNX in cv2.dnn) finds heads, each helmet or no_helmet.

The model card vision/models/helmet.json beside the ONNX file holds the input size and the
per-class score thresholds chosen on the validation part of the split (never on the test part).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision.detections import Detection
from vision.detectors.centernet import CLASSES, decode, letterbox

MODEL_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODEL_DIR / "helmet.onnx"


@dataclass(frozen=True, slots=True)
class ModelCard:
    """What runtime needs to know about a trained network."""

    size: int
    thresholds: dict[str, float]

    @classmethod
    def for_model(cls, onnx_path: Path) -> ModelCard:
        """Read NAME.json beside NAME.onnx; a missing card is an error naming the file to create."""
        card = onnx_path.with_suffix(".json")
        if not card.exists():
            raise FileNotFoundError(f"model card {card} missing: it must give 'size' and 'thresholds' for {onnx_path}")
        d = json.loads(card.read_text())
        return cls(int(d["size"]), {k: float(v) for k, v in d["thresholds"].items()})


class HelmetDetector:
    """Heads with a hard hat or bare, boxes in pixels of the frame given."""

    def __init__(self, model: Path = DEFAULT_MODEL, score_floor: float | None = None,
                 card: ModelCard | None = None) -> None:
        if not model.exists():
            raise FileNotFoundError(f"hard-hat model {model} not found (train it: python -m vision.train.train)")
        self.card = card or ModelCard.for_model(model)
        self.net = cv2.dnn.readNetFromONNX(str(model))
        # the floor lets `eval` see low scores for AP50; runtime keeps only those above the card's thresholds
        self.score_floor = min(self.card.thresholds.values()) if score_floor is None else score_floor

    def raw(self, frame: np.ndarray) -> np.ndarray:
        """Rows (x1, y1, x2, y2, score, class) in frame pixels, every score above the floor."""
        lb, s = letterbox(frame, self.card.size)
        self.net.setInput(cv2.dnn.blobFromImage(lb))
        det = decode(self.net.forward(), self.score_floor)
        det[:, :4] /= s
        h, w = frame.shape[:2]
        det[:, [0, 2]] = det[:, [0, 2]].clip(0, w)
        det[:, [1, 3]] = det[:, [1, 3]].clip(0, h)
        return det

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """Heads whose score passes their class's operating threshold."""
        out = []
        for x1, y1, x2, y2, s, c in self.raw(frame).tolist():
            label = CLASSES[int(c)]
            if s >= self.card.thresholds[label]:
                out.append(Detection(label, (x1, y1, x2, y2), s))  # type: ignore[arg-type]
        return out
