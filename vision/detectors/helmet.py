"""The hard-hat check in two stages, both trained ONNX networks run by onnxruntime (vision/detectors/onnx_net.py).

1. The head detector (vision/models/helmet.onnx, CenterNet-style) proposes head boxes at a low
   score floor, one box per head whatever its class (cross-class NMS), on the frame and its mirror
   image or, for a frame larger than the camera's tile size, on its tiles and the whole frame.
2. The head classifier (vision/models/helmet_cls.onnx) looks at each proposal again, cut from the
   full-resolution frame with some context around it, and says helmet / no_helmet / not a head.
   All proposals of a frame go through it in one batched forward pass.

A head's class is the classifier's likelier head class; its score is
p_classifier(class) * detector_score ** det_power. The model card vision/models/helmet.json beside
the detector holds the input size, the classifier's settings, det_power and the per-class score
thresholds, all chosen on the validation part of the split (never on the test part).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np

from contract.config.camera import HELMET_TILE_PX
from vision.detections import Box, Detection, clip_boxes
from vision.detectors.centernet import CLASSES, decode, letterbox, nms_any_class
from vision.detectors.onnx_net import OnnxNet
from vision.detectors.tiles import moved_tiles, tile_windows
from vision.model_files import DEFAULT_MODEL

NOT_HEAD = len(CLASSES)  # the classifier's third output: the proposal is no head at all
PAD_GREY = 114  # the grey the networks were trained with outside the picture


@dataclass(frozen=True, slots=True)
class ClassifierCard:
    """How the second stage is run: its file (beside the detector), crop geometry and score mixing."""

    model: str
    input: int
    context: float
    candidate_floor: float
    max_candidates: int
    det_power: float
    flip: bool = False  # also propose on the mirrored frame (doubles the detector's cost)

    @classmethod
    def from_dict(cls, d: dict[str, str | int | float | bool]) -> ClassifierCard:
        """The card's `classifier` object; a card written before `flip` existed proposes unmirrored."""
        return cls(
            str(d["model"]),
            int(d["input"]),
            float(d["context"]),
            float(d["candidate_floor"]),
            int(d["max_candidates"]),
            float(d["det_power"]),
            bool(d.get("flip", False)),
        )


@dataclass(frozen=True, slots=True)
class ModelCard:
    """What runtime needs to know about the trained networks."""

    size: int
    thresholds: dict[str, float]
    classifier: ClassifierCard

    @classmethod
    def for_model(cls, onnx_path: Path) -> ModelCard:
        """Read NAME.json beside NAME.onnx; a missing card is an error naming the file to create."""
        card = onnx_path.with_suffix(".json")
        if not card.exists():
            raise FileNotFoundError(
                f"model card {card} missing: it must give 'size', 'thresholds' and "
                f"'classifier' for {onnx_path} (training.evaluate writes it)"
            )
        d = json.loads(card.read_text())
        if "classifier" not in d:
            raise ValueError(
                f"model card {card} has no 'classifier' (the second stage); "
                f"rewrite it with python -m training.evaluate"
            )
        return cls(
            int(d["size"]),
            {k: float(v) for k, v in d["thresholds"].items()},
            ClassifierCard.from_dict(d["classifier"]),
        )


def crop_squares(boxes: np.ndarray, context: float) -> np.ndarray:
    """(N, 3) integer squares (left, top, side) that head_crops cuts around each box: `context` x its longer side."""
    b = boxes[:, :4].astype(np.float64)
    n = np.maximum(2, np.round(context * np.maximum(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), 1.0)))
    return np.stack([np.round((b[:, 0] + b[:, 2] - n) / 2), np.round((b[:, 1] + b[:, 3] - n) / 2), n], 1)


