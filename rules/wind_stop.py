"""Wind against a stop limit (a platform's or a hoist's): crossing it is an alarm, held until the wind
is back below the clearing band. Whether a wind on the limit has crossed it is the clause's word, so
each rule module names it along with its rule, clause and words and hands the judging here."""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class WindWords:
    """A rule's words; ``what`` takes ``{name}``, ``{wind}`` (m/s) and ``{limit}`` (m/s)."""

    what: str
    what_en: str
    action: str
    action_en: str


class WindStop:
    """One rule's wind readings against their stop limit, per device."""

    def __init__(self, rule: str, clause: str, strict: bool, words: WindWords) -> None:
        self._rule, self._clause, self._strict, self._words = rule, clause, strict, words
        self._memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        limit_ms: float,
        hysteresis_pct: float,
        wind_ms: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict for one sample (built only when it is reported)."""
        thresholds: list[tuple[Level, float]] = [("alarm", limit_ms)]
        level = banded_level(
            wind_ms, thresholds, self._memory.get(device), hysteresis_pct / 100, strict=self._strict
        )

        def build() -> RuleResult:
            w = self._words
            return banded_result(
                self._rule,
                {"alarm": self._clause},
                device,
                level,
                ts,
                round(wind_ms, 2),
                thresholds,
                "m/s",
                pick(level, w.what.format(name=name, wind=wind_ms, limit=limit_ms), w.action),
                {},
                backfill,
                message_en=pick_en(
                    level, w.what_en.format(name=name, wind=wind_ms, limit=limit_ms), w.action_en
                ),
            )

        return self._memory.report(device, "", level, build)
