"""platform.rope: a wire rope the box reports abnormal (云筑 wireState 02: broken strands, slack or
slipping, as the box detects it) is an alarm, one alert per rope (docs/standards.md §8: practice)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.platform.kind import ROPES
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "platform.rope"
CLAUSE = "高处作业吊篮 钢丝绳状态异常（监控终端 wireState=02）即报警，停用检查" + PRACTICE_ZH
ABNORMAL = 2


class PlatformRope:
    """Each wire rope of each platform; the rope's metric is the alert's point."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, rope: str, state: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.rope verdict of one rope (``rope``: its metric, e.g. rope_left_state)."""
        level: Level | None = "alarm" if round(state) == ABNORMAL else None
        zh, en = ROPES[rope]

        def build() -> RuleResult:
            what = f"{name} {zh}{'异常' if level else '正常'}"
            what_en = f"{name} {en} {'abnormal' if level else 'normal'}"
            return RuleResult(
                rule=RULE,
                device=device,
                point=rope,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value="异常" if level else "正常",
                unit="",
                message=pick(level, what, "停止升降，人员撤离吊篮，检查更换钢丝绳后方可使用"),
                message_en=pick_en(level, what_en, "stop, get off, inspect or replace the rope before use"),
                backfill=backfill,
            )

        return self._memory.report(device, rope, level, build)
