"""weather.lightning: strikes counted by the station's lightning sensor stop the machines and work at
height for ``lightning_hold_min`` after the last one.

No Chinese construction standard gives a lightning distance or hold time (docs/standards.md §12): the hold
is practice [U], configurable. Lifting, erection or work at height in a thunderstorm against the rules is
建质规〔2024〕5号 Art. 15(二); the CMA lightning orange guidance says not to shelter under tower cranes. The
hold ends only with a reading after it (a silent station never ends it); a counter that goes back (reset)
is a new baseline, not a strike.
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import WeatherRule
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE = "weather.lightning"
CLAUSE = (
    f"建质规〔2024〕5号 第十五条(二) 雷雨天气违规进行起重吊装、安拆或高处作业属{MAJOR_ZH}；"
    "雷电预警防御指南：不在塔吊下避雨；末次雷击后停工时长为行业惯例" + PRACTICE_ZH
)
STOPS = frozenset({"lifting", "erection", "platform", "height", "hoist"})


class WeatherLightning:
    """Per station: the counter last read and the last strike seen."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._count: dict[str, float] = {}
        self._last: dict[str, float] = {}

    def evaluate(
        self,
        device: str,
        name: str,
        cfg: WeatherRule,
        count: float,
        stops: WeatherStops,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one counter reading."""
        before = self._count.get(device)
        self._count[device] = count
        if before is not None and count > before:
            self._last[device] = ts
        last = self._last.get(device)
        hold_s = cfg.lightning_hold_min * 60
        level: Level | None = "alarm" if last is not None and ts - last < hold_s else None
        cause = f"{RULE}:{device}"
        if level:
            stops.hold(cause, f"{name} 监测到雷电", STOPS)
        else:
            stops.release(cause)
        if not self._memory.due(device, "", level):
            return None
        since_min = 0.0 if last is None else (ts - last) / 60
        what = (
            f"{name} 监测到雷电（{since_min:.0f} 分钟前）"
            if level
            else f"{name} 末次雷电已过 {cfg.lightning_hold_min:g} 分钟"
        )
        what_en = (
            f"{name} lightning {since_min:.0f} min ago"
            if level
            else f"{name} no lightning for {cfg.lightning_hold_min:g} min"
        )
        return RuleResult(
            rule=RULE,
            device=device,
            point="",
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=count,
            threshold=cfg.lightning_hold_min,
            unit="min",
            message=pick(
                level, what, "停止塔吊、升降机、吊篮、安拆及高处作业，人员撤离塔吊周边，不在塔吊下避雨"
            ),
            message_en=pick_en(
                level,
                what_en,
                "stop cranes, hoists, platforms, erection and work at height; keep clear of the cranes",
            ),
            details={"stops": sorted(STOPS) if level else []},
            backfill=backfill,
        )
