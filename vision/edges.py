"""Edge protection check (临边防护, JGJ 80-2016): are the guard rails still where they were accepted?

Each drawn edge is cut into a straightened strip along its polyline and split into square cells.
A cell's structure is its gradient magnitude, divided by the local brightness, compared with the
same cell of the reference frame by normalised cross-correlation: rails, posts and their stripes
are strong oriented edges, and NCC ignores gain and offset (light changes). Rain streaks are thin
and brief, so the strip is the median of the last three analysed frames. Cells hidden behind a
detected person are left out instead of counting as missing.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import cv2
import numpy as np

from contract.config.camera import EdgeConfig
from vision.detections import Box, Detection, Violation

NCC_PRESENT = 0.3  # below this a cell no longer looks like the accepted rail
MISSING_FRAC = 0.5  # share of the visible, structured cells that must look different
VISIBLE_MIN = 0.3  # with less of the edge visible no decision is made


def _structure(strip: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy) / (cv2.blur(grey, (15, 15)) + 16.0)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / d) if d > 1e-6 else 0.0


class _Edge:
    """One polyline's straightening maps, cells and reference structure."""

    def __init__(self, cfg: EdgeConfig, reference: np.ndarray) -> None:
        self.cfg = cfg
        b = cfg.band_px
        self.maps: list[tuple[np.ndarray, int]] = []
        self.centres: list[tuple[float, float]] = []
        pts = np.array(cfg.polyline, np.float64)
        for p0, p1 in pairwise(pts):
            length = int(np.linalg.norm(p1 - p0))
            if length < 2:
                continue
            u = (p1 - p0) / length
            n = np.array([-u[1], u[0]])
            # destination (x along the edge, y across it) -> source pixel
            m = np.array([[u[0], n[0], p0[0] - b * n[0]], [u[1], n[1], p0[1] - b * n[1]]], np.float32)
            self.maps.append((m, length))
            for c in range(length // b):
                t = (c + 0.5) * b
                self.centres.append((p0[0] + t * u[0], p0[1] + t * u[1]))
        self.history: deque[np.ndarray] = deque(maxlen=3)
        ref = self.strip(reference)
        self.ref_cells = self.cells(_structure(ref))
        # a cell with no structure in the reference (sky, plain wall) cannot tell presence from absence
        energy = np.array([float(c.mean()) for c in self.ref_cells])
        self.useful = energy > 0.25 * float(np.median(energy)) if len(energy) else energy.astype(bool)
        self.missing_run = 0
        self.last_presence = (
            1.0  # the share of the edge that looked as accepted, at the last look that saw it
        )

    def strip(self, frame: np.ndarray) -> np.ndarray:
        b = self.cfg.band_px
        parts = [
            cv2.warpAffine(
                frame,
                m,
                (length, 2 * b),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )
            for m, length in self.maps
        ]
        return np.concatenate(parts, 1)

    def cells(self, structure: np.ndarray) -> list[np.ndarray]:
        b = self.cfg.band_px
        out = []
        x0 = 0
        for _, length in self.maps:
            out += [structure[:, x0 + c * b : x0 + (c + 1) * b] for c in range(length // b)]
            x0 += length
        return out


def _covered(pt: tuple[float, float], detections: list[Detection]) -> bool:
    for d in detections:
        x1, y1, x2, y2 = d.box
        if d.label != "person":
            y2 = y2 + 6 * (y2 - y1)  # a head's body hangs below it
            x1, x2 = x1 - (x2 - x1), x2 + (x2 - x1)
        if x1 <= pt[0] <= x2 and y1 <= pt[1] <= y2:
            return True
    return False


class EdgeWatch:
    """All protected edges of one camera, compared with the accepted reference frame."""

    def __init__(self, edges: list[EdgeConfig], reference: np.ndarray) -> None:
        self.reference = reference
        self.edges = [_Edge(e, reference) for e in edges]

    def presence(self, frame: np.ndarray, detections: list[Detection]) -> list[float | None]:
        """Per edge: the share of visible cells that still look like the reference, None if hidden."""
        out: list[float | None] = []
        for e in self.edges:
            e.history.append(e.strip(frame))
            strip = np.median(np.stack(e.history), 0).astype(np.uint8) if len(e.history) > 1 else e.history[0]
            cur = e.cells(_structure(strip))
            seen = [i for i, c in enumerate(e.centres) if e.useful[i] and not _covered(c, detections)]
            if len(seen) < VISIBLE_MIN * max(1, int(e.useful.sum())):
                out.append(None)
                continue
            alike = sum(_ncc(e.ref_cells[i], cur[i]) >= NCC_PRESENT for i in seen)
            out.append(alike / len(seen))
        return out

    def update(self, frame: np.ndarray, detections: list[Detection]) -> list[Violation]:
        """Violations for edges that looked unprotected in `missing_frames` consecutive analysed frames."""
        for e, p in zip(self.edges, self.presence(frame, detections), strict=False):
            if p is None:
                continue  # hidden: keep the run as it is
            e.missing_run = e.missing_run + 1 if p < 1 - MISSING_FRAC else 0
            e.last_presence = p
        return self.standing()

    def standing(self) -> list[Violation]:
        """The violations of the last look, unchanged: a frame not looked at (a still scene, the motion
        gate) neither counts nor clears, so an edge's alert keeps firing while nothing moves."""
        out = []
        for e in self.edges:
            if e.missing_run >= e.cfg.missing_frames:
                p = e.last_presence
                (x1, y1), (x2, y2) = np.min(e.cfg.polyline, 0), np.max(e.cfg.polyline, 0)
                band = e.cfg.band_px
                box: Box = (float(x1 - band), float(y1 - band), float(x2 + band), float(y2 + band))
                out.append(
                    Violation(
                        "vision.edge_missing",
                        e.cfg.name,
                        1 - p,
                        (box,),
                        f"发现临边 {e.cfg.name} 防护缺失（{(1 - p) * 100:.0f}% 区段与验收时画面不同）",
                        f"sees edge protection missing at {e.cfg.name} ({(1 - p) * 100:.0f} % of the edge "
                        "differs from the accepted view)",
                    )
                )
        return out
