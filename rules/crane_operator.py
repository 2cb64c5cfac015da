"""crane.operator: the operator the black box reports must be on the site's roster of licensed
operators, with a valid licence (建设部令第166号 Art. 25; 建质规〔2024〕5号 第四条(三):
特种作业人员未取得有效证书上岗 is a major hazard)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.crane import Operator
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.roster import Roster
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "crane.operator"
CLAUSE = f"建设部令第166号 第二十五条；建质规〔2024〕5号 第四条(三) 特种作业人员未取得有效操作资格证书上岗，{MAJOR_ZH}"
ACTION = "立即停止作业，由持证司机操作"
ACTION_EN = "stop work now; only a licensed operator may run the crane"


class CraneOperator:
    """Checks each reported operator id against the roster on the reading's local date."""

    def __init__(self, roster: list[Operator], utc_offset_h: float) -> None:
        self._roster = Roster(roster, utc_offset_h)
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, operator_id: str, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The crane.operator verdict; an empty id (nobody logged in) clears."""
        operator_id = operator_id.strip()
        found = self._roster.check(operator_id, ts)
        # nobody logged in is no operator at work: the card reader judges whoever logs in next
        level: Level | None = "critical" if operator_id and found.problem_zh else None

        def build() -> RuleResult:
            if level:
                what, what_en = f"{name} 操作员 {found.problem_zh}", f"{name} operator {found.problem_en}"
            elif operator_id:
                what, what_en = (
                    f"{name} 操作员 {operator_id} 持证有效",
                    f"{name} operator {operator_id} licensed",
                )
            else:
                what, what_en = f"{name} 操作员已退出登录", f"{name} operator logged out"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=operator_id,
                message=pick(level, what, ACTION),
                message_en=pick_en(level, what_en, ACTION_EN),
                details={"valid_until": str(found.operator.valid_until)} if found.operator else {},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
