"""crane.load: load against the rated load at the current radius (GB 5144-2006 §6.1.2, §6.2.1).

The rated load comes from the crane's load chart for its reeving (rated t by radius, linear between
points); load ÷ rated load is also the moment ratio, since both are taken at the same radius. The
black box's own moment percentage (its moment limiter's figure) is judged beside it: the worse of
the two decides, both are shown. The alarm is above 100 % (大于额定起重量), not at it.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import pairwise
from typing import Final

from contract.alert_event import Level
from contract.config.crane import LoadChartPoint
from kinds.crane.thresholds import CraneLoadRule
from rules.levels import LevelMemory, banded_level, banded_result, clear_below
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE: Final = "crane.load"
# GB 5144-2006 §6.1.2 words the alarm 大于额定起重量: the rated load itself is not over it (strictly
# above); 90 % and 110 % are reached (达)
STRICT: frozenset[Level] = frozenset({"alarm"})
CLAUSES = {
    "warning": "GB/T 12602-2020 起重量达额定起重量 90% 预警" + PRACTICE_ZH,
    "alarm": "GB 5144-2006 第6.1.2条 起重量大于额定起重量时，起重量限制器应切断上升方向动力，仅允许下降",
    "critical": "GB 5144-2006 第6.1.2条 起重量达额定起重量 110%，起重量限制器应已切断上升方向动力",
}
ACTIONS = {
    "warning": "谨慎操作，不得再增加吊重或向外变幅",
    "alarm": "立即停止起升，卸载至额定起重量以内",
    "critical": "立即停止起升和向外变幅，卸载至额定起重量以内，检查起重量限制器",
}
ACTIONS_EN = {
    "warning": "take care: add no load and do not trolley out",
    "alarm": "stop hoisting up now and unload to within the rated load",
    "critical": "stop hoisting up and trolleying out now, unload to within the rated load and check the load limiter",
}


def rated_load(chart: list[LoadChartPoint], radius_m: float) -> float:
    """Rated load (t) at ``radius_m``, linear between chart points, flat beyond either end (the
    definition; the rule looks it up in a :class:`ChartTable`, held to this in the tests)."""
    if radius_m <= chart[0].radius_m:
        return chart[0].rated_t
    for lo, hi in pairwise(chart):
        if radius_m <= hi.radius_m:
            f = (radius_m - lo.radius_m) / (hi.radius_m - lo.radius_m)
            return lo.rated_t + f * (hi.rated_t - lo.rated_t)
    # past the chart's last radius the trolley cannot go; keep the last rating rather than guess
    return chart[-1].rated_t


class ChartTable:
    """A load chart as two lists of floats, for :meth:`rated` to find a radius's segment by bisection
    (a walk over the chart's pydantic points cost a fifth of the load rule at every crane sample)."""

    __slots__ = ("chart", "radii", "rated_t")

    def __init__(self, chart: list[LoadChartPoint]) -> None:
        self.chart = chart  # kept: the table is the chart's only while this object lives
        self.radii = [p.radius_m for p in chart]  # strictly increasing (CraneSpec checks)
        self.rated_t = [p.rated_t for p in chart]

    def rated(self, radius_m: float) -> float:
        """:func:`rated_load` at ``radius_m``, to the last bit: the same segment, the same arithmetic."""
        radii, rated_t = self.radii, self.rated_t
        if radius_m <= radii[0]:
            return rated_t[0]
        hi = bisect_left(radii, radius_m)  # the first radius >= radius_m, as rated_load's walk finds
        if hi == len(radii):
            return rated_t[-1]
        lo = hi - 1
        f = (radius_m - radii[lo]) / (radii[hi] - radii[lo])
        return rated_t[lo] + f * (rated_t[hi] - rated_t[lo])


def load_thresholds(cfg: CraneLoadRule) -> list[tuple[Level, float]]:
    """The levels' load ratios (% of the rated load), mildest first."""
    return [("warning", cfg.warning_pct), ("alarm", cfg.alarm_pct), ("critical", cfg.critical_pct)]


class _Plan:
    """What judging one crane's load needs of its chart and settings, worked out once for them."""

    __slots__ = ("cfg", "clear", "table", "thresholds")

    def __init__(self, chart: list[LoadChartPoint], cfg: CraneLoadRule) -> None:
        self.table = ChartTable(chart)  # keeps the chart: the plan is the chart's while it lives
        self.cfg = cfg
        self.thresholds = load_thresholds(cfg)
        self.clear = clear_below(self.thresholds, STRICT)  # a ratio below it is clear from a clear level


class CraneLoad:
    """Evaluates each crane's load ratio whenever its load or radius changes."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._plans: dict[str, _Plan] = {}  # by device, for the chart and settings it was last judged on

    def evaluate(
        self,
        device: str,
        name: str,
        chart: list[LoadChartPoint],
        cfg: CraneLoadRule,
        load_t: float,
        radius_m: float,
        ts: float,
        backfill: bool,
        moment_pct: float | None = None,
    ) -> RuleResult | None:
        """The crane.load verdict for one crane at one instant: the load against ``chart`` (the chart
        for the crane's reeving) and the box's ``moment_pct`` when it reports one, the worse of them."""
        plan = self._plans.get(device)
        if plan is None or plan.table.chart is not chart or plan.cfg is not cfg:
            plan = self._plans[device] = _Plan(chart, cfg)
        rated = plan.table.rated(radius_m)
        chart_pct = load_t / rated * 100.0
        pct = chart_pct if moment_pct is None or moment_pct <= chart_pct else moment_pct
        if pct < plan.clear and self._memory.quiet(device):
            return None  # below every threshold and known clear: what banded_level would find
        thresholds = plan.thresholds
        level = banded_level(
            pct, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100, strict=STRICT
        )
        if level is None and self._memory.quiet(device):
            return None  # clear and known clear: nothing to report, no verdict to make

        def build() -> RuleResult:
            what = f"{name} 起重量 {load_t:.2f} t，为额定起重量 {rated:.2f} t（幅度 {radius_m:g} m）的 {chart_pct:.0f}%"
            what_en = (
                f"{name} load {load_t:.2f} t = {chart_pct:.0f} % of the rated {rated:.2f} t at {radius_m:g} m"
            )
            details: dict[str, float | str | list[str]] = {
                "load_t": load_t,
                "radius_m": radius_m,
                "rated_t": round(rated, 3),
            }
            if moment_pct is not None:
                what += f"，力矩限制器报告力矩 {moment_pct:.0f}%"
                what_en += f", the moment limiter reports {moment_pct:.0f} %"
                details["moment_pct"] = moment_pct
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(pct, 1),
                thresholds,
                "%",
                pick(level, what, ACTIONS.get(level or "", "")),
                details,
                backfill,
                message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
            )

        return self._memory.report_later(RULE, device, "", level, ts, backfill, build, round(pct, 1))
