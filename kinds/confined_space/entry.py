"""confined_space.entry: nobody goes into a confined space before it was ventilated and then tested within the
limits (先通风、再检测、后作业): at each entry the fan must be running and a complete reading set
(氧气 → 可燃气体 → 有毒气体, GB 55034-2022 §3.9.3) within the limits must have been completed, with the fan
already running, within the last 30 minutes (configurable). Not following it is a major hazard
(建质规〔2024〕5号 第十一条(二)): critical, get the person out.

The alert belongs to the person who went in and lasts until they come out: a later ventilation does
not make an untested entry a tested one, and a missing reading never clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

OUT = "立即撤出有限空间内人员，按“先通风、再检测、后作业”重新检测合格后方可进入"
OUT_EN = "get them out now; ventilate, test within limits, then enter"


@dataclass(frozen=True)
class Entry:
    """The words of one entry rule: its id, clause and what a violation is called."""

    rule: str
    clause: str
    what_zh: str
    what_en: str


ENTRY = Entry(
    "confined_space.entry",
    "建质规〔2024〕5号 第十一条(二) 有限空间作业未执行“先通风、再检测、后作业”要求，属"
    + MAJOR_ZH
    + "；GB 55034-2022 第3.9.3条 按氧气、可燃性气体、有毒有害气体的顺序检测；检测不早于作业前30分钟"
    + PRACTICE_ZH,
    "未通风检测即进入",
    "entered without ventilation and testing",
)


class EntryRule:
    """Entries of one kind (first entries, or re-entries after a break) judged against a space's state."""

    def __init__(self, words: Entry = ENTRY) -> None:
        self.words = words
        self._memory = LevelMemory()

    def entered(
        self, device: str, name: str, person: str, lacks: list[str], ts: float, backfill: bool
    ) -> RuleResult | None:
        """``person`` went in at ``ts``; ``lacks`` is what the entry lacked (empty: a proper entry)."""
        level: Level | None = "critical" if lacks else None
        return self._memory.report(
            device, person, level, partial(self._result, device, name, person, level, lacks, ts, backfill)
        )

    def left(self, device: str, name: str, person: str, ts: float, backfill: bool) -> RuleResult | None:
        """``person`` came out: their entry's alert is over."""
        if self._memory.get(device, person) is None:
            return None
        return self._memory.report(
            device, person, None, partial(self._result, device, name, person, None, [], ts, backfill)
        )

    def _result(
        self,
        device: str,
        name: str,
        person: str,
        level: Level | None,
        lacks: list[str],
        ts: float,
        backfill: bool,
    ) -> RuleResult:
        w = self.words
        what = (
            f"{name} {person} {w.what_zh}（{'；'.join(lacks)}）" if level else f"{name} {person} 已出有限空间"
        )
        what_en = f"{name} {person} {w.what_en}" if level else f"{name} {person} is out of the space"
        return RuleResult(
            rule=w.rule,
            device=device,
            point=person,
            level=level,
            ts=ts,
            clause=w.clause,
            message=pick(level, what, OUT),
            message_en=pick_en(level, what_en, OUT_EN),
            details={"lacks": lacks} if lacks else {},
            backfill=backfill,
        )
