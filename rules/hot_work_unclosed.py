"""hot_work.unclosed: a permit whose window has ended with no post-work check recorded (GB 50720-2011
§6.3.1(8): 动火作业后，应对现场进行检查，并应在确认无火灾危险后，动火操作人员再离开; docs/standards.md §18,
"permit closed without a post-work check → warning").

A warning from the window's end until the check is recorded (the permit closed): time alone never ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, timezone

from contract.hot_work import Permit
from rules.hot_work_watch import SITE
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "hot_work.unclosed"
CLAUSE = (
    "GB 50720-2011 第6.3.1条第8款 动火作业后，应对现场进行检查，并应在确认无火灾危险后，动火操作人员再离开"
)


class HotWorkUnclosed:
    """The permits whose unclosed warning is firing."""

    def __init__(self, utc_offset_h: float) -> None:
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._firing: set[str] = set()

    def tick(self, permits: Sequence[Permit], now: float) -> list[RuleResult]:
        """The verdicts owed at ``now``: raised once at the window's end, cleared once checked."""
        out: list[RuleResult] = []
        for p in permits:
            if p.unclosed(now):
                if p.id not in self._firing:
                    self._firing.add(p.id)
                    out.append(self._result(p, "warning", now))
            elif p.id in self._firing:
                self._firing.discard(p.id)
                out.append(self._result(p, None, now))
        return out

    def _result(self, p: Permit, level: str | None, now: float) -> RuleResult:
        end = p.end.astimezone(self._tz).strftime("%m-%d %H:%M")
        if level:
            what = f"{p.title_zh}作业时段已于 {end} 结束，未记录动火后现场检查"
        else:
            what = f"{p.title_zh}已由{p.closed_by or '签发人'}完成动火后现场检查"
        return RuleResult(
            rule=RULE,
            device=SITE,
            point=p.id,
            level="warning" if level else None,
            ts=now,
            clause=CLAUSE,
            unit="",
            message=pick(
                "warning" if level else None,
                what,
                "检查作业点及周边（含下层、隐蔽处）确认无火灾危险后，记录检查并关闭许可证",
            ),
            message_en=pick_en(
                "warning" if level else None,
                f"permit {p.id} at {p.place}: window over, no post-work check",
                "inspect the place for fire risk and close the permit",
            ),
            details={"place": p.place},
        )
