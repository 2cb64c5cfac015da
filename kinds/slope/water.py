"""slope.water: the groundwater level's rise above its baseline against the design's alarm value (GB 50330-2013
Table 19.1.3 lists groundwater and seepage against rainfall; it sets no value, so the site sets ``rise_m`` from
its design and check-config asks for it). Reaching it (达到) is the alarm, 70 % of it the pre-warning
(practice); a falling level is no hazard of the slope."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.slope.thresholds import SlopeRule
from rules.levels import LevelMemory, banded_level, threshold_of
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.water"
CLAUSE = "GB 50330-2013 第19.1.2条、表19.1.3 地下水位为监测项目，报警值由设计确定：水位上升达设计报警值应报警"
PREWARNING = "；达报警值 70% 预警" + PRACTICE_ZH
ACTIONS = {
    "warning": "加密水位与位移监测，检查坡顶截水沟、坡面与坡脚排水是否通畅",
    "alarm": "立即通知设计、监理与第三方监测单位，疏排地下水、封闭坡面裂缝，加密位移监测（GB 50330-2013 第18.5.1条）",
}
ACTIONS_EN = {
    "warning": "monitor the water and the displacements more often, check the top's cut-off drains, the face's and "
    "the toe's drainage",
    "alarm": "tell the designer, the supervising engineer and the monitoring firm now, drain the groundwater, seal "
    "the face's cracks and monitor the displacements more often (GB 50330-2013 §18.5.1)",
}


class Water:
    """slope.water over every (device, water-level point)."""

    def __init__(self) -> None:
        self.memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        rise_m: float,
        cfg: SlopeRule,
        level_m: float,
        baseline_m: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid reading (m) of one point, when the alert manager must hear of it."""
        rise = level_m - baseline_m
        thresholds: list[tuple[Level, float]] = [
            ("warning", rise_m * cfg.warning_fraction),
            ("alarm", rise_m),
        ]
        level = banded_level(rise, thresholds, self.memory.get(device, point), cfg.hysteresis_pct / 100)
        what = (
            f"{name} 测点 {point} 地下水位 {level_m:.2f} m，较基准 {baseline_m:.2f} m 上升 {rise:.2f} m，"
            f"报警值 {rise_m:g} m"
        )
        what_en = (
            f"{name} point {point} groundwater at {level_m:.2f} m, {rise:.2f} m above its baseline "
            f"{baseline_m:.2f} m, alarm value {rise_m:g} m"
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
                clause=CLAUSE + (PREWARNING if level == "warning" else ""),
                value=round(rise, 3),
                threshold=threshold_of(thresholds, level) or rise_m,
                unit="m",
                message=pick(level, what, ACTIONS.get(level or "", "")),
                message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
                details={"metric": "water_level_m", "level_m": level_m, "baseline_m": baseline_m},
                backfill=backfill,
            ),
        )
