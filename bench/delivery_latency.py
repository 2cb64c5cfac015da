"""Delivery latency over loopback to the receiver's 2xx, two ways:

- ``reading_to_2xx``: from a batch of crane readings reaching the rules (``SafetyMonitor.judge``, what
  the bus calls) through the rules, the alert manager (its own SQLite), the outbox's fsynced put, the
  dispatcher, the signed POST and the receiver's fsynced store, to the 2xx. The reference site's two
  cranes cycle through 70 / 95 / 104 / 112 % of rated load, 10 batches/s each (≈ 20 events/s).
- ``event_to_2xx`` at 200 events/s: from an AlertEvent's creation (handed straight to the outbox) to
  the 2xx, a burst far above any site's rate.

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

from bench.load import watched
from contract.alert_event import AlertEvent
from contract.config import load_site
from contract.config.uplinks import RegulatorUplink
from contract.readings import Reading
from gateway.alerts.monitor import SafetyMonitor
from gateway.outbox import Outbox
from gateway.uplinks.regulator import RegulatorAdapter

PROJECT = "GD-SZ-2026-0001"
SECRET = "bench-secret-0001"  # add-project takes 16 characters or more


def start_receiver(db: Path | str, port: int) -> subprocess.Popen[bytes]:
    """The regulator receiver in its own process (`sitegw regulator serve`), project registered first; ``db``:
    a SQLite file, or a database URL."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    cli = [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", "regulator"]
    subprocess.run(
        [*cli, "add-project", PROJECT, "--name", "bench", "--city", "深圳", "--secret", SECRET, "--db", url],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--db", url, "--optional-second-factor"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    from tests.support import wait_port

    wait_port(port, timeout=30)
    return proc


def event(alert: int, n: int) -> AlertEvent:
    """A realistic crane alarm (about 600 bytes of JSON)."""
    return AlertEvent(
        alert_id=f"{PROJECT}/crane-{alert % 2 + 1}/crane.load/{alert}",
        project=PROJECT,
        device=f"crane-{alert % 2 + 1}",
        rule="crane.load",
        clause="GB 5144-2006 §6.1.2",
        level="alarm",
        state="firing" if n == 0 else "updated",
        value=102.5,
        threshold=100.0,
        unit="%",
        ts=time.time(),
        message="1号塔吊 起重量 102.5% (额定 2.85 t)",
        details={
            "load_t": 2.92,
            "rated_load_t": 2.85,
            "radius_m": 30.0,
            "height_m": 41.5,
            "wind_ms": 8.2,
            "tilt_deg": 0.1,
            "moment_pct": 102.5,
        },
    )


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


async def delivering(port: int, state: Path) -> tuple[Outbox, Timed]:
    """A started outbox whose regulator uplink notes each 2xx."""
    cfg = RegulatorUplink(base_url=f"http://127.0.0.1:{port}", secret=SECRET)
    timed = Timed(RegulatorAdapter(cfg))
    outbox = Outbox(state, [cfg], adapters={cfg.name: timed})
    await outbox.start()
    return outbox, timed


async def events_to_2xx(rate: float, count: int, port: int, state: Path) -> list[float]:
    """Latencies (ms) of ``count`` events created at ``rate``/s across 8 alerts."""
    outbox, timed = await delivering(port, state)
    created: dict[str, float] = {}
    for i in range(count):
        ev = event(i % 8, i // 8)
        created[ev.event_id] = time.perf_counter()
        outbox.on_event(ev)
        await asyncio.sleep(1 / rate)
    await outbox.drained(60)
    await outbox.stop()
    return [(timed.done[eid] - t0) * 1000 for eid, t0 in created.items()]


async def readings_to_2xx(batches: int, port: int, state: Path) -> list[float]:
    """Latencies (ms) from a reading batch reaching the rules to the 2xx of each event it caused."""
    outbox, timed = await delivering(port, state)
    site = load_site(ROOT / "config/examples/site.yaml")
    arrived: dict[str, float] = {}
    batch_at = 0.0

    def on_event(ev: AlertEvent) -> None:
        arrived[ev.event_id] = batch_at
        outbox.on_event(ev)

    monitor = SafetyMonitor(site, state / "alerts.sqlite", on_event)
    ratios = [0.70, 0.95, 1.04, 1.12]
    for i in range(batches):
        crane = f"crane-{i % 2 + 1}"
        ratio = ratios[(i // 2) % len(ratios)]
        now = time.time()
        batch = [
            Reading(now, PROJECT, crane, "radius_m", 30.0, "m"),
            Reading(
                now, PROJECT, crane, "load_t", round(ratio * (2.85 if crane == "crane-1" else 2.4), 3), "t"
            ),
        ]
        batch_at = time.perf_counter()
        monitor.judge(batch)
        await asyncio.sleep(0.05)
    await outbox.drained(60)
    await outbox.stop()
    monitor.close()
    return [(timed.done[eid] - t0) * 1000 for eid, t0 in arrived.items()]


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    from tests.support import free_port

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        receiver = start_receiver(Path(tmp) / "regulator.sqlite", port)
        try:
            lat = asyncio.run(readings_to_2xx(600, port, Path(tmp) / "state-readings"))
            print(f"reading_to_2xx_events: {len(lat)} events")
            print(f"reading_to_2xx_p50: {pct(lat, 50):.1f} ms")
            print(f"reading_to_2xx_p99: {pct(lat, 99):.1f} ms")
            lat = asyncio.run(events_to_2xx(200, 2000, port, Path(tmp) / "state-events"))
            print(f"event_to_2xx_p50_at_200_per_s: {pct(lat, 50):.1f} ms")
            print(f"event_to_2xx_p99_at_200_per_s: {pct(lat, 99):.1f} ms")
        finally:
            receiver.terminate()
            receiver.wait(10)


if __name__ == "__main__":
    with watched():
        main()
