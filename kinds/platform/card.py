"""The suspended platform's dashboard card: each platform's section of the site file and the last day its
safety locks' calibration is valid."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.config.platform import PlatformSpec
from contract.kinds.card import Card, CardData
from kinds.platform.kind import PlatformDevice

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class PlatformView(BaseModel):
    """A suspended platform's nameplate and limits (its site-file section), as its card draws them."""

    id: str
    spec: PlatformSpec = Field(description="the platform's section of the site file: ratings and limits")
    lock_valid_until: date = Field(description="last day the safety locks' calibration is valid")


def platforms(config: SiteConfig) -> list[PlatformView]:
    """Every platform, its locks valid as platform.lock_calibration counts it."""
    return [
        PlatformView(
            id=d.id,
            spec=d.platform,
            lock_valid_until=d.platform.lock_calibrated_on + timedelta(days=d.platform.lock_valid_days),
        )
        for d in config.devices
        if isinstance(d, PlatformDevice)
    ]


CARD = Card(
    name="platform",
    data=CardData(
        key="platforms",
        model=PlatformView,
        view=platforms,
        description="suspended platforms with their limits (empty: none)",
    ),
    script="card.js",
)
