"""platform.persons: more people on a suspended platform than it may carry (吊篮内的作业人员不应超过2个,
JGJ 202-2010 §5.5 [U]: the number of the article is not verified): more than the limit is an alarm; the
limit itself is allowed. The limit is the site's ``max_persons`` (the box's maxPersonCount, default 2) but
never more than the 2 the clause allows: a nameplate of 3 does not let a third person on
(docs/standards.md §8: ``personCount > min(2, maxPersonCount)``)."""

from __future__ import annotations

from rules.count_limit import CountLimit, CountWords

RULE = "platform.persons"
STANDARD_MAX = 2  # 不应超过2个
CLAUSE = "JGJ 202-2010 第5.5条 吊篮内的作业人员不应超过2个（条号未经核实；人数上限取吊篮铭牌与 2 人中的较小值，可配置）"
WORDS = CountWords(
    what="{name} 吊篮内 {count} 人，限载 {limit} 人",
    what_en="{name}: {count} people on the platform, limit {limit}",
    action="超员 {over} 人，停止升降，多出人员在最低处安全撤出吊篮",
    action_en="{over} too many: stop, bring it down, let them step off",
)


class PlatformPersons(CountLimit):
    """People on each platform against its limit."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE, "人", WORDS)


def allowed(max_persons: int) -> int:
    """The most people a platform may carry: its configured ``max_persons``, at most the clause's 2."""
    return min(STANDARD_MAX, max_persons)
