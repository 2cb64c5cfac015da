"""platform.wind: wind at the platform at level 5 or more (五级以上大风, 以上 includes the level: from
8.0 m/s) stops work and brings the platform down to the ground (commonly attributed to JGJ 202-2010,
article not found; docs/standards.md §8 and §12 [U]: the limit is configurable); an alarm."""

from __future__ import annotations

from contract.config.platform import PlatformSpec
from rules.result import RuleResult
from rules.wind_stop import WindStop, WindWords

RULE = "platform.wind"
CLAUSE = (
    "高处作业吊篮 遇五级以上大风（≥ 8.0 m/s）、大雨、大雪、大雾应停止作业，并将吊篮降至地面（通常引为 JGJ 202-2010，"
    "条号未找到；风速限值可配置）；违规作业属 建质规〔2024〕5号 第十五条(二) 重大事故隐患"
)
# 以上: the level's own lower bound counts, so 8.0 m/s is already a stop
STRICT = False
WORDS = WindWords(
    what="{name} 风速 {wind:.1f} m/s（停止作业限值 {limit:g} m/s）",
    what_en="{name} wind {wind:.1f} m/s (work stops at {limit:g} m/s)",
    action="停止作业，将吊篮降至地面，人员撤出，切断电源",
    action_en="stop work: bring the platform to the ground, get off",
)


class PlatformWind(WindStop):
    """Wind at each platform, with a clearing band."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE, STRICT, WORDS)

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, wind_ms: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.wind verdict for one sample."""
        return self.judge(device, name, spec.wind_stop_ms, spec.hysteresis_pct, wind_ms, ts, backfill)
