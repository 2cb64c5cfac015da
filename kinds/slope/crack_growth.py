"""slope.crack_growth: a crack in a building at the slope's top or in the ground there, its width's growth above
its baseline (GB 50330-2013 §19.1.6 (3): 坡顶建筑物原有裂缝有新发展应及时报警; a ground crack's: §18.5.1, cracking
around the slope, and §19.1.1 makes ground cracks a 一级 slope's mandatory item). The baseline is the first
survey's width (``baseline_mm``), else the point's first reading: a crack found new gets a point, and grows from
its first reading. Growing more (大于) than the line, above the meter's noise and a day's temperature (practice:
``crack_growth_mm`` 0.2 mm, or the point's ``growth_mm``), is the alarm; growing less is that noise, so there is
no pre-warning below it. The clearing band keeps the alarm until the width is back below the line by it."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.slope.cracks import ALARM, ALARM_EN, PLACES_EN, PLACES_ZH, Growth
from kinds.slope.thresholds import SlopeRule
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "slope.crack_growth"
CHECK = {"building": "检查坡顶建筑物结构安全，", "ground": "巡查坡顶地表裂缝范围，"}
CHECK_EN = {
    "building": "check the building at the top is safe; ",
    "ground": "walk the top for the cracks' extent; ",
}


class CrackGrowth:
    """slope.crack_growth over every (device, ground or building crack point)."""

    def __init__(self) -> None:
        self.memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        crack: Growth,
        cfg: SlopeRule,
        width: float,
        baseline: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid width (mm) of one growing crack's point, when the alert manager must hear."""
        grown = width - baseline
        thresholds: list[tuple[Level, float]] = [("alarm", crack.line)]
        # 大于 the line: a growth on it is still the meter's noise
        current = self.memory.get(device, point)
        level = banded_level(grown, thresholds, current, cfg.hysteresis_pct / 100, strict=True)
        place, place_en = PLACES_ZH[crack.crack_in], PLACES_EN[crack.crack_in]
        what = (
            f"{name} 测点 {point} {place}裂缝宽度 {width:.2f} mm，较基准 {baseline:.2f} mm 扩展 {grown:.2f} mm，"
            f"报警值 {crack.line:g} mm"
        )
        what_en = (
            f"{name} point {point} crack in {place_en} {width:.2f} mm wide, {grown:.2f} mm wider than its "
            f"baseline {baseline:.2f} mm, alarm value {crack.line:g} mm"
        )
        return self.memory.report(
            device,
            point,
            level,
            lambda: RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=crack.clause,
                value=round(grown, 3),
                threshold=crack.line,
                unit="mm",
                message=pick(level, what, CHECK[crack.crack_in] + ALARM if level else ""),
                message_en=pick_en(level, what_en, CHECK_EN[crack.crack_in] + ALARM_EN if level else ""),
                details={
                    "metric": "crack_mm",
                    "crack_in": crack.crack_in,
                    "width_mm": width,
                    "baseline_mm": baseline,
                },
                backfill=backfill,
            ),
        )
