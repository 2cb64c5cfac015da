"""Tower-crane facts the rules need: where it stands, how big it is, what it may lift."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from contract.config.common import Model
from contract.config.trades import TRADE_HELP, CertState, Trade

# What a tower crane can physically be: the longest jibs reach about 100 m, the largest cranes lift about
# 450 t, and a climbing crane rides the tallest towers (about 830 m). A number past these was written in
# another unit (4500 for a 45 m jib height is centimetres), and the check-config hint says which.
JIB_MAX_M = 120.0
LOAD_MAX_T = 500.0
HEIGHT_MAX_M = 1000.0


class LoadChartPoint(Model):
    """Rated load at one radius (the manufacturer's chart for this crane model and reeving)."""

    radius_m: float = Field(
        gt=0, le=JIB_MAX_M, title="Radius", description=f"m from the tower axis (at most {JIB_MAX_M:g})"
    )
    rated_t: float = Field(
        gt=0, le=LOAD_MAX_T, title="Rated load", description=f"t at that radius (at most {LOAD_MAX_T:g})"
    )


class JackingBalance(Model):
    """The balance point (配平) of the crane's manual for jacking: the load hooked at a radius that
    balances jib and counter-jib while the tower is unbolted (standards.md §10)."""

    load_t: float = Field(
        gt=0, le=LOAD_MAX_T, title="Balance load", description="t on the hook, e.g. one standard section"
    )
    radius_m: float = Field(gt=0, le=JIB_MAX_M, title="Balance radius", description="m from the tower axis")


def _checked_chart(chart: list[LoadChartPoint]) -> list[LoadChartPoint]:
    """``chart`` when it can be interpolated: two points at least, radii strictly increasing."""
    if len(chart) < 2:
        raise ValueError("a load chart needs at least two points")
    radii = [p.radius_m for p in chart]
    if radii != sorted(radii) or len(set(radii)) != len(radii):
        raise ValueError("load chart radii must be strictly increasing")
    return chart


class CraneSpec(Model):
    """Geometry, calibration and load chart of one tower crane."""

    model: str = Field("", title="Model", description="manufacturer's model, e.g. QTZ125 (TC6013)")
    position_m: tuple[float, float] = Field(title="Position", description="tower axis (x, y) in site metres")
    jib_m: float = Field(
        gt=0,
        le=JIB_MAX_M,
        title="Jib length",
        description=f"m, tower axis to jib tip (at most {JIB_MAX_M:g})",
    )
    counter_jib_m: float = Field(
        gt=0, le=60, title="Counter-jib length", description="m, tower axis to counter-jib end (at most 60)"
    )
    jib_height_m: float = Field(
        gt=0,
        le=HEIGHT_MAX_M,
        title="Jib height",
        description=f"m above site datum (at most {HEIGHT_MAX_M:g}: a climbing crane on the tallest tower)",
    )
    tower_half_width_m: float = Field(
        0.8, gt=0, le=5, title="Tower half-width", description="m, half the mast section (at most 5)"
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
    load_charts: dict[int, list[LoadChartPoint]] = Field(
        default_factory=dict,
        title="Load charts by reeving",
        description="one chart per reeving (倍率), e.g. {2: [...], 4: [...]}: the black box's reeving "
        "reading picks one; load_chart serves a reeving not listed here or not reported",
    )
    trolley_depth_m: float = Field(
        1.5,
        ge=0,
        le=20,
        title="Trolley and hook block depth",
        description="m the trolley and the hook block at its top reach below the jib: two jibs closer in "
        "height than the minimum clearance plus this share one layer (practice; at most 20)",
    )
    counterweight_depth_m: float = Field(
        2.0,
        ge=0,
        le=20,
        title="Counterweight depth",
        description="m the counterweight hangs below the counter-jib (at most 20)",
    )
    top_height_m: float | None = Field(
        None,
        gt=0,
        le=HEIGHT_MAX_M,
        title="Top height",
        description="m above site datum of the crane's highest part (tower head, cab); the jib height when unset",
    )
    braking_time_s: float = Field(
        5.0,
        gt=0,
        le=60,
        title="Braking time",
        description="s for the slew, trolley and hoist to stop: the collision check predicts over it (practice)",
    )
    max_slew_deg_s: float = Field(
        5.0,
        gt=0,
        title="Fastest slew",
        description="°/s; a slew reading that moved faster is a jump (a gap or a glitch), not a speed to "
        "predict with (tower cranes slew at most about 0.8 r/min = 4.8 °/s)",
    )
    slew_limiter_set: bool = Field(
        False,
        title="Slew limiter set",
        description="a slew limiter (回转限位) stops this jib 2 m short of every other tower it could reach: "
        "the set-up check then accepts a lower jib longer than the distance to such a tower",
    )

    @field_validator("load_chart")
    @classmethod
    def _sorted(cls, chart: list[LoadChartPoint]) -> list[LoadChartPoint]:
        return _checked_chart(chart)

    @field_validator("load_charts")
    @classmethod
    def _each_sorted(cls, charts: dict[int, list[LoadChartPoint]]) -> dict[int, list[LoadChartPoint]]:
        for reeving, chart in charts.items():
            if not 1 <= reeving <= 8:
                raise ValueError(f"load_charts: reeving {reeving} is not 1 to 8")
            try:
                _checked_chart(chart)
            except ValueError as exc:
                raise ValueError(f"load_charts[{reeving}]: {exc}") from None
        return charts

    @property
    def max_rated_t(self) -> float:
        """The largest rated load of any of its charts (its 起重量, 建办质〔2018〕31号 附件2 三(二))."""
        charts = [self.load_chart, *self.load_charts.values()]
        return max(p.rated_t for chart in charts for p in chart)

    @property
    def top_m(self) -> float:
        """Height of the crane's highest part (its top, as GB 5144-2006 §10.5 measures from)."""
        return self.jib_height_m if self.top_height_m is None else self.top_height_m

    def shares_layer(self, other: CraneSpec, min_clearance_m: float) -> bool:
        """Whether this jib and ``other``'s share a layer: closer in height than the minimum clearance
        plus the depth of the higher crane's trolley and hook block (the deeper one at equal heights),
        so that they can strike each other (standards.md §11)."""
        gap = abs(self.jib_height_m - other.jib_height_m)
        if self.jib_height_m == other.jib_height_m:
            depth = max(self.trolley_depth_m, other.trolley_depth_m)
        else:
            depth = (self if self.jib_height_m > other.jib_height_m else other).trolley_depth_m
        return gap < min_clearance_m + depth

    def chart_for(self, reeving: float | None) -> list[LoadChartPoint]:
        """The load chart for the reported ``reeving`` (load_chart when it has none of its own)."""
        if reeving is None or not self.load_charts:
            return self.load_chart
        return self.load_charts.get(round(reeving), self.load_chart)


class Operator(Model):
    """A special-operations worker (建筑施工特种作业人员) and their certificate (特种作业操作资格证书), as the
    issuer's register gives it (standards.md §19): a crane or hoist driver the machines report logged in,
    and anyone the access gates check for the trade they are booked for."""

    id: str = Field(
        title="Operator id",
        description="ID as the black box and the access gates report it (card or face id)",
    )
    name: str = Field("", title="Name", description="operator's name")
    trade: Trade | None = Field(
        None,
        title="Booked trade",
        description="the special-operations trade they are booked for on this site, checked at the access "
        f"gates against their certificate: {TRADE_HELP}; empty: not checked at the gates. An electrician "
        "(booked or certified 01) badged in is who may open a distribution box (power.door_electrician)",
    )
    licence_no: str = Field("", title="Licence", description="certificate number (certNum)")
    category: Trade | None = Field(
        None,
        title="Certificate category",
        description="the trade the certificate is issued for (operationCategory), as trade; empty: the "
        "booked trade's (or, with no trade, the machine's that reports them: the roster's older meaning)",
    )
    state: CertState = Field(
        "valid",
        title="Certificate state",
        description="certState in the issuer's register: valid (01), suspended (02), revoked (03), "
        "withdrawn (04), cancelled (05), lapsed (06), other (99); only valid lets them work",
    )
    valid_until: date | None = Field(
        None,
        title="Valid until",
        description="certificate expiry date (expiringDate, YYYY-MM-DD; the day itself still valid); empty: "
        "no certificate, so they may not work",
    )


class Zone(Model):
    """A no-lift zone (禁吊区) in site coordinates: the hook must never be above it."""

    name: str = Field(title="Name", description="what is there: school, road, power line")
    polygon: list[tuple[float, float]] = Field(
        min_length=3, title="Polygon", description="(x, y) vertices, m"
    )
