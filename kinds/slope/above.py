"""A magnitude against an alarm value it must be above (已大于: on the value, no alarm), pre-warned once it
reaches the warning fraction of it (达到, practice), with the clearing band: slope.cumulative's displacements and
slope.building's settlement and tilt, each kept by its (device, point, metric)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.slope.thresholds import SlopeRule
from rules.levels import banded_level, threshold_of

STRICT: frozenset[Level] = frozenset({"alarm"})  # 已大于 the alarm value; the pre-warning's share is reached


class Above:
    """The level of every (device, point, metric) against its alarm value."""

    def __init__(self) -> None:
        self._levels: dict[tuple[str, str, str], Level | None] = {}

    def level(
        self, key: tuple[str, str, str], value: float, alarm: float, cfg: SlopeRule
    ) -> tuple[Level | None, float]:
        """The level of ``value`` (by magnitude: a movement either way is one) and the line of that level (the
        alarm value when clear)."""
        thresholds: list[tuple[Level, float]] = [("warning", alarm * cfg.warning_fraction), ("alarm", alarm)]
        level = banded_level(
            abs(value), thresholds, self._levels.get(key), cfg.hysteresis_pct / 100, strict=STRICT
        )
        self._levels[key] = level
        return level, threshold_of(thresholds, level) or alarm
