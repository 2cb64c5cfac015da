"""hoist.persons: more people in the cage than its rated number is an alarm (vendor protocols
carry no pre-alarm for people; docs/standards.md §5 [U])."""

from __future__ import annotations

from rules.count_limit import CountLimit, CountWords
from rules.wording import PRACTICE_ZH

RULE = "hoist.persons"
CLAUSE = "施工升降机 乘员不得超过额定载人数（铭牌）；超员报警" + PRACTICE_ZH
WORDS = CountWords(
    what="{name} 轿厢内 {count} 人，额定 {limit} 人",
    what_en="{name}: {count} people in the cage, rated {limit}",
    action="超员 {over} 人，多出人员下梯后方可运行",
    action_en="{over} too many: they must leave before it runs",
)


class HoistPersons(CountLimit):
    """People in each cage against its rated number."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE, "人", WORDS)
