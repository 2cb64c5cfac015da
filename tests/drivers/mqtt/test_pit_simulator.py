"""The pit simulator: plausible values, the scenarios do what they say, and it speaks pit_dau over MQTT."""

from __future__ import annotations

import itertools
import statistics
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from contract.bus import Bus
from drivers.mqtt import MqttDriver
from drivers.simulators.sim_clock import SimClock
from kinds.pit.sim import JUMP_MM, SENTINEL, PitModel, PitScenario, PitSimulator
from sitegw.simulate_mqtt_cli import simulate_pit
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port

from .conftest import PREFIX, Recorder, example_spec, write_site

DAY = 86400.0
T0 = 1_763_000_000.0


def series(model: PitModel, code: str, metric: str, hours: float = 72) -> list[tuple[float, float]]:
    point = next(p for p in model.spec.points if p.code == code)
    return [(t, model.sample(point, t)[metric]) for t in (T0 + i * 7200 for i in range(int(hours / 2) + 1))]


def slope_per_day(points: list[tuple[float, float]]) -> float:
    return statistics.linear_regression([t / DAY for t, _ in points], [v for _, v in points]).slope


def test_normal_values_stay_plausible_and_inside_grade_1_limits() -> None:
    spec = example_spec()
    model = PitModel(spec, PitScenario.NORMAL, T0, T0 + 36 * 3600, 7200)
    for p in spec.points:
        samples = [model.sample(p, T0 + i * 7200) for i in range(37)]
        for metric in samples[0]:
            values = [s[metric] for s in samples]
            steps = [abs(b - a) for a, b in itertools.pairwise(values)]
            if metric == "disp_h_mm":
                assert min(values) > 0 and max(values) < 14, (p.code, values)  # < 70 % of 20 mm
                assert abs(slope_per_day(series(model, p.code, metric))) < 1.4  # < 70 % of 2 mm/d
                assert 0.05 < statistics.stdev(steps) < 0.6  # survey noise, not a flat line
            elif metric == "disp_v_mm":
                assert min(values) > 0 and max(values) < 7
            elif metric == "incl_mm":
                assert min(values) > 0 and max(values) < 21  # < 70 % of 30 mm
            elif metric == "axial_kn":
                # working load, under the pre-warning line: 70 % of the alarm value (60 % of capacity)
                assert min(values) > 0.25 * 4000 and max(values) < 0.7 * 0.6 * 4000
                assert max(steps) < 0.05 * 4000  # temperature swing, no jumps
            elif metric == "water_level_m":
                assert min(values) > -4 and max(values) < -2.5 and max(steps) < 0.05
            if metric.endswith("_mm"):
                assert max(steps) < 2, (p.code, metric)  # no jumps in the normal scenario


@pytest.mark.parametrize("rate", [3.0, 3.5, 5.0])
def test_rate_scenario_slope_is_what_it_says(rate: float) -> None:
    model = PitModel(example_spec(), PitScenario.RATE, T0, T0 + 36 * 3600, 7200, rate_mm_d=rate)
    assert slope_per_day(series(model, "ZQS-01", "disp_h_mm")) == pytest.approx(rate, abs=0.1)
    # the first day alone already shows it (the demo's first ~12 s at 7200x)
    assert slope_per_day(series(model, "ZQS-01", "disp_h_mm", hours=24)) == pytest.approx(rate, abs=0.3)
    assert abs(slope_per_day(series(model, "ZQS-02", "disp_h_mm"))) < 1.4


def test_jump_scenario_steps_once_at_the_event() -> None:
    event = T0 + 36 * 3600
    model = PitModel(example_spec(), PitScenario.JUMP, T0, event, 7200)
    values = dict(series(model, "ZQS-01", "disp_h_mm"))
    before, after = values[event - 7200], values[event]
    assert after - before == pytest.approx(JUMP_MM, abs=1.0)
    assert values[event + 7200 * 6] - values[event] < 1.5  # stays up, creeping as before


def test_fault_scenario_sends_a_sentinel_then_recovers_and_one_point_sticks() -> None:
    event = T0 + 36 * 3600
    model = PitModel(example_spec(), PitScenario.FAULT, T0, event, 7200)
    values = series(model, "ZQS-01", "disp_h_mm")
    sentinels = [t for t, v in values if v == SENTINEL]
    assert sentinels == [event, event + 7200, event + 14400]
    assert values[-1][1] != SENTINEL
    stuck = [v for t, v in series(model, "ZL-01", "axial_kn") if t >= event]
    assert len(stuck) > 12 and len(set(stuck)) == 1  # > 24 h of one exact value
    moving = [v for t, v in series(model, "ZL-01", "axial_kn") if t < event]
    assert len(set(moving)) > 10


def test_sim_clock_replays_history_fast_then_follows_real_time_never_ahead() -> None:
    real = [1000.0]
    clock = SimClock(time_scale=3600, history_s=10 * 3600, real=lambda: real[0])
    assert clock.now() == 1000 - 36000
    real[0] += 5  # 5 real s = 5 simulated hours
    assert clock.now() == pytest.approx(1000 - 36000 + 5 * 3600)
    assert clock.real_wait(clock.now() + 3600) == pytest.approx(1.0)
    real[0] += 60  # long past catching up
    assert clock.now() == real[0]
    assert clock.real_wait(real[0] + 30) == pytest.approx(30)


