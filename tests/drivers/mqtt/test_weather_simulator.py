"""The weather station's simulator: each scenario through the rules as the reference site's weather-1,
published over MQTT as its profile says and read by the real driver, and served over Modbus TCP by
`sitegw simulate weather_station`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from drivers.simulators.device_sim import make_sim
from rules import RuleEngine
from rules.result import RuleResult
from tests.drivers.simulate_cli import served_values
from tests.rules.sites import device, site_variant
from tests.servers.mosquitto import MosquittoServer

from .example_site import example_site, simulated_to_driver

T0 = 1795222800.0  # 2026-11-21 09:00 +08:00
METRICS = {"wind_ms", "gust_ms", "rain_mm_h", "temp_c", "lightning_count"}


def judged(scenario: str, seconds: float, every_s: float = 10.0) -> list[RuleResult]:
    """The weather verdicts with a level of weather-1 playing ``scenario`` for ``seconds``."""
    site = example_site()
    sim = make_sim(site.config.device("weather-1"), site, scenario, seed=5)
    engine = RuleEngine(site)
    out: list[RuleResult] = []
    for k in range(int(seconds / every_s) + 1):
        t = k * every_s
        values = sim.values(t)
        batch = [Reading(T0 + t, "GD-SZ-2026-0001", "weather-1", m, float(v)) for m, v in values.items()]
        out.extend(r for r in engine.process(batch) if r.rule.startswith("weather.") and r.level)
    return out


def test_a_normal_day_raises_nothing() -> None:
    assert judged("normal", 8 * 3600) == []


def test_a_gale_stops_platforms_erection_lifting_and_work_at_height_but_not_hoists() -> None:
    stops = {r.point for r in judged("gale", 180)}
    assert stops == {"platform", "erection", "lifting", "height"}


def test_a_heat_day_climbs_through_the_three_schedules() -> None:
    levels = [r.level for r in judged("heat_day", 8 * 60) if r.rule == "weather.heat"]
    assert levels[0] == "warning" and "alarm" in levels and levels[-1] == "critical"


def test_a_rainstorm_is_heavy_rain_then_a_rainstorm_with_lightning() -> None:
    found = judged("rainstorm", 15 * 60)
    rain = [r.level for r in found if r.rule == "weather.rain"]
    assert rain[0] == "alarm" and rain[-1] == "critical"
    assert any(r.rule == "weather.lightning" for r in found)


async def test_the_station_reaches_the_driver_over_mqtt(mosquitto: MosquittoServer) -> None:
    await simulated_to_driver(mosquitto.port, "weather-1", "gale", METRICS)


@pytest.mark.timeout(60)
def test_simulate_weather_station_serves_the_register_table_over_tcp(tmp_path: Path) -> None:
    def on_modbus(data: dict[str, Any]) -> None:  # an RS-485 station behind a Modbus TCP converter
        device(data, "weather-1")["transport"] = {"type": "modbus_tcp", "host": "192.168.10.40", "port": 502}

    site = site_variant(tmp_path, on_modbus)
    values, out = served_values(site, "weather_station", "weather-1", "weather_station", "heat_day")
    assert set(values) == METRICS, out
    assert 33.5 <= float(values["temp_c"]) <= 36.0  # the heat day's first minute: 34 °C and noise
    assert float(values["rain_mm_h"]) == 0.0
