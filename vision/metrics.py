"""Detection metrics against YOLO labels: precision, recall and AP50 per class (VOC all-point AP)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.detectors.centernet import iou_one_to_many


@dataclass(frozen=True, slots=True)
class ClassScore:
    """One class's figures at IoU >= 0.5."""

    label: str
    n_truth: int
    n_pred: int
    precision: float
    recall: float
    ap50: float


def match(pred: np.ndarray, truth: np.ndarray, iou_min: float = 0.5) -> np.ndarray:
    """For one image and one class: 1 for each prediction (sorted by score) that hits an unused truth box."""
    hit = np.zeros(len(pred), np.float32)
    used = np.zeros(len(truth), bool)
    for i in np.argsort(-pred[:, 4]) if len(pred) else []:
        if len(truth) == 0:
            break
        ious = iou_one_to_many(pred[i, :4], truth[:, :4])
        ious[used] = 0
        j = int(np.argmax(ious))
        if ious[j] >= iou_min:
            used[j] = True
            hit[i] = 1
    return hit


def score_class(
    scores: np.ndarray, hits: np.ndarray, n_truth: int, threshold: float, label: str
) -> ClassScore:
    """Precision/recall at `threshold` and AP50 over all scores, from pooled per-prediction hits."""
    order = np.argsort(-scores)
    s, h = scores[order], hits[order]
    tp = np.cumsum(h)
    fp = np.cumsum(1 - h)
    rec = tp / max(n_truth, 1)
    prec = tp / np.maximum(tp + fp, 1e-9)
    # VOC all-point interpolation: precision envelope integrated over recall steps
    mrec = np.concatenate([[0.0], rec, [1.0]])
    mpre = np.concatenate([[1.0], prec, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    ap = float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1])) if n_truth else 0.0
    k = int(np.sum(s >= threshold))
    p_at = float(tp[k - 1] / k) if k else 0.0
    r_at = float(tp[k - 1] / n_truth) if k and n_truth else 0.0
    return ClassScore(label, n_truth, k, p_at, r_at, ap)


class Evaluator:
    """Accumulates predictions and truth image by image, then scores each class."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._scores: list[list[np.ndarray]] = [[] for _ in labels]
        self._hits: list[list[np.ndarray]] = [[] for _ in labels]
        self._n_truth = [0 for _ in labels]

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        """pred rows (x1, y1, x2, y2, score, class); truth rows (x1, y1, x2, y2, class), same pixels."""
        for c in range(len(self.labels)):
            p = pred[pred[:, 5] == c]
            t = truth[truth[:, 4] == c]
            self._n_truth[c] += len(t)
            self._scores[c].append(p[:, 4])
            self._hits[c].append(match(p, t))

    def result(self, thresholds: dict[str, float]) -> list[ClassScore]:
        """Scores per class at each class's operating threshold."""
        out = []
        for c, label in enumerate(self.labels):
            s = np.concatenate(self._scores[c]) if self._scores[c] else np.zeros(0)
            h = np.concatenate(self._hits[c]) if self._hits[c] else np.zeros(0)
            out.append(score_class(s, h, self._n_truth[c], thresholds.get(label, 0.0), label))
        return out

    def threshold_for_precision(self, label: str, precision_min: float) -> float:
        """Lowest score threshold whose precision is still >= precision_min (most recall at that precision)."""
        c = self.labels.index(label)
        s = np.concatenate(self._scores[c]) if self._scores[c] else np.zeros(0)
        h = np.concatenate(self._hits[c]) if self._hits[c] else np.zeros(0)
        order = np.argsort(-s)
        s, h = s[order], h[order]
        tp = np.cumsum(h)
        prec = tp / np.arange(1, len(h) + 1)
        ok = np.nonzero(prec >= precision_min)[0]
        return float(s[ok[-1]]) if len(ok) else 1.0
