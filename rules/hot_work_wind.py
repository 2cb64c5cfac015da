"""hot_work.wind: an open-air permit in force while the site's wind holds the hot-work stop (GB/T 50720-2011
（2025年版）§6.3.1(7), as the 2011 edition words it, rules/hot_work_clauses.py: 五级(含五级)以上风力时，应停止焊接、切割等室外动火作业；确需动火作业时，应采取可靠的挡风措施;
docs/standards.md §18, §12: level 5 from 8.0 m/s, 含五级: the line itself stops it).

The stop is held by the weather stations' wind (rules/weather_wind.py, ``weather.hot_work_ms``, with its
clearing band); a station gone silent holds it as it was. One alarm per permit, until the stop is released
or the permit is no longer in force. An open-air permit whose signer recorded a reliable windbreak (``windbreak``,
the clause's 确需动火作业时) warns instead: the work may go on behind it, and the wind is what it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.alert_event import Level
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import Permit
from rules.hot_work_clauses import art_6_3_1
from rules.hot_work_permit_alert import PermitAlerts
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.weather_wind import HOT_WORK

RULE = "hot_work.wind"
CLAUSE = art_6_3_1(
    7, "五级(含五级)以上风力时，应停止焊接、切割等室外动火作业；确需动火作业时，应采取可靠的挡风措施"
)


class HotWorkWind(PermitAlerts):
    """The open-air permits whose wind alert is firing."""

    def __init__(self) -> None:
        super().__init__(RULE, CLAUSE)

    def judge(
        self, permits: Sequence[Permit], stops: WeatherStops, now: float, scheme: HotWorkPermitsConfig
    ) -> list[RuleResult]:
        """An open-air permit in force (within its level's validity under ``scheme``) while the hot-work stop
        is held fires; it clears once released, or the permit no longer in force."""
        why = stops.why(HOT_WORK)

        def hazard(p: Permit) -> RuleResult | None:
            hit = why and p.outdoor and p.in_force(now, scheme)
            # 确需动火作业时，应采取可靠的挡风措施: behind the windbreak its signer confirmed the work may go on,
            # and the wind still warns that the windbreak is what it rests on
            level: Level = "warning" if p.windbreak else "alarm"
            return self._result(p, level, "；".join(why), now) if hit else None

        return self.tick(permits, now, hazard, lambda p: self._result(p, None, "", now))

    def _result(self, p: Permit, level: Level | None, why: str, now: float) -> RuleResult:
        if level:
            what = f"{p.title_zh}为露天动火，{why}，达到五级风"
        else:
            what = f"{p.title_zh}风力已低于五级或不在作业时段"
        what_en = f"open-air permit {p.id} at {p.place}: wind at Beaufort 5 or above"
        if p.windbreak:
            what += "，许可证记载已设置挡风措施"
            what_en += ", behind the windbreak its permit records"
            action = (
                "确认挡风措施可靠、火花不外飘；挡风失效即停止动火",
                "make sure the windbreak holds and no sparks blow out; stop the hot work if it fails",
            )
        else:
            action = (
                "停止室外焊接、切割等动火作业；确需动火的，设置可靠挡风措施并经签发人确认",
                "stop outdoor welding and cutting, or put up a reliable windbreak",
            )
        return self.verdict(p, level, now, (what, what_en), action)
