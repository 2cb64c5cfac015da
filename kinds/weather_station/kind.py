"""The site's weather station (气象站): wind, gust, rain intensity, temperature, lightning strikes near.

Its readings drive the site-wide weather stops (rules/weather_*.py) of every machine that declares the
stops it obeys (``Kind.weather_stops``), whatever its kind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.kinds.kind import Kind, Metric
from contract.kinds.offline import TIME_LIMITS


class WeatherStationDevice(DeviceConfig):
    """A weather station (Modbus RS-485/TCP or MQTT JSON, as its profile maps it)."""

    kind: Literal["weather_station"] = Field(
        title="Kind", description="weather_station: the site's wind, rain and temperature"
    )


KIND = Kind(
    name="weather_station",
    zh="气象站",
    en="weather station",
    device=WeatherStationDevice,
    metrics=(
        Metric("wind_ms", "风速", "m/s", "wind", summary="max"),
        Metric("gust_ms", "阵风", "m/s", "gust", summary="max"),
        Metric("rain_mm_h", "雨强", "mm/h", "rain", summary="max"),
        Metric("temp_c", "气温", "℃", "temperature", summary="max"),
        Metric("lightning_count", "雷电计数", "", "lightning strikes", summary="last"),
    ),
    offline_clause=(
        "JGJ 276-2012 第3.0.12条 大风、大雨等恶劣天气应停止吊装作业：气象站离线期间现场失去风雨监测，"
        f"已触发的停工不因离线解除{TIME_LIMITS}"
    ),
    sample_metrics=frozenset({"wind_ms", "gust_ms", "rain_mm_h", "temp_c", "lightning_count"}),
    judge="kinds.weather_station.judge:WeatherStationJudge",
    rules={
        "weather.wind": "大风停工",
        "weather.heat": "高温作业",
        "weather.rain": "暴雨停工",
        "weather.lightning": "雷电停工",
        "weather.warning": "气象预警",
        "weather.work": "恶劣天气冒险作业",
    },
    simulator="kinds.weather_station.sim:WeatherSim",
    scenarios=("normal", "gale", "heat_day", "rainstorm"),
)
