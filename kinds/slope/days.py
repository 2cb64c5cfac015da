"""Days in a row above a daily rate's line, GB 50330-2013 §19.1.6's 已连续3d大于 (a displacement's 2 mm/d, a
building's tilt's 0.00008 a day): shared by slope.rate and slope.building_rate, which word it each their own way.

At every reading the change over the trailing rate window, per day: above the line (大于) now and one and two
windows earlier (the days configured) is the alarm; reaching 70 % of it the pre-warning (practice). A day above
the line alone is the pre-warning, not the alarm: the clause asks for the days in a row. A day without data (a
gap) is no day above, so it never starts an alarm, and no day below, so it never downgrades one firing: a
firing alarm is held through it while the rate now stays above the line."""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.alert_event import Level
from kinds.slope.thresholds import SlopeRule
from rules.levels import banded_level, crosses
from rules.timeline import Timeline

Key = tuple[str, str, str]  # (device, point, metric)


@dataclass
class Series:
    """The valid values and daily rates of one metric of one point."""

    values: Timeline = field(default_factory=Timeline)
    rates: Timeline = field(default_factory=Timeline)


@dataclass(frozen=True)
class Days:
    """One reading's daily rate, its level, and what the days before it said."""

    rate: float  # the change over the window, per day, in the metric's unit
    level: Level | None
    above: bool  # above the line now and on each day before (a day without data counted as the alarm stood)
    held: bool  # ``above`` only through a day without data, a firing alarm held

    def words(self, days: int) -> tuple[str, str]:
        """What the message adds of the days in a row (Chinese, English)."""
        if self.held:
            return (
                "，报警保持：其间有缺测的天，缺测不视为未超报警值，恢复监测后逐日复核",
                ", held: a day without data in between is not a day below it",
            )
        if self.above:
            return f"，已连续 {days} 天大于报警值", f", above it {days} days running"
        return "", ""

    @property
    def detail(self) -> str:
        """``days_above`` of the result's details: yes, held (through a gap) or no."""
        return ("held" if self.held else "yes") if self.above else "no"


class DaysAbove:
    """The daily rates of every (device, point, metric) and their levels against a line over days in a row."""

    def __init__(self) -> None:
        self._series: dict[Key, Series] = {}
        self._levels: dict[Key, Level | None] = {}

    def judge(
        self, key: Key, value: float, ts: float, interval_s: float, line: float, days: int, cfg: SlopeRule
    ) -> Days | None:
        """The daily rate of ``key`` at this reading against ``line`` over ``days`` in a row (``cfg``'s window,
        pre-warning and clearing band), None before a window of history."""
        s = self._series.setdefault(key, Series())
        window, tol = cfg.rate_window_h * 3600, interval_s / 2
        s.values.append(ts, value)
        s.values.drop_before(ts - window - interval_s)
        ref = s.values.at_or_before(ts - window + tol)
        if ref is None or ref[0] == ts:
            return None  # less than a window of history: no daily rate yet
        rate = abs(value - ref[1]) / (ts - ref[0]) * 86400
        s.rates.append(ts, rate)
        s.rates.drop_before(ts - days * window - interval_s)
        current, band = self._levels.get(key), cfg.hysteresis_pct / 100
        firing = current == "alarm"
        # an alarm is held while the rate stays above the band below the line; the days before stand.
        # A day before with no rate (a data gap) is no day above, so a new alarm needs the days in a row of
        # data; but it is no day below either, so a firing alarm is held through it (missing data never
        # downgrades): only a day the data show at or below the line ends the run
        now_line = line * (1 - band) if firing else line
        # each day before: above the line, not above it, or None (no rate of that day)
        before: list[bool | None] = [
            crosses(e[1], line, strict=True) if e is not None and e[0] >= ts - k * window - tol else None
            for k in range(1, days)
            for e in (s.rates.at_or_before(ts - k * window + tol),)
        ]
        above = crosses(rate, now_line, strict=True) and all(firing if d is None else d for d in before)
        level: Level | None = "alarm" if above else None
        if level is None:
            level = banded_level(
                rate, [("warning", line * cfg.warning_fraction)], "warning" if current else None, band
            )
        self._levels[key] = level
        return Days(rate, level, above, above and None in before)
