"""crane.load: load against the rated load at the current radius (GB 5144-2006 §6.1.2).

The rated load comes from the crane's load chart (rated t by radius, linear between points);
load ÷ rated load is also the moment ratio, since both are taken at the same radius.
"""

from __future__ import annotations

from itertools import pairwise

from contract.alert_event import Level
from contract.config.crane import LoadChartPoint
from contract.config.rules import CraneLoadRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult

RULE = "crane.load"
CLAUSES = {
    "warning": "GB/T 12602-2020 pre-warning at 90 % of rated load (practice)",
    "alarm": "GB 5144-2006 §6.1.2 (load limiter: > 100 % cuts hoist-up)",
    "critical": "GB 5144-2006 §6.1.2 (load limiter: 110 % cut-off)",
}


def rated_load(chart: list[LoadChartPoint], radius_m: float) -> float:
    """Rated load (t) at ``radius_m``, linear between chart points, flat beyond either end."""
    if radius_m <= chart[0].radius_m:
        return chart[0].rated_t
    for lo, hi in pairwise(chart):
        if radius_m <= hi.radius_m:
            f = (radius_m - lo.radius_m) / (hi.radius_m - lo.radius_m)
            return lo.rated_t + f * (hi.rated_t - lo.rated_t)
    # past the chart's last radius the trolley cannot go; keep the last rating rather than guess
    return chart[-1].rated_t


class CraneLoad:
    """Evaluates each crane's load ratio whenever its load or radius changes."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

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
    ) -> RuleResult | None:
        """The crane.load verdict for one crane at one instant."""
        rated = rated_load(chart, radius_m)
        pct = load_t / rated * 100.0
        thresholds: list[tuple[Level, float]] = [
            ("warning", cfg.warning_pct),
            ("alarm", cfg.alarm_pct),
            ("critical", cfg.critical_pct),
        ]
        level = banded_level(pct, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100)

        def build() -> RuleResult:
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(pct, 1),
                thresholds,
                "%",
                f"{name} 起重量 {pct:.0f}% (额定 {rated:.2f} t @ {radius_m:g} m) | "
                f"{device} load {load_t:g} t = {pct:.0f} % of rated {rated:.2f} t at {radius_m:g} m",
                {"load_t": load_t, "radius_m": radius_m, "rated_t": round(rated, 3)},
                backfill,
            )

        return self._memory.report(device, "", level, build)
