"""hoist.wind: no use of a hoist when the wind at the mast top is above 20 m/s (大于 20 m/s, JGJ 215
[U]: the limit is configurable and the clause says so): a wind of exactly 20 m/s is still allowed."""

from __future__ import annotations

from kinds.hoist.thresholds import HoistRule
from rules.result import RuleResult
from rules.wind_stop import WindStop, WindWords
from rules.wording import PRACTICE_ZH

RULE = "hoist.wind"
CLAUSE = "JGJ 215-2010 导轨架顶部风速大于 20 m/s 时不得使用施工升降机" + PRACTICE_ZH
STRICT = True  # 大于: a wind on the limit is still allowed
WORDS = WindWords(
    what="{name} 导轨架顶部风速 {wind:.1f} m/s（限值 {limit:g} m/s）",
    what_en="{name} wind at the mast top {wind:.1f} m/s (limit {limit:g} m/s)",
    action="停止使用，吊笼降至底层，人员撤出",
    action_en="stop: bring the cage down and let everyone out",
)


class HoistWind(WindStop):
    """Wind at each hoist's mast top, with a clearing band."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE, STRICT, WORDS)

    def evaluate(
        self, device: str, name: str, cfg: HoistRule, wind_ms: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The hoist.wind verdict for one sample."""
        return self.judge(device, name, cfg.wind_alarm_ms, cfg.hysteresis_pct, wind_ms, ts, backfill)
