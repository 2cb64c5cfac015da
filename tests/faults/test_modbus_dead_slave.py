"""Issue #19: one dead RTU slave among live ones on the same RS-485 bus.

Two RS-485 buses (pty pairs), each with a real pymodbus RTU server (drivers/simulators/modbus_server.py,
the one `sitegw simulate` runs, here serving three units on one port, as three boxes on one pair of
wires): a crane black box (unit 1) and two anemometers (units 2 and 3). The real `sitegw run` polls
all six every ``INTERVAL_S``; on the second bus it also polls a fourth slave at unit 9, which nothing
answers (wired, but dead). The first bus is the measure of what the live slaves would do without it,
taken at the same time on the same machine.

Checks what a user would: the live slaves' readings per second in the store are about the same with
the dead slave as without (its probes back off, so it costs the bus little), every answer the server
served to them is stored with its values; the dead one is offline in /metrics with its device.offline
alert in `sitegw events`, and the log holds no traceback.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from contract.config import load_profile
from contract.config.loader import shipped_profile
from contract.config.profile import ModbusMap
from drivers.simulators.modbus_server import ModbusSimulatorServer, ServedLog, SimUnit
from drivers.simulators.ptypair import PtyPair
from tests.e2e.test_gateway_kill import gateway_events
from tests.faults.conftest import FaultRow
from tests.faults.modbus_site import (
    CRANE_SPACING_M,
    Reconciled,
    Timing,
    crane_reconciled,
    device,
    events_of,
    metric,
    readings_row,
    reconcile,
    served,
    site_file,
    stored,
)
from tests.faults.test_mosquitto_restart import started
from tests.faults.test_regulator_faults import wait_for
from tests.support import STARTUP_S, free_port

INTERVAL_S = 0.2
# generous beside the live slaves' answers (milliseconds), so that a loaded CI box's stalls do not pass for
# silences, and beside the interval, so that the dead slave's cost shows whether its probes back off
TIMEOUT_S = 0.5
BACKOFF_MAX_S = 5.0
# once offline, the dead slave is probed 0.4, 0.8, 1.6 and 3.2 s apart (DevicePoller.backoff_s), then every
# BACKOFF_MAX_S: the rates are measured after that ramp
RAMP_S = sum(INTERVAL_S * 2**k + TIMEOUT_S for k in range(1, 5))
# a poll's answers come within its own timeout after the bus is free, and the bus may be busy with the
# other slaves' polls and the dead one's probe (its timeout) first
ANSWER_WITHIN_S = 2 * TIMEOUT_S + 0.4
WINDOW_S = 15.0  # readings counted over this long (three of the dead slave's probes)
# The live slaves' readings/s on the dead slave's bus against the clean bus's, at least. A probe every
# BACKOFF_MAX_S holds the bus for TIMEOUT_S: a live poll due then waits behind it and skips the slots it
# missed, up to 3 of the 25 in 5 s (0.88). Without the backoff the dead slave would hold the bus 0.5 s of
# every 0.2 s poll interval, and the live rates would fall to a third or less.
MIN_RATE_RATIO = 0.75
# the same three live slaves on two buses; the second bus also has the dead slave
BUSES = {
    "clean": {"crane-2": 1, "anemo-1": 2, "anemo-2": 3},
    "with_dead": {"crane-3": 1, "anemo-3": 2, "anemo-4": 3},
}
LIVE = [d for slaves in BUSES.values() for d in slaves]
METRIC = {"crane": "load_t", "anemo": "wind_ms"}


def line(port: str, unit: int) -> str:
    return f"{{type: modbus_rtu, port: {port}, baudrate: 9600, unit_id: {unit}}}"


def profile(name: str) -> ModbusMap:
    found = load_profile(shipped_profile(name)).modbus
    assert found is not None, name
    return found


@contextmanager
def rtu_server(port: str, units: list[SimUnit], served_log: Path) -> Iterator[ModbusSimulatorServer]:
    """The slaves ``units`` on the RS-485 bus ``port``, in a thread with its own event loop."""
    log = ServedLog(served_log)
    server = ModbusSimulatorServer(units, serial=port, served=log)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="rtu-bus", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        log.close()


@contextmanager
def bus_server(port: str, served_log: Path) -> Iterator[ModbusSimulatorServer]:
    """The live slaves' server on ``port``: a crane black box (unit 1) and two anemometers (2, 3)."""
    crane, anemo = profile("tower_crane_blackbox"), profile("anemometer_rs485")
    started_at = time.monotonic()

    def crane_values() -> dict[str, float | str]:  # a hook going up and down, so each answer differs
        t = time.monotonic() - started_at
        return {"load_t": round(1 + (t % 10) / 10, 2), "height_m": 10 + t % 20, "operator_id": "OP-1001"}

    def wind(unit: int) -> dict[str, float | str]:
        return {"wind_ms": round(unit + (time.monotonic() - started_at) % 5, 1)}

    units = [
        SimUnit(1, crane, crane_values),
        SimUnit(2, anemo, lambda: wind(2)),
        SimUnit(3, anemo, lambda: wind(3)),
    ]
    with rtu_server(port, units, served_log) as server:
        yield server