async def test_simulated_pit_reaches_the_driver_with_every_point(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    spec = example_spec()
    site = write_site(tmp_path, mosquitto.port, points=[p.code for p in spec.points])
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(site, bus)
    await driver.start()
    await rec.wait(lambda: any(s.online for s in rec.statuses), what="connect")
    sim = PitSimulator(
        spec, "127.0.0.1", mosquitto.port, PREFIX, scenario="rate", time_scale=1e6, history_hours=72
    )
    try:
        await sim.run(duration=1.0)
        assert sim.published >= 36 * len(spec.points)  # 72 h of 2-hourly reports
        await rec.wait(lambda: driver.stats()["pit-1"].requests == sim.published, what="every message")
    finally:
        await driver.stop()
    assert {r.point for r in rec.readings} == {p.code for p in spec.points}
    kinds = {p.code: p.kind for p in spec.points}
    want = {
        "wall_top": {"disp_h_mm", "disp_v_mm"},
        "inclinometer": {"incl_mm"},
        "strut": {"axial_kn"},
        "water_level": {"water_level_m"},
    }
    for code, kind in kinds.items():
        assert {r.metric for r in rec.readings if r.point == code} == want[kind]
    assert max(r.ts for r in rec.readings) <= time.time()
    assert min(r.ts for r in rec.readings) == pytest.approx(time.time() - 72 * 3600, abs=60)
    zqs1 = sorted((r.ts, r.value) for r in rec.readings if r.point == "ZQS-01" and r.metric == "disp_h_mm")
    assert all(b[0] - a[0] == pytest.approx(7200) for a, b in itertools.pairwise(zqs1))
    assert slope_per_day(zqs1) == pytest.approx(3.5, abs=0.15)
    assert driver.stats()["pit-1"].errors == 0


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(simulate_pit)
    return app


def test_cli_publishes_the_site_pit(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    site = write_site(tmp_path, mosquitto.port, points=["ZQS-01", "SW-01"])
    args = [
        "--site",
        str(site.path),
        "--time-scale",
        "1e6",
        "--history-hours",
        "24",
        "--duration",
        "0.5",
        "--scenario",
        "jump",
    ]
    result = CliRunner().invoke(cli_app(), args)
    assert result.exit_code == 0, result.output
    assert f"mqtt://127.0.0.1:{mosquitto.port} {PREFIX}/points/<code>/data" in result.output
    # ZQS-01 reports at 0, 2, ..., 24 h (13); SW-01 30 s later each time, so its 24 h report is still ahead
    assert "published 25 messages" in result.output


def test_cli_errors_name_the_fix(tmp_path: Path) -> None:
    site = write_site(tmp_path, free_port(), points=["ZQS-01"])
    bad = CliRunner().invoke(cli_app(), ["--site", str(site.path), "--broker", "localhost"])
    assert bad.exit_code == 2 and "HOST:PORT" in bad.output
    down = CliRunner().invoke(cli_app(), ["--site", str(site.path), "--duration", "1"])
    assert down.exit_code == 1 and "cannot reach the MQTT broker" in down.output
    nodev = CliRunner().invoke(cli_app(), ["--site", str(site.path), "--device", "pit-9"])
    assert nodev.exit_code == 2 and "pit-1" in nodev.output


async def test_live_interval_reports_often_from_the_start_on(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    # the demo's pit: its history at its interval, then a report every live_interval_s, seen as they come
    spec = example_spec()
    site = write_site(tmp_path, mosquitto.port, points=[p.code for p in spec.points])
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(site, bus)
    await driver.start()
    await rec.wait(lambda: any(s.online for s in rec.statuses), what="connect")
    sim = PitSimulator(
        spec,
        "127.0.0.1",
        mosquitto.port,
        PREFIX,
        time_scale=1e6,
        history_hours=1,
        interval_s=600,
        live_interval_s=1,
    )
    started = time.time()
    try:
        await sim.run(duration=3.5)
        await rec.wait(lambda: driver.stats()["pit-1"].requests == sim.published, what="every message")
    finally:
        await driver.stop()
    zqs1 = sorted(r.ts for r in rec.readings if r.point == "ZQS-01" and r.metric == "disp_h_mm")
    history = [t for t in zqs1 if t < started - 1]
    live = [t for t in zqs1 if t >= started - 1]
    assert len(history) == 6 and all(b - a == pytest.approx(600) for a, b in itertools.pairwise(history))
    assert len(live) >= 3 and all(b - a == pytest.approx(1, abs=0.01) for a, b in itertools.pairwise(live))
    assert max(zqs1) <= time.time()


def test_live_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="live_interval_s must be above 0"):
        PitSimulator(example_spec(), "127.0.0.1", 1883, PREFIX, live_interval_s=0)