def head_crops(frame: np.ndarray, boxes: np.ndarray, context: float, side: int) -> np.ndarray:
    """Square uint8 crops (N, side, side, 3) around each (x1, y1, x2, y2) box, `context` x its longer side.

    Cut from the frame at full resolution (a head is often only 10-20 px in the detector's
    letterbox); the part of a crop outside the frame is the training grey.
    """
    h, w = frame.shape[:2]
    out = np.empty((len(boxes), side, side, 3), np.uint8)
    for k, (a, b, n) in enumerate(crop_squares(boxes, context).astype(int).tolist()):
        sub = frame[max(b, 0) : max(min(b + n, h), 0), max(a, 0) : max(min(a + n, w), 0)]
        if sub.size == 0:
            out[k] = PAD_GREY
            continue
        top, left = max(0, -b), max(0, -a)
        sub = cv2.copyMakeBorder(
            sub,
            top,
            n - sub.shape[0] - top,
            left,
            n - sub.shape[1] - left,
            cv2.BORDER_CONSTANT,
            value=(PAD_GREY,) * 3,
        )
        out[k] = cv2.resize(sub, (side, side), interpolation=cv2.INTER_AREA if n > side else cv2.INTER_LINEAR)
    return out


def to_blob(crops: np.ndarray) -> np.ndarray:
    """(N, S, S, 3) uint8 crops as the classifier's (N, 3, S, S) float input."""
    return np.ascontiguousarray(crops.transpose(0, 3, 1, 2), np.float32)


class DetectorInput(NamedTuple):
    """One pass of the head detector: its input blob, and where its boxes go in the frame."""

    blob: np.ndarray
    scale: float  # network-input pixels per pixel of the view
    mirrored: bool  # the view is the frame's mirror image
    x: int  # the view's origin in the frame (a tile's corner)
    y: int
    width: int  # the view's width in frame pixels (to mirror boxes back)


class HeadProposer:
    """Stage 1 alone: the head detector's boxes above a low floor, one per head whatever its class.

    With `flip` the detector also runs on the mirrored frame and both sets of boxes are merged by
    cross-class NMS: a head the network misses one way round is often found the other way. A frame
    wider or taller than the camera's tile size is proposed tile by tile and whole instead, none of them
    mirrored (``inputs``; vision/detectors/tiles.py).
    """

    def __init__(
        self, model: Path, size: int, floor: float, max_candidates: int, flip: bool = False, tile_px: int = 0
    ) -> None:
        """``tile_px``: the tile size a call without one uses (0: whole frames; HelmetDetector gives the
        camera's default, HELMET_TILE_PX)."""
        self.net = OnnxNet(model)
        self.size, self.floor, self.max_candidates, self.flip = size, floor, max_candidates, flip
        self.tile_px = tile_px

    def inputs(
        self, frame: np.ndarray, tile_px: int | None = None, moved: list[Box] | None = None
    ) -> list[DetectorInput]:
        """The detector's inputs for ``frame``: with a ``tile_px`` (by default the proposer's own) and a
        frame longer than that on a side,
        one per tile (tile_windows) and the whole frame, each once and not mirrored; otherwise the
        whole frame and, with ``flip``, its mirror image. The tiles, not the mirror image, are what a
        wide frame's far heads need: a 1280x720 frame at 720 is two tiles of 688x720 that the detector
        sees at 0.8 of their pixels, instead of the whole frame at 0.45. The whole frame stays for the
        near heads a tile cuts (those larger than the overlap), as SAHI's sliced inference keeps its
        standard prediction beside the slices. With ``moved`` (the regions where the picture moved) only
        the tiles those reach run beside the whole frame (tiles.moved_tiles): the caller keeps what the
        others found before."""
        h, w = frame.shape[:2]
        windows = tile_windows(w, h, self.tile_px if tile_px is None else tile_px)
        if len(windows) > 1:
            windows = windows if moved is None else moved_tiles(windows, moved)
            views = [(frame[y1:y2, x1:x2], False, x1, y1) for x1, y1, x2, y2 in windows]
            views.append((frame, False, 0, 0))
        else:
            # mirror the frame, not the letterbox: the padding must stay right/bottom as in training
            views = [(frame, False, 0, 0)] + ([(cv2.flip(frame, 1), True, 0, 0)] if self.flip else [])
        out = []
        for view, mirrored, x, y in views:
            lb, s = letterbox(view, self.size)
            out.append(DetectorInput(cv2.dnn.blobFromImage(lb), s, mirrored, x, y, view.shape[1]))
        return out

    def __call__(
        self, frame: np.ndarray, tile_px: int | None = None, moved: list[Box] | None = None
    ) -> np.ndarray:
        """Rows (x1, y1, x2, y2, detector score, detector class) in frame pixels, highest score first;
        ``tile_px`` and ``moved`` as in ``inputs``."""
        h, w = frame.shape[:2]
        passes = []
        for inp in self.inputs(frame, tile_px, moved):
            det = decode(self.net(inp.blob), self.floor, self.max_candidates)
            det[:, :4] /= inp.scale
            if inp.mirrored:
                det[:, [0, 2]] = inp.width - det[:, [2, 0]]
            det[:, [0, 2]] += inp.x
            det[:, [1, 3]] += inp.y
            clip_boxes(det, w, h)
            passes.append(det)
        if len(passes) == 1:
            return passes[0]
        both = np.concatenate(passes)
        return nms_any_class(both[np.argsort(-both[:, 4], kind="stable")], 0.5)[: self.max_candidates]


