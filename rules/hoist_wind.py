"""hoist.wind: no use of a hoist when the wind at the mast top is above 20 m/s (大于 20 m/s, JGJ 215
[U]: the limit is configurable and the clause says so): a wind of exactly 20 m/s is still allowed."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import HoistRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "hoist.wind"
CLAUSE = "JGJ 215-2010 导轨架顶部风速大于 20 m/s 时不得使用施工升降机" + PRACTICE_ZH


class HoistWind:
    """Wind at each hoist's mast top, with a clearing band."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, cfg: HoistRule, wind_ms: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The hoist.wind verdict for one sample."""
        thresholds: list[tuple[Level, float]] = [("alarm", cfg.wind_alarm_ms)]
        level = banded_level(
            wind_ms, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100, strict=True
        )

        def build() -> RuleResult:
            what = f"{name} 导轨架顶部风速 {wind_ms:.1f} m/s（限值 {cfg.wind_alarm_ms:g} m/s）"
            what_en = f"{name} wind at the mast top {wind_ms:.1f} m/s (limit {cfg.wind_alarm_ms:g} m/s)"
            return banded_result(
                RULE,
                {"alarm": CLAUSE},
                device,
                level,
                ts,
                round(wind_ms, 2),
                thresholds,
                "m/s",
                pick(level, what, "停止使用，吊笼降至底层，人员撤出"),
                {},
                backfill,
                message_en=pick_en(level, what_en, "stop: bring the cage down and let everyone out"),
            )

        return self._memory.report(device, "", level, build)
