"""One alert per (rule, device, point) over the metrics a point reports (a surface point's horizontal and
vertical displacement): the worst metric's latest verdict decides its level."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult, rank

ACTIONS = {
    "warning": "加密监测，巡查坡顶裂缝与坡面排水，通知设计与监理",
    "alarm": "立即通知设计、监理与第三方监测单位并加密监测；变形继续发展即暂停施工，坡脚反压、坡顶卸载、"
    "排水封闭（GB 50330-2013 第18.5.1条）",
}
ACTIONS_EN = {
    "warning": "monitor more often, walk the top for cracks and the face for drainage, tell the designer and "
    "the supervising engineer",
    "alarm": "tell the designer, the supervising engineer and the monitoring firm now and monitor more often; "
    "if it goes on moving, stop work, load the toe, unload the top and drain (GB 50330-2013 §18.5.1)",
}


def action(level: Level | None) -> str:
    """What to do at ``level`` (Chinese)."""
    return ACTIONS.get(level or "", "")


def action_en(level: Level | None) -> str:
    """What to do at ``level`` (English)."""
    return ACTIONS_EN.get(level or "", "")


class PointAlerts:
    """The alerts of one rule, one per (device, point), each the worst of the point's metrics."""

    def __init__(self) -> None:
        self.memory = LevelMemory()
        self._latest: dict[tuple[str, str], dict[str, RuleResult]] = {}

    def report(self, metric: str, result: RuleResult) -> RuleResult | None:
        """``result`` of ``metric`` kept as its latest; the point's worst verdict (at a tie this one), stamped
        with this reading's instant, when the alert manager must hear of it."""
        latest = self._latest.setdefault((result.device, result.point), {})
        latest[metric] = result
        worst = max(latest.values(), key=lambda r: (rank(r.level), r is result))
        if worst is not result:
            worst = worst.restamped(result.ts, result.backfill)
        return worst if self.memory.due(result.device, result.point, worst.level) else None
