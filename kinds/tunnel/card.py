"""The tunnel's dashboard card: every monitoring point with the control values its rules use (card.js draws
each point's latest value against its control values, its colour, and the trend's lines: a deformation
point's yellow and orange, a force point's yellow, orange and red towards its maximum and its minimum)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from contract.kinds.card import Card, CardData
from kinds.tunnel.kind import ITEM_METRIC, TunnelDevice
from kinds.tunnel.thresholds import TunnelRule

if TYPE_CHECKING:
    from contract.config.site import SiteConfig


class TunnelPointView(BaseModel):
    """A tunnel monitoring point and its control values (the design's or docs/standards.md §16's fallback)."""

    device: str
    code: str
    item: str = Field(description="vault, convergence, surface, strut or anchor")
    item_zh: str = Field(description="拱顶沉降, 净空收敛, 地表沉降, 支撑轴力 or 锚杆拉力")
    metric: str
    cumulative_mm: float | None = Field(description="the cumulative control value, mm (None: none set)")
    rate_mm_d: float | None = Field(description="the rate control value, mm/d")
    heave_mm: float | None = Field(description="a surface point's heave control, mm, where it has its own")
    yellow_one: float = Field(description="the share of a control one item reaches for yellow")
    orange_one: float = Field(description="the share of a control one item reaches for orange")
    maximum_kn: float | None = Field(None, description="a force point's maximum control value, kN")
    minimum_kn: float | None = Field(None, description="a force point's minimum control value, kN")
    baseline_kn: float | None = Field(None, description="a force point's baseline, kN, where its ways start")
    yellow_both: float = Field(description="the share of the way to a force's control value for yellow")
    orange_both: float = Field(description="the share of the way to a force's control value for orange")


def tunnel_points(config: SiteConfig) -> list[TunnelPointView]:
    """Every tunnel monitoring point with the control values its rules use."""
    # here, not at the top: the kind's compiled library loads on a site that shows this card only (site_view)
    from kinds.tunnel.force import FORCE, force_control
    from kinds.tunnel.limits import ITEMS, control_of

    out = []
    for d in config.devices:
        if not isinstance(d, TunnelDevice):
            continue
        rule = config.rules.for_device(d.id, "tunnel")
        assert isinstance(rule, TunnelRule)
        for point in d.tunnel.points:
            control, force = control_of(d.tunnel, point), force_control(point)
            out.append(
                TunnelPointView(
                    device=d.id,
                    code=point.code,
                    item=point.item,
                    item_zh=(ITEMS[point.item] if point.item in ITEMS else FORCE[point.item]).zh,
                    metric=ITEM_METRIC[point.item],
                    cumulative_mm=control and control.cumulative_mm,
                    rate_mm_d=control and control.rate_mm_d,
                    heave_mm=control and control.heave_mm,
                    yellow_one=rule.yellow_one,
                    orange_one=rule.orange_one,
                    maximum_kn=force and force.maximum,
                    minimum_kn=force and force.minimum,
                    baseline_kn=force and force.baseline,
                    yellow_both=rule.yellow_both,
                    orange_both=rule.orange_both,
                )
            )
    return out


CARD = Card(
    name="tunnel",
    script="card.js",
    data=CardData(
        key="tunnel_points",
        model=TunnelPointView,
        view=tunnel_points,
        description="tunnel monitoring points and their control values",
    ),
)
