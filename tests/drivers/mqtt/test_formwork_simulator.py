"""The formwork simulator: a pour's values, the collapse scenario's timing, formwork_monitor over
MQTT through the real driver, and `sitegw simulate formwork`."""

from __future__ import annotations

import asyncio
import itertools
import re
import time

import pytest
import typer
from typer.testing import CliRunner

from contract.config.formwork import FormworkSpec
from kinds.formwork.sim import FormworkModel, FormworkSimulator, PourClock
from sitegw.simulate_mqtt_cli import simulate_formwork
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port

from .conftest import Subscriber
from .example_site import SITE, example_site, prefix, started_driver

ALARM = {"settle_mm": 8.0, "disp_h_mm": 12.0, "tilt_deg": 0.229, "axial_kn": 20.0}  # formwork-1's points


def spec() -> FormworkSpec:
    formwork = example_site().config.device("formwork-1").formwork
    assert formwork is not None
    return formwork


def series(
    model: FormworkModel, code: str, metric: str, until_s: float, step: float = 30.0
) -> list[tuple[float, float]]:
    point = next(p for p in model.spec.points if p.code == code)
    return [(k * step, model.sample(point, k * step, k)[metric]) for k in range(int(until_s / step) + 1)]


def first_at(values: list[tuple[float, float]], level: float) -> float:
    return next(t for t, v in values if v >= level)


def test_before_the_pour_every_point_reads_zero_and_noise() -> None:
    model = FormworkModel(spec(), "collapse")
    for p in model.spec.points:
        samples = [model.sample(p, None, k) for k in range(50)]
        for metric, alarm in ALARM.items():
            values = [s[metric] for s in samples]
            assert max(abs(v) for v in values) < 0.05 * alarm, (p.code, metric)
            assert len(set(values)) > 5  # sensor noise, not a flat zero


def test_a_normal_pour_loads_every_point_to_under_half_its_alarm_values() -> None:
    model = FormworkModel(spec(), "normal")
    for p in model.spec.points:
        for metric, alarm in ALARM.items():
            values = series(model, p.code, metric, until_s=3 * 3600)
            assert max(v for _, v in values) < 0.5 * alarm, (p.code, metric)
            done = [v for t, v in values if t >= model.pour_s]
            assert min(done) > 0.1 * alarm  # the slab's weight is on the supports
            early = [v for t, v in values if t <= 0.1 * model.pour_s]
            assert max(early) < min(done)  # grows as concrete goes on


def test_collapse_takes_m3_past_80_then_100_percent_some_tens_of_seconds_into_the_pour() -> None:
    model = FormworkModel(spec(), "collapse")
    assert model.failing == "M3"
    scale = 60.0  # the simulator's default: pour seconds per real second
    for metric in ("settle_mm", "axial_kn"):
        values = series(model, "M3", metric, until_s=4000, step=10)
        warn, alarm = first_at(values, 0.8 * ALARM[metric]), first_at(values, ALARM[metric])
        assert 20 <= warn / scale < alarm / scale <= 45, (metric, warn / scale, alarm / scale)
        assert alarm - warn >= 4 * scale  # a few reports of warning before the alarm
        assert max(v for _, v in values) > 2 * ALARM[metric]  # it goes on: the support is failing
    for metric in ("disp_h_mm", "tilt_deg"):
        assert max(v for _, v in series(model, "M3", metric, until_s=4000)) < 0.8 * ALARM[metric]
    for code in ("M1", "M2", "M4"):
        for metric, alarm in ALARM.items():
            assert max(v for _, v in series(model, code, metric, until_s=4000)) < 0.5 * alarm


def test_pour_clock_runs_from_its_start_at_its_scale() -> None:
    real = [100.0]
    clock = PourClock(60, real=lambda: real[0])
    assert not clock.started and clock.elapsed() is None
    clock.start()
    real[0] += 2.5
    clock.start()  # a pour begins once
    assert clock.started and clock.elapsed() == pytest.approx(150.0)
    with pytest.raises(ValueError, match="time_scale must be above 0"):
        PourClock(0)


