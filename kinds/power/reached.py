"""What power.leakage, power.temp and power.temp_rise share: a value against lines its clause words 达到
(reached: on the line counts), mildest first, with a clearing band, and the verdict in the rule's own words
(kinds/power/leakage.py, temp.py, rise.py give them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class Words:
    """One rule's id, clauses per level, unit and action per level (Chinese, English)."""

    rule: str
    clauses: dict[str, str]
    unit: str
    actions: dict[str, tuple[str, str]]


What = Callable[[Level | None], tuple[str, str]]
"""The facts of the verdict at a level (Chinese, English), made only when the verdict is."""


class Reached:
    """One such rule's levels, per (box, probe)."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self._memory = LevelMemory()

    def level(
        self, device: str, point: str, value: float, thresholds: list[tuple[Level, float]], band: float
    ) -> Level | None:
        """The level ``value`` reaches, held down to the band below the line it had reached."""
        return banded_level(value, thresholds, self._memory.get(device, point), band, strict=False)

    def current(self, device: str, point: str) -> Level | None:
        """The level last reported."""
        return self._memory.get(device, point)

    def report(
        self,
        device: str,
        point: str,
        level: Level | None,
        value: float,
        thresholds: list[tuple[Level, float]],
        what: What,
        details: dict[str, float | str | list[str]],
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict at ``level``, when the alert manager must hear it."""
        w = self.words

        def build() -> RuleResult:
            facts, facts_en = what(level)
            action, action_en = w.actions[level or thresholds[0][0]]
            return banded_result(
                w.rule,
                w.clauses,
                device,
                level,
                ts,
                value,
                thresholds,
                w.unit,
                pick(level, facts, action),
                details,
                backfill,
                message_en=pick_en(level, facts_en, action_en),
                point=point,
            )

        return self._memory.report(device, point, level, build)
