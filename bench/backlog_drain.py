"""Backlog drain: a day of alerts queued while the regulator was down, delivered once it is back.

A busy site's day: one AlertEvent every 5 s on average (17,280 events, far more than a real site's
alarms) is queued into the outbox with the receiver down, then the receiver (its own process) comes
back and the time to deliver everything is measured. Every event goes out flagged backfill (补传).

Prints ``name: value unit`` lines; goal: drain at ≥ 50× real time.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delivery_latency import SECRET, event, start_receiver

from bench.load import watched
from contract.config.uplinks import RegulatorUplink
from gateway.outbox import Outbox
from tests.support import free_port

DAY_S = 86_400
EVENT_EVERY_S = 5.0
ALERTS = 200  # distinct alerts over the day: each alert's events still go strictly in order


async def queue_day(outbox: Outbox, count: int) -> float:
    """Queue the day's events (receiver down); returns puts per second."""
    t0 = time.perf_counter()
    for i in range(count):
        outbox.on_event(event(i % ALERTS, i // ALERTS))
    return count / (time.perf_counter() - t0)


async def main() -> None:
    count = int(DAY_S / EVENT_EVERY_S)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        cfg = RegulatorUplink(base_url=f"http://127.0.0.1:{port}", secret=SECRET, backoff_max_s=1)
        outbox = Outbox(Path(tmp) / "state", [cfg])
        put_rate = await queue_day(outbox, count)
        receiver = start_receiver(Path(tmp) / "regulator.sqlite", port)
        try:
            t0 = time.perf_counter()
            await outbox.start()
            assert await outbox.drained(3600), "backlog did not drain within an hour"
            drain_s = time.perf_counter() - t0
            backlog = outbox.stats().backlogs[0]
            await outbox.stop()
        finally:
            receiver.terminate()
            receiver.wait(10)
    print(f"backlog_events: {count} events")
    print(f"outbox_put_rate: {put_rate:.0f} events/s")
    print(f"backlog_drain_time: {drain_s:.1f} s")
    print(f"backlog_drain_rate: {count / drain_s:.0f} events/s")
    print(f"backlog_drain_realtime_multiple: {DAY_S / drain_s:.0f} x")
    print(f"backlog_delivered: {backlog.delivered} events")


if __name__ == "__main__":
    with watched():
        asyncio.run(main())
