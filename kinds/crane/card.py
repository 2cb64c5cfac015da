"""The tower crane's dashboard card: where each crane stands, how far it reaches, and its gauges' bands from
the rules in force for it (the site plan draws the jib and the hook, card.js the gauges)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Bands, Card, CardData
from kinds.crane.kind import CraneDevice
from kinds.crane.thresholds import CraneLoadRule, CraneTiltRule, CraneWindRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class CraneBands(BaseModel):
    """The thresholds a crane's gauges draw, from the site's rules."""

    load_pct: Bands = Field(description="% of rated load (also used for moment %)")
    wind_ms: Bands
    tilt_deg: Bands = Field(description="verticality limit as a tilt angle")


class CraneGeometry(BaseModel):
    """Where a crane stands and how far it reaches, for the site plan."""

    id: str
    x: float
    y: float
    jib_m: float
    counter_jib_m: float
    jib_height_m: float
    slew_offset_deg: float
    slew_direction: str
    bands: CraneBands


def crane_geometry(config: SiteConfig, d: CraneDevice) -> CraneGeometry:
    """One crane's place, reach and gauge bands."""
    load = config.rules.for_device(d.id, "crane_load")
    wind = config.rules.for_device(d.id, "crane_wind")
    tilt = config.rules.for_device(d.id, "crane_tilt")
    assert (
        isinstance(load, CraneLoadRule)
        and isinstance(wind, CraneWindRule)
        and isinstance(tilt, CraneTiltRule)
    )
    limit_deg = math.degrees(math.atan(d.crane.tilt_limit_per_mille / 1000))
    bands = CraneBands(
        load_pct=Bands(warning=load.warning_pct, alarm=load.alarm_pct, critical=load.critical_pct),
        wind_ms=Bands(warning=wind.warning_ms, alarm=wind.alarm_ms, critical=wind.critical_ms),
        tilt_deg=Bands(
            warning=limit_deg * tilt.warning_fraction,
            alarm=limit_deg,
            critical=limit_deg * tilt.critical_factor,
        ),
    )
    c = d.crane
    return CraneGeometry(
        id=d.id,
        x=c.position_m[0],
        y=c.position_m[1],
        jib_m=c.jib_m,
        counter_jib_m=c.counter_jib_m,
        jib_height_m=c.jib_height_m,
        slew_offset_deg=c.slew_offset_deg,
        slew_direction=c.slew_direction,
        bands=bands,
    )


def cranes(config: SiteConfig) -> list[CraneGeometry]:
    """Every crane of the site."""
    return [crane_geometry(config, d) for d in config.devices if isinstance(d, CraneDevice)]


CARD = Card(
    name="crane",
    data=CardData(
        key="cranes",
        model=CraneGeometry,
        view=cranes,
        description="tower cranes: where each stands, its reach and its gauges' bands",
    ),
    script="card.js",
)
