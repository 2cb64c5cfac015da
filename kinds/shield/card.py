"""The shield machines' dashboard card: each machine's plan from the site file, the lines its rules use (card.js
draws the ring and the special section it is in, the advance rate, the thrust against the ring's planned upper
end, the chamber pressure against its band, the last ring's grout and muck, the attitude and the seals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.shield.kind import Band, RingPlan, ShieldDevice, SpecialSection

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class ShieldView(BaseModel):
    """A shield machine and its drive's plan (None: a value the site file leaves out, which check-config refuses)."""

    id: str
    roll_max_deg: float | None = Field(description="° either way: the roll allowed")
    deviation_h_mm: float | None = Field(description="mm either side: the horizontal deviation allowed")
    deviation_v_mm: float | None = Field(description="mm above or below: the vertical deviation allowed")
    thrust_max_kn: float | None = Field(
        description="kN: the planned thrust's upper end, where rings gives none"
    )
    chamber_kpa: Band | None = Field(
        description="kPa [low, high]: the set chamber pressure, where rings gives none"
    )
    grout_min_m3: float | None = Field(description="m³: the planned grout volume of a ring")
    muck_max_m3: float | None = Field(description="m³: the theoretical muck volume of a ring")
    rings: list[RingPlan] = Field(description="the ring ranges whose thrust or chamber band differ")
    sections: list[SpecialSection] = Field(description="the special sections (特殊地段) by ring")


def shields(config: SiteConfig) -> list[ShieldView]:
    """Every shield machine of the site, with its plan."""
    return [
        ShieldView(id=d.id, **d.shield.model_dump()) for d in config.devices if isinstance(d, ShieldDevice)
    ]


CARD = Card(
    name="shield",
    script="card.js",
    data=CardData(
        key="shields",
        model=ShieldView,
        view=shields,
        description="shield machines with their drive's plan (empty: none)",
    ),
)
