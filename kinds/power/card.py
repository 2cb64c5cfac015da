"""The temporary power's dashboard card: each box's level and its RCD's rating (the site file's), with the
leakage and temperature lines its rules use, the RCD's test interval and the lighting's safe voltage (card.js
draws the leakage against the rating, the RCD's state and last test, the terminals' and cabinet's
temperatures, the fault-arc detector, the door and the lighting's voltage)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.power.kind import BoxLevel, PowerDevice
from kinds.power.thresholds import PowerRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class PowerView(BaseModel):
    """A distribution box and the lines its card draws its last readings against."""

    id: str
    level: BoxLevel = Field(description="main (总配电箱), sub (分配电箱) or terminal (开关箱)")
    wet: bool = Field(description="in a wet or corrosive place (splash-proof RCD)")
    rcd_rated_ma: float | None = Field(
        description="the RCD's rated residual operating current (None: no RCD)"
    )
    rcd_time_s: float | None = Field(description="the RCD's rated operating time, s")
    leakage_warning_ma: float | None = Field(description="the leakage reached for the warning, mA")
    temp_c: tuple[float, float] = Field(description="℃ reached for the warning and the alarm")
    rcd_test_interval_h: float | None = Field(
        description="hours after the last test (试跳) that the RCD's test is overdue (None: no RCD)"
    )
    lighting: bool = Field(description="feeds a lighting circuit (its voltage: lighting_v)")
    place: str | None = Field(
        description="why the place is wet or special, in the alerts' words (None: neither)"
    )
    lighting_safe_v: float | None = Field(
        description="V the lighting may not exceed (None: no lighting, or not judged in an ordinary place)"
    )


def boxes(config: SiteConfig) -> list[PowerView]:
    """Every distribution box of the site, with the rules in force for it."""
    found = []
    for d in config.devices:
        if not isinstance(d, PowerDevice):
            continue
        cfg = config.rules.for_device(d.id, "power")
        assert isinstance(cfg, PowerRule)
        rcd = d.power.rcd
        found.append(
            PowerView(
                id=d.id,
                level=d.power.level,
                wet=d.power.wet,
                rcd_rated_ma=None if rcd is None else rcd[0],
                rcd_time_s=None if rcd is None else rcd[1],
                leakage_warning_ma=None if rcd is None else rcd[0] * cfg.leakage_warning_fraction,
                temp_c=cfg.temp_c,
                rcd_test_interval_h=None if rcd is None else cfg.rcd_test_interval_h,
                lighting=d.power.lighting,
                place=d.power.place,
                lighting_safe_v=d.power.safe_lighting_v,
            )
        )
    return found


CARD = Card(
    name="power",
    data=CardData(
        key="power_boxes",
        model=PowerView,
        view=boxes,
        description="distribution boxes with their RCD's rating and the lines their rules use (empty: none)",
    ),
    script="card.js",
)
