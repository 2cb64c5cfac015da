"""platform.load: the platform's load against its rated load. Reaching 90 % is a warning, reaching the
rated load an alarm, and overload (超载: above the rated load) critical: 高处作业吊篮超载使用 is a major
hazard (建质规〔2024〕5号 第九条(五)). The percentages are practice (docs/standards.md §8 [U]) and
configurable in the platform's section; the overload ban is the standard's."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.rated_share import RatedShare, ShareWords
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH

RULE = "platform.load"
CLAUSES = {
    "warning": "高处作业吊篮 载重达到额定载重量 90% 预警" + PRACTICE_ZH,
    "alarm": "高处作业吊篮 载重达到额定载重量 报警" + PRACTICE_ZH,
    "critical": f"建质规〔2024〕5号 第九条(五) 高处作业吊篮超载使用属{MAJOR_ZH}",
}
# 达到 (reached) for the warning and the alarm: at the line; 超载 (overload) only above the rated load
STRICT: frozenset[Level] = frozenset({"critical"})
ACTIONS = {
    "warning": "不得再加载",
    "alarm": "已达额定载重，不得再加载，减载后作业",
    "critical": "超载：立即停止升降，卸载至额定载重以内",
}
ACTIONS_EN = {
    "warning": "do not load any more",
    "alarm": "at the rated load: add nothing, unload before working on",
    "critical": "overloaded: stop, unload to within the rated load",
}


WORDS = ShareWords(
    what="{name} 载重 {load:.0f} kg，为额定 {rated:g} kg 的 {pct:.0f}%",
    what_en="{name} load {load:.0f} kg = {pct:.0f} % of the rated {rated:g} kg",
    actions=ACTIONS,
    actions_en=ACTIONS_EN,
    load_key="load_kg",
    rated_key="rated_kg",
)


class PlatformLoad(RatedShare):
    """Each platform's load ratio, with a clearing band."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSES, STRICT, WORDS)

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, load_kg: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.load verdict for one sample."""
        lines = (spec.load_warning_pct, spec.load_alarm_pct, spec.load_critical_pct)
        rated = spec.rated_load_kg
        return self.judge(device, name, rated, lines, spec.hysteresis_pct, load_kg, ts, backfill)
