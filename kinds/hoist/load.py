"""hoist.load: cage load against the rated load: reaching 90 % is a warning, overload (超载: above
the rated load, not at it) an alarm, reaching 110 % the cage must not start (GB/T 10054 practice,
docs/standards.md §5 [U]: thresholds configurable)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.hoist.thresholds import HoistLoadRule
from rules.rated_share import RatedShare, ShareWords
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH

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


WORDS = ShareWords(
    what="{name} 载重 {load:.2f} t，为额定 {rated:g} t 的 {pct:.0f}%",
    what_en="{name} load {load:.2f} t = {pct:.0f} % of the rated {rated:g} t",
    actions=ACTIONS,
    actions_en=ACTIONS_EN,
    load_key="load_t",
    rated_key="rated_t",
)


class HoistLoad(RatedShare):
    """Each hoist's load ratio, with the clearing band the cranes use."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSES, STRICT, WORDS)

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
        lines = (cfg.warning_pct, cfg.alarm_pct, cfg.critical_pct)
        return self.judge(device, name, rated_t, lines, cfg.hysteresis_pct, load_t, ts, backfill)
