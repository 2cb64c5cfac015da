"""weather.heat: the day's maximum temperature against the heat schedules of 防暑降温措施管理办法
(安监总安健〔2012〕89号) Art. 8: 35 °C rotation and no outdoor overtime, 37 °C at most 6 h outdoors and
none in the hottest 3 h, 40 °C no outdoor open-air work that day.

The Art. 8 limits are the city forecast's daily maximum; the station's own maximum so far today stands in
for it (a site may be hotter than the city, never cooler by much) [U]. "以上" includes the number: 35.0 °C
is the first schedule. The day is the local day (rules.licence_utc_offset_h); a new day's first reading
starts its maximum afresh, and only a reading does: a silent station never clears the day's schedule.
"""

from __future__ import annotations

import math

from contract.alert_event import Level
from contract.config.rules import WeatherRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import pick, pick_en

RULE = "weather.heat"
CLAUSE = "防暑降温措施管理办法（安监总安健〔2012〕89号）第八条 日最高气温"
CLAUSES = {
    "warning": f"{CLAUSE}达到35℃以上（不足37℃）：轮换作业、缩短连续作业时间，不得安排户外露天作业加班（以现场气象站实测最高气温代替城市预报，可配置）",
    "alarm": f"{CLAUSE}达到37℃以上（不足40℃）：户外露天作业累计不超过6小时，最高气温时段3小时内不得安排户外露天作业（以现场实测代替预报，可配置）",
    "critical": f"{CLAUSE}达到40℃以上：当日停止户外露天作业（以现场实测代替预报，可配置）",
}
ACTIONS = {
    "warning": (
        "轮换作业、缩短连续作业时间，户外不加班；孕妇及未成年工停止户外作业",
        "rotate, shorten stints, no outdoor overtime; no outdoor work for pregnant workers and minors",
    ),
    "alarm": (
        "户外露天作业累计不超过6小时，一天最热的3小时停止户外作业",
        "at most 6 h outdoors in total and none in the hottest 3 h",
    ),
    "critical": ("当日停止户外露天作业", "stop open-air outdoor work for the rest of the day"),
}
DAY_S = 86400.0


class WeatherHeat:
    """Per station: the local day and its maximum so far."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._day: dict[str, tuple[int, float]] = {}  # device -> (local day number, maximum so far)

    def evaluate(
        self,
        device: str,
        name: str,
        cfg: WeatherRule,
        temp_c: float,
        utc_offset_h: float,
        stops: WeatherStops,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one temperature reading."""
        day = math.floor((ts + utc_offset_h * 3600) / DAY_S)
        seen = self._day.get(device)
        if seen is not None and seen[0] > day:
            return None  # a late reading of an earlier day: today's maximum stands
        high = temp_c if seen is None or seen[0] < day else max(seen[1], temp_c)
        self._day[device] = (day, high)
        a, b, c = cfg.heat_c
        thresholds: list[tuple[Level, float]] = [("warning", a), ("alarm", b), ("critical", c)]
        # the maximum never falls within a day: no clearing band is needed, and a new day starts clear
        level = banded_level(high, thresholds, None, 0.0, strict=False)
        cause = f"{RULE}:{device}"
        if level == "critical":
            stops.hold(cause, f"{name} 今日最高气温 {high:.1f} ℃", {"outdoor"})
        else:
            stops.release(cause)
        if not self._memory.due(device, "", level):
            return None
        what = f"{name} 今日最高气温 {high:.1f} ℃"
        what_en = f"{name} today's maximum {high:.1f} °C"
        action = ACTIONS[level] if level else ("", "")
        return banded_result(
            RULE,
            CLAUSES,
            device,
            level,
            ts,
            round(high, 1),
            thresholds,
            "℃",
            pick(level, what, action[0]),
            {"stops": ["outdoor"] if level == "critical" else []},
            backfill,
            message_en=pick_en(level, what_en, action[1]),
        )
