"""A tower crane's slew, trolley and hoist speeds from its successive samples (the collision check's
prediction, GB 5144-2006 §10.5; JGJ 332-2014 §3.1.1: a dangerous trend is to be acted on)."""

from __future__ import annotations

import math
from typing import Final

# Trolley and hoist speeds above these are jumps (a gap, a glitch), not motion: trolleys run below
# about 1 m/s and hoists below about 2 m/s (100 m/min) on the tower cranes of a building site.
MAX_TROLLEY_MS: Final = 3.0
MAX_HOIST_MS: Final = 3.0


class Motion:
    """The latest speeds of one crane: slew (°/s, in the black box's sense), trolley (m/s, radius
    growing) and hoist (m/s, hook rising). A speed is 0 until two samples close enough in time give
    one, and after a jump faster than the crane can move."""

    __slots__ = (
        "_last",
        "_reach",
        "braking_s",
        "height_ms",
        "max_gap_s",
        "max_slew_deg_s",
        "radius_ms",
        "slew_deg_s",
        "travel_m",
    )

    def __init__(
        self, max_slew_deg_s: float, max_gap_s: float, swing_m: float = 0.0, braking_s: float = 0.0
    ) -> None:
        self.max_slew_deg_s, self.max_gap_s = max_slew_deg_s, max_gap_s
        self.slew_deg_s = self.radius_ms = self.height_ms = 0.0
        # how far the crane's structures move within ``braking_s`` at these speeds (its slewing
        # structure reaching ``swing_m`` from the axis): kinds.crane.collision.travel_m, kept with them
        self.braking_s, self._reach = braking_s, math.radians(1.0) * swing_m
        self.travel_m = 0.0
        self._last: tuple[float, float | None, float | None, float | None] | None = None

    def update(self, ts: float, slew: float | None, radius: float | None, height: float | None) -> None:
        """Take the sample at ``ts``; a second sample at the same instant keeps the speeds."""
        last, self._last = self._last, (ts, slew, radius, height)
        if last is not None and last[0] == ts:
            self._last = last[0], slew, radius, height
            return
        dt = None if last is None else ts - last[0]
        if dt is None or not 0 < dt <= self.max_gap_s:
            self.slew_deg_s = self.radius_ms = self.height_ms = self.travel_m = 0.0  # none close enough
            return
        assert last is not None
        # the three speeds written out (a helper's calls cost a tenth of the crane's sample): a step
        # unknown, or faster than the crane can move (a jump), is no speed
        speed = 0.0
        if slew is not None and last[1] is not None:
            speed = ((slew - last[1] + 180.0) % 360.0 - 180.0) / dt
            speed = speed if -self.max_slew_deg_s <= speed <= self.max_slew_deg_s else 0.0
        self.slew_deg_s = speed
        speed = 0.0
        if radius is not None and last[2] is not None:
            speed = (radius - last[2]) / dt
            speed = speed if -MAX_TROLLEY_MS <= speed <= MAX_TROLLEY_MS else 0.0
        self.radius_ms = speed
        speed = 0.0
        if height is not None and last[3] is not None:
            speed = (height - last[3]) / dt
            speed = speed if -MAX_HOIST_MS <= speed <= MAX_HOIST_MS else 0.0
        self.height_ms = speed
        self.travel_m = (
            abs(self.slew_deg_s) * self._reach + abs(self.radius_ms) + abs(speed)
        ) * self.braking_s

    def moving(self) -> bool:
        """Whether any speed is not 0."""
        return bool(self.slew_deg_s or self.radius_ms or self.height_ms)
