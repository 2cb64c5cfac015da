"""The real gateway (`sitegw demo`) killed with SIGKILL while its regulator is down: after both
come back, every AlertEvent the gateway recorded reaches the receiver exactly once, in order per alert.

Everything is a subprocess of the real CLI: `sitegw regulator serve` (the receiver, killed with
SIGKILL for the outage and restarted on the same port and database) and `sitegw demo` with
`--regulator-url` (its scripted hazards raise alerts within seconds). The outage lasts
``SITEGW_GATEWAY_OUTAGE_S`` seconds (8 by default; the long variant several minutes), and
longer if no alert has queued by then (the scripted hazards come at their own times).

Both run in ``make faults``, not ``make test``: a whole demo and receiver cost a minute even with a
short outage, and ``make test`` keeps the short forms of this promise
(tests/e2e/test_delivery_sigkill.py, the proxy fault of tests/faults).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regulator.storage.repository import Repository
from tests.gateway.test_backup import outbox
from tests.support import free_port, wait_started

REPO = Path(__file__).resolve().parents[2]
PROJECT = "GD-SZ-2026-0001"
SECRET = "kill-test-secret"


def cli(*args: str, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kw,
    )  # type: ignore[call-overload]


def start_receiver(db: str, port: int, evidence: Path) -> subprocess.Popen[str]:
    """`sitegw regulator serve` on ``db``, its evidence pictures in ``evidence`` (on PostgreSQL its default is
    ./regulator-evidence, in the clone, which tests/conftest.py refuses)."""
    proc = cli("regulator", "serve", "--port", str(port), "--db", db, "--evidence-dir", str(evidence))
    wait_started(
        proc, port, "sitegw regulator serve"
    )  # its start (imports, migrations): over 30 s at load 14
    return proc


def gateway_events(state: Path) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "events", "--state-dir", str(state), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def undelivered(state: Path) -> list[str]:
    """The events the gateway recorded that the regulator has not acknowledged yet, read from the outbox: the
    fault tests ask every second, where `sitegw events` would start a Python (seconds on a loaded box)."""
    return [event for event, state in outbox(state).items() if state != "delivered"]


def run_scenario(tmp_path: Path, outage_s: float) -> None:
    db = f"sqlite:///{tmp_path / 'regulator.sqlite'}"
    port = free_port()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sitegw.cli",
            "regulator",
            "add-project",
            PROJECT,
            "--name",
            "demo",
            "--city",
            "深圳",
            "--secret",
            SECRET,
            "--db",
            db,
        ],
        cwd=REPO,
        check=True,
        timeout=60,
        capture_output=True,
    )
    receiver = start_receiver(db, port, tmp_path / "evidence")
    state = tmp_path / "state"
    demo_args = [
        "demo",
        "--port",
        "0",
        "--state-dir",
        str(state),
        "--regulator-url",
        f"http://127.0.0.1:{port}",
        "--regulator-secret",
        SECRET,
    ]
    gateway = cli(*demo_args, "--duration", "600")
    try:
        time.sleep(20)  # the scripted hazards fire, the first events are delivered
        receiver.send_signal(signal.SIGKILL)
        receiver.wait(10)
        time.sleep(outage_s)  # alerts keep coming and queue in the outbox
        # the scripted hazards come at their own times: the outage lasts until one has queued
        deadline = time.monotonic() + 60
        while not undelivered(state) and time.monotonic() < deadline:
            time.sleep(1)
        gateway.send_signal(signal.SIGKILL)  # mid-delivery: the uplink is retrying its backlog
        gateway.wait(10)
        assert undelivered(state), (
            "the outage left nothing undelivered within 60 s: the test would prove nothing"
        )

        receiver = start_receiver(db, port, tmp_path / "evidence")
        gateway = cli(*demo_args, "--duration", "25")
        out, _ = gateway.communicate(timeout=120)
        assert gateway.returncode == 0, out
    finally:
        for proc in (gateway, receiver):
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)

    recorded = gateway_events(state)
    stored = Repository(db).events(PROJECT)
    ids = [s.event.event_id for s in stored]
    assert len(ids) == len(set(ids)), "an event was stored twice"
    missing = {e["event_id"] for e in recorded} - set(ids)
    assert not missing, f"{len(missing)} recorded events never reached the receiver"
    assert {e["delivery"]["regulator"]["state"] for e in recorded} == {"delivered"}
    # order per alert: the receiver stored each alert's events in the order the gateway recorded them
    order = {e["event_id"]: i for i, e in enumerate(recorded)}
    by_alert: dict[str, list[int]] = {}
    for s in stored:
        by_alert.setdefault(s.event.alert_id, []).append(order[s.event.event_id])
    assert all(seq == sorted(seq) for seq in by_alert.values())
    # 补传: what went out more than outbox.backfill_after_s (60 s) after it was queued says so
    received = {s.event.event_id: s.event.backfill for s in stored}
    for e in recorded:
        late = e["delivery"]["regulator"]["done_at"] - e["queued_at"]
        if late > 62 or late < 58:
            assert received[e["event_id"]] == (late > 60), (e["event_id"], late)
    if outage_s > 60:
        assert any(received.values()), "a long outage must deliver some events as backfill"


@pytest.mark.slow
def test_gateway_killed_during_an_outage_loses_and_repeats_nothing(tmp_path: Path) -> None:
    run_scenario(tmp_path, float(os.environ.get("SITEGW_GATEWAY_OUTAGE_S", "8")))


@pytest.mark.slow
def test_gateway_killed_during_a_long_outage(tmp_path: Path) -> None:
    run_scenario(tmp_path, float(os.environ.get("SITEGW_GATEWAY_LONG_OUTAGE_S", "180")))
