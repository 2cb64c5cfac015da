"""weather.wind: the station's wind against each stop's own limit (docs/standards.md §12), one alert per
stop, naming what must stop.

The speed judged is the instantaneous one (the gust where the station reports it, else the mean), as a
crane's wind alarm shows instantaneous wind (GB 6067.1-2010 §9.6.1.2 [U]). Each limit is worded as its
clause words it: 五级以上 and 六级及以上 include their lower bound (≥ 8.0, ≥ 10.8 m/s); GB 55034's 超过
9.0 m/s and JGJ 215's 大于 20 m/s do not (> 9.0, > 20 m/s).
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import WeatherRule
from contract.weather import STOP_EN, STOP_ZH
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE = "weather.wind"
HOT_WORK = "hot_work"  # the open-air hot-work stop (rules/hot_work_wind.py judges the permits it stops)
BAD_WEATHER = f"；恶劣天气违规作业属 建质规〔2024〕5号 第十五条(二) {MAJOR_ZH}"
CLAUSES = {
    "platform": "高处作业吊篮 五级以上大风（8.0 m/s 起）应停止作业（常引 JGJ 202-2010，条号未核实）"
    + PRACTICE_ZH
    + BAD_WEATHER,
    "erection": "GB 55034-2022 第3.4.7条（条文经二手资料转录，未核实） 起重机械安装、拆卸（含顶升加节）作业最高处风速超过 9.0 m/s 时应停止作业"
    + BAD_WEATHER,
    "lifting": "JGJ 276-2012 第3.0.12条 六级及以上大风（10.8 m/s 起）应停止吊装作业" + BAD_WEATHER,
    "height": "JGJ 80-2016 第3.0.8条 六级及以上强风（10.8 m/s 起）不得进行露天攀登与悬空高处作业"
    + BAD_WEATHER,
    "hoist": "JGJ 215-2010 导轨架顶部风速大于 20 m/s 时不得使用施工升降机" + PRACTICE_ZH,
}
# the stops judged, in order of their limits, and whether the limit is worded strictly (超过/大于)
STRICT = {"platform": False, "erection": True, "lifting": False, "height": False, "hoist": True}
# what stopping means beyond stopping, per stop
HOW = {
    "platform": ("，吊篮降至地面", ", platform brought to the ground"),
    "lifting": ("，吊钩升起、臂架随风自由回转", ", hook raised, jib free to slew with the wind"),
    "hoist": ("，吊笼降至底层、人员撤出", ", cage brought down and emptied"),
}
# Beaufort levels by their lower bounds (m/s), docs/standards.md §12
BEAUFORT = (
    (12, 32.7),
    (11, 28.5),
    (10, 24.5),
    (9, 20.8),
    (8, 17.2),
    (7, 13.9),
    (6, 10.8),
    (5, 8.0),
    (4, 5.5),
)


def beaufort(speed_ms: float) -> int:
    """The Beaufort level of ``speed_ms`` (0-3 read as 3 and below: no stop starts there)."""
    return next((level for level, low in BEAUFORT if speed_ms >= low), 3)


def limits(cfg: WeatherRule) -> dict[str, float]:
    """Each stop's wind limit (m/s)."""
    return {
        "platform": cfg.platform_ms,
        "erection": cfg.erection_ms,
        "lifting": cfg.lifting_ms,
        "height": cfg.height_ms,
        "hoist": cfg.hoist_ms,
    }


class WeatherWind:
    """Per station and stop: whether the wind holds that stop."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._hot_work: set[str] = set()  # the stations whose wind holds the hot-work stop

    def evaluate(
        self,
        device: str,
        name: str,
        cfg: WeatherRule,
        speed_ms: float,
        stops: WeatherStops,
        ts: float,
        backfill: bool,
    ) -> list[RuleResult]:
        """The verdicts of one wind sample, one per stop whose state is owed to the alert manager."""
        out: list[RuleResult] = []
        level_no = beaufort(speed_ms)
        for stop, limit in limits(cfg).items():
            thresholds: list[tuple[Level, float]] = [("alarm", limit)]
            level = banded_level(
                speed_ms,
                thresholds,
                self._memory.get(device, stop),
                cfg.hysteresis_pct / 100,
                strict=STRICT[stop],
            )
            cause = f"{RULE}:{device}:{stop}"
            if level:
                stops.hold(cause, f"{name} 风速 {speed_ms:.1f} m/s（{level_no}级）", {stop})
            else:
                stops.release(cause)
            if self._memory.due(device, stop, level):
                out.append(_result(device, name, stop, limit, level, level_no, speed_ms, ts, backfill))
        self._hold_hot_work(device, name, cfg, speed_ms, level_no, stops)
        return out

    def _hold_hot_work(
        self, device: str, name: str, cfg: WeatherRule, speed_ms: float, level_no: int, stops: WeatherStops
    ) -> None:
        """Hold or release the open-air hot-work stop (五级(含五级)以上: the line itself holds it). It raises
        no weather.wind alert of its own: each open-air permit it stops is one (rules/hot_work_wind.py)."""
        before: Level | None = "alarm" if device in self._hot_work else None
        thresholds: list[tuple[Level, float]] = [("alarm", cfg.hot_work_ms)]
        cause = f"{RULE}:{device}:{HOT_WORK}"
        if banded_level(speed_ms, thresholds, before, cfg.hysteresis_pct / 100, strict=False):
            self._hot_work.add(device)
            stops.hold(cause, f"{name} 风速 {speed_ms:.1f} m/s（{level_no}级）", {HOT_WORK})
        else:
            self._hot_work.discard(device)
            stops.release(cause)


def _result(
    device: str,
    name: str,
    stop: str,
    limit: float,
    level: Level | None,
    level_no: int,
    speed_ms: float,
    ts: float,
    backfill: bool,
) -> RuleResult:
    """One stop's verdict: the wind, its Beaufort level and the stop's limit; the work to stop while it fires."""
    strict = STRICT[stop]
    if level:
        what = f"{name} 风速 {speed_ms:.1f} m/s（{level_no}级），{'超过' if strict else '达到'}{STOP_ZH[stop]}停止风速 {limit:.1f} m/s"
        what_en = (
            f"{name} wind {speed_ms:.1f} m/s (Beaufort {level_no}), "
            f"{'above' if strict else 'at or above'} the {STOP_EN[stop]} stop speed {limit:.1f} m/s"
        )
    else:
        what = (
            f"{name} 风速 {speed_ms:.1f} m/s（{level_no}级），已低于{STOP_ZH[stop]}停止风速 {limit:.1f} m/s"
        )
        what_en = f"{name} wind {speed_ms:.1f} m/s, below the {STOP_EN[stop]} stop speed {limit:.1f} m/s"
    return banded_result(
        RULE,
        {"alarm": CLAUSES[stop]},
        device,
        level,
        ts,
        round(speed_ms, 2),
        [("alarm", limit)],
        "m/s",
        pick(level, what, f"停止{STOP_ZH[stop]}{HOW.get(stop, ('', ''))[0]}"),
        {"stops": [stop]},
        backfill,
        message_en=pick_en(level, what_en, f"stop {STOP_EN[stop]}{HOW.get(stop, ('', ''))[1]}"),
        point=stop,
    )
