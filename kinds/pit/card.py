"""The deep pit's dashboard card: every monitoring point with the alarm values its rules use (card.js draws
the points' table and the trend's 70 % / 100 % lines; the site plan places the points)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.pit.kind import PitDevice
from kinds.pit.thresholds import PitRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class PointLimitView(BaseModel):
    """A pit point metric's alarm values (GB 50497 Table 8.0.4 or the designer's): the trend plot
    draws ``cumulative`` (100 %) and ``warning_fraction`` × it (70 %)."""

    metric: str
    unit: str = Field(description="mm or kN (water level: mm of change from the baseline)")
    cumulative: float | None
    rate_per_day: float | None
    warning_fraction: float
    baseline: float | None = None
    clause: str


class PitPointView(BaseModel):
    """A deep-pit monitoring point and its alarm values."""

    device: str
    code: str
    kind: str
    limits: list[PointLimitView]


def pit_points(config: SiteConfig) -> list[PitPointView]:
    """Every pit monitoring point with the alarm values its rules use."""
    # here, not at the top: the kind's compiled library loads on a site that shows this card only (site_view)
    from kinds.pit.limits import KIND_METRICS, point_limits

    out = []
    for d in config.devices:
        if not isinstance(d, PitDevice):
            continue
        pit_rule = config.rules.for_device(d.id, "pit")
        assert isinstance(pit_rule, PitRule)
        for point in d.pit.points:
            limits = [point_limits(d.pit, point, m) for m in KIND_METRICS[point.kind]]
            out.append(
                PitPointView(
                    device=d.id,
                    code=point.code,
                    kind=point.kind,
                    limits=[
                        PointLimitView(
                            metric=lim.metric,
                            unit=lim.unit,
                            cumulative=lim.cumulative,
                            rate_per_day=lim.rate_per_day,
                            warning_fraction=pit_rule.warning_fraction,
                            baseline=lim.baseline,
                            clause=lim.clause,
                        )
                        for lim in limits
                        if lim is not None
                    ],
                )
            )
    return out


CARD = Card(
    name="pit",
    data=CardData(
        key="pit_points",
        model=PitPointView,
        view=pit_points,
        description="deep-pit monitoring points with their alarm values",
    ),
    script="card.js",
)