def reconciled_bus(state: Path, answers: list[dict], devices: dict[str, int]) -> dict[str, list[Reconciled]]:
    """Each live slave's stored rows against the answers served to it (the crane's two requests apart)."""
    out: dict[str, list[Reconciled]] = {}
    for dev, unit in devices.items():
        own = [a for a in answers if a["unit"] == unit]
        if dev.startswith("crane"):
            out[dev] = list(crane_reconciled(state, dev, own, ANSWER_WITHIN_S)[1].values())
        else:
            out[dev] = [reconcile(stored(state, dev, "wind_ms"), own, lambda w: w[0] / 10, ANSWER_WITHIN_S)]
    return out


@pytest.mark.slow
@pytest.mark.timeout(STARTUP_S + 300)
def test_a_dead_slave_costs_the_live_ones_nothing(tmp_path: Path, fault_table: list[FaultRow]) -> None:
    api_port, state, log = free_port(), tmp_path / "state", tmp_path / "gateway.log"
    logs = {bus: tmp_path / f"served-{bus}.jsonl" for bus in BUSES}
    timing: Timing = {
        "poll_interval_s": INTERVAL_S,
        "timeout_s": TIMEOUT_S,
        "retries": 2,
        "backoff_max_s": BACKOFF_MAX_S,
    }
    with PtyPair() as clean_pty, PtyPair() as dead_pty:
        ports = {"clean": clean_pty, "with_dead": dead_pty}
        devices = [
            device(
                dev,
                "crane" if dev.startswith("crane") else "anemometer",
                line(ports[bus].b, unit),
                x_m=i * CRANE_SPACING_M,  # the two cranes (one per bus) apart
                **timing,
            )
            for i, (bus, slaves) in enumerate(BUSES.items())
            for dev, unit in slaves.items()
        ]
        devices.append(device("anemo-dead", "anemometer", line(dead_pty.b, 9), **timing))
        site = site_file(tmp_path, api_port, devices)
        with (
            bus_server(clean_pty.a, logs["clean"]),
            bus_server(dead_pty.a, logs["with_dead"]),
            started(["--log-level", "INFO", "run", str(site), "--state-dir", str(state)], log) as gw,
        ):
            wait_for(
                lambda: metric(api_port, "sitegw_device_online", "anemo-dead") == 0.0,
                "the dead slave offline",
                STARTUP_S,  # the gateway's start first
            )
            time.sleep(RAMP_S)
            start = time.time()
            time.sleep(WINDOW_S + 1)
            online = {d: metric(api_port, "sitegw_device_online", d) for d in [*LIVE, "anemo-dead"]}
            failed = {d: metric(api_port, "sitegw_device_errors", d) or 0.0 for d in LIVE}
            stopped_at = time.time()
            gw.send_signal(signal.SIGINT)
            gw.wait(60)
    text = log.read_text(errors="replace")
    rates = {
        d: sum(
            1 for ts, _ in stored(state, d, METRIC[d[:5]]) if start * 1000 <= ts < (start + WINDOW_S) * 1000
        )
        / WINDOW_S
        for d in LIVE
    }
    by_device: dict[str, list[Reconciled]] = {}
    for bus, slaves in BUSES.items():
        # every answer, so that a row stored from a poll begun before the stop finds its own answer
        by_device |= reconciled_bus(state, served(logs[bus]), slaves)
    reconciled = [r for rs in by_device.values() for r in rs]
    # answers, one reading each but the crane's 19 + 1. Not lost: an answer served in the last
    # ANSWER_WITHIN_S before the stop (it cancels a poll under way, Driver.stop), and, up to the failed
    # polls the gateway counted for that slave, answers served after it had given up on them (a loaded box
    # stalled past the timeout: the gateway said so, sitegw_device_errors, and polled again)
    cut_at = stopped_at - ANSWER_WITHIN_S
    unstored = {d: sum(1 for r in rs for t in r.unstored if t < cut_at) for d, rs in by_device.items()}
    lost = sum(max(0, n - int(failed[d])) for d, n in unstored.items())
    offline = events_of(gateway_events(state), "anemo-dead", "device.offline")
    pairs = list(zip(BUSES["clean"], BUSES["with_dead"], strict=True))
    worst = min(rates[b] / rates[a] for a, b in pairs)
    row = readings_row(
        "modbus_rtu_dead_slave",
        "unit 9 silent among 3 live slaves; their readings/s vs a bus without it: "
        + ", ".join(f"{rates[b]:.1f} vs {rates[a]:.1f}" for a, b in pairs),
        lost,
        0.0,  # the live slaves never stopped
        len(offline),
    )
    fault_table.append(row)
    assert gw.returncode == 0, text[-3000:]
    assert "Traceback" not in text and "unexpected error" not in text, text[-3000:]
    assert worst >= MIN_RATE_RATIO, rates
    assert all(not r.bad for r in reconciled), [r.bad[:3] for r in reconciled if r.bad]
    assert lost == 0, (cut_at, failed, {d: [r.unstored for r in rs] for d, rs in by_device.items()})
    assert online == {**dict.fromkeys(LIVE, 1.0), "anemo-dead": 0.0}, online
    assert offline and offline[-1]["state"] != "resolved", offline
    assert f"modbus device anemo-dead (rtu {dead_pty.b} 9600 8N1 unit 9) is offline" in text, text[-3000:]
