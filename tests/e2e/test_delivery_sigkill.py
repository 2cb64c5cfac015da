"""SIGKILL the gateway side in the middle of delivery and during a regulator outage: after restarts,
every AlertEvent the outbox recorded reaches the receiver exactly once, in order per alert.

The gateway side is this file run as a script (``--produce``): it queues AlertEvents into a real
outbox at a steady rate, appends each acknowledged event_id to a file right after ``put`` returns,
and delivers them with the real regulator uplink. The receiver is the real one, in the test process,
stopped for the outage and started again on the same port and database.

The outage lasts ``SITEGW_KILL_OUTAGE_S`` seconds (3 in ``make test``); the slow variant holds it for
two minutes (``SITEGW_KILL_LONG_OUTAGE_S``; `make faults-short`: 65 s, past the 60 s of 补传), long enough for the
backoff to reach its cap several times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.outbox import OutboxStore
from plumbing.sqlite import sqlite3
from regulator.server import RegulatorServer
from regulator.storage.repository import Repository
from tests.regulator.support import PROJECT, SECRET, event_number
from tests.support import free_port

ALERTS = 3
ROOT = Path(__file__).resolve().parents[2]


# --- the gateway side (runs in its own process) ------------------------------------------------------


async def produce(state_dir: Path, port: int, run: int, count: int, rate: float) -> None:
    """Queue ``count`` events at ``rate``/s (event n of every alert grows across runs), deliver forever."""
    from contract.config.uplinks import OutboxConfig, RegulatorUplink
    from gateway.outbox import Outbox
    from tests.regulator.support import make_event

    outbox = Outbox(
        state_dir,
        [
            RegulatorUplink(
                base_url=f"http://127.0.0.1:{port}",
                secret=SECRET,
                backoff_initial_s=0.05,
                backoff_max_s=1.0,
                timeout_s=2,
                concurrency=8,
            )
        ],
        OutboxConfig(backfill_after_s=0.5),
    )
    await outbox.start()
    acks = os.open(state_dir / "acked.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    for i in range(count):
        event = make_event(f"alert-{i % ALERTS}", run * 100_000 + i)
        outbox.on_event(event)
        os.write(acks, f"{event.event_id}\n".encode())  # only after put returned: acknowledged
        await asyncio.sleep(1 / rate)
    await asyncio.Event().wait()  # keep delivering until killed


# --- the test -----------------------------------------------------------------------------------------


class Gateway:
    """The producer process, started and SIGKILLed by PID."""

    def __init__(self, state_dir: Path, port: int) -> None:
        self.state_dir = state_dir
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, run: int, count: int, rate: float = 150) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--produce",
                str(self.state_dir),
                str(self.port),
                str(run),
                str(count),
                str(rate),
            ],
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def acked(self) -> list[str]:
        path = self.state_dir / "acked.txt"
        return path.read_text().split() if path.exists() else []


# the most a step waits on a producer just started (imports, the outbox opened): seconds on an idle box, over
# 30 s at load 17 on 2 cores
STARTUP_S = 90.0


async def until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.05)


async def kill_during_delivery_and_outage(tmp_path: Path, outage_s: float) -> None:
    rng = random.Random()
    db = tmp_path / "regulator.sqlite"
    port = free_port()
    gw = Gateway(tmp_path / "state", port)
    gw.state_dir.mkdir()
    receiver = RegulatorServer(db, port=port)
    receiver.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await receiver.start()
    try:
        # 1. killed in the middle of delivery, the receiver up
        gw.start(run=0, count=400)
        first = 60 + rng.randrange(60)
        await until(lambda: len(receiver.repo.events()) >= first, STARTUP_S, "first deliveries")
        gw.kill()
        # 2. the receiver goes down; the gateway is restarted, produces, and is killed at random instants
        await receiver.stop()
        outage_end = time.monotonic() + outage_s
        acked = len(gw.acked())
        gw.start(run=1, count=300)
        await until(
            lambda: len(gw.acked()) >= acked + 50 + rng.randrange(100),
            STARTUP_S,
            "events queued in the outage",
        )
        gw.kill()
        acked = len(gw.acked())
        gw.start(run=2, count=100_000, rate=20)
        await until(
            lambda: len(gw.acked()) > acked + 5 and time.monotonic() > outage_end,
            outage_s + 30,
            "the end of the outage",
        )
        gw.kill()
        # 3. the receiver comes back; the backlog drains, with one more kill in the middle of it
        receiver = RegulatorServer(db, port=port)
        await receiver.start()
        before = len(receiver.repo.events())
        gw.start(run=3, count=0)
        await until(
            lambda: len(receiver.repo.events()) > before + 20, STARTUP_S, "the backlog to start draining"
        )
        gw.kill()
        gw.start(run=4, count=0)
        store = OutboxStore(gw.state_dir / "outbox.sqlite")
        await until(lambda: store.backlog("regulator").depth == 0, 60, "the backlog to drain")
        gw.kill()
        recorded = [(e.event_id, e.alert_id, e.details["n"]) for e, _, _ in store.events()]
        store.close()
    finally:
        gw.kill()
        await receiver.stop()

    received = Repository(db).events()
    with sqlite3.connect(db) as conn:  # as the receiver stores them: count by event_id
        counts = dict(conn.execute("SELECT event_id, COUNT(*) FROM events GROUP BY event_id").fetchall())
    assert counts and set(counts.values()) == {1}
    recorded_ids = {eid for eid, _, _ in recorded}
    assert set(gw.acked()) <= recorded_ids, "an acknowledged event is missing from the outbox"
    assert {s.event.event_id for s in received} == recorded_ids, "recorded and received events differ"
    assert len(received) == len(recorded) >= len(gw.acked())
    order: dict[str, list[float]] = {}
    for s in received:
        order.setdefault(s.event.alert_id, []).append(event_number(s.event))
    assert all(ns == sorted(ns) for ns in order.values()), "an alert's events arrived out of order"
    queued_in_outage = [s.event for s in received if 100_000 <= event_number(s.event) < 300_000]
    assert queued_in_outage and all(e.backfill for e in queued_in_outage), "outage backlog not flagged 补传"


async def test_sigkill_during_delivery_and_outage_loses_nothing(tmp_path: Path) -> None:
    await kill_during_delivery_and_outage(tmp_path, float(os.environ.get("SITEGW_KILL_OUTAGE_S", "3")))


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_sigkill_with_a_two_minute_outage_loses_nothing(tmp_path: Path) -> None:
    await kill_during_delivery_and_outage(tmp_path, float(os.environ.get("SITEGW_KILL_LONG_OUTAGE_S", "120")))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="gateway side of the SIGKILL delivery test")
    parser.add_argument(
        "--produce", nargs=5, metavar=("STATE_DIR", "PORT", "RUN", "COUNT", "RATE"), required=True
    )
    state, port_s, run_s, count_s, rate_s = parser.parse_args().produce
    asyncio.run(produce(Path(state), int(port_s), int(run_s), int(count_s), float(rate_s)))
