"""What judging one pit series (device, point, metric) needs from the site file, worked out once.

The limits, the valid range and the fault thresholds of a series depend only on the configuration,
so the engine looks them up at the series' first reading and keeps them here, with the series' own
state, instead of redoing a dozen dict and attribute lookups for every reading.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.pit import PitPoint
from contract.config.rules import SensorFaultRule
from kinds.pit.displacement import Series
from kinds.pit.limits import PointLimits
from kinds.pit.thresholds import PitRule


@dataclass(frozen=True, slots=True)
class PitPlan:
    """One metric of one monitoring point, as the rules judge it."""

    point: PitPoint
    limits: PointLimits | None  # None where GB 50497 sets no limit: only the sensor is judged
    valid_range: tuple[float, float] | None
    step_limit: float | None  # a step above this is a sensor fault (step_factor x the jump value)
    stuck_s: float
    rule: PitRule
    series: Series


def pit_plan(
    point: PitPoint,
    metric: str,
    limits: PointLimits | None,
    faults: SensorFaultRule,
    rule: PitRule,
    series: Series,
) -> PitPlan:
    """The plan of ``metric`` at ``point``: the point's own range overrides the site-wide one."""
    over = point.thresholds.get(metric, {})
    default_range = faults.ranges.get(metric)
    valid_range = (
        (over.get("range_min", default_range[0]), over.get("range_max", default_range[1]))
        if default_range
        else None
    )
    jump = limits.jump if limits else None
    return PitPlan(
        point=point,
        limits=limits,
        valid_range=valid_range,
        step_limit=jump * faults.step_factor if jump else None,
        stuck_s=faults.stuck_h * 3600,
        rule=rule,
        series=series,
    )
