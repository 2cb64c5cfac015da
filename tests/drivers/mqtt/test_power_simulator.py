"""The distribution box's simulator: each scenario through the rules as the reference site's power-b2 (a wet
terminal box, RCD 15 mA / 0.1 s, feeding its basement's lighting at the safe voltage), published over MQTT as its profile says and read by the real driver from a
real Mosquitto, and served over Modbus TCP by `sitegw simulate power` and read with pymodbus."""

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

T0 = 1795222800.0
METRICS = {
    "leakage_ma",
    "temp_l1_c",
    "temp_l2_c",
    "temp_l3_c",
    "temp_n_c",
    "temp_box_c",
    "rcd_state",
    "rcd_test",
    "arc_alarm",
    "door_state",
    "lighting_v",
}


def judged(scenario: str, seconds: float, every_s: float = 5.0) -> list[RuleResult]:
    """The power verdicts with a level of power-b2 playing ``scenario`` for ``seconds``."""
    site = example_site()
    sim = make_sim(site.config.device("power-b2"), site, scenario, seed=5)
    engine = RuleEngine(site)
    out: list[RuleResult] = []
    for k in range(int(seconds / every_s) + 1):
        t = k * every_s
        batch = [
            Reading(T0 + t, "GD-SZ-2026-0001", "power-b2", m, float(v)) for m, v in sim.values(t).items()
        ]
        out.extend(r for r in engine.process(batch) if r.rule.startswith("power.") and r.level)
    return out


def test_a_normal_day_raises_nothing() -> None:
    assert judged("normal", 8 * 3600) == []


def test_normal_days_test_the_rcd_each_morning_and_raise_nothing() -> None:
    # two days and more, a sample a minute: each day's test trip is no power.trip, and keeps the test on time
    assert judged("normal", 50 * 3600, every_s=60.0) == []


def test_an_rcd_never_tested_is_overdue_once_its_interval_has_passed() -> None:
    found = judged("untested", 86400 + 120, every_s=60.0)
    assert {(r.rule, r.level) for r in found} == {("power.rcd_test", "warning")}
    assert found[0].ts == T0 + 86400 + 60  # the first sample past 24 h from the first reading


@pytest.mark.parametrize(
    ("scenario", "seconds", "raised"),
    [
        ("insulation", 300, {("power.leakage", "warning")}),
        ("rcd_fails", 60, {("power.leakage", "alarm"), ("power.rcd", "critical")}),
        ("trip", 60, {("power.trip", "alarm")}),
        ("overheat", 400, {("power.temp_rise", "warning"), ("power.temp", "warning")}),
        ("arc", 120, {("power.arc", "alarm"), ("power.arc", "critical")}),
        ("rcd_test_fails", 60, {("power.rcd_test", "critical")}),
        ("mains_lighting", 60, {("power.lighting_voltage", "critical")}),
    ],
)
def test_each_scenario_raises_its_rules(scenario: str, seconds: float, raised: set[tuple[str, str]]) -> None:
    assert {(r.rule, r.level) for r in judged(scenario, seconds)} == raised


async def test_the_box_reaches_the_driver_over_mqtt(mosquitto: MosquittoServer) -> None:
    await simulated_to_driver(mosquitto.port, "power-b2", "trip", METRICS)


@pytest.mark.timeout(60)
def test_simulate_power_serves_the_register_table_over_tcp(tmp_path: Path) -> None:
    def on_modbus(data: dict[str, Any]) -> None:  # an RS-485 monitor behind a Modbus TCP converter
        device(data, "power-b2")["transport"] = {"type": "modbus_tcp", "host": "192.168.10.50", "port": 502}

    site = site_variant(tmp_path, on_modbus)
    values, out = served_values(site, "power", "power-b2", "power_box_monitor", "trip")
    assert set(values) == METRICS, out
    # the trip scenario's first seconds: closed, a normal day's leakage (10-25 % of 15 mA), terminals ~32 ℃
    assert float(values["rcd_state"]) == 0.0 and 1.0 <= float(values["leakage_ma"]) <= 4.0
    assert 30.0 <= float(values["temp_l1_c"]) <= 34.0
