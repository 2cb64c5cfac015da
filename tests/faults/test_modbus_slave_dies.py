"""Issue 57: a Modbus RTU slave that stops answering while its alarm fires, and answers again later.

The real `sitegw run` polls an anemometer (unit 2 on an RS-485 bus: a pty pair and the real pymodbus server
that `sitegw simulate` runs) reading 15 m/s, above the 13.8 m/s of crane.wind's alarm, until the alarm fires.
Then the slave dies: it stops answering while the bus stays (its power or its transceiver gone), for
``SITEGW_FAULT_S`` seconds, and comes back reading 3 m/s, a calm wind.

Checks what a user would: while it is dead the gateway says it is offline (the log naming it, /metrics, a
device.offline alert in `sitegw events`) and the wind alarm stays firing, since a silent anemometer is not a
calm wind (standards: missing input never clears a firing alert); once it answers again it is online, its
device.offline alert resolved, and the wind alarm resolves on its calm readings, not before.
"""

from __future__ import annotations

import json
import os
import signal
import time
from contextlib import closing
from pathlib import Path

import pytest

from drivers.simulators.modbus_server import SimUnit
from drivers.simulators.ptypair import PtyPair
from plumbing.sqlite import sqlite3
from tests.e2e.test_gateway_kill import gateway_events
from tests.faults.conftest import FaultRow
from tests.faults.modbus_site import Timing, device, events_of, metric, site_file
from tests.faults.test_modbus_dead_slave import line, profile, rtu_server
from tests.faults.test_mosquitto_restart import started
from tests.faults.test_regulator_faults import wait_for
from tests.support import STARTUP_S, free_port

FAULT_S = float(os.environ.get("SITEGW_FAULT_S", "30"))
WINDY_MS, CALM_MS = 15.0, 3.0  # crane.wind's alarm: above 13.8 m/s on two samples running; calm: below 10.8
DEV, UNIT, RULE = "anemo-1", 2, "crane.wind"


def alert_changes(state: Path, dev: str, rule: str) -> list[tuple[str, float]]:
    """(state, ts) of each change of ``dev``'s ``rule`` alerts, in order, from the gateway's alert database
    (read every second while the test waits: `sitegw events` starts a Python, seconds on a loaded box)."""
    path = state / "alerts.sqlite"
    if not path.exists():
        return []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        rows = db.execute(
            "SELECT h.body FROM history h JOIN alerts a ON a.alert_id = h.alert_id "
            "WHERE a.device = ? AND a.rule = ? ORDER BY h.seq",
            (dev, rule),
        ).fetchall()
    return [(event["state"], event["ts"]) for event in (json.loads(body) for (body,) in rows)]


@pytest.mark.slow
@pytest.mark.timeout(FAULT_S + STARTUP_S + 300)
def test_a_dead_slave_keeps_its_alarm_until_it_answers_again(
    tmp_path: Path, fault_table: list[FaultRow]
) -> None:
    api_port, state, log = free_port(), tmp_path / "state", tmp_path / "gateway.log"
    wind = {"wind_ms": WINDY_MS}
    with PtyPair() as pty:
        timing: Timing = {"poll_interval_s": 0.5, "timeout_s": 0.5, "retries": 1, "backoff_max_s": 2.0}
        site = site_file(tmp_path, api_port, [device(DEV, "anemometer", line(pty.b, UNIT), **timing)])
        with (
            rtu_server(
                pty.a, [SimUnit(UNIT, profile("anemometer_rs485"), lambda: wind)], tmp_path / "served.jsonl"
            ) as server,
            started(["--log-level", "INFO", "run", str(site), "--state-dir", str(state)], log) as gw,
        ):
            wait_for(lambda: alert_changes(state, DEV, RULE), "the wind alarm firing", STARTUP_S)
            server.kill(UNIT)
            died_at = time.time()
            offline_s = wait_for(
                lambda: metric(api_port, "sitegw_device_online", DEV) == 0.0, "the dead slave offline", 60
            )
            time.sleep(max(0.0, FAULT_S - offline_s))
            while_dead = alert_changes(state, DEV, RULE)
            wind["wind_ms"] = CALM_MS
            server.kill(UNIT, dead=False)
            back_at = time.time()
            recover_s = wait_for(
                lambda: metric(api_port, "sitegw_device_online", DEV) == 1.0, "the slave online again", 60
            )
            wait_for(
                lambda: alert_changes(state, DEV, RULE)[-1][0] == "resolved", "the wind alarm resolved", 60
            )
            gw.send_signal(signal.SIGINT)
            gw.wait(60)
    text = log.read_text(errors="replace")
    events = gateway_events(state)
    offline = events_of(events, DEV, "device.offline")
    wind_events = events_of(events, DEV, RULE)
    fault_table.append(
        FaultRow(
            scenario="modbus_rtu_slave_dies",
            fault=f"an anemometer firing crane.wind silent {FAULT_S:.0f} s, back calm",
            readings_lost=None,
            events_lost=0,
            duplicates_stored=0,
            recover_s=round(recover_s, 1),
            events=len(offline) + len(wind_events),
        )
    )
    assert gw.returncode == 0, text[-3000:]
    assert "Traceback" not in text and "unexpected error" not in text, text[-3000:]
    assert f"modbus device {DEV} (rtu {pty.b} 9600 8N1 unit {UNIT}) is offline" in text, text[-3000:]
    assert f"modbus device {DEV} (rtu {pty.b} 9600 8N1 unit {UNIT}) is online: answering again" in text
    # silence is not calm: the alarm raised on 15 m/s holds through the whole time the slave was dead
    assert while_dead and while_dead[-1][0] != "resolved", while_dead
    assert [s for s, ts in while_dead if s == "resolved"] == [], while_dead
    # the offline alert fired after the slave died and resolved once it answered
    assert offline and offline[0]["state"] == "firing" and offline[0]["ts"] >= died_at - 1, offline
    assert offline[-1]["state"] == "resolved" and offline[-1]["ts"] >= back_at - 1, offline
    # the wind alarm resolved on a calm reading served after the slave came back
    resolved = [e for e in wind_events if e["state"] == "resolved"]
    assert resolved and resolved[0]["ts"] >= back_at - 1 and resolved[0]["value"] == CALM_MS, wind_events
