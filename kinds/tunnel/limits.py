"""Each tunnel deformation point's pair of control values: the design's (GB 50911-2013 §9.1.2), else the
fallback of its item where docs/standards.md §16 gives one; and the check of a point left with neither. A force
point's maximum and minimum are kinds/tunnel/force.py's."""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.yamlsrc import Loc
from kinds.tunnel import convergence, surface, vault
from kinds.tunnel.item import DESIGNED, FALLBACK, GB50911, Item
from kinds.tunnel.kind import TunnelPoint, TunnelSpec

ITEMS: dict[str, Item] = {"vault": vault.ITEM, "convergence": convergence.ITEM, "surface": surface.ITEM}
METRIC_ITEMS: dict[str, Item] = {i.metric: i for i in ITEMS.values()}
RANGE_MM = (-500.0, 500.0)
"""Readings a tunnel's sensors can give (no tunnel stands half a metre out): outside, a sensor fault, as
the pit's displacements (set ``rules.sensor_fault.ranges.<metric>`` to change it)."""


@dataclass(frozen=True)
class Control:
    """The control values of one point, the clause that says where they come from, and which of them are the
    design's (GB 50911 §9.1.2) rather than docs/standards.md §16's fallback."""

    item: Item
    cumulative_mm: float
    rate_mm_d: float
    clause: str
    heave_mm: float | None = (
        None  # a heave's own control (surface points); None: its size against cumulative_mm
    )
    # which values the site file gives as the design's (above one: 建质规〔2024〕5号 Art. 13(三)), not the fallback
    designed_cumulative: bool = False
    designed_rate: bool = False
    designed_heave: bool = False

    def share(self, value: float) -> tuple[float, float]:
        """The cumulative reading's share of its control, and that control (a heave's own where it has one)."""
        control = self.heave_mm if value < 0 and self.heave_mm is not None else self.cumulative_mm
        return abs(value) / control, control


def control_of(spec: TunnelSpec, point: TunnelPoint) -> Control | None:
    """The point's control values, or None where neither the design nor the fallback gives both, or where it
    is a force point (kinds/tunnel/force.py: a maximum and a minimum)."""
    item = ITEMS.get(point.item)
    if item is None:
        return None
    fallback = item.fallback(spec)
    table_cumulative, table_rate = fallback if fallback is not None else (None, None)
    cumulative = point.cumulative_mm if point.cumulative_mm is not None else table_cumulative
    rate = point.rate_mm_d if point.rate_mm_d is not None else table_rate
    if cumulative is None or rate is None:
        return None
    designed = point.cumulative_mm is not None and point.rate_mm_d is not None
    source = DESIGNED if designed else FALLBACK.format(item.table)
    heave = point.heave_mm if point.heave_mm is not None else item.heave(spec)
    return Control(
        item,
        cumulative,
        rate,
        GB50911 + source,
        heave,
        designed_cumulative=point.cumulative_mm is not None,
        designed_rate=point.rate_mm_d is not None,
        designed_heave=point.heave_mm is not None,
    )


def check_controls(index: int, spec: TunnelSpec) -> list[tuple[Loc, str, str]]:
    """Deformation points left without a pair of control values: (where, what, how to fix); force points are
    kinds/tunnel/force.py's."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(spec.points):
        if point.item not in ITEMS:
            continue
        if point.heave_mm is not None and point.item != "surface":
            issues.append(
                (
                    ("devices", index, "tunnel", "points", j, "heave_mm"),
                    f"point {point.code} is a {point.item} point: heave_mm is a surface point's",
                    "remove heave_mm, or make the point item: surface",
                )
            )
        if control_of(spec, point) is not None:
            continue
        item = ITEMS[point.item]
        why = (
            "a shield tunnel's convergence fallback is 0.2 % of its diameter, and no diameter_m is given"
            if point.item == "convergence"
            else f"docs/standards.md §16 gives no fallback for a {spec.method} tunnel's {item.en}"
        )
        issues.append(
            (
                ("devices", index, "tunnel", "points", j),
                f"point {point.code} ({item.zh}) has no control values: {why}",
                "add cumulative_mm: and rate_mm_d: from the construction drawings (GB 50911 §9.1.2)"
                + (", or diameter_m: to the tunnel" if point.item == "convergence" else ""),
            )
        )
    return issues
