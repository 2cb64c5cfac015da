"""slope.cumulative: a displacement's cumulative value against its alarm value (GB 50330-2013 §19.1.6: the top's
horizontal displacement 已大于 H/500 or 20 mm, the smaller; or the design's, §19.1.2). Above it (大于, not at
it) is the alarm; reaching 70 % of it the pre-warning (practice, as for pits). An inclinometer's value is its
largest displacement over depth, told with the depth (the likely slip surface)."""

from __future__ import annotations

from kinds.slope.above import Above
from kinds.slope.limits import ITEMS_EN, ITEMS_ZH, MAJOR, Limits
from kinds.slope.points import PointAlerts, action, action_en
from kinds.slope.thresholds import SlopeRule
from rules.result import Details, RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.cumulative"
PREWARNING = "；达报警值 70% 预警" + PRACTICE_ZH


class Cumulative:
    """slope.cumulative over every (device, point, displacement)."""

    def __init__(self) -> None:
        self.alerts = PointAlerts()
        self.above = Above()

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
        backfill: bool,
        depth_m: float | None = None,
    ) -> RuleResult | None:
        """The verdict of one valid reading (mm) of one point, when the alert manager must hear of it."""
        alarm = limits.cumulative
        level, threshold = self.above.level((device, point, metric), value, alarm, cfg)
        item, item_en = ITEMS_ZH[metric], ITEMS_EN[metric]
        share = abs(value) / alarm * 100
        at = f"，最大位移位于深度 {depth_m:g} m（可能的滑动面）" if depth_m is not None else ""
        at_en = f", largest at {depth_m:g} m deep (the likely slip surface)" if depth_m is not None else ""
        what = f"{name} 测点 {point} {item}累计 {value:.1f} mm，为报警值 {alarm:g} mm 的 {share:.0f}%{at}"
        what_en = (
            f"{name} point {point} {item_en} cumulative {value:.1f} mm, {share:.0f} % of the alarm value "
            f"{alarm:g} mm{at_en}"
        )
        details: Details = {"metric": metric}
        if depth_m is not None:
            details["depth_m"] = depth_m
        clause = limits.clause + (PREWARNING if level == "warning" else "")
        if level == "alarm" and limits.designed:
            clause += MAJOR
        result = RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=clause,
            value=round(value, 2),
            threshold=threshold,
            unit="mm",
            message=pick(level, what, action(level)),
            message_en=pick_en(level, what_en, action_en(level)),
            details=details,
            backfill=backfill,
        )
        return self.alerts.report(metric, result)
