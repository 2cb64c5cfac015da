"""platform.lifeline: fewer lifeline buckles in use than people on the platform is an alarm: each
worker's harness must hang on a lifeline (安全绳) fixed to the building, independent of the platform
(JGJ 202-2010 §5.5.1); a lifeline not hung independently is a major hazard (建质规〔2024〕5号 第九条(五)).
The box counts the rope grabs in use (云筑 buckleCount); comparing it with the persons is practice
(docs/standards.md §8). As many buckles as people is allowed."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "platform.lifeline"
CLAUSE = (
    "JGJ 202-2010 第5.5.1条 作业人员应将安全带用安全锁扣正确挂置在独立设置的安全绳上；安全绳未独立悬挂属 "
    f"建质规〔2024〕5号 第九条(五) {MAJOR_ZH}（扣挂数少于人数即报警为行业惯例）"
)


class PlatformLifeline:
    """Buckles in use against people on each platform."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, persons: float, buckles: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.lifeline verdict for a sample with both counts."""
        people, hung = round(persons), round(buckles)
        level: Level | None = "alarm" if hung < people else None

        def build() -> RuleResult:
            what = f"{name} 吊篮内 {people} 人，安全绳扣挂 {hung} 个"
            what_en = f"{name}: {people} people on the platform, {hung} clipped to a lifeline"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=float(hung),
                threshold=float(people),
                unit="个",
                message=pick(
                    level,
                    what,
                    f"{people - hung} 人未扣挂安全绳：停止升降，每人安全带挂在独立安全绳上后再作业",
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    f"{people - hung} not clipped on: stop until each is on an independent lifeline",
                ),
                details={"persons": float(people)},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
