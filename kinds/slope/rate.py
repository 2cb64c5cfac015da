"""slope.rate: a displacement's daily rate (GB 50330-2013 §19.1.6: 已连续3d大于2mm/d; or the design's rate,
§19.1.2). At every reading the change over the trailing rate window, in mm/d: above the rate value (大于) now and
one and two windows earlier (the days configured) is the alarm; reaching 70 % of it the pre-warning (practice).
A day above the rate alone is the pre-warning, not the alarm: the clause asks for the days in a row. A day
without data (a gap) is no day above, so it never starts an alarm, and no day below, so it never downgrades
one firing: a firing alarm is held through it while the rate now stays above the rate value."""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.alert_event import Level
from kinds.slope.limits import ITEMS_EN, ITEMS_ZH, Limits
from kinds.slope.points import PointAlerts, action, action_en
from kinds.slope.thresholds import SlopeRule
from rules.levels import banded_level, crosses
from rules.result import RuleResult
from rules.timeline import Timeline
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.rate"
PREWARNING = "；速率达报警值 70% 预警" + PRACTICE_ZH


@dataclass
class Series:
    """The valid values and daily rates of one displacement of one point."""

    values: Timeline = field(default_factory=Timeline)
    rates: Timeline = field(default_factory=Timeline)


class Rate:
    """slope.rate over every (device, point, displacement)."""

    def __init__(self) -> None:
        self.alerts = PointAlerts()
        self._series: dict[tuple[str, str, str], Series] = {}
        self._levels: dict[tuple[str, str, str], Level | None] = {}

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        metric: str,
        limits: Limits,
        cfg: SlopeRule,
        value: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid reading (mm), None before a window of history or when nothing changed."""
        key = (device, point, metric)
        s = self._series.setdefault(key, Series())
        window, tol = cfg.rate_window_h * 3600, interval_s / 2
        s.values.append(ts, value)
        s.values.drop_before(ts - window - interval_s)
        ref = s.values.at_or_before(ts - window + tol)
        if ref is None or ref[0] == ts:
            return None  # less than a window of history: no daily rate yet
        rate = abs(value - ref[1]) / (ts - ref[0]) * 86400
        s.rates.append(ts, rate)
        s.rates.drop_before(ts - limits.days * window - interval_s)
        current, band = self._levels.get(key), cfg.hysteresis_pct / 100
        firing = current == "alarm"
        # an alarm is held while the rate stays above the band below the rate value; the days before stand.
        # A day before with no rate (a data gap) is no day above, so a new alarm needs the days in a row of
        # data; but it is no day below either, so a firing alarm is held through it (missing data never
        # downgrades): only a day the data show at or below the rate value ends the run
        now_line = limits.rate * (1 - band) if firing else limits.rate
        # each day before: above the rate value, not above it, or None (no rate of that day)
        before: list[bool | None] = [
            crosses(e[1], limits.rate, strict=True)
            if e is not None and e[0] >= ts - k * window - tol
            else None
            for k in range(1, limits.days)
            for e in (s.rates.at_or_before(ts - k * window + tol),)
        ]
        missing = None in before
        days_above = crosses(rate, now_line, strict=True) and all(firing if d is None else d for d in before)
        warn = limits.rate * cfg.warning_fraction
        level: Level | None = "alarm" if days_above else None
        if level is None:
            level = banded_level(rate, [("warning", warn)], "warning" if current else None, band)
        self._levels[key] = level
        item, item_en = ITEMS_ZH[metric], ITEMS_EN[metric]
        days, days_en = "", ""
        if days_above and missing:
            days = "，报警保持：其间有缺测的天，缺测不视为未超报警值，恢复监测后逐日复核"
            days_en = ", held: a day without data in between is not a day below it"
        elif days_above:
            days = f"，已连续 {limits.days} 天大于报警值"
            days_en = f", above it {limits.days} days running"
        what = f"{name} 测点 {point} {item}速率 {rate:.2f} mm/d，报警值 {limits.rate:g} mm/d{days}"
        what_en = (
            f"{name} point {point} {item_en} rate {rate:.2f} mm/d, alarm value {limits.rate:g} mm/d{days_en}"
        )
        result = RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=limits.rate_clause + (PREWARNING if level == "warning" else ""),
            value=round(rate, 3),
            threshold=warn if level == "warning" else limits.rate,
            unit="mm/d",
            message=pick(level, what, action(level)),
            message_en=pick_en(level, what_en, action_en(level)),
            details={
                "metric": metric,
                "days_above": ("held" if missing else "yes") if days_above else "no",
            },
            backfill=backfill,
        )
        return self.alerts.report(metric, result)
