"""platform.persons: more people on a suspended platform than it may carry (吊篮内的作业人员不应超过2个,
JGJ 202-2010 §5.5 [U]: the number of the article is not verified and the limit is the site's
``max_persons``, default 2): more than the limit is an alarm; the limit itself is allowed."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "platform.persons"
CLAUSE = "JGJ 202-2010 第5.5条 吊篮内的作业人员不应超过2个（条号未经核实；人数上限按吊篮铭牌，可配置）"


class PlatformPersons:
    """People on each platform against its limit."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, limit: int, persons: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.persons verdict for one sample."""
        count = round(persons)
        level: Level | None = "alarm" if count > limit else None

        def build() -> RuleResult:
            what = f"{name} 吊篮内 {count} 人，限载 {limit} 人"
            what_en = f"{name}: {count} people on the platform, limit {limit}"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=float(count),
                threshold=float(limit),
                unit="人",
                message=pick(level, what, f"超员 {count - limit} 人，停止升降，多出人员在最低处安全撤出吊篮"),
                message_en=pick_en(
                    level, what_en, f"{count - limit} too many: stop, bring it down, let them step off"
                ),
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
