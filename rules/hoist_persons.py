"""hoist.persons: more people in the cage than its rated number is an alarm (vendor protocols
carry no pre-alarm for people; docs/standards.md §5 [U])."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "hoist.persons"
CLAUSE = "施工升降机 乘员不得超过额定载人数（铭牌）；超员报警" + PRACTICE_ZH


class HoistPersons:
    """People in each cage against its rated number."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, rated: int, persons: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The hoist.persons verdict for one sample."""
        count = round(persons)
        level: Level | None = "alarm" if count > rated else None

        def build() -> RuleResult:
            what = f"{name} 轿厢内 {count} 人，额定 {rated} 人"
            what_en = f"{name}: {count} people in the cage, rated {rated}"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=float(count),
                threshold=float(rated),
                unit="人",
                message=pick(level, what, f"超员 {count - rated} 人，多出人员下梯后方可运行"),
                message_en=pick_en(
                    level, what_en, f"{count - rated} too many: they must leave before it runs"
                ),
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
