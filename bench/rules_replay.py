"""How fast the safety rules and the alert life run. Prints ``name: value unit`` lines.

- rules engine: readings/s through ``RuleEngine.process`` on the reference site (two cranes and
  the anemometer at 1 Hz, the pit's 13 points every 2 hours), one batch per device sample as
  drivers publish them;
- replay: readings/s of ``sitegw.replay.replay`` (engine + alert manager, sorted input);
- alert changes: ms per AlertEvent persisted (SQLite WAL, synchronous=FULL, one commit each)
  and delivered, on a file in a temporary folder.

Run: ``.venv/bin/python bench/rules_replay.py [--hours H]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from contract.config import load_site
from contract.readings import Reading
from gateway.alerts.manager import AlertManager
from rules import RuleEngine, RuleResult
from sitegw.replay import replay

SITE = Path(__file__).resolve().parents[1] / "contract" / "config" / "examples" / "site.yaml"
P = "GD-SZ-2026-0001"


def site_batches(hours: float) -> list[list[Reading]]:
    """A working day's shape: cranes slewing and lifting, wind gusting, the pit creeping."""
    out: list[list[Reading]] = []
    t0 = 1795222800.0
    for s in range(int(hours * 3600)):
        ts = t0 + s
        for i, crane in enumerate(("crane-1", "crane-2")):
            phase = s / 60 + i
            out.append(
                [
                    Reading(ts, P, crane, "load_t", 1.5 + math.sin(phase)),
                    Reading(ts, P, crane, "radius_m", 25 + 15 * math.sin(phase / 3)),
                    Reading(ts, P, crane, "slew_deg", (s * 0.5 + 90 * i) % 360),
                    Reading(ts, P, crane, "height_m", 30 + 5 * math.cos(phase)),
                    Reading(ts, P, crane, "tilt_deg", 0.1),
                ]
            )
        out.append([Reading(ts, P, "anemo-1", "wind_ms", 8 + 4 * math.sin(s / 17))])
        if s % 7200 == 0:
            for j, code in enumerate(("ZQS-01", "ZQS-02", "ZQS-03", "ZQS-04", "ZQS-05", "ZQS-06", "ZQS-07")):
                out.append([Reading(ts, P, "pit-1", "disp_h_mm", 3 + s / 86400 + j * 0.1, point=code)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0, help="hours of site readings to generate")
    args = parser.parse_args()
    site = load_site(SITE)
    batches = site_batches(args.hours)
    n = sum(len(b) for b in batches)

    engine = RuleEngine(site)
    started = time.perf_counter()
    for batch in batches:
        engine.process(batch)
    elapsed = time.perf_counter() - started
    print(f"rules_engine_readings_per_s: {n / elapsed:.0f} readings/s")

    flat = [r for b in batches for r in b]
    started = time.perf_counter()
    stats = replay(site, flat, lambda e: None)
    elapsed = time.perf_counter() - started
    print(f"replay_readings_per_s: {n / elapsed:.0f} readings/s")
    print(f"replay_alert_events: {sum(stats.events.values())} events")

    with tempfile.TemporaryDirectory() as tmp:
        manager = AlertManager(Path(tmp) / "alerts.db", P, lambda e: None)
        levels = ("warning", "alarm", "critical", None)
        changes = 400
        started = time.perf_counter()
        for k in range(changes):
            manager.handle(
                [
                    RuleResult(
                        rule="crane.load",
                        device="crane-1",
                        point="",
                        level=levels[k % 4],
                        ts=float(k),
                        clause="GB 5144-2006 §6.1.2",
                    )
                ]
            )
        elapsed = time.perf_counter() - started
        manager.close()
    print(f"alert_change_persisted_ms: {elapsed / changes * 1000:.2f} ms")


if __name__ == "__main__":
    main()
