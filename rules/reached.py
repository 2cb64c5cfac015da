"""A value against a rule's lines, mildest first, with a clearing band, and the verdict in the rule's own
words: what the temporary power's leakage and temperatures (kinds/power/leakage.py, temp.py, rise.py) and the
shield machine's drive parameters (kinds/shield/roll.py, deviation.py, thrust.py, chamber.py, volume.py) share.

Whether a value on a line has crossed it is the word of the line's clause (rules/levels.py ``Strict``): by
default 达到 (reached: on the line counts), as power's are; 超出/大于/低于 (only beyond it) where a rule's
``Words`` say ``strict`` (the shield's, GB 55034-2022 §3.7.3's 超出). A line may be one a value falls below
(``higher_is_worse`` False: a shield's grout volume under plan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory, Strict, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class Words:
    """One rule's id, clauses per level, unit and action per level (Chinese, English), and how its
    clause words its lines."""

    rule: str
    clauses: dict[str, str]
    unit: str
    actions: dict[str, tuple[str, str]]
    strict: Strict = False
    """Which lines a value on them has not crossed (rules/levels.py ``Strict``): False, every line reached
    (达到); True, every line only beyond it (超出, 大于, 低于)."""
    higher_is_worse: bool = True
    """False: a value crosses a line by falling below it."""


What = Callable[[Level | None], tuple[str, str]]
"""The facts of the verdict at a level (Chinese, English), made only when the verdict is."""


class Reached:
    """One such rule's levels, per (device, point)."""

    def __init__(self, words: Words) -> None:
        self.words = words
        self._memory = LevelMemory()

    def level(
        self, device: str, point: str, value: float, thresholds: list[tuple[Level, float]], band: float
    ) -> Level | None:
        """The level ``value`` crosses as the rule's words say, held while it is within the band of the line
        it had crossed."""
        w = self.words
        return banded_level(
            value,
            thresholds,
            self._memory.get(device, point),
            band,
            higher_is_worse=w.higher_is_worse,
            strict=w.strict,
        )

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
