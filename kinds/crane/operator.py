"""crane.operator: the operator the black box reports must be on the site's roster of licensed
operators, with a valid licence (建设部令第166号 Art. 25; 建质规〔2024〕5号 第四条(三):
特种作业人员未取得有效证书上岗 is a major hazard).

Someone not licensed logged in is critical whatever the crane does. Nobody logged in (an empty id,
the vendor's 255, or no id at all in a sample of a box that reports one with every sample: see
rules.roster) is critical while the hook carries a load, since a loaded hook is a lift under way
(the sign of work the key-personnel rules take too), and clear once the hook is known unloaded;
while the load is not known yet, no all-clear is given and no alert opened.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from contract.alert_event import Level
from contract.config.crane import Operator
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.roster import Roster, nobody
from rules.wording import MAJOR_ZH, pick, pick_en

RULE: Final = "crane.operator"
CLAUSE = f"建设部令第166号 第二十五条；建质规〔2024〕5号 第四条(三) 特种作业人员未取得有效操作资格证书上岗，{MAJOR_ZH}"
ACTION: Final = "立即停止作业，由持证司机操作"
ACTION_EN: Final = "stop work now; only a licensed operator may run the crane"


class CraneOperator:
    """Checks each crane's operator against the roster on the reading's local date."""

    def __init__(
        self, roster: list[Operator], utc_offset_h: float, operators_reported: Collection[str] = ()
    ) -> None:
        self._roster = Roster(roster, utc_offset_h, "tower_crane_driver")
        self._memory = LevelMemory()
        self._reported = frozenset(operators_reported)  # cranes whose every sample carries an operator id
        self._ids: dict[str, tuple[float, str]] = {}  # device: ts and id of its last operator_id reading
        self._loaded: dict[str, bool] = {}  # device: whether its hook was last seen loaded
        self._judged: dict[str, tuple[float, str | None, bool | None]] = {}  # device: the last inputs judged

    def evaluate(
        self, device: str, name: str, operator_id: str, ts: float, backfill: bool, loaded: bool | None = None
    ) -> RuleResult | None:
        """The verdict on an operator_id reading (``loaded``: whether the hook carries a load as far
        as known at this reading, None if its load is not known)."""
        self._ids[device] = (ts, operator_id.strip())
        return self.at_work(device, name, loaded, ts, backfill)

    def at_work(
        self, device: str, name: str, loaded: bool | None, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The verdict on a crane's sample, judged with its hook's load (None: not known); a crane
        whose box reports its operator with every sample and whose sample carried none has nobody
        logged in. None when the sample was already judged on the same facts."""
        if loaded is not None:
            self._loaded[device] = loaded
        seen = self._ids.get(device)
        operator: str | None
        if seen is not None and (seen[0] == ts or device not in self._reported):
            operator = seen[1]  # this sample's, or the last one a box that need not repeat it sent
        elif device in self._reported:
            operator = None  # the sample carried no operator id
        else:
            return None  # no operator reported ever, by a box that need not: nothing to judge
        at_work = self._loaded.get(device)
        facts = (ts, operator, at_work)
        if self._judged.get(device) == facts:
            return None
        self._judged[device] = facts
        found = self._roster.check(operator, ts)
        level: Level | None = None
        if found.problem_zh and not found.nobody:
            level = "critical"  # someone unlicensed logged in
        elif found.problem_zh:
            # nobody: critical on a loaded hook; while the load is not known, the level stands
            level = self._memory.get(device) if at_work is None else ("critical" if at_work else None)
        shown = operator or ""

        def build() -> RuleResult:
            if level:
                if nobody(operator):
                    what = f"{name} 吊钩有载，操作员 {found.problem_zh}"
                    what_en = f"{name} hook loaded with {found.problem_en}"
                else:
                    what, what_en = f"{name} 操作员 {found.problem_zh}", f"{name} operator {found.problem_en}"
            elif not nobody(operator):
                what, what_en = (
                    f"{name} 操作员 {shown} 持证有效",
                    f"{name} operator {shown} licensed",
                )
            elif operator is None:
                what, what_en = (
                    f"{name} 未上报操作员，吊钩无载",
                    f"{name} no operator reported, hook unloaded",
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
                value=shown,
                message=pick(level, what, ACTION),
                message_en=pick_en(level, what_en, ACTION_EN),
                details=found.details(),
                backfill=backfill,
            )

        # made when read: a crane lifting with nobody logged in repeats its critical verdict at every sample
        return self._memory.report_later(RULE, device, "", level, ts, backfill, build, shown)
