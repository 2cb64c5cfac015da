"""Tower-crane facts the rules need: where it stands, how big it is, what it may lift."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from contract.config.common import Model


class LoadChartPoint(Model):
    """Rated load at one radius (the manufacturer's chart for this crane model and reeving)."""

    radius_m: float = Field(gt=0, title="Radius", description="m from the tower axis")
    rated_t: float = Field(gt=0, title="Rated load", description="t at that radius")


class JackingBalance(Model):
    """The balance point (配平) of the crane's manual for jacking: the load hooked at a radius that
    balances jib and counter-jib while the tower is unbolted (standards.md §10)."""

    load_t: float = Field(gt=0, title="Balance load", description="t on the hook, e.g. one standard section")
    radius_m: float = Field(gt=0, title="Balance radius", description="m from the tower axis")


class CraneSpec(Model):
    """Geometry, calibration and load chart of one tower crane."""

    model: str = Field("", title="Model", description="manufacturer's model, e.g. QTZ125 (TC6013)")
    position_m: tuple[float, float] = Field(title="Position", description="tower axis (x, y) in site metres")
    jib_m: float = Field(gt=0, title="Jib length", description="m, tower axis to jib tip")
    counter_jib_m: float = Field(
        gt=0, title="Counter-jib length", description="m, tower axis to counter-jib end"
    )
    jib_height_m: float = Field(gt=0, title="Jib height", description="m above site datum")
    tower_half_width_m: float = Field(
        0.8, gt=0, title="Tower half-width", description="m, half the mast section"
    )
    slew_offset_deg: float = Field(
        0.0, title="Slew offset", description="added to the reported slew so that 0 points along site +x"
    )
    slew_direction: Literal["ccw", "cw"] = Field(
        "ccw", title="Slew direction", description="direction in which the reported slew grows"
    )
    tilt_limit_per_mille: float = Field(
        4.0,
        gt=0,
        title="Tilt limit",
        description="verticality limit, ‰: 4 free-standing or above the highest "
        "tie, 2 below it (JGJ 196-2010)",
    )
    reeving: int = Field(2, ge=1, le=8, title="Reeving", description="parts of line the load chart is for")
    jacking_balance: JackingBalance | None = Field(
        None,
        title="Jacking balance",
        description="load_t, radius_m: the manual's balance point for jacking (crane.jacking_balance)",
    )
    load_chart: list[LoadChartPoint] = Field(
        min_length=2, title="Load chart", description="rated load by radius, linear between points"
    )

    @field_validator("load_chart")
    @classmethod
    def _sorted(cls, chart: list[LoadChartPoint]) -> list[LoadChartPoint]:
        radii = [p.radius_m for p in chart]
        if radii != sorted(radii) or len(set(radii)) != len(radii):
            raise ValueError("load chart radii must be strictly increasing")
        return chart


class Operator(Model):
    """A licensed tower-crane operator (特种作业操作资格证)."""

    id: str = Field(title="Operator id", description="ID as the black box reports it (card or face id)")
    name: str = Field("", title="Name", description="operator's name")
    licence_no: str = Field("", title="Licence", description="licence number")
    valid_until: date = Field(title="Valid until", description="licence expiry date (YYYY-MM-DD)")


class Zone(Model):
    """A no-lift zone (禁吊区) in site coordinates: the hook must never be above it."""

    name: str = Field(title="Name", description="what is there: school, road, power line")
    polygon: list[tuple[float, float]] = Field(
        min_length=3, title="Polygon", description="(x, y) vertices, m"
    )
