"""slope.rate: a displacement's daily rate (GB 50330-2013 §19.1.6: 已连续3d大于2mm/d; or the design's rate,
§19.1.2). At every reading the change over the trailing rate window, in mm/d: above the rate value (大于) now and
one and two windows earlier (the days configured) is the alarm; reaching 70 % of it the pre-warning (practice).
A day above the rate alone is the pre-warning, not the alarm: the clause asks for the days in a row. A day
without data (a gap) is no day above, so it never starts an alarm, and no day below, so it never downgrades
one firing: a firing alarm is held through it while the rate now stays above the rate value (kinds/slope/days.py
keeps the days, as it does for a building's tilt)."""

from __future__ import annotations

from kinds.slope.days import DaysAbove
from kinds.slope.limits import ITEMS_EN, ITEMS_ZH, Limits
from kinds.slope.points import PointAlerts, action, action_en
from kinds.slope.thresholds import SlopeRule
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.rate"
PREWARNING = "；速率达报警值 70% 预警" + PRACTICE_ZH


class Rate:
    """slope.rate over every (device, point, displacement)."""

    def __init__(self) -> None:
        self.alerts = PointAlerts()
        self.days = DaysAbove()

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
        d = self.days.judge((device, point, metric), value, ts, interval_s, limits.rate, limits.days, cfg)
        if d is None:
            return None
        level, rate = d.level, d.rate
        item, item_en = ITEMS_ZH[metric], ITEMS_EN[metric]
        days, days_en = d.words(limits.days)
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
            threshold=limits.rate * cfg.warning_fraction if level == "warning" else limits.rate,
            unit="mm/d",
            message=pick(level, what, action(level)),
            message_en=pick_en(level, what_en, action_en(level)),
            details={"metric": metric, "days_above": d.detail},
            backfill=backfill,
        )
        return self.alerts.report(metric, result)
