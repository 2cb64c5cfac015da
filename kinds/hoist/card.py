"""The construction hoist's dashboard card: each hoist's nameplate and the limits in force for it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Bands, Card, CardData
from kinds.hoist.kind import HoistDevice
from kinds.hoist.thresholds import HoistLoadRule, HoistRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class HoistView(BaseModel):
    """A construction hoist's nameplate and the limits its card draws, from the site's rules."""

    id: str
    model: str = Field(description="manufacturer's model, e.g. SC200/200")
    rated_load_t: float = Field(description="t the cage may carry")
    rated_persons: int = Field(description="people the cage may carry; more is an alarm")
    erected_height_m: float = Field(description="m, mast height as erected")
    load_pct: Bands = Field(description="% of rated load (hoist.load)")
    wind_alarm_ms: float = Field(description="m/s at the mast top: no use above it (hoist.wind)")
    moving_ms: float = Field(description="m/s: a cage faster than this is moving (|speed|)")
    arrester_calibrated_on: date = Field(description="the fall arrester's last calibration")
    arrester_valid_until: date = Field(
        description="last day the calibration is valid (JGJ 215-2010 §4.1.7: one year)"
    )


def hoist_view(config: SiteConfig, d: HoistDevice) -> HoistView:
    """A hoist's nameplate and the limits in force for it (hoist.load bands, wind, calibration)."""
    load = config.rules.for_device(d.id, "hoist_load")
    other = config.rules.for_device(d.id, "hoist")
    assert isinstance(load, HoistLoadRule) and isinstance(other, HoistRule)
    h = d.hoist
    return HoistView(
        id=d.id,
        model=h.model,
        rated_load_t=h.rated_load_t,
        rated_persons=h.rated_persons,
        erected_height_m=h.erected_height_m,
        load_pct=Bands(warning=load.warning_pct, alarm=load.alarm_pct, critical=load.critical_pct),
        wind_alarm_ms=other.wind_alarm_ms,
        moving_ms=other.moving_ms,
        arrester_calibrated_on=h.arrester_calibrated_on,
        # the day count the hoist.arrester rule uses: valid for arrester_valid_days after calibration
        arrester_valid_until=h.arrester_calibrated_on + timedelta(days=other.arrester_valid_days),
    )


def hoists(config: SiteConfig) -> list[HoistView]:
    """Every hoist of the site."""
    return [hoist_view(config, d) for d in config.devices if isinstance(d, HoistDevice)]


CARD = Card(
    name="hoist",
    data=CardData(
        key="hoists",
        model=HoistView,
        view=hoists,
        description="construction hoists with their limits (empty: none)",
    ),
    script="card.js",
)
