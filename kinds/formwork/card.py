"""The high formwork's dashboard card: every monitoring point with the alarm values its rules use (card.js
draws the pour, started and ended by a supervisor, and each point's metrics as % of its alarm value)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.formwork.kind import FormworkDevice
from kinds.formwork.thresholds import FormworkRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class FormworkLimitView(BaseModel):
    """One metric's alarm value at a formwork point (DBJ/T 15-197-2020 Table 8.0.4 or the design's)."""

    metric: str = Field(description="settle_mm, disp_h_mm, tilt_deg or axial_kn")
    unit: str = Field(description="mm, ° or kN")
    alarm: float | None = Field(
        description="the alarm value (100 %, a danger alarm); null: kept but not judged (axial force "
        "without a design value)"
    )
    by_size: bool = Field(
        description="judged by its size whatever its sign (settlement, displacement, tilt); axial force "
        "is judged as compression (positive)"
    )


class FormworkPointView(BaseModel):
    """A high-formwork monitoring point and its alarm values."""

    device: str = Field(description="formwork device id")
    code: str = Field(description="the point's code, e.g. M1")
    warning_fraction: float = Field(description="pre-warning at this fraction of the alarm value (0.8)")
    limits: list[FormworkLimitView]


def formwork_points(config: SiteConfig) -> list[FormworkPointView]:
    """Every formwork monitoring point with the alarm values its rules use."""
    # here, not at the top: the kind's compiled library loads on a site that shows this card only (site_view)
    from kinds.formwork.limits import ITEMS, alarm_value

    out = []
    for d in config.devices:
        if not isinstance(d, FormworkDevice):
            continue
        cfg = config.rules.for_device(d.id, "formwork")
        assert isinstance(cfg, FormworkRule)
        for point in d.formwork.points:
            out.append(
                FormworkPointView(
                    device=d.id,
                    code=point.code,
                    warning_fraction=cfg.warning_fraction,
                    limits=[
                        FormworkLimitView(
                            metric=metric,
                            unit=item.unit,
                            alarm=alarm_value(point, metric),
                            by_size=not item.signed,
                        )
                        for metric, item in ITEMS.items()
                    ],
                )
            )
    return out


CARD = Card(
    name="formwork",
    data=CardData(
        key="formwork_points",
        model=FormworkPointView,
        view=formwork_points,
        description="high-formwork monitoring points with their alarm values",
    ),
    script="card.js",
)
