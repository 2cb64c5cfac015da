"""The high slope's section of the site file's ``rules:`` (GB 50330-2013 §19.1.6, standards.md §15): the
defaults of every slope's alarm values, which a point's design values replace (``SlopePoint.design``).

Every default is marked uncertain in standards.md §15 (H/500, 20 mm and the rate's 2 mm/d over three days, a
building's 80 % of its allowable and its tilt's 0.00008 a day are from a scrambled copy or from memory; the pre-warning and the rain line are practice): each is a threshold
the site sets from its design, the standard's value where it gives one."""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model


class SlopeRule(Model):
    """slope.cumulative, slope.rate, slope.water, slope.rain, slope.building, slope.building_rate (GB 50330-2013
    §19.1.6; practice). slope.anchor has no default: its band is the design's (none in GB 50330).
    slope.crack_width (its pre-warning's share) and slope.crack_growth (its line, practice) too."""

    cumulative_mm: float = Field(
        20.0,
        gt=0,
        le=1000,
        title="Cumulative alarm",
        description="mm: the top's displacement 已大于 it (§19.1.6)",
    )
    height_ratio: float = Field(
        500.0,
        ge=50,
        le=5000,
        title="Height ratio",
        description="or 已大于 H divided by this (H/500, §19.1.6)",
    )
    rate_mm_d: float = Field(
        2.0, gt=0, le=100, title="Rate alarm", description="mm/d the daily rate 大于 (§19.1.6)"
    )
    rate_days: int = Field(
        3,
        ge=1,
        le=7,
        title="Rate days",
        description="days in a row a displacement's or a building tilt's daily rate is above its line "
        "(连续3d, §19.1.6)",
    )
    rate_window_h: float = Field(
        24.0, gt=0, le=72, title="Rate window", description="hours a rate is measured over"
    )
    warning_fraction: float = Field(
        0.7, gt=0, lt=1, title="Pre-warning", description="fraction of an alarm value reached (practice)"
    )
    rain_mm: float = Field(
        50.0,
        gt=0,
        le=1000,
        title="Rain line",
        description="mm in the rain window above which (大于) it warns (practice: 暴雨)",
    )
    rain_window_h: float = Field(
        24.0, gt=0, le=72, title="Rain window", description="hours rain is summed over"
    )
    hysteresis_pct: float = Field(5.0, ge=0, lt=50, title="Clearing band", description="% of the threshold")
    building_fraction: float = Field(
        0.8,
        gt=0,
        le=1,
        title="Building alarm share",
        description="share of a building's allowable settlement or tilt (GB 50007) its value 已大于 is the "
        "alarm (80 %, §19.1.6 (2))",
    )
    tilt_rate_d: float = Field(
        0.00008,
        gt=0,
        le=0.01,
        title="Building tilt rate",
        description="a building's tilt (a ratio) a day it 大于 on rate_days days in a row is the alarm "
        "(0.00008, §19.1.6 (2))",
    )
    crack_growth_mm: float = Field(
        0.2,
        gt=0,
        le=50,
        title="Crack growth",
        description="mm a ground or building crack's width may grow above its baseline before the alarm: "
        "more (大于) is a growing crack (§19.1.6 (3); §18.5.1); the meter's noise and a day's temperature swing "
        "stay below it (practice, not the standard's: GB 50330 gives no value)",
    )