# Scale of the box deltas (centre shift in crop sides, log size): the usual two-stage detector
# normalisation, so the four regression targets are of similar size to each other and to the loss
DELTA_STD = np.array([0.1, 0.1, 0.2, 0.2])


def box_deltas(boxes: np.ndarray, heads: np.ndarray, context: float) -> np.ndarray:
    """(N, 4) regression targets: where head k lies inside the crop that head_crops cuts around box k.

    Centre as a shift from the crop's centre in crop sides, size as log of the share of the crop
    side against a box that fills it as a proposal does (1 / context); both over DELTA_STD. Only
    the crop is used, so the target is what the classifier can see.
    """
    sq = crop_squares(boxes, context)
    c = sq[:, :2] + sq[:, 2:] / 2
    centre = ((heads[:, :2] + heads[:, 2:4]) / 2 - c) / sq[:, 2:]
    size = np.log(np.maximum(heads[:, 2:4] - heads[:, :2], 1.0) / sq[:, 2:] * context)
    deltas: np.ndarray = (np.concatenate([centre, size], 1) / DELTA_STD).astype(np.float32)
    return deltas


def refined_boxes(boxes: np.ndarray, deltas: np.ndarray, context: float) -> np.ndarray:
    """(N, 4) head boxes in frame pixels from the classifier's deltas (the inverse of box_deltas)."""
    sq = crop_squares(boxes, context)
    d = deltas.astype(np.float64) * DELTA_STD
    c = sq[:, :2] + sq[:, 2:] / 2 + d[:, :2] * sq[:, 2:]
    half = np.exp(np.clip(d[:, 2:], -3, 3)) * sq[:, 2:] / context / 2
    return np.concatenate([c - half, c + half], 1)


def on_heads(boxes: np.ndarray, out: np.ndarray, context: float, width: int, height: int) -> np.ndarray:
    """The classifier's outputs with its box deltas (a classifier trained with --refine) turned into head
    boxes in frame pixels, clipped to the frame: (N, 3) probabilities, then x1, y1, x2, y2."""
    if out.shape[1] == NOT_HEAD + 1:
        return out
    heads = refined_boxes(boxes, out[:, NOT_HEAD + 1 :], context)
    clip_boxes(heads, width, height)
    return np.concatenate([out[:, : NOT_HEAD + 1], heads], 1).astype(np.float32)


def combine(cands: np.ndarray, out: np.ndarray, det_power: float) -> np.ndarray:
    """Rows (x1, y1, x2, y2, score, class), highest first, from proposals and the classifier's outputs.

    The class is the likelier head class; the score is its probability times the detector's
    score to det_power (0: the classifier alone decides, 1: both count equally). Where the
    classifier also placed each head (on_heads: 7 columns), its boxes replace the proposals'; two
    proposals of one head then land on the same box, so the lower is dropped (cross-class NMS).
    """
    if len(cands) == 0:
        return np.zeros((0, 6), np.float32)
    cls = out[:, :NOT_HEAD].argmax(1)
    score = out[np.arange(len(cands)), cls] * cands[:, 4] ** det_power
    refine = out.shape[1] > NOT_HEAD + 1
    boxes = out[:, NOT_HEAD + 1 :] if refine else cands[:, :4]
    rows = np.concatenate([boxes, score[:, None], cls[:, None]], 1).astype(np.float32)
    rows = rows[np.argsort(-rows[:, 4], kind="stable")]
    return nms_any_class(rows, 0.5) if refine else rows


