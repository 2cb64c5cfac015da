"""crane.jacking_night: jacking is daytime work (白天进行; site technical disclosures, standards.md §10,
practice): a window open outside the configured day hours (local time, ``day_from_h`` to ``day_until_h``,
the latter already night) is a warning, with too little light to see the bolts, pins and the climbing gear.
"""

from __future__ import annotations

from contract.alert_event import Level
from kinds.crane.jacking_window import window_closed
from kinds.crane.thresholds import CraneJackingRule
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "crane.jacking_night"
# jacking at night is company practice, not a criteria item: the clause names 第八条(三) for the checks night
# makes hard, and says it is not that major hazard, so the regulator files it general (regulator/ledger/classify.py)
CLAUSE = (
    "塔式起重机附着爬升安全技术交底 顶升作业应在白天进行，夜间光线不足不得顶升，难以完成爬升前对结构、顶升机构、"
    f"附着、螺栓销轴的检查；夜间顶升本身不构成建质规〔2024〕5号 第八条(三)所列重大事故隐患{PRACTICE_ZH}"
)


def local_hour(ts: float, utc_offset_h: float) -> float:
    """The site's local hour of the day (0 ≤ h < 24) at ``ts``."""
    return ((ts / 3600.0) + utc_offset_h) % 24.0


def is_night(hour: float, cfg: CraneJackingRule) -> bool:
    """Whether the local ``hour`` is outside the day hours (``day_until_h`` itself is night)."""
    return hour < cfg.day_from_h or hour >= cfg.day_until_h


class JackingNight:
    """Each crane's window open in the night."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, cfg: CraneJackingRule, utc_offset_h: float, now: float
    ) -> RuleResult | None:
        """The verdict at ``now`` for a crane whose window is open."""
        hour = local_hour(now, utc_offset_h)
        level: Level | None = "warning" if is_night(hour, cfg) else None
        if level is None and self._memory.quiet(device):
            return None

        def build() -> RuleResult:
            hh, mm = int(hour), int(hour % 1 * 60)
            what = f"{name}顶升作业窗口在夜间 {hh:02d}:{mm:02d} 仍开启（白天 {cfg.day_from_h:g}–{cfg.day_until_h:g} 时）"
            what_en = f"{name}: jacking window open at night ({hh:02d}:{mm:02d})"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=now,
                clause=CLAUSE,
                value=round(hour, 2),
                message=pick(level, what, "完成当前节段连接紧固后停止顶升，待白天继续"),
                message_en=pick_en(level, what_en, "bolt the current section and stop until daylight"),
            )

        return self._memory.report(device, "", level, build)

    def end(self, device: str, name: str, ts: float) -> RuleResult | None:
        """The window closes: a night warning clears."""
        return window_closed(self._memory, RULE, CLAUSE, device, name, ts)
