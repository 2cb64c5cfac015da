"""Person check: OpenCV 4.x's HOG people detector (the reason opencv is pinned below 5).

It finds upright people about 128 px tall and up at 640 px width; small or crouching workers
are left to the head network, which the zone check also uses.
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.detections import Detection


class PersonDetector:
    """HOG + linear SVM (Dalal-Triggs) on a frame scaled to `width`."""

    def __init__(self, width: int = 640, score_min: float = 0.5) -> None:
        self.width = width
        self.score_min = score_min
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, frame: np.ndarray) -> list[Detection]:
        """People boxes in frame pixels."""
        h, w = frame.shape[:2]
        s = min(1.0, self.width / w)
        img = cv2.resize(frame, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else frame
        rects, weights = self.hog.detectMultiScale(img, winStride=(8, 8), padding=(8, 8), scale=1.1)
        if len(rects) == 0:
            return []
        boxes = [[float(x), float(y), float(bw), float(bh)] for x, y, bw, bh in rects]
        scores = [float(v) for v in np.asarray(weights).ravel()]
        keep = cv2.dnn.NMSBoxes(boxes, scores, self.score_min, 0.5)
        out = []
        for i in np.asarray(keep).ravel().tolist():
            x, y, bw, bh = boxes[i]
            # the SVM margin is no probability; a logistic maps it to 0..1 for one score scale
            out.append(Detection("person", (x / s, y / s, (x + bw) / s, (y + bh) / s),
                                 float(1 / (1 + np.exp(-scores[i])))))
        return out
