"""weather.rain: heavy rain and rainstorms from the station's rain intensity (mm/h).

Heavy rain stops lifting (JGJ 276-2012 §3.0.12: 大雨、大雾、大雪 停止吊装), erection and jacking
(GB 55034-2022 §3.4.7: no erection in rain [U]) and suspended platforms (docs/standards.md §8 [U]), and
calls for the checks of the deep pit (drainage, slopes, monitoring: GB 50497-2019) and of the temporary
power (leakage, distribution boxes: JGJ 46). A rainstorm stops open-air outdoor work as the CMA rainstorm
orange signal does (docs/standards.md §12). The intensity classes are GB/T 28592-2012's hourly ones
[U: 大雨 8.1–15.9 mm/h, 暴雨 from 16 mm/h], configurable; "达到" includes the number.
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import WeatherRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "weather.rain"
_RAIN = (
    "JGJ 276-2012 第3.0.12条 大雨天气应停止吊装作业；GB 55034-2022 第3.4.7条（条文经二手资料转录，未核实） 雨天不得安装、拆卸起重机械；"
    f"恶劣天气违规作业属 建质规〔2024〕5号 第十五条(二) {MAJOR_ZH}（雨强分级 GB/T 28592-2012，可配置）"
)
CLAUSES = {"alarm": "大雨（雨强达到大雨标准）：" + _RAIN, "critical": "暴雨（雨强达到暴雨标准）：" + _RAIN}
STOPS = {
    "alarm": frozenset({"lifting", "erection", "platform"}),
    "critical": frozenset({"lifting", "erection", "platform", "height", "hoist", "outdoor"}),
}
CHECKS_ZH = "检查基坑排水、边坡及监测数据，检查临时用电（配电箱防雨、漏电保护）"
CHECKS_EN = "check the pit's drainage, slopes and monitoring, and the temporary power (boxes covered, RCDs)"
ACTIONS = {
    "alarm": (
        "停止塔吊吊装、起重机械安拆顶升及吊篮作业；" + CHECKS_ZH,
        "stop lifting, erection, jacking and platform work; " + CHECKS_EN,
    ),
    "critical": (
        "暂停一切户外作业；" + CHECKS_ZH + "，低洼处危险电源断电",
        "stop all outdoor work; " + CHECKS_EN + "; cut dangerous power in low areas",
    ),
}


class WeatherRain:
    """Per station: the rain's level, with a clearing band."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        cfg: WeatherRule,
        rain_mm_h: float,
        stops: WeatherStops,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one rain reading."""
        thresholds: list[tuple[Level, float]] = [
            ("alarm", cfg.heavy_rain_mm_h),
            ("critical", cfg.rainstorm_mm_h),
        ]
        level = banded_level(
            rain_mm_h, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100, strict=False
        )
        cause = f"{RULE}:{device}"
        if level in STOPS:
            stops.hold(cause, f"{name} 雨强 {rain_mm_h:.1f} mm/h", STOPS[level])
        else:
            stops.release(cause)
        if not self._memory.due(device, "", level):
            return None
        kind = "暴雨" if level == "critical" else "大雨"
        what = f"{name} 雨强 {rain_mm_h:.1f} mm/h（{kind}）" if level else f"{name} 雨强 {rain_mm_h:.1f} mm/h"
        what_en = f"{name} rain {rain_mm_h:.1f} mm/h"
        action = ACTIONS.get(level or "", ("", ""))
        return banded_result(
            RULE,
            CLAUSES,
            device,
            level,
            ts,
            round(rain_mm_h, 1),
            thresholds,
            "mm/h",
            pick(level, what, action[0]),
            {"stops": sorted(STOPS.get(level or "", ()))},
            backfill,
            message_en=pick_en(level, what_en, action[1]),
        )
