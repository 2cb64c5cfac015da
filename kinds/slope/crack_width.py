"""slope.crack_width: a crack in the slope's support, its width against the design's allowable width (GB
50330-2013 §19.1.6 (1): 支护结构裂缝宽度达到允许值应及时报警; GB 50330 gives no number, so the allowable is the
design's, ``allowable_crack_mm``, which check-config asks for). Reaching it (达到: on it is the alarm) is the
alarm; reaching 70 % of it the pre-warning (practice, as the slope's other rules), with the clearing band."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.slope.cracks import ALARM, ALARM_EN, SupportCrack
from kinds.slope.thresholds import SlopeRule
from rules.levels import LevelMemory, banded_level, threshold_of
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.crack_width"
PREWARNING = "；达允许值 70% 预警" + PRACTICE_ZH
ACTIONS = {
    "warning": "加密裂缝与位移监测，巡查支护结构裂缝，通知设计与监理",
    "alarm": "检查支护结构，" + ALARM,
}
ACTIONS_EN = {
    "warning": "monitor the crack and the displacements more often, walk the support for cracks, tell the "
    "designer and the supervising engineer",
    "alarm": "check the support; " + ALARM_EN,
}


class CrackWidth:
    """slope.crack_width over every (device, support crack point)."""

    def __init__(self) -> None:
        self.memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        crack: SupportCrack,
        cfg: SlopeRule,
        width: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid width (mm) of one support crack, when the alert manager must hear of it."""
        allowable = crack.allowable
        thresholds: list[tuple[Level, float]] = [
            ("warning", allowable * cfg.warning_fraction),
            ("alarm", allowable),
        ]
        # both lines reached (达到): on a line is over it, the default for a higher-is-worse value
        level = banded_level(width, thresholds, self.memory.get(device, point), cfg.hysteresis_pct / 100)
        share = width / allowable * 100
        what = f"{name} 测点 {point} 支护结构裂缝宽度 {width:.2f} mm，为设计允许值 {allowable:g} mm 的 {share:.0f}%"
        what_en = (
            f"{name} point {point} support crack width {width:.2f} mm, {share:.0f} % of the design's allowable "
            f"{allowable:g} mm"
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
                clause=crack.clause + (PREWARNING if level == "warning" else ""),
                value=round(width, 3),
                threshold=threshold_of(thresholds, level) or allowable,
                unit="mm",
                message=pick(level, what, ACTIONS.get(level or "", "")),
                message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
                details={"metric": "crack_mm", "allowable_mm": allowable},
                backfill=backfill,
            ),
        )
