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


def _ap50(hits: np.ndarray, weights: np.ndarray, n_truth: float) -> float:
    """VOC all-point AP of predictions sorted by score, each counted `weights` times (a bootstrap
    resample's multiplicity of its image; 1 for the plain figure)."""
    if n_truth <= 0:
        return 0.0
    tp = np.cumsum(hits * weights)
    fp = np.cumsum((1 - hits) * weights)
    rec = tp / n_truth
    prec = tp / np.maximum(tp + fp, 1e-9)
    # precision envelope integrated over recall steps
    mrec = np.concatenate([[0.0], rec, [1.0]])
    mpre = np.concatenate([[1.0], prec, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def score_class(
    scores: np.ndarray, hits: np.ndarray, n_truth: int, threshold: float, label: str
) -> ClassScore:
    """Precision/recall at `threshold` and AP50 over all scores, from pooled per-prediction hits."""
    order = np.argsort(-scores, kind="stable")
    s, h = scores[order], hits[order]
    tp = np.cumsum(h)
    k = int(np.sum(s >= threshold))
    p_at = float(tp[k - 1] / k) if k else 0.0
    r_at = float(tp[k - 1] / n_truth) if k and n_truth else 0.0
    return ClassScore(label, n_truth, k, p_at, r_at, _ap50(h, np.ones_like(h), n_truth))


@dataclass(frozen=True, slots=True)
class Spread:
    """A figure's bootstrap spread: its standard deviation and 95 % interval over resamples of the images."""

    std: float
    low: float
    high: float

    @classmethod
    def of(cls, samples: np.ndarray) -> Spread:
        """The spread of one figure's resampled values."""
        lo, hi = np.percentile(samples, [2.5, 97.5])
        return cls(float(np.std(samples)), float(lo), float(hi))


class Evaluator:
    """Accumulates predictions and truth image by image, then scores each class."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._scores: list[list[np.ndarray]] = [[] for _ in labels]
        self._hits: list[list[np.ndarray]] = [[] for _ in labels]
        self._n_truth: list[list[int]] = [[] for _ in labels]  # per image

    @property
    def images(self) -> int:
        """Images added so far."""
        return len(self._n_truth[0])

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        """pred rows (x1, y1, x2, y2, score, class); truth rows (x1, y1, x2, y2, class), same pixels."""
        for c in range(len(self.labels)):
            p = pred[pred[:, 5] == c]
            t = truth[truth[:, 4] == c]
            self._n_truth[c].append(len(t))
            self._scores[c].append(p[:, 4])
            self._hits[c].append(match(p, t))

    def _pooled(self, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Class c's predictions over all images sorted by score: (scores, hits, image index)."""
        s = np.concatenate(self._scores[c]) if self._scores[c] else np.zeros(0)
        h = np.concatenate(self._hits[c]) if self._hits[c] else np.zeros(0)
        img = np.repeat(np.arange(len(self._scores[c])), [len(x) for x in self._scores[c]])
        order = np.argsort(-s, kind="stable")
        return s[order], h[order], img[order]

    def resampled_ap50(self, draws: np.ndarray) -> np.ndarray:
        """AP50 per class (columns) on each resample of the images (rows of `draws`: image indices drawn
        with replacement), shape (len(draws), classes)."""
        out = np.zeros((len(draws), len(self.labels)))
        for c in range(len(self.labels)):
            _, h, img = self._pooled(c)
            n_truth = np.asarray(self._n_truth[c], np.float64)
            for r, d in enumerate(draws):
                times = np.bincount(d, minlength=self.images).astype(np.float64)
                out[r, c] = _ap50(h, times[img], float(times @ n_truth))
        return out

    def result(self, thresholds: dict[str, float]) -> list[ClassScore]:
        """Scores per class at each class's operating threshold."""
        out = []
        for c, label in enumerate(self.labels):
            s, h, _ = self._pooled(c)
            out.append(score_class(s, h, sum(self._n_truth[c]), thresholds.get(label, 0.0), label))
        return out

    def threshold_for_precision(self, label: str, precision_min: float) -> float:
        """Lowest score threshold whose precision is still >= precision_min (most recall at that precision)."""
        s, h, _ = self._pooled(self.labels.index(label))
        tp = np.cumsum(h)
        prec = tp / np.arange(1, len(h) + 1)
        ok = np.nonzero(prec >= precision_min)[0]
        return float(s[ok[-1]]) if len(ok) else 1.0


def bootstrap_ap50(evaluators: list[Evaluator], resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """AP50 per class of each evaluator on `resamples` resamples of the images, drawn with replacement,
    the same draws for every evaluator (they must hold the same images in the same order), so the
    difference of two is paired: shape (resamples, len(evaluators), classes)."""
    n = evaluators[0].images
    if any(e.images != n for e in evaluators):
        raise ValueError(f"paired bootstrap needs the same images: {[e.images for e in evaluators]}")
    draws = np.random.default_rng(seed).integers(0, n, (resamples, n))
    return np.stack([e.resampled_ap50(draws) for e in evaluators], 1)
