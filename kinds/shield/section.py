"""shield.section 盾构进入特殊地段: the ring being driven inside a special section of the drive (its ring range,
both ends included: ``shield.sections``) is a warning, one alert per section, naming it, for as long as the
drive is in it: GB 50446-2017 §8.1.1–8.1.2 asks for a special plan there (cover not more than the shield's
diameter, a small radius, under pipes or buildings, ...), with the face pressure, the grouting and the drive
set by the monitoring; raising the monitoring's frequency is what the alert asks (practice). It ends when a
fresh ring reading is outside the section."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import SPECIAL
from kinds.shield.kind import SpecialSection
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "shield.section"
LEVEL: Level = "warning"
CLAUSE = f"{SPECIAL}；进入特殊地段即提示加密监测（提示为行业惯例，监测频率按专项方案确定）"
ACTION = (
    "提高监测频率（地表、周边建（构）筑物与管线、隧道结构），按专项施工方案控制开挖面压力、同步注浆与掘进参数",
    "monitor more often (the ground, the buildings and pipes around, the tunnel), and hold the face pressure, "
    "the grouting and the drive to the special plan",
)


class ShieldSection:
    """Each machine's special sections."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, section: SpecialSection, ring: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The verdict of one ring reading for ``section``."""
        inside = section.from_ring <= ring <= section.to_ring
        level: Level | None = LEVEL if inside else None
        s = section

        def build() -> RuleResult:
            where = f"特殊地段「{s.name}」（第 {s.from_ring}～{s.to_ring} 环）"
            where_en = f"special section {s.name} (rings {s.from_ring}-{s.to_ring})"
            what, what_en = (
                (f"{name} 第 {ring:g} 环进入{where}", f"{name} ring {ring:g} in {where_en}")
                if inside
                else (f"{name} 第 {ring:g} 环，不在{where}", f"{name} ring {ring:g}, not in {where_en}")
            )
            return RuleResult(
                rule=RULE,
                device=device,
                point=s.name,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=ring,
                threshold=None,  # a ring further into the section is no worse: no worsening updates
                unit="",
                message=pick(level, what, ACTION[0]),
                message_en=pick_en(level, what_en, ACTION[1]),
                details={"section": s.name, "from_ring": float(s.from_ring), "to_ring": float(s.to_ring)},
                backfill=backfill,
            )

        return self._memory.report(device, s.name, level, build)
