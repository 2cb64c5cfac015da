"""The confined space's dashboard card: where each space is and the gas limits its rules use (card.js draws
who is inside, the attendant, the fan and each gas's last reading against its limit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.confined_space.kind import ConfinedSpaceDevice, GasLimits

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class ConfinedSpaceView(BaseModel):
    """A confined space (有限空间) and the limits its card draws its last readings against."""

    id: str
    area: str = Field(description="where it is, e.g. 3号楼北侧 2号污水检查井")
    limits: GasLimits = Field(description="O2 range in % vol; % LEL, H2S and CO (mg/m³) reached are too much")
    test_valid_min: float = Field(description="minutes a complete in-limit reading set allows entry")


def confined_spaces(config: SiteConfig) -> list[ConfinedSpaceView]:
    """Every confined space of the site."""
    return [
        ConfinedSpaceView(
            id=d.id,
            area=d.confined_space.area,
            limits=d.confined_space.limits,
            test_valid_min=d.confined_space.test_valid_min,
        )
        for d in config.devices
        if isinstance(d, ConfinedSpaceDevice)
    ]


CARD = Card(
    name="confined_space",
    data=CardData(
        key="confined_spaces",
        model=ConfinedSpaceView,
        view=confined_spaces,
        description="confined spaces with the gas limits their rules use (empty: none)",
    ),
    script="card.js",
)
