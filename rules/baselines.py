"""The first-reading baselines: where a site file gives no baseline for a series measured from one (a pit's or a
slope's water level, a slope's growing crack), its first valid reading is the baseline, kept here for the
site's life.

A baseline taken from a reading is a fact about the past that no later reading can rebuild: after a restart the
warm-up replays only the history the rules need (sitegw/warmup.py), so a baseline rebuilt from it would be that
window's first reading, and a water level that rose for a week, or a crack that grew, would read as unchanged
and its alarm would clear. So each one taken is told to ``on_new`` (the gateway keeps them in its alert
database, gateway/alerts/baselines.py) and given back by :meth:`Baselines.restore` before the warm-up. A baseline
in the site file always wins: it is how a site starts a series over (a sensor replaced, a crack repaired).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Key = tuple[str, str, str]
"""(device, point, metric)"""
NewBaseline = Callable[[Key, float, float], None]
"""Told of a baseline just taken: its series, its value, the stamp of the reading it came from."""


class Baselines:
    """The site's first-reading baselines, one per series."""

    def __init__(self) -> None:
        self._known: dict[Key, float] = {}
        self.on_new: NewBaseline | None = None

    def get(self, device: str, point: str, metric: str) -> float | None:
        """The series' baseline, if one was taken."""
        return self._known.get((device, point, metric))

    def first(self, device: str, point: str, metric: str, value: float, ts: float) -> float:
        """The series' baseline: the one taken before, else ``value`` (a valid reading stamped ``ts``), taken now
        and told to ``on_new``."""
        key = (device, point, metric)
        known = self._known.get(key)
        if known is not None:
            return known
        self._known[key] = value
        if self.on_new is not None:
            self.on_new(key, value, ts)
        return value

    def restore(self, saved: Mapping[Key, float]) -> None:
        """The baselines kept before a restart, taken again (each one's first reading may be long gone)."""
        self._known.update(saved)
