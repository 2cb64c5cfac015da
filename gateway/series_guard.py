"""Bounds on what devices may make the gateway keep: a reading's point code is at most ``MAX_ID_CHARS``
characters, and a device has at most ``max_points`` distinct points (each a series in the live picture and the
stores). A reading past either bound is refused before the rules see it, counted by device and cause
(/metrics ``sitegw_refused_inputs``) and logged once per device and cause.

An attacker on the site's network published 100,000 distinct ids to a gate's topic (RSS 199 → 369 MB, an
11 MB /api/v1/readings/latest) and a 200,000-character id that became a series name. Points that name who a
reading is about (a gate's passage: ``Metric.point_is_subject``) are not a device's points: they are bounded
in length here, and kept as series only as their kind's judge decides (kinds/attendance/judge.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from contract.readings import Reading

log = logging.getLogger(__name__)

MAX_ID_CHARS = 64  # a pit point's code, a person's id (an ID card's 18 characters), with room to spare
MAX_POINTS_PER_DEVICE = 1_000  # a pit's monitoring points number tens, a formwork's hundreds at most
FIX = {
    "point_too_long": "the device (or its profile's point_path / point_level) sends something that is not a point "
    f"code: codes are at most {MAX_ID_CHARS} characters",
    "too_many_points": "the device sends more distinct point codes than any structure has points: check its "
    "profile's point_path / point_level, or who else publishes on its topic",
}


class SeriesGuard:
    """Refuses readings past the bounds; ``refused`` counts them by (device, cause)."""

    def __init__(self, subject_metrics: frozenset[str], max_points: int = MAX_POINTS_PER_DEVICE) -> None:
        self.subject_metrics = subject_metrics
        self.max_points = max_points
        self.refused: Counter[tuple[str, str]] = Counter()
        self._points: dict[str, set[str]] = {}

    def admit(self, batch: Sequence[Reading]) -> Sequence[Reading]:
        """``batch`` less the readings past a bound (the same sequence when none is: the usual case)."""
        kept: list[Reading] | None = None
        for i, r in enumerate(batch):
            point = r.point
            if not point or point in self._points.get(r.device, ()):  # a single-point device; a known point
                if kept is not None:
                    kept.append(r)
                continue
            cause = self._cause(r)
            if cause is None:
                if kept is not None:
                    kept.append(r)
                continue
            if kept is None:
                kept = list(batch[:i])
            self._refuse(r, cause)
        return batch if kept is None else kept

    def _cause(self, r: Reading) -> str | None:
        """Why ``r``'s new point is refused (None: it is not, and is now known)."""
        if len(r.point) > MAX_ID_CHARS:
            return "point_too_long"
        if r.metric in self.subject_metrics:
            return None
        points = self._points.setdefault(r.device, set())
        if len(points) >= self.max_points:
            return "too_many_points"
        points.add(r.point)
        return None

    def _refuse(self, r: Reading, cause: str) -> None:
        key = (r.device, cause)
        self.refused[key] += 1
        if self.refused[key] == 1:
            log.warning(
                "device %s: reading of %s refused, point code %r%s (%s): %s; later ones are only counted "
                "(/metrics sitegw_refused_inputs)",
                r.device,
                r.metric,
                r.point[:40],
                f"... ({len(r.point)} characters)" if len(r.point) > 40 else "",
                "too long" if cause == "point_too_long" else f"past {self.max_points} points",
                FIX[cause],
            )