class HelmetDetector:
    """Heads with a hard hat or bare, boxes in pixels of the frame given."""

    def __init__(
        self,
        model: Path = DEFAULT_MODEL,
        score_floor: float | None = None,
        card: ModelCard | None = None,
        classifier: Path | None = None,
        operating: bool = True,
    ) -> None:
        """`classifier` defaults to the card's file beside `model` (evaluate.py points it at a new run)."""
        if not model.exists():
            raise FileNotFoundError(f"hard-hat model {model} not found (train it: python -m training.train)")
        self.card = card or ModelCard.for_model(model)
        cls_path = classifier or model.parent / self.card.classifier.model
        if not cls_path.exists():
            raise FileNotFoundError(
                f"hard-hat head classifier {cls_path} not found (train it: python -m "
                f"training.classifier --data DATA_DIR (training/README.md), then run "
                f"python -m training.evaluate)"
            )
        c = self.card.classifier
        # a call without a tile size proposes as a camera left at its default does
        self.proposer = HeadProposer(
            model, self.card.size, c.candidate_floor, c.max_candidates, c.flip, HELMET_TILE_PX
        )
        self.cls_net = OnnxNet(cls_path)
        # the floor lets `eval` see low scores for AP50; runtime keeps only those above the card's thresholds
        self.score_floor = min(self.card.thresholds.values()) if score_floor is None else score_floor
        # False for `vision eval`: detect() keeps every box above the floor, so AP50 sees the whole
        # ranking; the product's boxes are exactly those of them whose score passes the card's threshold
        self.operating = operating

    def candidates(
        self, frame: np.ndarray, tile_px: int | None = None, moved: list[Box] | None = None
    ) -> np.ndarray:
        """Stage 1: head proposals (x1, y1, x2, y2, detector score, detector class) in frame pixels; a
        frame longer than ``tile_px`` (> 0; default: a camera's default, HELMET_TILE_PX) on a side is
        also proposed tile by tile, with ``moved`` only in the tiles where it moved (HeadProposer.inputs)."""
        return self.proposer(frame, tile_px, moved)

    def classify(self, frame: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Stage 2, one batched pass for all boxes: (N, 3) probabilities helmet / no_helmet / not a head,
        then (a classifier trained with --refine) each head's box in frame pixels (on_heads)."""
        if len(boxes) == 0:
            return np.zeros((0, NOT_HEAD + 1), np.float32)
        c = self.card.classifier
        out = self.cls_net(to_blob(head_crops(frame, boxes, c.context, c.input))).reshape(len(boxes), -1)
        return on_heads(boxes, out, c.context, frame.shape[1], frame.shape[0])

    def raw(
        self,
        frame: np.ndarray,
        cands: np.ndarray | None = None,
        tile_px: int | None = None,
        moved: list[Box] | None = None,
    ) -> np.ndarray:
        """Rows (x1, y1, x2, y2, score, class) in frame pixels, every combined score above the floor;
        `cands` are the frame's proposals when the caller already has them (stage 1 then does not run),
        else stage 1 proposes with ``tile_px`` and ``moved`` as in ``candidates``."""
        cands = self.candidates(frame, tile_px, moved) if cands is None else cands
        det = combine(cands, self.classify(frame, cands), self.card.classifier.det_power)
        return det[det[:, 4] >= self.score_floor]

    def detect(
        self, frame: np.ndarray, tile_px: int | None = None, moved: list[Box] | None = None
    ) -> list[Detection]:
        """Heads whose score passes their class's operating threshold (every head above the floor
        when not ``operating``); ``tile_px`` (a camera's ``helmet_tile_px``) and ``moved`` as in
        ``candidates``."""
        out = []
        for x1, y1, x2, y2, s, c in self.raw(frame, tile_px=tile_px, moved=moved).tolist():
            label = CLASSES[int(c)]
            if not self.operating or s >= self.card.thresholds[label]:
                out.append(Detection(label, (x1, y1, x2, y2), s))
        return out
