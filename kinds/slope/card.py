"""The high slope's dashboard card: every monitoring point with the alarm values its rules use (card.js draws the
points' table and a trend's 70 % / 100 % lines: a displacement's and a building's around zero, a water level's
around its baseline, an anchor's at its band's ends, a support crack's below its allowable; a growing crack's
one line above its baseline)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.slope.kind import DISPLACEMENTS, POINT_METRICS, SlopeDevice, SlopePoint
from kinds.slope.thresholds import SlopeRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig
    from kinds.slope.limits import BuildingMetric


class SlopeLimitView(BaseModel):
    """One metric's alarm value at a point, in the metric's unit (a water level's: the rise above its baseline)."""

    metric: str
    alarm: float = Field(
        description="mm (displacement, 已大于), m of rise (water level, 达到), a building's settlement (mm) or "
        "tilt (a ratio) 已大于, or an anchor's upper end (kN, 大于)"
        "; a support crack's allowable width (mm, 达到) or a growing crack's growth above its baseline (mm, 大于)"
    )
    low: float | None = Field(None, description="an anchor's lower end (kN, 小于)")
    rate_mm_d: float | None = Field(None, description="a displacement's daily rate value (已连续3d大于)")
    warning_fraction: float
    baseline_m: float | None = Field(
        None, description="a water level's baseline (none: its first reading, kept)"
    )
    growth: bool = Field(
        False, description="a ground or building crack's: its alarm is a growth above its baseline"
    )
    baseline_mm: float | None = Field(
        None, description="a growing crack's baseline width (none: its first reading, kept)"
    )
    clause: str


class SlopePointView(BaseModel):
    """A slope's monitoring point and its alarm values."""

    device: str
    code: str
    kind: str
    limits: list[SlopeLimitView]


def slope_points(config: SiteConfig) -> list[SlopePointView]:
    """Every slope monitoring point with the alarm values its rules use."""
    # here, not at the top: the kind's compiled library loads on a site that shows this card only (site_view)
    from kinds.slope.limits import displacement_limits

    out = []
    for d in config.devices:
        if not isinstance(d, SlopeDevice):
            continue
        rule = config.rules.for_device(d.id, "slope")
        assert isinstance(rule, SlopeRule)
        for point in d.slope.points:
            limits = [
                SlopeLimitView(
                    metric=m,
                    alarm=(lim := displacement_limits(d.slope, point, m, rule)).cumulative,
                    rate_mm_d=lim.rate,
                    warning_fraction=rule.warning_fraction,
                    clause=lim.clause,
                )
                for m in DISPLACEMENTS
                if m in POINT_METRICS[point.kind]
            ]
            limits += _building_and_anchor(point, rule)
            limits += _cracks(point, rule)
            if point.rise_m is not None:
                limits.append(
                    SlopeLimitView(
                        metric="water_level_m",
                        alarm=point.rise_m,
                        warning_fraction=rule.warning_fraction,
                        baseline_m=point.baseline_m,
                        clause="GB 50330-2013 第19.1.2条 水位上升报警值由设计确定",
                    )
                )
            out.append(SlopePointView(device=d.id, code=point.code, kind=point.kind, limits=limits))
    return out


def _building_and_anchor(point: SlopePoint, rule: SlopeRule) -> list[SlopeLimitView]:
    """A building point's settlement and tilt alarm values (80 % of its allowables), an anchor's band."""
    from kinds.slope.limits import anchor_band, building_limits  # as in slope_points

    views = []
    metrics: tuple[BuildingMetric, ...] = ("bldg_settle_mm", "bldg_tilt")
    for metric in metrics:
        if (lim := building_limits(point, metric, rule)) is not None:
            views.append(
                SlopeLimitView(
                    metric=metric, alarm=lim.alarm, warning_fraction=rule.warning_fraction, clause=lim.clause
                )
            )
    if (band := anchor_band(point)) is not None:
        views.append(
            SlopeLimitView(
                metric="anchor_kn",
                alarm=band.high,
                low=band.low,
                warning_fraction=rule.warning_fraction,
                clause=band.clause,
            )
        )
    return views


def _cracks(point: SlopePoint, rule: SlopeRule) -> list[SlopeLimitView]:
    """A support crack's allowable width, or a ground or building crack's growth line above its baseline."""
    from kinds.slope.cracks import growth, support_crack  # as in slope_points

    if (crack := support_crack(point)) is not None:
        return [
            SlopeLimitView(
                metric="crack_mm",
                alarm=crack.allowable,
                warning_fraction=rule.warning_fraction,
                clause=crack.clause,
            )
        ]
    if (grows := growth(point, rule)) is not None:
        return [
            SlopeLimitView(
                metric="crack_mm",
                alarm=grows.line,
                warning_fraction=rule.warning_fraction,
                growth=True,
                baseline_mm=point.baseline_mm,
                clause=grows.clause,
            )
        ]
    return []


CARD = Card(
    name="slope",
    data=CardData(
        key="slope_points",
        model=SlopePointView,
        view=slope_points,
        description="high-slope monitoring points with their alarm values",
    ),
    script="card.js",
)
