"""tunnel.force over every force point (kinds/tunnel/force.py): its force's share of the way from its baseline
to the control value it moves towards, coloured by the project's table as a control given whole in one value
(kinds/tunnel/colour.py ``whole_colour``: yellow at 70 %, orange at 85 %, red at 100 % by default).

The lines are reached (达到: on one counts), as the deformation points' are, so a force on its maximum or its
minimum is red. 建质规〔2024〕5号 Art. 13(三) is data 超过 the design's control value, as the deformation points
read it: cited where the force is above its maximum or below its minimum, not on it; a force point's control
values are always the design's. The colours' words and actions are the deformation points'
(kinds/tunnel/points.py), with what to check on the member first.
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from kinds.tunnel.colour import whole_colour
from kinds.tunnel.force import RULE, ForceControl
from kinds.tunnel.item import COLOURS, MAJOR
from kinds.tunnel.points import ACTIONS, ACTIONS_EN, COLOUR_EN, COLOUR_ZH, percent
from kinds.tunnel.thresholds import TunnelRule
from rules.levels import LevelMemory
from rules.result import WORSE_DETAIL, RuleResult
from rules.wording import pick, pick_en


class TunnelForces:
    """tunnel.force over every (device, force point)."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        point: str,
        control: ForceControl,
        cfg: TunnelRule,
        force: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one valid force (kN) of one point, when the alert manager must hear of it."""
        share, _ = control.way(force)
        level = whole_colour(share, cfg, self._memory.get(device, point))
        build = partial(_result, device, name, point, control, level, force, ts, backfill)
        return self._memory.report(device, point, level, build)


def _what(name: str, point: str, control: ForceControl, force: float) -> tuple[str, str]:
    """Where the force stands: its share of the way from its baseline to the control value it moves towards."""
    share, upper = control.way(force)
    item, limit, base = control.item, control.limit(upper), control.baseline
    side, side_en = ("最大", "maximum") if upper else ("最小", "minimum")
    what = (
        f"{name} 测点 {point} {item.zh} {force:.1f} kN（由基准 {base:g} kN 至{side}控制值 {limit:g} kN 已达 "
        f"{percent(share)}%）"
    )
    what_en = (
        f"{name} point {point} {item.en} {force:.1f} kN ({percent(share)} % of the way from its baseline "
        f"{base:g} kN to its {side_en} {limit:g} kN)"
    )
    if control.beyond(force):
        what += "，超过最大控制值" if upper else "，低于最小控制值"
        what_en += ", above its maximum" if upper else ", below its minimum"
    return what, what_en


def _result(
    device: str,
    name: str,
    point: str,
    control: ForceControl,
    level: Level | None,
    force: float,
    ts: float,
    backfill: bool,
) -> RuleResult:
    _, upper = control.way(force)
    what, what_en = _what(name, point, control, force)
    if level:
        what, what_en = f"{what}，{COLOUR_ZH[level]}", f"{what_en}, {COLOUR_EN[level]}"
    item = control.item
    # a force on its control value reaches red, but only one past it is data 超过 the design's control value
    beyond = level is not None and control.beyond(force)
    return RuleResult(
        rule=RULE,
        device=device,
        point=point,
        level=level,
        ts=ts,
        clause=control.clause + COLOURS + (MAJOR if beyond else ""),
        value=round(force, 2),
        threshold=control.limit(upper),
        unit="kN",
        message=pick(level, what, item.check + ACTIONS[level] if level else ""),
        message_en=pick_en(level, what_en, item.check_en + ACTIONS_EN[level] if level else ""),
        details={
            "metric": item.metric,
            # which way is worse: a force falling towards its minimum is worse the lower it goes
            WORSE_DETAIL: "higher" if upper else "lower",
            "maximum_kn": control.maximum,
            "minimum_kn": control.minimum,
            "baseline_kn": control.baseline,
        },
        backfill=backfill,
    )