async def test_formwork_points_reach_the_driver_before_and_through_a_failing_pour(
    mosquitto: MosquittoServer,
) -> None:
    site = example_site()
    driver, rec = await started_driver(site, mosquitto.port)
    sim = FormworkSimulator(
        spec(),
        "127.0.0.1",
        mosquitto.port,
        prefix(site, "formwork-1"),
        scenario="collapse",
        time_scale=600,
        interval_s=0.2,
    )
    try:
        await sim.start()
        await rec.wait(lambda: len({r.point for r in rec.readings}) == 4, what="a round of every point")
        assert not sim.pour_started
        before = len(rec.readings)
        sim.start_pour()
        assert sim.pour_started
        await rec.wait(
            lambda: any(
                r.point == "M3" and r.metric == "settle_mm" and float(r.value) > 8 for r in rec.readings
            ),
            timeout=20,
            what="M3's settlement past its alarm value",
        )
    finally:
        await sim.stop()
    await rec.wait(lambda: driver.stats()["formwork-1"].requests == sim.published, what="every message")
    await driver.stop()
    st = driver.stats()["formwork-1"]
    assert st.errors == 0 and st.readings == 4 * sim.published
    assert {r.device for r in rec.readings} == {"formwork-1"}
    assert {(r.metric, r.unit) for r in rec.readings} == {
        ("settle_mm", "mm"),
        ("disp_h_mm", "mm"),
        ("tilt_deg", "deg"),
        ("axial_kn", "kN"),
    }
    assert all(abs(float(r.value)) < 0.05 * ALARM[r.metric] for r in rec.readings[:before])  # no pour yet
    m3 = [(r.ts, float(r.value)) for r in rec.readings if r.point == "M3" and r.metric == "settle_mm"]
    assert first_at(m3, 6.4) < first_at(m3, 8.0)  # the warning comes before the alarm
    others = [r for r in rec.readings if r.point != "M3"]
    assert all(float(r.value) < 0.8 * ALARM[r.metric] for r in others)
    ts = sorted(r.ts for r in rec.readings if r.point == "M1" and r.metric == "settle_mm")
    gaps = [b - a for a, b in itertools.pairwise(ts)]
    assert sum(gaps) / len(gaps) == pytest.approx(0.2, abs=0.05)  # each point every interval_s


async def test_pour_after_s_starts_the_pour_by_itself(mosquitto: MosquittoServer) -> None:
    sim = FormworkSimulator(
        spec(), "127.0.0.1", mosquitto.port, "t/formwork", time_scale=6000, interval_s=0.1, pour_after_s=0.3
    )
    await sim.start()
    try:
        assert not sim.pour_started
        await asyncio.sleep(0.8)
        assert sim.pour_started
        assert all(v["axial_kn"] > 0 for v in sim.values_now().values())
    finally:
        await sim.stop()


async def test_an_absent_broker_is_named() -> None:
    sim = FormworkSimulator(spec(), "127.0.0.1", 1, "t/formwork")
    with pytest.raises(ConnectionError, match=re.escape("cannot reach the MQTT broker 127.0.0.1:1")):
        await sim.start()


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(simulate_formwork)
    return app


def test_cli_publishes_every_point_of_the_example_formwork_through_a_collapse(
    mosquitto: MosquittoServer,
) -> None:
    topic_prefix = prefix(example_site(), "formwork-1")
    args = ["--broker", f"127.0.0.1:{mosquitto.port}", "--scenario", "collapse"]
    # a 2 h pour in 1.2 s, begun at once (--pour-after's default)
    args += ["--time-scale", "6000", "--interval", "0.1", "--duration", "1.5"]
    with Subscriber(mosquitto.port, f"{topic_prefix}/points/+/data") as sub:
        result = CliRunner().invoke(cli_app(), args)
        assert result.exit_code == 0, result.output
        published = int(re.findall(r"published (\d+) messages", result.output)[0])
        sub.wait_for(published)
    assert (
        f"formwork-1, 4 points every 0.1 s -> mqtt://127.0.0.1:{mosquitto.port} {topic_prefix}"
        in result.output
    )
    assert "pour started" in result.output
    assert len(sub.messages) == published and published >= 4 * 5
    for topic, body in sub.messages:
        assert topic == f"{topic_prefix}/points/{body['point']}/data"
        assert set(body) == {"ts", "point", "settle_mm", "disp_h_mm", "tilt_deg", "axial_kn"}
        assert body["ts"] <= time.time()
    by_point = {code: [b for _, b in sub.messages if b["point"] == code] for code in ("M1", "M2", "M3", "M4")}
    assert {b["point"] for _, b in sub.messages} == set(by_point)
    assert max(b["settle_mm"] for b in by_point["M3"]) > 2 * ALARM["settle_mm"]  # the failing point
    for code in ("M1", "M2", "M4"):
        last = by_point[code][-1]  # the slab's weight on it, below half its alarm values
        assert 0.1 * ALARM["axial_kn"] < last["axial_kn"] < 0.5 * ALARM["axial_kn"], (code, last)
        assert all(b[m] < 0.5 * ALARM[m] for b in by_point[code] for m in ALARM)


def test_cli_errors_name_the_device_and_the_fix() -> None:
    wrong = CliRunner().invoke(cli_app(), ["--device", "pit-1"])
    assert wrong.exit_code == 2
    assert (
        "site.yaml: device pit-1 is of kind pit, not formwork; its formwork devices are: formwork-1"
        in wrong.output
    )
    down = CliRunner().invoke(cli_app(), ["--site", str(SITE), "--broker", f"127.0.0.1:{free_port()}"])
    assert down.exit_code == 1
    assert "cannot reach the MQTT broker" in down.output and "start a broker or pass --broker" in down.output
