"""The crane and wind models, the pty pair, the demo's simulator API and the `simulate` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from pymodbus.client import ModbusTcpClient

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from drivers.modbus import ModbusDriver
from drivers.modbus.decode import RequestDecoder
from drivers.modbus.plan import plan_requests
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.scenario import Scenario
from drivers.simulators.wind import WindModel
from kinds.crane.sim import CraneModel, LoadChart
from kinds.hoist.sim import CAGE_DOOR_OPEN, FIRST_BOARD_S
from sitegw.modbus_sims import CraneSimulatorServer, start_modbus_simulators
from tests.drivers.modbus.conftest import Recorder, wait_until
from tests.support import free_port, wait_port

ROOT = Path(__file__).resolve().parents[3]


def run_model(
    site: LoadedSite, device: str, scenario: Scenario, seconds: float, seed: int = 1, step: float = 1.0
) -> list[dict[str, float | str]]:
    spec = site.config.device(device).crane
    assert spec is not None
    model = CraneModel(spec, scenario, seed=seed)
    out = []
    for i in range(int(seconds / step)):
        model.advance_to((i + 1) * step)
        out.append(model.values())
    return out


def test_load_chart_interpolates_linearly_and_is_flat_beyond_its_ends(site: LoadedSite) -> None:
    spec = site.config.device("crane-1").crane
    assert spec is not None
    chart = LoadChart.of(spec)
    assert chart.rated_at(1.0) == 6.0 and chart.rated_at(15.4) == 6.0 and chart.rated_at(60) == 1.30
    assert chart.rated_at(22.5) == pytest.approx((4.52 + 3.51) / 2)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_overload_lift_at_104_to_115_percent_within_20_s(site: LoadedSite, seed: int) -> None:
    samples = run_model(site, "crane-1", Scenario.OVERLOAD, 20, seed=seed, step=0.5)
    over = [s for s in samples if float(s["moment_pct"]) >= 104]
    assert over, f"no overload in the first 20 s (max {max(float(s['moment_pct']) for s in samples)} %)"
    peak = max(float(s["moment_pct"]) for s in samples)
    assert peak <= 115.0
    assert all(s["flag_overload"] == 1.0 for s in over)
    for s in samples:  # the box's own arithmetic: moment % = load / rated load at the radius
        assert float(s["moment_pct"]) == pytest.approx(
            100 * float(s["load_t"]) / float(s["rated_load_t"]), abs=0.2
        )


@pytest.mark.parametrize("seed", [1, 7])
def test_normal_day_stays_below_warning_levels(site: LoadedSite, seed: int) -> None:
    samples = run_model(site, "crane-2", Scenario.NORMAL, 1200, seed=seed)
    assert max(float(s["moment_pct"]) for s in samples) < 90
    assert max(float(s["wind_ms"]) for s in samples) < 10.8
    loads = [float(s["load_t"]) for s in samples]
    assert max(loads) > 0.5 and min(loads) < 0.05  # lifts happen, and loads are released
    heights = [float(s["height_m"]) for s in samples]
    assert min(heights) < 2 and max(heights) > 20  # hook goes down to the ground and up to travel height
    assert len({round(float(s["slew_deg"])) for s in samples}) > 30  # it slews
    assert {s["operator_id"] for s in samples} == {"OP-1001"} and {s["reeving"] for s in samples} == {2.0}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_high_wind_is_one_storm_per_ten_minutes_that_crosses_each_threshold_once(seed: int) -> None:
    wind = WindModel(Scenario.HIGH_WIND, seed=seed)
    speeds = []
    for t in range(1, 601):
        wind.advance_to(t)
        speeds.append(wind.speed())

    def spans(limit: float) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for i, v in enumerate(speeds, 1):
            if v > limit and (not out or out[-1][1] != i - 1):
                out.append((i, i))
            elif v > limit:
                out[-1] = (out[-1][0], i)
        return out

    # above Beaufort 6 (10.8 m/s) once, from ~30 s for ~50 s; above the 13.8 m/s alarm for ~30 s
    # in a row inside it; never Beaufort 9; and below the warning's clearing band (10.26) otherwise
    [(start, end)] = spans(10.8)
    assert 29 <= start <= 32 and 45 <= end - start <= 52, speeds
    [(a_start, a_end)] = spans(13.8)
    assert start < a_start and a_end < end and a_end - a_start >= 20
    assert max(speeds) < 20.8
    assert all(v < 10.26 for i, v in enumerate(speeds, 1) if not start <= i <= end)


def test_wind_is_gusty_not_flat() -> None:
    wind = WindModel(Scenario.NORMAL, seed=3)
    speeds = []
    for i in range(1, 601):
        wind.advance_to(i)
        speeds.append(wind.speed())
    mean = sum(speeds) / len(speeds)
    assert 3 < mean < 6 and max(speeds) > mean + 2 and min(speeds) < mean - 1.5


def test_pty_pair_carries_every_byte_both_ways() -> None:
    with PtyPair() as pair:
        a = os.open(pair.a, os.O_RDWR | os.O_NOCTTY)
        b = os.open(pair.b, os.O_RDWR | os.O_NOCTTY)
        try:
            payload = bytes(range(256))
            for src, dst in ((a, b), (b, a)):
                os.write(src, payload)
                got = b""
                while len(got) < len(payload):
                    got += os.read(dst, 512)
                assert got == payload
        finally:
            os.close(a)
            os.close(b)


async def test_demo_layout_crane_on_tcp_and_two_slaves_on_one_rtu_bus(site: LoadedSite) -> None:
    bus = Bus()
    rec = Recorder().attach(bus)
    sims = await start_modbus_simulators(
        site, scenarios={"crane-1": "overload"}, rtu_devices=["crane-2", "anemo-1"]
    )
    async with sims:
        assert isinstance(sims.transports["crane-1"], ModbusTcpTransport)
        rtu = [sims.transports["crane-2"], sims.transports["anemo-1"]]
        assert all(isinstance(t, ModbusRtuTransport) and t.port == sims.rtu_path for t in rtu)
        assert [t.unit_id for t in rtu] == [1, 2]
        fast_site = sims.site.config.model_copy(
            update={
                "devices": [d.model_copy(update={"poll_interval_s": 0.5}) for d in sims.site.config.devices]
            }
        )
        driver = ModbusDriver(LoadedSite(site.path, fast_site, site.profiles), bus)
        await driver.start()
        try:
            await wait_until(
                lambda: any(
                    r.metric == "moment_pct" and float(r.value) >= 104 for r in rec.readings("crane-1")
                ),
                20,
                "crane-1 overload",
            )
            await wait_until(lambda: rec.readings("crane-2") and rec.readings("anemo-1"), 5, "RTU devices")
        finally:
            await driver.stop()
    # every Modbus device of the site is simulated and answers, whatever its kind
    modbus = {
        d.id for d in site.config.devices if isinstance(d.transport, ModbusTcpTransport | ModbusRtuTransport)
    }
    assert modbus >= {"crane-1", "crane-2", "anemo-1", "hoist-1", "platform-1"}
    assert {s.device for s in rec.statuses if s.online} == modbus
    assert not any(not s.online for s in rec.statuses)
    # anemo-1 serves both cranes: their wind registers carry the same wind
    anemo = [float(r.value) for r in rec.readings("anemo-1")]
    crane_wind = [float(r.value) for r in rec.readings("crane-2") if r.metric == "wind_ms"]
    assert abs(sum(anemo) / len(anemo) - sum(crane_wind) / len(crane_wind)) < 1.5


def test_simulate_crane_command_serves_the_profile_over_tcp(site: LoadedSite, tmp_path: Path) -> None:
    """...and with --served-log writes each answer it served, with the very words the client got."""
    port, served_log = free_port(), tmp_path / "served.jsonl"
    cmd = [
        sys.executable,
        "-c",
        "import typer; from sitegw.simulate_modbus_cli import crane; typer.run(crane)",
        "--tcp",
        f"127.0.0.1:{port}",
        "--site",
        str(ROOT / "config/examples/site.yaml"),
        "--device",
        "crane-1",
        "--scenario",
        "overload",
        "--operator",
        "OP-1002",
        "--duration",
        "20",
        "--served-log",
        str(served_log),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    got = []
    try:
        wait_port(port)
        mmap = site.profiles["tower_crane_blackbox"].modbus
        assert mmap is not None
        client = ModbusTcpClient("127.0.0.1", port=port)
        assert client.connect()
        values = {}
        for r in plan_requests(mmap):
            answer = client.read_holding_registers(r.address, count=r.count, device_id=1)
            got.append(
                {"unit": 1, "function": 3, "address": r.address, "count": r.count, "words": answer.registers}
            )
            values.update({rv.metric: v for rv, v in RequestDecoder(mmap, r)(answer.registers)})
        client.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert values["operator_id"] == "OP-1002" and values["reeving"] == 2.0
    assert 0 <= float(values["radius_m"]) <= 56 and 0 <= float(values["slew_deg"]) < 360
    assert f"unit 1 on tcp 127.0.0.1:{port}" in out
    logged = [json.loads(line) for line in served_log.read_text(encoding="utf-8").splitlines()]
    assert [{k: v for k, v in line.items() if k != "t"} for line in logged] == got
    assert all(abs(line["t"] - time.time()) < 60 for line in logged)


def test_simulate_hoist_command_serves_the_profile_over_tcp(site: LoadedSite) -> None:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "sitegw.cli",
        "simulate",
        "hoist",
        "--tcp",
        f"127.0.0.1:{port}",
        "--site",
        str(ROOT / "config/examples/site.yaml"),
        "--device",
        "hoist-1",
        "--scenario",
        "hoist_door",
        "--driver",
        "OP-2001",
        "--duration",
        "20",
    ]
    launched = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_port(port)
        mmap = site.profiles["hoist_blackbox"].modbus
        assert mmap is not None
        client = ModbusTcpClient("127.0.0.1", port=port)
        assert client.connect()
        values = {}
        for r in plan_requests(mmap):
            answer = client.read_holding_registers(r.address, count=r.count, device_id=1)
            values.update({rv.metric: v for rv, v in RequestDecoder(mmap, r)(answer.registers)})
        read_after = time.monotonic() - launched
        client.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert set(values) == {v.metric for v in mmap.values}
    assert values["driver_id"] == "OP-2001" and values["flag_driver_logged_in"] == 1.0
    assert (values["arrester_ok"], values["flag_sensor_fault"], values["limit_state"]) == (1.0, 0.0, 0.0)
    # hoist-1 is a 2 t, 20-person cage on a 90 m mast; a normal trip carries <= 60 % of its persons
    assert 0 <= float(values["persons"]) <= 12 and 0 <= float(values["load_t"]) < 0.8 * 2.0
    assert 0 <= float(values["height_m"]) <= 90 and abs(float(values["speed_ms"])) <= 0.65
    if read_after < FIRST_BOARD_S:  # the model's clock started after the launch: still the first boarding
        assert (values["door_state"], values["floor"], values["height_m"]) == (CAGE_DOOR_OPEN, 1.0, 0.0)
    assert f"hoist SC200/200 scenario hoist_door: unit 1 on tcp 127.0.0.1:{port}" in out


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (
            "hoist",
            ["--scenario", "overload"],
            "--scenario overload is not for a hoist; a hoist plays normal, hoist_door",
        ),
        (
            "hoist",
            ["--site", str(ROOT / "config/examples/site.yaml"), "--device", "crane-1"],
            "site.yaml: device crane-1 is of kind crane, not hoist; its hoist devices are: hoist-1",
        ),
        (
            "crane",
            ["--scenario", "hoist_door"],
            "--scenario hoist_door is a hoist's; a crane plays normal, overload, high_wind",
        ),
        (
            "anemometer",
            ["--scenario", "hoist_overload"],
            "--scenario hoist_overload is a hoist's; an anemometer plays",
        ),
    ],
)
def test_simulate_refuses_another_kinds_scenario_or_device(
    command: str, args: list[str], message: str
) -> None:
    cmd = [
        sys.executable,
        "-m",
        "sitegw.cli",
        "simulate",
        command,
        "--tcp",
        f"127.0.0.1:{free_port()}",
        *args,
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert "simulating" not in done.stdout


def test_simulate_command_refuses_two_places_to_serve() -> None:
    cmd = [
        sys.executable,
        "-c",
        "import typer; from sitegw.simulate_modbus_cli import anemometer; typer.run(anemometer)",
        "--tcp",
        "127.0.0.1:5020",
        "--pty",
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "exactly one of --tcp" in done.stderr and "Traceback" not in done.stderr


async def test_simulated_cranes_report_licensed_operators_unless_told_otherwise(site: LoadedSite) -> None:
    sims = await start_modbus_simulators(site, operators={"crane-2": "OP-9999"})
    async with sims:
        ids = {d: m.operator_id for d, m in sims.models.items() if isinstance(m, CraneModel)}
    licensed = [o.id for o in site.config.operators if o.valid_until >= date.today()]
    assert ids == {"crane-1": (licensed or ["OP-1001"])[0], "crane-2": "OP-9999"}
    assert "OP-1002" not in licensed or date.today() <= date(2026, 6, 30)  # its licence expired then
    with pytest.raises(ValueError, match="no simulated Modbus device with id pit-1"):
        await start_modbus_simulators(site, scenarios={"pit-1": "normal"})


async def test_crane_simulator_server_serves_its_model(site: LoadedSite) -> None:
    spec, mmap = site.config.device("crane-1").crane, site.profiles["tower_crane_blackbox"].modbus
    assert spec is not None and mmap is not None
    port = free_port()
    async with CraneSimulatorServer(
        spec, mmap, scenario="overload", operator_id="OP-1001", tcp=("127.0.0.1", port)
    ) as sim:
        bus = Bus()
        rec = Recorder().attach(bus)
        device = site.config.device("crane-1").model_copy(
            update={"transport": ModbusTcpTransport(host="127.0.0.1", port=port), "poll_interval_s": 0.5}
        )
        driver = ModbusDriver(site, bus, [device])
        await driver.start()
        try:
            await wait_until(
                lambda: any(
                    r.metric == "moment_pct" and float(r.value) >= 104 for r in rec.readings("crane-1")
                ),
                20,
                "the overload lift",
            )
        finally:
            await driver.stop()
        assert sim.model.phase in ("sling", "hoist", "carry", "lower")
    last = {r.metric: r.value for r in rec.readings("crane-1")[-len(mmap.values) :]}
    assert float(last["moment_pct"]) == pytest.approx(
        100 * float(last["load_t"]) / float(last["rated_load_t"]), abs=0.2
    )
