"""slope.building: a building at the slope's top, its settlement and its tilt against its allowable (GB
50330-2013 §19.1.6 (2): 坡顶建筑物沉降、倾斜已大于 GB 50007 允许值的 80 %). The allowable is the building's (GB
50007, from its design: a point's ``allowable_settle_mm`` and ``allowable_tilt``); above 80 % of it (大于, not
at it) is the alarm, reaching 70 % of that the pre-warning (practice, as the other slope rules); above the
allowable itself, the design's deformation control value, the alarm also cites 建质规〔2024〕5号 第五条(四)1.
Settlement and tilt are judged by magnitude (a heave or a tilt the other way is a deformation too)."""

from __future__ import annotations

from kinds.slope.above import Above
from kinds.slope.limits import ITEMS_EN, ITEMS_ZH, MAJOR, BuildingLimits, ratio
from kinds.slope.points import PointAlerts, action, action_en
from kinds.slope.thresholds import SlopeRule
from rules.levels import crosses
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.building"
PREWARNING = "；达报警值 70% 预警" + PRACTICE_ZH
CHECK = "检查坡顶建筑物裂缝，"
CHECK_EN = "check the building at the top for cracks; "


class Building:
    """slope.building over every (device, building point, metric)."""

    def __init__(self) -> None:
        self.alerts = PointAlerts()
        self.above = Above()  # 已大于 80 % of the allowable; the pre-warning's 70 % of that reached

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        metric: str,
        limits: BuildingLimits,
        cfg: SlopeRule,
        value: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid reading (mm of settlement, or a tilt's ratio) of one building point, when
        the alert manager must hear of it."""
        level, threshold = self.above.level((device, point, metric), value, limits.alarm, cfg)
        item, item_en = ITEMS_ZH[metric], ITEMS_EN[metric]
        share = abs(value) / limits.allowable * 100
        shown, allowable = (
            (f"{value:.1f} mm", f"{limits.allowable:g} mm")
            if limits.unit == "mm"
            else (ratio(value), ratio(limits.allowable))
        )
        what = f"{name} 测点 {point} {item} {shown}，为允许值 {allowable} 的 {share:.0f}%"
        what_en = f"{name} point {point} {item_en} {shown}, {share:.0f} % of its allowable {allowable}"
        clause = limits.clause + (PREWARNING if level == "warning" else "")
        if level == "alarm" and crosses(abs(value), limits.allowable, strict=True):
            clause += MAJOR  # past the design's control value itself, not only its 80 %
        result = RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=clause,
            value=round(value, 2 if limits.unit == "mm" else 6),
            threshold=threshold,
            unit=limits.unit,
            message=pick(level, what, CHECK + action(level) if level else ""),
            message_en=pick_en(level, what_en, CHECK_EN + action_en(level) if level else ""),
            details={"metric": metric, "allowable": limits.allowable},
            backfill=backfill,
        )
        return self.alerts.report(metric, result)
