"""tunnel.vault, tunnel.convergence and tunnel.surface over every point's series: its cumulative value and
its rate over the trailing window, each as a share of its control value, coloured by kinds/tunnel/colour.py.

The rate is the change over the trailing window (24 h) in mm/d at every reading, as the pit's; a rate
that reaches ``acceleration_factor`` times the one a window earlier (and at least ``yellow_both`` of its
control) is the sudden acceleration that is red. The item modules (vault.py, convergence.py, surface.py)
give each point's rule and control values; every warning cites GB 50911-2013 §9.1 and, where the cumulative
value or the rate is above (超过, not at) a control value the design gives, 建质规〔2024〕5号 Art. 13(三): never
on §16's fallback values alone, never for a red made by a sudden acceleration alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from contract.alert_event import Level
from kinds.tunnel.colour import banded_colour
from kinds.tunnel.item import COLOURS, MAJOR
from kinds.tunnel.limits import Control
from kinds.tunnel.thresholds import TunnelRule
from rules.levels import LevelMemory, crosses
from rules.result import WORSE_DETAIL, RuleResult
from rules.timeline import Timeline
from rules.wording import pick, pick_en

COLOUR_ZH = {"warning": "黄色预警", "alarm": "橙色预警", "critical": "红色预警"}
COLOUR_EN = {"warning": "a yellow warning", "alarm": "an orange warning", "critical": "a red warning"}
ACTIONS = {
    "warning": "加密监测，复核数据，按预警规则报送警情（GB 50911 第9.1.5条）",
    "alarm": "报送警情，通知设计、监理和建设单位，分析原因并采取控制措施",
    "critical": "暂停掘进（开挖），撤离作业面人员，报送警情并启动应急预案",
}
ACTIONS_EN = {
    "warning": "monitor more often, check the data and report the warning as the project's rules say",
    "alarm": "report the warning, tell the designer, the supervising engineer and the client, "
    "find the cause and act on it",
    "critical": "stop the drive (the excavation), clear the face of people, report and start the emergency plan",
}


@dataclass
class Series:
    """The valid readings of one point and their rates."""

    last_ts: float | None = None  # of the last live reading judged, valid or not
    values: Timeline = field(default_factory=Timeline)  # from the last reading a window back
    rates: Timeline = field(default_factory=Timeline)  # from the last rate a window back


class TunnelPoints:
    """The three item rules over every (device, point) series."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], Series] = {}
        self._memory = {
            "tunnel.vault": LevelMemory(),
            "tunnel.convergence": LevelMemory(),
            "tunnel.surface": LevelMemory(),
        }

    def series(self, device: str, point: str) -> Series:
        """The state of one point (created empty)."""
        found = self._series.get((device, point))
        if found is None:
            found = self._series[(device, point)] = Series()
        return found

    def evaluate(
        self,
        device: str,
        name: str,
        point: str,
        control: Control,
        cfg: TunnelRule,
        value: float,
        ts: float,
        interval_s: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid reading (mm, settlement or closing positive) of one point."""
        s = self.series(device, point)
        window, tol = cfg.rate_window_h * 3600, interval_s / 2
        s.values.append(ts, value)
        ref = s.values.at_or_before(ts - window + tol)
        if ref is not None:
            # the reading a window back stays, however old: after a gap the rate spans the gap (the
            # movement through it), where dropping it would leave no rate and let the cumulative value
            # alone clear a level the rate holds
            s.values.drop_before(ref[0])
        rate = None if ref is None or ref[0] == ts else abs(value - ref[1]) / (ts - ref[0]) * 86400
        memory = self._memory[control.item.rule]
        current = memory.get(device, point)
        accelerating = False
        if rate is not None:
            before = s.rates.at_or_before(ts - window + tol)  # kept however old, as the values are
            s.rates.append(ts, rate)
            if before is not None:
                s.rates.drop_before(before[0])
            # held as red while it stays above the factor less the band
            factor = cfg.acceleration_factor * (1 - cfg.hysteresis_pct / 100 if current == "critical" else 1)
            accelerating = (
                before is not None
                and crosses(rate, cfg.yellow_both * control.rate_mm_d)
                and crosses(rate, factor * before[1])
            )
        share_c, _ = control.share(value)
        share_r = None if rate is None else rate / control.rate_mm_d
        level = banded_colour(share_c, share_r, accelerating, cfg, current)

        def build() -> RuleResult:
            return _result(device, name, point, control, level, value, rate, accelerating, ts, backfill)

        return memory.report(device, point, level, build)


def above_design(control: Control, value: float, rate: float | None) -> bool:
    """Whether ``value`` or ``rate`` is above (超过: not at) a control value the design gives: the data of
    建质规〔2024〕5号 Art. 13(三). A fallback value is no design's, and a sudden acceleration passes none."""
    heave = value < 0 and control.heave_mm is not None
    designed = control.designed_heave if heave else control.designed_cumulative
    share, _ = control.share(value)
    if designed and crosses(share, 1.0, strict=True):
        return True
    return control.designed_rate and rate is not None and crosses(rate, control.rate_mm_d, strict=True)


def percent(share: float) -> int:
    """A share of a control value in whole percent, rounded down: a reading just under a line never reads as
    100 % of it (12.39 mm of 12.4 is 99 %), one on it does (the float's last bit forgiven)."""
    return math.floor(share * 100 + 1e-9)


def _result(
    device: str,
    name: str,
    point: str,
    control: Control,
    level: Level | None,
    value: float,
    rate: float | None,
    accelerating: bool,
    ts: float,
    backfill: bool,
) -> RuleResult:
    item = control.item
    (share, c), r = control.share(value), control.rate_mm_d
    if rate is None:
        pace, pace_en = "，速率待满一个周期", ", its rate not yet known (less than a window of readings)"
    else:
        pace = f"，速率 {rate:.2f} mm/d（控制值 {r:g} mm/d 的 {percent(rate / r)}%）"
        pace_en = f", rate {rate:.2f} mm/d ({percent(rate / r)} % of its control {r:g} mm/d)"
    if accelerating:
        pace, pace_en = pace + "，速率突然增大", pace_en + ", suddenly faster"
    what = f"{name} 测点 {point} {item.zh}累计 {value:.2f} mm（控制值 {c:g} mm 的 {percent(share)}%）{pace}"
    what_en = (
        f"{name} point {point} {item.en} {value:.2f} mm ({percent(share)} % of its control {c:g} mm){pace_en}"
    )
    if level:
        what, what_en = f"{what}，{COLOUR_ZH[level]}", f"{what_en}, {COLOUR_EN[level]}"
    # Art. 13(三) is data 超过 the design's control value: above it (not at it), a value the design gives (not
    # §16's fallback), and a value past (not a red made by a sudden acceleration alone, which passes none)
    beyond = level is not None and above_design(control, value, rate)
    return RuleResult(
        rule=item.rule,
        device=device,
        point=point,
        level=level,
        ts=ts,
        clause=control.clause + COLOURS + (MAJOR if beyond else ""),
        value=round(value, 2),
        threshold=c,
        unit="mm",
        message=pick(level, what, ACTIONS.get(level or "", "")),
        message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
        details={
            "metric": item.metric,
            # worse is away from zero: a settlement or a closing growing, a heave rising (its value negative);
            # without it the worsening tracker reads a yellow value under its control as lower-is-worse
            WORSE_DETAIL: "lower" if value < 0 else "higher",
            "rate_mm_d": "" if rate is None else f"{rate:.3f}",
            "rate_control_mm_d": r,
            "accelerating": "yes" if accelerating else "no",
        },
        backfill=backfill,
    )
