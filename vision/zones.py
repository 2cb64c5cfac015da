"""Danger zones (pit edge, under the load, hoist entrance): who is inside, for how long, with inertia.

A machine's 安拆 exclusion zone (``exclusion_of``) is no standing 禁入区: people inside it are allowed but
while the machine's window is open, which the rules know and vision does not; nor is a zone marked for hot
work (``hot_work_at``), where people may work while a permit is in force. Their people are counted with
the same inertia and loitering time (``exclusions``, ``hot_work``) and go out as the camera's readings,
never as a vision.zone_intrusion."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from contract.config.camera import ZoneConfig
from vision.detections import Box, Detection, Violation


def anchor(det: Detection) -> tuple[float, float]:
    """Where a detection stands: a person's feet; for a head, its centre (site cameras look down)."""
    x1, y1, x2, y2 = det.box
    return ((x1 + x2) / 2, y2) if det.label == "person" else ((x1 + x2) / 2, (y1 + y2) / 2)


@dataclass(slots=True)
class _State:
    frames_inside: int = 0
    since: float | None = None


class ZoneWatch:
    """One camera's zones; `update` once per analysed frame returns the zones being intruded."""

    def __init__(self, zones: list[ZoneConfig]) -> None:
        self.zones = zones
        self._poly = [np.array(z.polygon, np.float32).reshape(-1, 1, 2) for z in zones]
        self._state = [_State() for _ in zones]
        self._counts: dict[str, int] = {}  # the people in each counted zone at the last update

    def exclusions(self) -> dict[str, int]:
        """The people in each exclusion zone at the last ``update`` (0: nobody, or not yet for its inertia
        and loitering time)."""
        return {
            z.name: n
            for z in self.zones
            if z.exclusion_of is not None and (n := self._counts.get(z.name)) is not None
        }

    def hot_work(self) -> dict[str, int]:
        """The people in each zone marked for hot work at the last ``update``, as ``exclusions``."""
        return {
            z.name: n for z in self.zones if z.hot_work_at and (n := self._counts.get(z.name)) is not None
        }

    def update(self, ts: float, detections: list[Detection]) -> list[Violation]:
        """Violations for standing zones with someone inside for `inertia` frames and `loiter_s` seconds
        (the counted zones' people: ``exclusions``, ``hot_work``)."""
        out = []
        for zone, poly, st in zip(self.zones, self._poly, self._state, strict=False):
            inside: list[Box] = [
                d.box for d in detections if cv2.pointPolygonTest(poly, anchor(d), False) >= 0
            ]
            if zone.counted:
                self._counts[zone.name] = 0
            if not inside:
                st.frames_inside, st.since = 0, None
                continue
            st.frames_inside += 1
            st.since = ts if st.since is None else st.since
            stayed = ts - st.since
            if st.frames_inside < zone.inertia or stayed < zone.loiter_s:
                continue
            if zone.counted:
                self._counts[zone.name] = len(inside)
            else:
                out.append(
                    Violation(
                        "vision.zone_intrusion",
                        zone.name,
                        float(
                            len(inside)
                        ),  # the alert's value (峰值): the people inside, as its message says
                        tuple(inside),
                        f"发现 {len(inside)} 人进入禁入区 {zone.name}（停留 {stayed:.0f} s）",
                        f"sees {len(inside)} {'person' if len(inside) == 1 else 'people'} inside danger zone "
                        f"{zone.name} for {stayed:.0f} s",
                    )
                )
        return out
