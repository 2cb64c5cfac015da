"""hoist.limit: the upper final limit (冲顶) reached is critical: it sits at least 0.15 m beyond
the upper travel limit and does not reset by itself (Guangdong form 3.1.7-3.1.8); a cage standing
on a travel limit switch in normal use is a warning, since the travel limit switch must never be
used as the stop control (JGJ 215-2010 §5.2.10)."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "hoist.limit"
CLAUSES = {
    "warning": "JGJ 215-2010 第5.2.10条 严禁用行程限位开关作为停止运行的控制开关",
    "critical": "施工升降机 上极限开关动作（冲顶），极限开关不得自动复位（广东省施工升降机自检表 3.1.7、3.1.8）",
}
NORMAL, UPPER, LOWER, FINAL = 0, 1, 2, 3


class HoistLimit:
    """Limit-switch states per hoist."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, moving: bool, limit_state: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The hoist.limit verdict for one sample (0 normal, 1 upper, 2 lower, 3 upper final limit)."""
        state = round(limit_state)
        level: Level | None = None
        if state == FINAL:
            level = "critical"
        elif state in (UPPER, LOWER) and not moving:
            level = "warning"
        switch = {UPPER: "上行程限位", LOWER: "下行程限位", FINAL: "上极限开关"}.get(state, "限位")
        switch_en = {
            UPPER: "upper travel limit",
            LOWER: "lower travel limit",
            FINAL: "upper final limit",
        }.get(state, "limit switches")
        if level == "critical":
            action = "立即停用，由专业人员检查上限位与极限开关后人工复位，查明原因前不得运行"
            action_en = "take it out of use: the upper limits must be checked and reset by a fitter"
            what, what_en = (
                f"{name} 冲顶，{switch}动作",
                f"{name} over-travel at the top: {switch_en} tripped",
            )
        elif level == "warning":
            action = "司机应在限位前操作停层，不得以行程限位开关停梯"
            action_en = "the driver must stop at the landing, not on the travel limit switch"
            what, what_en = f"{name} 停在{switch}上", f"{name} stopped on the {switch_en}"
        else:
            action = action_en = ""
            what, what_en = f"{name} 限位开关", f"{name} limit switches"

        def build() -> RuleResult:
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSES[level or "critical"],
                value=switch if state else "限位正常",  # a state, not a figure: its words
                unit="",
                message=pick(level, what, action),
                message_en=pick_en(level, what_en, action_en),
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
