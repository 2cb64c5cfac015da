"""A tunnel's force points (a strut's axial force, an anchor's tension): their items, their control values and
the check of a point left without them (GB 50911-2013 §9.1.2–9.1.3: a force's control values, stated in the
construction drawings, are a maximum and a minimum; docs/standards.md §16).

No standard gives a force's control values (GB 50911 leaves them to the design), so both are required; the
check refuses a force point without either, naming the point and the field.

How far a force has gone (the share the colour table reads, kinds/tunnel/colour.py ``whole_colour``): the
share of the way from the point's baseline (the force it was locked off at, 预加力/锁定值; 0 where the ground
alone loads it) to the control value it moves towards. A force rising towards its maximum and one falling
towards its minimum (a strut losing its preload) are judged the same way, each on its own way: 70 % of the way
up is what 70 % of the way down is. A gauge reads the whole force, not its change, so a strut locked off at
400 kN reads 400 kN before the ground loads it; measured from 0 its preload alone would be most of the way to
its maximum, and the way down to a minimum above 0 would have no start.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.yamlsrc import Loc
from kinds.tunnel.item import DESIGNED, GB50911_FORCE
from kinds.tunnel.kind import FORCE_ITEMS, ITEM_METRIC, TunnelPoint, TunnelSpec
from rules.levels import crosses

RULE = "tunnel.force"
DEFORMATION_FIELDS = ("cumulative_mm", "rate_mm_d", "heave_mm")
FORCE_FIELDS = ("maximum_kn", "minimum_kn", "baseline_kn")
FIX = (
    "add maximum_kn: and minimum_kn: from the construction drawings (GB 50911 §9.1.2–9.1.3: a force's "
    "control values are a maximum and a minimum; no standard gives them)"
)


@dataclass(frozen=True)
class ForceItem:
    """One kind of force point: its metric and names, and what to check on site when it moves."""

    metric: str
    zh: str
    en: str
    check: str
    check_en: str


FORCE: dict[str, ForceItem] = {
    "strut": ForceItem(
        ITEM_METRIC["strut"],
        "支撑轴力",
        "strut axial force",
        "检查支撑、活络头与预加力，",
        "check the strut, its jack end and its preload; ",
    ),
    "anchor": ForceItem(
        ITEM_METRIC["anchor"],
        "锚杆拉力",
        "anchor force",
        "检查锚杆（索）与锚头，",
        "check the anchor and its head; ",
    ),
}
FORCE_METRICS: dict[str, ForceItem] = {i.metric: i for i in FORCE.values()}


@dataclass(frozen=True)
class ForceControl:
    """A force point's control values (kN), all the design's, and the clause that cites them."""

    item: ForceItem
    maximum: float
    minimum: float
    baseline: float
    clause: str = GB50911_FORCE + DESIGNED

    def way(self, force: float) -> tuple[float, bool]:
        """The share of the way from the baseline to the control value ``force`` moves towards, and whether
        that is the maximum (a force on its baseline: 0, towards the maximum)."""
        if force >= self.baseline:
            return (force - self.baseline) / (self.maximum - self.baseline), True
        return (self.baseline - force) / (self.baseline - self.minimum), False

    def limit(self, upper: bool) -> float:
        """The maximum, or the minimum."""
        return self.maximum if upper else self.minimum

    def beyond(self, force: float) -> bool:
        """Whether ``force`` is above its maximum or below its minimum (超过: on it is not): the data of
        建质规〔2024〕5号 Art. 13(三), every force control value being the design's."""
        share, _ = self.way(force)
        return crosses(share, 1.0, strict=True)

    def at_share(self, share: float, upper: bool) -> float:
        """The force ``share`` of the way towards the maximum (``upper``) or the minimum."""
        span = self.maximum - self.baseline if upper else self.minimum - self.baseline
        return self.baseline + share * span


def force_control(point: TunnelPoint) -> ForceControl | None:
    """A force point's control values, or None where the site file leaves them unusable (the check says why)."""
    high, low, base = point.maximum_kn, point.minimum_kn, point.baseline_kn or 0.0
    if point.item not in FORCE or high is None or low is None or not low < base < high:
        return None
    return ForceControl(FORCE[point.item], high, low, base)


def check_forces(index: int, spec: TunnelSpec) -> list[tuple[Loc, str, str]]:
    """Force points left without a usable maximum and minimum, and each item's fields on the other kind of
    point: (where, what, how to fix)."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(spec.points):
        where: Loc = ("devices", index, "tunnel", "points", j)
        if point.item in FORCE_ITEMS:
            issues += _force_issues(where, point)
            issues += _stray(where, point, DEFORMATION_FIELDS, "a deformation point's", "force")
        else:
            issues += _stray(where, point, FORCE_FIELDS, "a force point's (strut, anchor)", point.item)
    return issues


def _force_issues(where: Loc, point: TunnelPoint) -> list[tuple[Loc, str, str]]:
    """A force point's missing control values, or a baseline not between them."""
    item = FORCE[point.item]
    missing = [
        f for f, v in (("maximum_kn", point.maximum_kn), ("minimum_kn", point.minimum_kn)) if v is None
    ]
    if missing:
        return [
            ((*where, f), f"force point {point.code} ({item.zh}) has no {f}: its design's control value", FIX)
            for f in missing
        ]
    assert point.maximum_kn is not None and point.minimum_kn is not None
    base = point.baseline_kn or 0.0
    if point.minimum_kn < base < point.maximum_kn:
        return []
    given = f"{base:g}" if point.baseline_kn is not None else "0 (none given)"
    return [
        (
            (*where, "baseline_kn"),
            f"force point {point.code} ({item.zh}): its baseline_kn {given} is not between its minimum_kn "
            f"{point.minimum_kn:g} and its maximum_kn {point.maximum_kn:g} (the way to either starts there)",
            "set baseline_kn: to the force it was locked off at (预加力、锁定值, from the design), above "
            "minimum_kn and below maximum_kn",
        )
    ]


def _stray(
    where: Loc, point: TunnelPoint, fields: tuple[str, ...], whose: str, item: str
) -> list[tuple[Loc, str, str]]:
    """``fields`` set on a point that is not judged by them."""
    return [
        (
            (*where, f),
            f"point {point.code} is a {item} point: {f} is {whose}",
            f"remove {f}, or make the point's item one that is judged by it",
        )
        for f in fields
        if getattr(point, f) is not None
    ]
