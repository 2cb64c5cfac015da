"""A load as a share of its rated load, banded (a platform's or a hoist's): warning, alarm and critical
lines in percent, each crossed on the line or only beyond it as its clause words it, held until back
past the clearing band. Each rule module names its rule, clauses, strictness and words and hands the
judging here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory, Strict, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class ShareWords:
    """A rule's words; ``what`` takes ``{name}``, ``{load}``, ``{rated}`` and ``{pct}``; the actions are
    per level; ``load_key`` and ``rated_key`` name the load and the rated load in the details."""

    what: str
    what_en: str
    actions: Mapping[str, str]
    actions_en: Mapping[str, str]
    load_key: str
    rated_key: str


class RatedShare:
    """One rule's load ratios, per device."""

    def __init__(self, rule: str, clauses: Mapping[str, str], strict: Strict, words: ShareWords) -> None:
        self._rule, self._clauses, self._strict, self._words = rule, dict(clauses), strict, words
        self._memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        rated: float,
        lines_pct: tuple[float, float, float],
        hysteresis_pct: float,
        load: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict for one sample; ``lines_pct`` are the warning, alarm and critical lines."""
        pct = load / rated * 100.0
        warning, alarm, critical = lines_pct
        thresholds: list[tuple[Level, float]] = [
            ("warning", warning),
            ("alarm", alarm),
            ("critical", critical),
        ]
        level = banded_level(
            pct, thresholds, self._memory.get(device), hysteresis_pct / 100, strict=self._strict
        )

        def build() -> RuleResult:
            w = self._words
            return banded_result(
                self._rule,
                self._clauses,
                device,
                level,
                ts,
                round(pct, 1),
                thresholds,
                "%",
                pick(
                    level,
                    w.what.format(name=name, load=load, rated=rated, pct=pct),
                    w.actions.get(level or "", ""),
                ),
                {w.load_key: load, w.rated_key: rated},
                backfill,
                message_en=pick_en(
                    level,
                    w.what_en.format(name=name, load=load, rated=rated, pct=pct),
                    w.actions_en.get(level or "", ""),
                ),
            )

        return self._memory.report(device, "", level, build)
