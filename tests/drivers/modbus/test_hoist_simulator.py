"""The hoist model's trips and scenarios, and its black box read by the real Modbus driver over TCP
and over an RS-485 pty bus, each value exactly as the model served it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date

import pytest

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from contract.readings import Reading
from drivers.modbus import ModbusDriver
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.scenario import Scenario
from kinds.hoist.sim import HoistModel
from sitegw.modbus_sims import ElapsedClock, start_modbus_simulators
from tests.drivers.modbus.conftest import Recorder, fast, wait_until
from tests.support import free_port

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

METRICS = {
    "load_t",
    "persons",
    "height_m",
    "floor",
    "speed_ms",
    "wind_ms",
    "tilt_x_deg",
    "tilt_y_deg",
    "door_state",
    "limit_state",
    "arrester_ok",
    "flag_sensor_fault",
    "flag_driver_logged_in",
    "driver_id",
}


def day(
    site: LoadedSite, scenario: Scenario, seconds: float = 1200, step: float = 0.5, seed: int = 1
) -> list[tuple[float, dict[str, float | str]]]:
    spec = site.config.device("hoist-1").hoist
    assert spec is not None
    model = HoistModel(spec, scenario, seed=seed, driver_id="OP-2001")
    out = []
    for i in range(1, int(seconds / step) + 1):
        model.advance_to(i * step)
        out.append((i * step, model.values()))
    return out


def num(v: dict[str, float | str], metric: str) -> float:
    return float(v[metric])


def episodes(
    samples: list[tuple[float, dict[str, float | str]]], hit: Callable[[dict[str, float | str]], bool]
) -> list[list[float]]:
    """Runs of consecutive samples for which ``hit`` is true, as lists of their times."""
    runs: list[list[float]] = []
    inside = False
    for t, v in samples:
        if hit(v):
            if not inside:
                runs.append([])
            runs[-1].append(t)
        inside = hit(v)
    return runs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_normal_shift_runs_trips_between_landings_with_doors_closed(site: LoadedSite, seed: int) -> None:
    samples = day(site, Scenario.NORMAL, seed=seed)
    assert all(set(v) == METRICS for _, v in samples)
    heights = [num(v, "height_m") for _, v in samples]
    assert min(heights) == 0.0 and 45 < max(heights) <= 90 - 4.5  # up the building, short of the mast top
    speeds = [num(v, "speed_ms") for _, v in samples]
    assert max(speeds) == pytest.approx(0.6, abs=0.02) and min(speeds) == pytest.approx(-0.6, abs=0.02)
    for _, v in samples:
        moving = num(v, "speed_ms") != 0
        assert not (moving and num(v, "door_state") != 0), v  # never moves with a door open
        assert num(v, "limit_state") == 0  # stops with the controls, never on a limit switch
        assert abs(num(v, "floor") - (num(v, "height_m") / 3 + 1)) <= 0.55  # the landing nearest
        assert num(v, "load_t") < 0.8 * 2.0 and num(v, "persons") <= 12
        # the mast's lean, both axes together, inside the 70 mm hoist.tilt allows at 90 m (0.0446°)
        assert math.hypot(num(v, "tilt_x_deg"), num(v, "tilt_y_deg")) < 0.044
        assert num(v, "wind_ms") < 10.8
        assert (v["arrester_ok"], v["flag_sensor_fault"], v["flag_driver_logged_in"], v["driver_id"]) == (
            1.0,
            0.0,
            1.0,
            "OP-2001",
        )
    # people board with the doors open at the landings, many trips in 20 minutes
    assert len(episodes(samples, lambda v: v["door_state"] == 1.0)) >= 8
    stops = [round(num(v, "height_m") / 3, 3) for _, v in samples if v["speed_ms"] == 0.0]
    assert all(s == int(s) for s in stops)  # a stopped cage stands at a landing


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_hoist_door_moves_with_the_landing_door_open_at_40_s_then_every_5_min(
    site: LoadedSite, seed: int
) -> None:
    samples = day(site, Scenario.HOIST_DOOR, seed=seed)
    runs = episodes(samples, lambda v: v["speed_ms"] != 0.0 and v["door_state"] != 0.0)
    assert len(runs) == 4, runs  # ~40 s, ~340 s, ~640 s, ~940 s
    assert 40 <= runs[0][0] <= 60
    for k, run in enumerate(runs):
        assert 40 + 300 * k <= run[0] <= 60 + 300 * k
        assert 3 <= run[-1] - run[0] <= 4.5
    moving_open = [v for _, v in samples if v["speed_ms"] != 0.0 and v["door_state"] != 0.0]
    assert {v["door_state"] for v in moving_open} == {2.0}  # the landing door
    # the rest of the day is normal: no overload, no limit, no extra persons
    assert max(num(v, "load_t") for _, v in samples) < 1.6
    assert {v["limit_state"] for _, v in samples} == {0.0}


@pytest.mark.parametrize("seed", [1, 5])
def test_hoist_overload_first_trip_carries_2_3_t_and_22_persons(site: LoadedSite, seed: int) -> None:
    samples = day(site, Scenario.HOIST_OVERLOAD, seed=seed)
    trips = episodes(samples, lambda v: num(v, "load_t") >= 2.0 and v["speed_ms"] != 0.0)
    first = [v for t, v in samples if trips[0][0] <= t <= trips[0][-1]]
    assert trips[0][0] < 20  # the shift's first trip
    assert all(v["persons"] == 22.0 for v in first)
    assert [num(v, "load_t") for v in first] == pytest.approx([2.3] * len(first), abs=0.04)
    assert max(num(v, "load_t") for _, v in samples) <= 2.4
    assert 3 <= len(trips) <= 5  # about every 5 min, not every trip
    for _, v in samples:
        assert not (v["speed_ms"] != 0.0 and v["door_state"] != 0.0)
    assert all(
        num(v, "persons") <= 12 for t, v in samples if not any(r[0] - 20 <= t <= r[-1] + 15 for r in trips)
    )


def test_a_hoist_refuses_a_crane_scenario(site: LoadedSite) -> None:
    spec = site.config.device("hoist-1").hoist
    assert spec is not None
    with pytest.raises(ValueError, match="a hoist plays hoist_door, hoist_overload, normal, not overload"):
        HoistModel(spec, Scenario.OVERLOAD)


def fast_model(
    site: LoadedSite, speedup: float
) -> tuple[HoistModel, Callable[[], Mapping[str, float | str]]]:
    """A hoist model whose day runs ``speedup`` times real time, and its value source."""
    spec = site.config.device("hoist-1").hoist
    assert spec is not None
    model = HoistModel(spec, Scenario.HOIST_DOOR, seed=2, driver_id="OP-2001")
    clock = ElapsedClock()

    def values() -> Mapping[str, float | str]:
        model.advance_to(clock() * speedup)
        return model.values()

    return model, values


async def poll_recorded(
    site: LoadedSite,
    server: ModbusSimulatorServer,
    transport: ModbusTcpTransport | ModbusRtuTransport,
    polls: int,
) -> list[list[Reading]]:
    bus = Bus()
    rec = Recorder().attach(bus)
    device = fast(site.config.device("hoist-1"), transport=transport, poll_interval_s=0.1, timeout_s=1.0)
    async with server:
        driver = ModbusDriver(site, bus, [device])
        await driver.start()
        try:
            await wait_until(lambda: len(rec.batches) >= polls, 30, f"{polls} polls of hoist-1")
        finally:
            await driver.stop()
    assert driver.stats()["hoist-1"].errors == 0
    return [batch for _, batch in rec.batches]


def assert_decoded_as_served(batches: list[list[Reading]], served: list[dict[str, float | str]]) -> None:
    """Poll k read registers 0-10 from the model's read 2k and 20-27 (driver_id) from read 2k+1."""
    assert len(served) >= 2 * len(batches)
    for k, batch in enumerate(batches):
        got = {r.metric: r.value for r in batch}
        assert set(got) == METRICS
        first, second = served[2 * k], served[2 * k + 1]
        assert got["driver_id"] == second["driver_id"] == "OP-2001"
        for metric in METRICS - {"driver_id"}:
            assert got[metric] == pytest.approx(float(first[metric]), abs=1e-9), (k, metric, got, first)
        units = {r.metric: r.unit for r in batch}
        assert (units["load_t"], units["height_m"], units["speed_ms"], units["tilt_x_deg"]) == (
            "t",
            "m",
            "m/s",
            "deg",
        )


