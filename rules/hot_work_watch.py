"""hot_work.fire_watch: a permit in force whose fire watch (动火监护人) the access gates have not seen
enter, or saw leave (GB 50720-2011 §6.3.1(6): 每个动火作业点均应设置1个监护人; docs/standards.md §18).

Judged at each tick over the permits in force. The gates say who is on site, not where on it: a fire watch
badged in counts as at hand (practice [U]; a positioning badge's radius would say more). Unknown presence
(a site without gates, a gateway restarted since the watch came in) is absence: the alert fires.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from contract.hot_work import Permit
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "hot_work.fire_watch"
SITE = "site"  # a permit is no device: its alerts are the site's, one per permit (the point)
CLAUSE = (
    "GB 50720-2011 第6.3.1条第6款 动火作业应配备灭火器材，并应设置动火监护人进行现场监护，"
    "每个动火作业点均应设置1个监护人（以实名制闸机刷卡判定监火人到场为行业惯例）"
)


class HotWorkWatch:
    """The permits whose fire-watch alert is firing."""

    def __init__(self) -> None:
        self._firing: set[str] = set()

    @property
    def firing(self) -> bool:
        """Whether any permit's alert is firing."""
        return bool(self._firing)

    def tick(self, permits: Sequence[Permit], inside: Collection[str], now: float) -> list[RuleResult]:
        """The verdicts owed at ``now``: a permit in force without its watch inside fires (repeated at
        each tick while it lasts); one whose watch came in, or no longer in force, clears."""
        out: list[RuleResult] = []
        seen: set[str] = set()
        for p in permits:
            seen.add(p.id)
            if p.in_force(now) and p.fire_watch.person_id not in inside:
                self._firing.add(p.id)
                out.append(_result(p, "alarm", now))
            elif p.id in self._firing:
                self._firing.discard(p.id)
                out.append(_result(p, None, now))
        for gone in sorted(self._firing - seen):  # a permit withdrawn from the register
            self._firing.discard(gone)
            out.append(_gone(gone, now))
        return out


def _result(p: Permit, level: str | None, now: float) -> RuleResult:
    watch = f"监火人{p.fire_watch.name}（{p.fire_watch.person_id}）"
    if level:
        what = f"{p.title_zh}作业时段内，{watch}未刷卡进场"
    elif p.in_force(now):
        what = f"{p.title_zh}的{watch}已进场"
    else:
        what = f"{p.title_zh}已关闭或作业时段结束"
    return RuleResult(
        rule=RULE,
        device=SITE,
        point=p.id,
        level="alarm" if level else None,
        ts=now,
        clause=CLAUSE,
        value=p.fire_watch.person_id,
        unit="",
        message=pick(
            "alarm" if level else None, what, "停止动火，监火人到场并配备灭火器材、在场监护后方可继续"
        ),
        message_en=pick_en(
            "alarm" if level else None,
            f"permit {p.id} at {p.place}: fire watch {p.fire_watch.person_id} not badged in",
            "stop the hot work until the fire watch is at the place",
        ),
        details={"place": p.place, "fire_watch": p.fire_watch.name},
    )


def _gone(permit_id: str, now: float) -> RuleResult:
    return RuleResult(
        rule=RULE,
        device=SITE,
        point=permit_id,
        level=None,
        ts=now,
        clause=CLAUSE,
        message=f"动火许可证 {permit_id} 已撤销，已恢复正常",
        message_en=f"permit {permit_id} withdrawn, back to normal",
    )
