"""crane.zone: the hook above a no-lift zone (禁吊区: school, road, power line), as regulators
require (Chongqing regulator interface; 黑建安监〔2011〕3号)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.crane import CraneSpec, Zone
from contract.config.rules import CraneZoneRule
from rules.geometry import along_jib, inside_polygon, polygon_edge_distance
from rules.levels import LevelMemory
from rules.result import RuleResult

RULE = "crane.zone"
CLAUSE = "No-lift zones 禁吊区 (Chongqing regulator interface; 黑建安监〔2011〕3号)"


class CraneZone:
    """Alarm while the hook's plan position is inside a zone, until it is clear_margin_m outside."""

    def __init__(self, zones: list[Zone]) -> None:
        self._zones = zones
        self._memory = LevelMemory()
        self._last_zone: dict[str, Zone] = {}

    def evaluate(
        self,
        device: str,
        name: str,
        spec: CraneSpec,
        cfg: CraneZoneRule,
        slew_deg: float,
        radius_m: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The crane.zone verdict for one crane's hook position."""
        if not self._zones:
            return None
        hook = along_jib(spec, slew_deg, radius_m)
        zone = next((z for z in self._zones if inside_polygon(hook, z.polygon)), None)
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
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=where,
                unit="",
                message=f"{name} 吊钩进入禁吊区 {where} | {device} hook over no-lift zone {where}"
                if zone
                else f"{name} 吊钩离开禁吊区 | {device} hook clear of no-lift zones",
                details={"hook_x_m": round(hook[0], 2), "hook_y_m": round(hook[1], 2)},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
