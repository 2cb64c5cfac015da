"""Data that crosses the vision boundary: detections, violations and the result of one analysed frame."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np

Label = Literal["helmet", "no_helmet", "person"]
Box = tuple[float, float, float, float]


def clip_boxes(boxes: np.ndarray, width: int, height: int) -> None:
    """Clip rows (x1, y1, x2, y2, ...) to a width x height frame, in place: a network's box may reach past the edge."""
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, width)
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, height)


@dataclass(frozen=True, slots=True)
class Detection:
    """One object found in a frame; box in pixels of the original frame (x1, y1, x2, y2)."""

    label: Label
    box: Box
    score: float

    def to_json(self) -> dict[str, object]:
        """The `detections[]` item of `sitegw vision detect` (box rounded to 0.1 px)."""
        return {"label": self.label, "box": [round(v, 1) for v in self.box], "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule in one frame: what, where (zone or edge name) and the boxes that prove it."""

    rule: str  # vision.no_helmet | vision.edge_missing | vision.zone_intrusion
    target: str  # zone or edge name; "" for the hard-hat check
    score: float  # the alert's value: a bare head's confidence, an edge's share missing, a zone's head count
    boxes: tuple[Box, ...] = ()
    message: str = ""  # what was seen, in Chinese
    message_en: str = ""  # the same in English

    def to_json(self) -> dict[str, object]:
        """The `violations[]` item of `sitegw vision detect`."""
        d = asdict(self)
        d["boxes"] = [[round(v, 1) for v in b] for b in self.boxes]
        d["score"] = round(self.score, 4)
        return d


@dataclass(slots=True)
class FrameResult:
    """Everything the checks found in one analysed frame."""

    camera: str
    ts: float
    width: int
    height: int
    detections: list[Detection] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    exclusions: dict[str, int] = field(default_factory=dict)  # people in each 安拆 exclusion zone
    hot_work: dict[str, int] = field(default_factory=dict)  # people in each zone marked for hot work
    pictures: dict[str, bytes] = field(default_factory=dict)  # evidence JPEG of hot-work zones, when due
    motion: bool = True  # the gate saw something move
    detected: bool = True  # the detectors ran (motion, or the periodic look at a still scene)
    inference_ms: float = 0.0
