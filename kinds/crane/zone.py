"""crane.zone: the hook above a no-lift zone (禁吊区: school, road, power line), as regulators
require (Chongqing regulator interface; 黑建安监〔2011〕3号)."""

from __future__ import annotations

from typing import Final

from contract.alert_event import Level
from contract.config.crane import Zone
from kinds.crane.thresholds import CraneZoneRule
from rules.geometry import Point, bounding_box, inside_polygon, near_box, polygon_edge_distance
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE: Final = "crane.zone"
CLAUSE = (
    "禁吊区（本站设定的学校、道路、输电线路等上方区域）吊物不得进入：按 黑建安监〔2011〕3号 及"
    "重庆市塔机监管平台接口要求监测"
)
ACTION: Final = "立即将吊钩移出禁吊区"
ACTION_EN: Final = "move the hook out of the no-lift zone now"
BOX_MARGIN_M: Final = 1e-6  # well above inside_polygon's 1e-9 m on-the-edge tolerance


class CraneZone:
    """Alarm while the hook's plan position is inside a zone, until it is clear_margin_m outside."""

    def __init__(self, zones: list[Zone]) -> None:
        self._zones = zones
        # a hook outside a zone's bounding box (by more than inside_polygon's edge tolerance) is not
        # in it: most zones of a site are skipped without measuring any of their edges
        self._boxes = [(z, bounding_box(z.polygon)) for z in zones]
        self._memory = LevelMemory()
        self._last_zone: dict[str, Zone] = {}

    def evaluate(
        self,
        device: str,
        name: str,
        hook: Point,
        cfg: CraneZoneRule,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The crane.zone verdict for one crane's hook position in plan (``geometry.along_jib``)."""
        if not self._zones:
            return None
        zone: Zone | None = None
        for z, box in self._boxes:  # a loop, not next() over a generator: it runs at every crane sample
            if near_box(hook, box, BOX_MARGIN_M) and inside_polygon(hook, z.polygon):
                zone = z
                break
        if zone is None and self._memory.quiet(device):
            return None  # outside every zone and known to be (so held by none): nothing to report
        held = self._last_zone.get(device)
        if (
            zone is None
            and self._memory.get(device)
            and held is not None
            and polygon_edge_distance(hook, held.polygon) < cfg.clear_margin_m
        ):
            zone = held  # just outside: not yet clear of the band
        level: Level | None = "alarm" if zone is not None else None
        if zone is not None:
            self._last_zone[device] = zone

        def build() -> RuleResult:
            where = zone.name if zone else ""
            what, what_en = _what(name, zone, held, hook, cfg)
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=where,
                unit="",
                message=pick(level, what, ACTION),
                message_en=pick_en(level, what_en, ACTION_EN),
                details={"hook_x_m": round(hook[0], 2), "hook_y_m": round(hook[1], 2)},
                backfill=backfill,
            )

        # its value given at once: the alert manager reads every repeat's value, which then builds nothing
        return self._memory.report_later(
            RULE, device, "", level, ts, backfill, build, zone.name if zone else ""
        )


def _what(
    name: str, zone: Zone | None, held: Zone | None, hook: tuple[float, float], cfg: CraneZoneRule
) -> tuple[str, str]:
    """Where the hook is against the zone: how deep inside, or how little outside it is still held."""
    if zone is None:
        left = f"已离开禁吊区 {held.name}" if held is not None else "不在禁吊区内"
        left_en = f"out of no-lift zone {held.name}" if held is not None else "outside every no-lift zone"
        return f"{name} 吊钩{left}", f"{name} hook {left_en}"
    edge = polygon_edge_distance(hook, zone.polygon)
    if inside_polygon(hook, zone.polygon):
        return (
            f"{name} 吊钩进入禁吊区 {zone.name}，距边界 {edge:.1f} m",
            f"{name} hook {edge:.1f} m inside no-lift zone {zone.name}",
        )
    return (
        f"{name} 吊钩在禁吊区 {zone.name} 边界外 {edge:.1f} m，未离开 {cfg.clear_margin_m:g} m 解除带",
        f"{name} hook {edge:.1f} m outside no-lift zone {zone.name}, within its "
        f"{cfg.clear_margin_m:g} m clearing band",
    )
