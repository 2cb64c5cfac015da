"""Training samples: images cached small in memory, random scale/shift/flip/colour, CenterNet targets."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from training.split import image_path, label_path
from vision.detectors.centernet import STRIDE, letterbox
from vision.images import read_image
from vision.labels import read_yolo

CACHE_SIDE = 640


def load_set(data_root: Path, ids: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(image scaled to long side <= CACHE_SIDE, head boxes in its pixels) for each id."""
    out = []
    for i in ids:
        img = read_image(image_path(data_root, i))
        h, w = img.shape[:2]
        boxes = read_yolo(label_path(data_root, i), w, h)
        s = min(1.0, CACHE_SIDE / max(h, w))
        if s < 1:
            img = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
            boxes[:, :4] *= s
        out.append((img, boxes))
    return out


def augment(
    img: np.ndarray, boxes: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random scale (heads from small to large), shift, flip and colour; boxes follow, cut-off ones drop."""
    h, w = img.shape[:2]
    s = size / max(h, w) * math.exp(rng.uniform(math.log(0.6), math.log(1.8)))
    nw, nh = w * s, h * s
    tx = rng.uniform(min(0.0, size - nw), max(0.0, size - nw))
    ty = rng.uniform(min(0.0, size - nh), max(0.0, size - nh))
    flip = rng.random() < 0.5
    m = np.array([[-s if flip else s, 0, (tx + nw) if flip else tx], [0, s, ty]], np.float32)
    out = cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(114, 114, 114))
    b = boxes.copy()
    if len(b):
        xs = b[:, [0, 2]] * m[0, 0] + m[0, 2]
        b[:, 0], b[:, 2] = xs.min(1), xs.max(1)
        b[:, [1, 3]] = b[:, [1, 3]] * s + ty
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        c = b.copy()
        c[:, :4] = np.clip(c[:, :4], 0, size)
        carea = (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])
        b = c[(carea > 0.5 * area) & (c[:, 2] - c[:, 0] > 2) & (c[:, 3] - c[:, 1] > 2)]
    # light and colour: sites are shot at noon, dusk and under floodlights
    hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 180
    hsv[..., 1] *= rng.uniform(0.6, 1.4)
    hsv[..., 2] *= rng.uniform(0.6, 1.4)
    out = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2BGR)
    return out, b


def eval_view(img: np.ndarray, boxes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The letterboxed image the runtime would see, and the truth boxes in its pixels."""
    lb, s = letterbox(img, size)
    b = boxes.copy()
    b[:, :4] *= s
    return lb, b, s


def targets(boxes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heat maps (2, G, G), regression targets (4, G, G) and their mask (G, G) for one image."""
    g = size // STRIDE
    hm = np.zeros((2, g, g), np.float32)
    reg = np.zeros((4, g, g), np.float32)
    mask = np.zeros((g, g), np.float32)
    yy, xx = np.mgrid[0:g, 0:g].astype(np.float32)
    # large boxes first so a small head's centre is not overwritten by a big neighbour's
    for x1, y1, x2, y2, c in sorted(boxes.tolist(), key=lambda r: -(r[2] - r[0]) * (r[3] - r[1])):
        cx, cy = (x1 + x2) / 2 / STRIDE, (y1 + y2) / 2 / STRIDE
        bw, bh = (x2 - x1) / STRIDE, (y2 - y1) / STRIDE
        ix, iy = min(int(cx), g - 1), min(int(cy), g - 1)
        # TTFNet-style elliptic Gaussian (alpha 0.54), floor so tiny heads still get a peak
        sx, sy = max(0.35, 0.54 * bw / 6), max(0.35, 0.54 * bh / 6)
        gauss = np.exp(-((xx - ix) ** 2) / (2 * sx * sx) - ((yy - iy) ** 2) / (2 * sy * sy))
        hm[int(c)] = np.maximum(hm[int(c)], gauss)
        reg[:, iy, ix] = (math.log(max(bw, 0.1)), math.log(max(bh, 0.1)), cx - ix, cy - iy)
        mask[iy, ix] = 1
    return hm, reg, mask
