"""crane.operator: the operator the black box reports must be on the site's roster of licensed
operators, with a valid licence (建质规〔2022〕2号 Art. 3 (3): 特种作业人员未取得操作资格证书上岗
is a major hazard)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from contract.alert_event import Level
from contract.config.crane import Operator
from rules.levels import LevelMemory
from rules.result import RuleResult

RULE = "crane.operator"
CLAUSE = "建质规〔2022〕2号 第三条(三) (特种作业人员未取得操作资格证书上岗, major hazard)"


class CraneOperator:
    """Checks each reported operator id against the roster on the reading's local date."""

    def __init__(self, roster: list[Operator], utc_offset_h: float) -> None:
        self._roster = {op.id: op for op in roster}
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, operator_id: str, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The crane.operator verdict; an empty id (nobody logged in) clears."""
        operator_id = operator_id.strip()
        op = self._roster.get(operator_id)
        today = datetime.fromtimestamp(ts, UTC).astimezone(self._tz).date()
        if not operator_id:
            problem = ""
        elif op is None:
            problem = (
                f"{name} 操作员 {operator_id} 不在持证名单 | operator {operator_id} is not on the roster"
            )
        elif today > op.valid_until:
            problem = (
                f"{name} 操作员 {operator_id} {op.name} 操作资格证已过期 ({op.valid_until}) | "
                f"operator {operator_id} licence expired {op.valid_until}"
            )
        else:
            problem = ""
        level: Level | None = "critical" if problem else None

        def build() -> RuleResult:
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=operator_id,
                message=problem or f"{name} 操作员 {operator_id or '-'} 持证有效 | operator ok",
                details={"valid_until": str(op.valid_until)} if op else {},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