def recording(
    source: Callable[[], Mapping[str, float | str]], served: list[dict[str, float | str]]
) -> Callable[[], Mapping[str, float | str]]:
    def values() -> Mapping[str, float | str]:
        v = dict(source())
        served.append(v)
        return v

    return values


async def test_hoist_black_box_over_modbus_tcp_decodes_to_the_models_values(site: LoadedSite) -> None:
    mmap = site.profiles["hoist_blackbox"].modbus
    assert mmap is not None
    _, source = fast_model(site, speedup=60)
    served: list[dict[str, float | str]] = []
    port = free_port()
    server = ModbusSimulatorServer([SimUnit(1, mmap, recording(source, served))], tcp=("127.0.0.1", port))
    batches = await poll_recorded(
        site, server, ModbusTcpTransport(host="127.0.0.1", port=port, unit_id=1), 40
    )
    assert_decoded_as_served(batches, served)
    # the run covered what the encodings must carry: up and down (signed), doors, persons
    speeds = {float(r.value) for b in batches for r in b if r.metric == "speed_ms"}
    assert max(speeds) > 0.5 and min(speeds) < -0.5
    doors = {float(r.value) for b in batches for r in b if r.metric == "door_state"}
    assert {0.0, 1.0} <= doors
    assert any(float(r.value) < 0 for b in batches for r in b if r.metric == "tilt_y_deg")


