"""hot_work.unclosed: a permit whose window has ended with no post-work check recorded (GB/T 50720-2011
（2025年版）§6.3.1(8), as the 2011 edition words it: 动火作业后，应对现场进行检查，并应在确认无火灾危险后，
动火操作人员再离开; docs/standards.md §18, "permit closed without a post-work check → warning"; the edition and
its caveat: rules/hot_work_clauses.py).

A warning from the window's end (or the instant its level's validity under the site's ``hot_work_permits:``
ran out, if earlier: hot work must stop there) until the check is recorded (the permit closed): time alone
never ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from contract.alert_event import Level
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import Permit
from rules.hot_work_clauses import art_6_3_1
from rules.hot_work_permit_alert import PermitAlerts
from rules.result import RuleResult

RULE = "hot_work.unclosed"
CLAUSE = art_6_3_1(8, "动火作业后，应对现场进行检查，并应在确认无火灾危险后，动火操作人员再离开")


class HotWorkUnclosed(PermitAlerts):
    """The permits whose unclosed warning is firing."""

    def __init__(self, utc_offset_h: float) -> None:
        super().__init__(RULE, CLAUSE)
        self._tz = timezone(timedelta(hours=utc_offset_h))

    def judge(self, permits: Sequence[Permit], now: float, scheme: HotWorkPermitsConfig) -> list[RuleResult]:
        """From a window's end, or its level's validity under ``scheme`` running out first, a warning until
        its permit is closed."""

        def hazard(p: Permit) -> RuleResult | None:
            return self._result(p, "warning", now, scheme) if p.unclosed(now, scheme) else None

        return self.tick(permits, now, hazard, lambda p: self._result(p, None, now, scheme))

    def _result(self, p: Permit, level: Level | None, now: float, scheme: HotWorkPermitsConfig) -> RuleResult:
        v = p.validity(scheme)
        end = datetime.fromtimestamp(v.until, self._tz).strftime("%m-%d %H:%M")
        check = (
            "检查作业点及周边（含下层、隐蔽处）确认无火灾危险后，记录检查并关闭许可证",
            "inspect the place for fire risk and close the permit",
        )
        if level and v.cut:  # its level's validity ran out before its signed end: the site's rule ended it
            what = (
                f"{p.title_zh}已于 {end} {v.why_zh()}，未记录动火后现场检查",
                f"permit {p.id} at {p.place}: {v.why_en()}, no post-work check",
            )
            check = (
                f"停止动火，{check[0]}；需继续动火的，重新办理动火许可证",
                f"stop the hot work, {check[1]}; issue a new permit to go on",
            )
        elif level:
            what = (
                f"{p.title_zh}作业时段已于 {end} 结束，未记录动火后现场检查",
                f"permit {p.id} at {p.place}: window over, no post-work check",
            )
        else:
            what = (
                f"{p.title_zh}已由{p.closed_by or '签发人'}完成动火后现场检查",
                f"permit {p.id} checked and closed",
            )
        return self.verdict(p, level, now, what, check)
