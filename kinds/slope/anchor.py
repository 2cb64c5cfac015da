"""slope.anchor: an anchor's (锚杆, 锚索) load against the design's alarm band (GB 50330-2013 §19.1.6 (4): the
support's key members' stress jumping, loosening or pulling out 应及时报警; GB 50330 gives no value, so the
band is the design's, §19.1.2, and check-config asks for both ends).

The words are the strict ones: a load 小于 the lower end (prestress lost, the anchor loosening or pulling out)
or 大于 the upper end (over-stressed) is the alarm; a load on either end is inside the band (GB usage: 大于 and
小于 leave the value itself out, 不小于 and 不大于 take it in). The pre-warning (practice, as the other slope
rules' 70 %) is a load that has gone 70 % of the way from the band's middle to either end, reached."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.slope.limits import AnchorBand
from kinds.slope.points import action, action_en
from kinds.slope.thresholds import SlopeRule
from rules.levels import LevelMemory, banded_level, threshold_of
from rules.result import WORSE_DETAIL, RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "slope.anchor"
STRICT: frozenset[Level] = frozenset({"alarm"})  # 大于 the upper end or 小于 the lower end; on an end, inside
PREWARNING = "；轴力由设计区间中值偏离至报警值 70% 预警" + PRACTICE_ZH
CHECK = "检查锚头、锚杆（索）与腰梁，"
CHECK_EN = "check the anchor, its head and its waling; "


class Anchor:
    """slope.anchor over every (device, anchor point)."""

    def __init__(self) -> None:
        self.memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        point: str,
        band: AnchorBand,
        cfg: SlopeRule,
        load: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid load (kN) of one anchor, when the alert manager must hear of it."""
        # the load's departure from the band's middle, towards the end it is nearer: the band's two ends are
        # then one line (its half-width) and the clearing band is the same share of it on either side
        high = load >= band.middle
        departure = abs(load - band.middle)
        thresholds: list[tuple[Level, float]] = [
            ("warning", band.half * cfg.warning_fraction),
            ("alarm", band.half),
        ]
        level = banded_level(
            departure, thresholds, self.memory.get(device, point), cfg.hysteresis_pct / 100, strict=STRICT
        )
        line = threshold_of(thresholds, level) or band.half
        threshold = band.middle + line if high else band.middle - line
        what = (
            f"{name} 测点 {point} 锚杆（索）轴力 {load:.1f} kN，设计报警区间 {band.low:g}～{band.high:g} kN"
        )
        what_en = (
            f"{name} point {point} anchor force {load:.1f} kN, design band {band.low:g}-{band.high:g} kN"
        )
        if level == "alarm":
            what += (
                f"，大于上限 {band.high:g} kN（超载）"
                if high
                else f"，小于下限 {band.low:g} kN（预应力损失、松弛）"
            )
            what_en += (
                f", above its upper end {band.high:g} kN (over-stressed)"
                if high
                else f", below its lower end {band.low:g} kN (prestress lost, loosening)"
            )
        elif level == "warning":
            what += f"，接近{'上' if high else '下'}限"
            what_en += f", near its {'upper' if high else 'lower'} end"
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
                clause=band.clause + (PREWARNING if level == "warning" else ""),
                value=round(load, 2),
                threshold=threshold,
                unit="kN",
                message=pick(level, what, CHECK + action(level) if level else ""),
                message_en=pick_en(level, what_en, CHECK_EN + action_en(level) if level else ""),
                details={"metric": "anchor_kn", WORSE_DETAIL: "higher" if high else "lower"},
                backfill=backfill,
            ),
        )
