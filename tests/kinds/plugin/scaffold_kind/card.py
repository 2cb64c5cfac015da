"""The scaffold's own dashboard card, shipped in the plug-in's package: its rating in the site's JSON
(``scaffolds``) and card.js, which draws each scaffold's load against it and its place on the site plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from contract.kinds.card import Card, CardData
from scaffold_kind import ScaffoldDevice

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class ScaffoldView(BaseModel):
    """A scaffold, its rating and its place on the site plan."""

    id: str
    rated_load_kn: float
    position_m: tuple[float, float] | None = None


def scaffolds(config: SiteConfig) -> list[ScaffoldView]:
    """Every scaffold of the site."""
    return [
        ScaffoldView(id=d.id, rated_load_kn=d.scaffold.rated_load_kn, position_m=d.scaffold.position_m)
        for d in config.devices
        if isinstance(d, ScaffoldDevice)
    ]


CARD = Card(
    name="scaffold",
    data=CardData(key="scaffolds", model=ScaffoldView, view=scaffolds, description="climbing scaffolds"),
    script="card.js",
)
