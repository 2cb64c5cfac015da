"""confined_space_monitor's register table: the confined-space simulator served over Modbus TCP (its entry
sensor and the attendant's switch as states, naming nobody), read by the real driver."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.transport import ModbusTcpTransport
from drivers.modbus import ModbusDriver
from drivers.simulators.modbus_server import ModbusSimulatorServer, SimUnit
from kinds.confined_space.sim import ConfinedSpaceSim
from tests.drivers.modbus.conftest import Recorder, fast, wait_until
from tests.support import free_port

SCALES = {"o2_pct": 0.01, "lel_pct": 0.1, "h2s_ppm": 0.1, "co_ppm": 1.0}  # the table's resolution


async def test_the_register_table_decodes_to_the_simulated_morning(site: LoadedSite) -> None:
    mmap = site.profiles["confined_space_monitor"].modbus
    assert mmap is not None
    port = free_port()
    device = fast(
        site.config.device("cs-1"), transport=ModbusTcpTransport(host="127.0.0.1", port=port, unit_id=1)
    )
    sim = ConfinedSpaceSim(device, site, "h2s_rise", seed=2)
    clock = itertools.count(0, 30)  # each poll is the device's next 30 s of the morning
    served: list[Mapping[str, float | str]] = []

    def source() -> Mapping[str, float | str]:
        served.append(sim.values(next(clock)))
        return served[-1]

    bus = Bus()
    rec = Recorder().attach(bus)
    async with ModbusSimulatorServer([SimUnit(1, mmap, source)], tcp=("127.0.0.1", port)):
        driver = ModbusDriver(site, bus, [device])
        await driver.start()
        try:
            await wait_until(
                lambda: any(r.metric == "h2s_ppm" and float(r.value) >= 12 for r in rec.readings("cs-1")),
                20,
                "H2S at the top of its rise",
            )
        finally:
            await driver.stop()
    assert driver.stats()["cs-1"].errors == 0
    readings = rec.readings("cs-1")
    assert {(r.metric, r.point) for r in readings} == {
        ("o2_pct", ""),
        ("lel_pct", ""),
        ("h2s_ppm", ""),
        ("co_ppm", ""),
        ("fan_on", ""),
        ("inside", "entry"),
        ("attendant", "post"),
    }
    served_values = {k: {float(v[k]) for v in served if k in v} for k in SCALES}
    for r in readings:
        if r.metric in SCALES:  # each gas is one the simulator served, to the table's resolution
            assert any(
                float(r.value) == pytest.approx(v, abs=SCALES[r.metric] / 2) for v in served_values[r.metric]
            )
    entry = [float(r.value) for r in readings if r.metric == "inside"]
    assert 1.0 in entry and entry[0] == 0.0  # nobody before 60 s, then the sensor sees them in