async def test_hoist_black_box_on_an_rtu_bus_decodes_to_the_models_values(site: LoadedSite) -> None:
    mmap = site.profiles["hoist_blackbox"].modbus
    assert mmap is not None
    _, source = fast_model(site, speedup=60)
    served: list[dict[str, float | str]] = []
    with PtyPair() as pty:
        server = ModbusSimulatorServer([SimUnit(3, mmap, recording(source, served))], serial=pty.a)
        transport = ModbusRtuTransport(port=pty.b, baudrate=9600, unit_id=3)
        batches = await poll_recorded(site, server, transport, 25)
    assert_decoded_as_served(batches, served)
    heights = [float(r.value) for b in batches for r in b if r.metric == "height_m"]
    assert max(heights) > 3  # the cage travelled while being polled


async def test_the_demo_simulators_serve_hoist_1_with_a_licensed_driver_and_its_scenario(
    site: LoadedSite,
) -> None:
    bus = Bus()
    rec = Recorder().attach(bus)
    sims = await start_modbus_simulators(
        site,
        scenarios={"crane-1": "overload", "hoist-1": "hoist_overload"},
        rtu_devices=["crane-2", "anemo-1", "hoist-1"],
        operators={"crane-2": "OP-1002"},
    )
    async with sims:
        hoist = sims.models["hoist-1"]
        assert isinstance(hoist, HoistModel) and hoist.scenario is Scenario.HOIST_OVERLOAD
        transport = sims.transports["hoist-1"]
        assert isinstance(transport, ModbusRtuTransport) and transport.port == sims.rtu_path
        assert transport.unit_id == 3  # crane-2 and anemo-1 hold units 1 and 2 of the bus
        devices = [d.model_copy(update={"poll_interval_s": 0.5}) for d in sims.site.config.devices]
        config = sims.site.config.model_copy(update={"devices": devices})
        driver = ModbusDriver(LoadedSite(site.path, config, site.profiles), bus)
        await driver.start()
        try:
            await wait_until(
                lambda: any(r.metric == "speed_ms" and float(r.value) > 0.5 for r in rec.readings("hoist-1")),
                25,
                "the first trip under way",
            )
        finally:
            await driver.stop()
    readings = rec.readings("hoist-1")
    licensed = [o.id for o in site.config.operators if o.valid_until >= date.today()]
    # a licensed driver no crane has: OP-2001 while OP-1001 and OP-1002 are on the cranes
    assert {r.value for r in readings if r.metric == "driver_id"} == {"OP-2001"} and "OP-2001" in licensed
    persons = [float(r.value) for r in readings if r.metric == "persons"]
    loads = [float(r.value) for r in readings if r.metric == "load_t"]
    assert max(persons) == 22 and max(loads) == pytest.approx(2.3, abs=0.04)
    assert rec.status_of("hoist-1") == [True]


async def test_a_hoist_scenario_given_to_a_crane_is_refused(site: LoadedSite) -> None:
    with pytest.raises(
        ValueError, match="crane-1 is a crane: it plays normal, overload, high_wind, not hoist_door"
    ):
        await start_modbus_simulators(site, scenarios={"crane-1": "hoist_door"})
    with pytest.raises(ValueError, match="hoist-1 is a hoist: it plays normal, hoist_door, hoist_overload"):
        await start_modbus_simulators(site, scenarios={"hoist-1": "high_wind"})


def test_the_hoist_day_is_the_same_whatever_the_read_rate(site: LoadedSite) -> None:
    a = day(site, Scenario.NORMAL, seconds=120, step=0.5)
    b = day(site, Scenario.NORMAL, seconds=120, step=2.0)
    heights_a = {t: v["height_m"] for t, v in a}
    assert all(heights_a[t] == v["height_m"] for t, v in b)
