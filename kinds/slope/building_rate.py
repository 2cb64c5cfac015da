"""slope.building_rate: a building at the slope's top, its tilt's daily rate (GB 50330-2013 §19.1.6 (2): 倾斜
已连续3d每天大于0.00008). The tilt is a ratio, so its rate is a ratio a day: above the line (大于) on each of
the days in a row (kinds/slope/days.py, as slope.rate counts them: a day without data is no day above and no day
below) is the alarm, reaching 70 % of it the pre-warning (practice)."""

from __future__ import annotations

from kinds.slope.building import CHECK, CHECK_EN
from kinds.slope.days import DaysAbove
from kinds.slope.limits import ratio, tilt_rate_clause
from kinds.slope.points import PointAlerts, action, action_en
from kinds.slope.rate import PREWARNING  # the rate's pre-warning, worded once
from kinds.slope.thresholds import SlopeRule
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "slope.building_rate"
METRIC = "bldg_tilt"


class BuildingRate:
    """slope.building_rate over every (device, building point)."""

    def __init__(self) -> None:
        self.alerts = PointAlerts()
        self.days = DaysAbove()

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        cfg: SlopeRule,
        tilt: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid tilt (a ratio), None before a window of history or when nothing changed."""
        line = cfg.tilt_rate_d
        d = self.days.judge((device, point, METRIC), tilt, ts, interval_s, line, cfg.rate_days, cfg)
        if d is None:
            return None
        level = d.level
        days, days_en = d.words(cfg.rate_days)
        what = f"{name} 测点 {point} 坡顶建筑物倾斜速率 {ratio(d.rate)}/d，报警值 {ratio(line)}/d{days}"
        what_en = (
            f"{name} point {point} tilt rate of the building at the top {ratio(d.rate)}/d, alarm value "
            f"{ratio(line)}/d{days_en}"
        )
        result = RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=tilt_rate_clause(cfg) + (PREWARNING if level == "warning" else ""),
            value=round(d.rate, 8),
            threshold=line * cfg.warning_fraction if level == "warning" else line,
            unit="/d",
            message=pick(level, what, CHECK + action(level) if level else ""),
            message_en=pick_en(level, what_en, CHECK_EN + action_en(level) if level else ""),
            details={"metric": METRIC, "days_above": d.detail},
            backfill=backfill,
        )
        return self.alerts.report(METRIC, result)
