"""hot_work.fire_watch: a permit in force whose fire watch (动火监护人) the access gates have not seen
enter, or saw leave (GB/T 50720-2011（2025年版）§6.3.1(6): 每个动火作业点均应设置1个监护人; docs/standards.md §18).

Judged at each tick over the permits in force. One badge watches one permit at a time: issuing refuses a
watch already watching another permit in force over part of the window (gateway/site/hot_work.py), so a
badge-in clears one point's alert, not two (this rule does not re-judge permits signed before that check, nor
a replay's). The gates say who is on site, not where on it: a fire watch
badged in counts as at hand (practice [U]; a positioning badge's radius would say more). Unknown presence
(a site without gates, a gateway restarted since the watch came in) is absence: the alert fires.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from contract.alert_event import Level
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import Permit
from rules.hot_work_clauses import art_6_3_1
from rules.hot_work_permit_alert import PermitAlerts
from rules.result import RuleResult

RULE = "hot_work.fire_watch"
CLAUSE = (
    art_6_3_1(6, "动火作业应配备灭火器材，并应设置动火监护人进行现场监护，每个动火作业点均应设置1个监护人")
    + "；以实名制闸机刷卡判定监火人到场为行业惯例"
)


class HotWorkWatch(PermitAlerts):
    """The permits whose fire-watch alert is firing."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE)

    def judge(
        self, permits: Sequence[Permit], inside: Collection[str], now: float, scheme: HotWorkPermitsConfig
    ) -> list[RuleResult]:
        """A permit in force (its window, within its level's validity under ``scheme``) without its watch
        inside fires; one whose watch came in, or no longer in force, clears."""

        def hazard(p: Permit) -> RuleResult | None:
            absent = p.in_force(now, scheme) and p.fire_watch.person_id not in inside
            return self._result(p, "alarm", now, scheme) if absent else None

        return self.tick(permits, now, hazard, lambda p: self._result(p, None, now, scheme))

    def _result(self, p: Permit, level: Level | None, now: float, scheme: HotWorkPermitsConfig) -> RuleResult:
        watch = f"监火人{p.fire_watch.name}（{p.fire_watch.person_id}）"
        lapsed = p.expired(now, scheme)
        if level:
            what = f"{p.title_zh}作业时段内，{watch}未刷卡进场"
        elif p.in_force(now, scheme):
            what = f"{p.title_zh}的{watch}已进场"
        elif lapsed is not None:
            what = f"{p.title_zh}已{lapsed.why_zh()}，不再有效（其下动火按无证动火告警）"
        else:
            what = f"{p.title_zh}已关闭或作业时段结束"
        return self.verdict(
            p,
            level,
            now,
            (what, f"permit {p.id} at {p.place}: fire watch {p.fire_watch.person_id} not badged in"),
            (
                "停止动火，监火人到场并配备灭火器材、在场监护后方可继续",
                "stop the hot work until the fire watch is at the place",
            ),
            p.fire_watch.person_id,
        )
