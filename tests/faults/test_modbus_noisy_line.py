"""Issue #19: a serial line answering garbage and half frames for a while.

The real `sitegw run` polls a tower crane's black box on RS-485, served by the real
`sitegw simulate crane --serial` (pymodbus RTU) through tests/faults/noisy_line.py: two pty pairs and a
relay that, for ``NOISY_S`` seconds, spoils one answer in two at random (a byte inverted so the CRC
fails, half a frame, random bytes, in turn), then passes the line clean again.

Checks what a user would: no value stored that the crane did not serve (against the simulator's
``--served-log``, decoded from the published register table), every answer served on the clean line
stored (before the noise, between spoilt ones, and after it), the spoilt answers logged once with the device, its port
and the registers, counted in /metrics (``sitegw_device_errors``), and the device back online.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.e2e.test_gateway_kill import gateway_events
from tests.faults.conftest import FaultRow
from tests.faults.modbus_site import (
    CRANE_REQUESTS,
    Reconciled,
    Timing,
    crane_reconciled,
    device,
    events_of,
    metric,
    readings_row,
    served,
    site_file,
    stored,
)
from tests.faults.noisy_line import NoisyLine
from tests.faults.test_mosquitto_restart import started
from tests.faults.test_regulator_faults import wait_for
from tests.support import STARTUP_S, free_port

NOISY_S = 8.0
TIMEOUT_S = 1.0  # a loaded machine answers late; a missed answer must be the line's doing


def not_spoilt(by_request: dict[int, Reconciled], spoilt_at: list[float]) -> dict[int, list[float]]:
    """The answers not stored that the line did not spoil, by request. Each spoilt answer excuses one
    unstored answer: the last one served before the relay spoilt it (within a poll's timeout)."""
    unstored = sorted((t, address) for address, r in by_request.items() for t in r.unstored)
    excused: set[tuple[float, int]] = set()
    for spoilt in spoilt_at:
        before = [u for u in unstored if u not in excused and 0 <= spoilt - u[0] < TIMEOUT_S]
        if before:
            excused.add(before[-1])
    lost: dict[int, list[float]] = {address: [] for address in by_request}
    for t, address in unstored:
        if (t, address) not in excused:
            lost[address].append(t)
    return lost


@pytest.mark.slow
@pytest.mark.timeout(2 * STARTUP_S + 300)
def test_a_noisy_serial_line_stores_no_bad_value_and_recovers(
    tmp_path: Path, fault_table: list[FaultRow]
) -> None:
    api_port = free_port()
    state, log, served_log = tmp_path / "state", tmp_path / "gateway.log", tmp_path / "served.jsonl"
    with NoisyLine() as line:
        transport = f"{{type: modbus_rtu, port: {line.gateway_side}, baudrate: 9600, unit_id: 1}}"
        timing: Timing = {"poll_interval_s": 0.2, "timeout_s": TIMEOUT_S, "retries": 3, "backoff_max_s": 2.0}
        site = site_file(tmp_path, api_port, [device("crane-2", "crane", transport, **timing)])
        sim_argv = ["simulate", "crane", "--serial", line.slave_side, "--served-log", str(served_log)]
        with started(sim_argv, tmp_path / "simulator.log") as sim:
            wait_for(
                lambda: "simulating crane" in (tmp_path / "simulator.log").read_text(),
                "the simulator",
                STARTUP_S,
            )
            with started(["--log-level", "INFO", "run", str(site), "--state-dir", str(state)], log) as gw:
                wait_for(lambda: len(stored(state, "crane-2", "load_t")) >= 20, "readings flowing", STARTUP_S)
                errors_before = metric(api_port, "sitegw_device_errors_total", "crane-2") or 0.0
                line.noisy = True
                time.sleep(NOISY_S)
                line.noisy = False
                clean_at, clean_mono = time.time(), time.monotonic()
                wait_for(
                    lambda: stored(state, "crane-2", "load_t")[-1][0] > clean_at * 1000,
                    "readings on the clean line",
                    60,
                )
                recover_s = time.monotonic() - clean_mono
                time.sleep(3)
                errors = (metric(api_port, "sitegw_device_errors_total", "crane-2") or 0.0) - errors_before
                online = metric(api_port, "sitegw_device_online", "crane-2")
                stopped_at = time.time()
                gw.send_signal(signal.SIGINT)
                gw.wait(60)
            sim.send_signal(signal.SIGINT)
            sim.wait(30)
    text = log.read_text(errors="replace")
    # every answer, so that a stored row finds its own: a poll begun before the stop has its later request
    # answered after it (at load 20); lost are only the answers served before the stop
    by_metric, by_request = crane_reconciled(state, "crane-2", served(served_log), TIMEOUT_S)
    lost = {a: [t for t in ts if t < stopped_at] for a, ts in not_spoilt(by_request, line.spoilt_at).items()}
    lost_readings = sum(CRANE_REQUESTS[address] * len(ts) for address, ts in lost.items())
    offline = events_of(gateway_events(state), "crane-2", "device.offline")
    row = readings_row(
        "modbus_rtu_noisy_line",
        f"{line.mangled} answers spoilt (CRC, half frame, garbage) in {NOISY_S:.0f} s",
        lost_readings,
        recover_s,
        len(offline),
    )
    fault_table.append(row)
    assert gw.returncode == 0, text[-3000:]
    assert line.mangled >= 3, "too few answers spoilt: nothing was tested"
    assert all(not r.bad for r in by_metric.values()), {m: r.bad[:3] for m, r in by_metric.items() if r.bad}
    assert lost_readings == 0, (lost, line.spoilt_at)
    where = f"modbus device crane-2 (rtu {line.gateway_side} 9600 8N1 unit 1)"
    said = [ln for ln in text.splitlines() if where + ": unit 1 " in ln and "not a valid Modbus frame" in ln]
    # each names the registers it read; one line per run of spoilt answers, not one per failed poll
    assert said and all("holding registers 0-12" in ln or "holding registers 20-27" in ln for ln in said)
    assert len(said) <= line.mangled, said
    assert errors >= 1 and online == 1.0, (errors, online)
    assert not offline or offline[-1]["state"] == "resolved", offline
