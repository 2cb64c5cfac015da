"""hoist.load: cage load against the rated load: reaching 90 % is a warning, overload (超载: above
the rated load, not at it) an alarm, reaching 110 % the cage must not start (GB/T 10054 practice,
docs/standards.md §5 [U]: thresholds configurable)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import HoistLoadRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "hoist.load"
CLAUSES = {
    "warning": "GB/T 10054 施工升降机 载重达到额定载重量 90% 预警" + PRACTICE_ZH,
    "alarm": "GB/T 10054 施工升降机 载重超过额定载重量（100%）超载报警" + PRACTICE_ZH,
    "critical": "GB/T 10054 施工升降机 载重达到额定载重量 110% 禁止启动" + PRACTICE_ZH,
}
# the rated load is the most the cage may carry: overload is above it; the other two lines are reached
STRICT: frozenset[Level] = frozenset({"alarm"})
ACTIONS = {
    "warning": "注意控制装载，不得再加载",
    "alarm": "卸载至额定载重以内后方可运行",
    "critical": "禁止启动，立即卸载",
}
ACTIONS_EN = {
    "warning": "do not load any more",
    "alarm": "unload to the rated load before running",
    "critical": "do not start: unload now",
}


class HoistLoad:
    """Each hoist's load ratio, with the clearing band the cranes use."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        rated_t: float,
        cfg: HoistLoadRule,
        load_t: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The hoist.load verdict for one sample."""
        pct = load_t / rated_t * 100.0
        thresholds: list[tuple[Level, float]] = [
            ("warning", cfg.warning_pct),
            ("alarm", cfg.alarm_pct),
            ("critical", cfg.critical_pct),
        ]
        level = banded_level(
            pct, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100, strict=STRICT
        )

        def build() -> RuleResult:
            what = f"{name} 载重 {load_t:.2f} t，为额定 {rated_t:g} t 的 {pct:.0f}%"
            what_en = f"{name} load {load_t:.2f} t = {pct:.0f} % of the rated {rated_t:g} t"
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(pct, 1),
                thresholds,
                "%",
                pick(level, what, ACTIONS.get(level or "", "")),
                {"load_t": load_t, "rated_t": rated_t},
                backfill,
                message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
            )

        return self._memory.report(device, "", level, build)
