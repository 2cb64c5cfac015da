"""Delivery latency: from an AlertEvent's creation to the receiver's 2xx, over loopback.

Measured from the event's creation (the moment the alert manager would call ``Outbox.on_event``),
not from a reading's arrival: the rules are timed by their own benchmark. Each event goes through
the real path: fsynced put, dispatcher, signed HTTP POST, the receiver's fsynced store, the 2xx.
The receiver runs in its own process (as it would on the regulator's side), started here.

Prints ``name: value unit`` lines; goal p99 < 250 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.alerts.event import AlertEvent  # noqa: E402
from gateway.config.uplinks import RegulatorUplink  # noqa: E402
from gateway.outbox import Outbox  # noqa: E402
from gateway.uplinks.regulator import RegulatorAdapter  # noqa: E402

PROJECT = "GD-SZ-2026-0001"
SECRET = "bench-secret"


def start_receiver(db: Path, port: int) -> subprocess.Popen[bytes]:
    """The regulator receiver in its own process (``sitegw regulator serve``'s function), project registered."""
    code = (f"from regulator.cli import add_project, serve; add_project({PROJECT!r}, 'bench', '深圳', {SECRET!r}, "
            f"{str(db)!r}); serve('127.0.0.1', {port}, {str(db)!r})")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL)
    from tests.support import wait_port
    wait_port(port, timeout=30)
    return proc


def event(alert: int, n: int) -> AlertEvent:
    """A realistic crane alarm (about 600 bytes of JSON)."""
    return AlertEvent(alert_id=f"{PROJECT}/crane-{alert % 2 + 1}/crane.load/{alert}", project=PROJECT,
                      device=f"crane-{alert % 2 + 1}", rule="crane.load", clause="GB 5144-2006 §6.1.2",
                      level="alarm", state="firing" if n == 0 else "updated", value=102.5, threshold=100.0,
                      unit="%", ts=time.time(), message="1号塔吊 起重量 102.5% (额定 2.85 t)",
                      details={"load_t": 2.92, "rated_load_t": 2.85, "radius_m": 30.0, "height_m": 41.5,
                               "wind_ms": 8.2, "tilt_deg": 0.1, "moment_pct": 102.5})


class Timed:
    """The real regulator adapter, noting when each event's 2xx came back."""

    def __init__(self, inner: RegulatorAdapter) -> None:
        self.name = inner.name
        self.inner = inner
        self.done: dict[str, float] = {}

    async def send(self, ev: AlertEvent) -> None:
        await self.inner.send(ev)
        self.done.setdefault(ev.event_id, time.perf_counter())

    async def close(self) -> None:
        await self.inner.close()


async def run(rate: float, count: int, port: int, state: Path) -> list[float]:
    """Latencies (ms) of ``count`` events created at ``rate``/s across 8 alerts."""
    cfg = RegulatorUplink(base_url=f"http://127.0.0.1:{port}", secret=SECRET)
    timed = Timed(RegulatorAdapter(cfg))
    outbox = Outbox(state, [cfg], adapters={cfg.name: timed})
    await outbox.start()
    created: dict[str, float] = {}
    for i in range(count):
        ev = event(i % 8, i // 8)
        created[ev.event_id] = time.perf_counter()
        outbox.on_event(ev)
        await asyncio.sleep(1 / rate)
    await outbox.drained(60)
    await outbox.stop()
    return [(timed.done[eid] - t0) * 1000 for eid, t0 in created.items()]


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    from tests.support import free_port
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        receiver = start_receiver(Path(tmp) / "regulator.sqlite", port)
        try:
            for rate, count in ((20, 400), (200, 2000)):
                lat = asyncio.run(run(rate, count, port, Path(tmp) / f"state-{rate}"))
                print(f"delivery_latency_p50_at_{rate}_per_s: {pct(lat, 50):.1f} ms")
                print(f"delivery_latency_p99_at_{rate}_per_s: {pct(lat, 99):.1f} ms")
        finally:
            receiver.terminate()
            receiver.wait(10)


if __name__ == "__main__":
    main()
