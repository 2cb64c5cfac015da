"""A count against the most allowed (people on a platform or in a cage): more than the limit is an
alarm, the limit itself is allowed. Each rule module names its rule, clause and words and hands the
judging here."""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class CountWords:
    """A rule's words; ``what`` takes ``{name}``, ``{count}`` and ``{limit}``, ``action`` ``{over}``."""

    what: str
    what_en: str
    action: str
    action_en: str


class CountLimit:
    """One rule's counts against their limit, per device."""

    def __init__(self, rule: str, clause: str, unit: str, words: CountWords) -> None:
        self._rule, self._clause, self._unit, self._words = rule, clause, unit, words
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, limit: int, counted: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The verdict for one sample (built only when it is reported)."""
        count = round(counted)
        level: Level | None = "alarm" if count > limit else None

        def build() -> RuleResult:
            w, over = self._words, count - limit
            return RuleResult(
                rule=self._rule,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=self._clause,
                value=float(count),
                threshold=float(limit),
                unit=self._unit,
                message=pick(
                    level, w.what.format(name=name, count=count, limit=limit), w.action.format(over=over)
                ),
                message_en=pick_en(
                    level,
                    w.what_en.format(name=name, count=count, limit=limit),
                    w.action_en.format(over=over),
                ),
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
