"""Decoding of the hard-hat network's output (a CenterNet-style map), shared by runtime and training.

The network outputs one tensor (1, 6, H/8, W/8): two class heat maps (already sigmoid: helmet,
no_helmet), log box size in cells (w, h), and the sub-cell offset of the box centre (x, y).
Keeping the decoder in numpy lets cv2.dnn run a plain graph with no custom ops.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.detections import Label

STRIDE = 8
CLASSES: tuple[Label, Label] = ("helmet", "no_helmet")


def decode(out: np.ndarray, score_min: float, max_det: int = 100) -> np.ndarray:
    """Peaks of the heat maps as rows (x1, y1, x2, y2, score, class) in network-input pixels."""
    hm = out[0, :2]
    rows: list[np.ndarray] = []
    for c in range(hm.shape[0]):
        # a 3x3 maximum filter is CenterNet's NMS: only local peaks survive
        peak = cv2.dilate(hm[c], np.ones((3, 3), np.uint8))
        ys, xs = np.nonzero((hm[c] >= peak) & (hm[c] >= score_min))
        if len(xs) == 0:
            continue
        s = hm[c, ys, xs]
        w = np.exp(np.clip(out[0, 2, ys, xs], -4, 6)) * STRIDE
        h = np.exp(np.clip(out[0, 3, ys, xs], -4, 6)) * STRIDE
        cx = (xs + out[0, 4, ys, xs]) * STRIDE
        cy = (ys + out[0, 5, ys, xs]) * STRIDE
        rows.append(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, s, np.full_like(s, c)], 1))
    if not rows:
        return np.zeros((0, 6), np.float32)
    det = np.concatenate(rows).astype(np.float32)
    det = det[np.argsort(-det[:, 4])][: max_det * 2]
    return nms_any_class(det, 0.5)[:max_det]


def iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (x1, y1, x2, y2) box with each row of boxes."""
    ix1 = np.maximum(box[0], boxes[:, 0])
    iy1 = np.maximum(box[1], boxes[:, 1])
    ix2 = np.minimum(box[2], boxes[:, 2])
    iy2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    a = (box[2] - box[0]) * (box[3] - box[1])
    b = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    iou: np.ndarray = inter / np.maximum(a + b - inter, 1e-9)
    return iou


def max_iou(boxes: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each box its best IoU with a truth box and that box's index (0, -1 when there is no truth)."""
    if len(truth) == 0:
        return np.zeros(len(boxes)), np.full(len(boxes), -1)
    ious = np.stack([iou_one_to_many(t[:4], boxes[:, :4]) for t in truth], 1)
    return ious.max(1), ious.argmax(1)


def nms_any_class(det: np.ndarray, iou_max: float) -> np.ndarray:
    """Greedy NMS across classes: one head is either helmet or no_helmet, never both.

    Rows must be sorted by score, highest first.
    """
    keep: list[int] = []
    alive = np.ones(len(det), bool)
    for i in range(len(det)):
        if not alive[i]:
            continue
        keep.append(i)
        alive[i + 1 :] &= iou_one_to_many(det[i, :4], det[i + 1 :, :4]) < iou_max
    return det[keep]


PAD_MULTIPLE = 32  # the detector's coarsest stride: its top-down merge needs sides divisible by it


def letterbox(img: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """Scale the long side to `size` and pad right/bottom with grey to a multiple of 32; returns image and scale.

    Not padded to a square: a 16:9 camera frame at 576 is 576x352, not 576x576, which saves the
    detector 39 % of its work on grey (the network is fully convolutional, any multiple of 32 runs).
    """
    h, w = img.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    canvas = np.full(
        (-(-nh // PAD_MULTIPLE) * PAD_MULTIPLE, -(-nw // PAD_MULTIPLE) * PAD_MULTIPLE, 3), 114, np.uint8
    )
    canvas[:nh, :nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    return canvas, s
