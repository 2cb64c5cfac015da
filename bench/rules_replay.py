"""How fast the safety rules and the alert life run. Prints ``name: value unit`` lines.

- rules engine: readings/s through ``RuleEngine.process`` on the reference site (two cranes and
  the anemometer at 1 Hz, the pit's 13 points every 2 hours), one batch per device sample as
  drivers publish them;
- replay: readings/s of ``sitegw.replay.replay`` (engine + alert manager, sorted input);
- replay file: the same from a readings CSV to an alerts JSON-lines file, as ``sitegw replay``
  runs it (``replay_file``: the CSV read and checked row by row, then the replay);
- new devices: the same two figures for the hoist (1 Hz, 8 judged metrics), the high formwork
  (4 points x 4 metrics every 30 s, a pour under way) and the access gates (a passage a minute)
  alone, so the hoist, formwork and personnel rules' own cost is seen;
- each of these also per CPU-second (``_per_cpu_s``: ``process_time``), the steadier figure on a
  shared machine and what the edge box pays;
- alert changes: ms per AlertEvent persisted (SQLite WAL, synchronous=FULL, one commit each)
  and delivered, on a file in a temporary folder.

Run: ``.venv/bin/python bench/rules_replay.py [--hours H]``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from contract.alert_event import Level
from contract.config import LoadedSite, load_site
from contract.readings import Reading
from gateway.alerts.manager import AlertManager
from rules import RuleEngine, RuleResult
from sitegw.replay import REQUIRED, replay, replay_file

SITE = Path(__file__).resolve().parents[1] / "config" / "examples" / "site.yaml"
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


def new_device_batches(hours: float) -> list[list[Reading]]:
    """The hoist running trips, a pour on the high formwork, people passing the gate."""
    out: list[list[Reading]] = []
    t0 = 1795222800.0
    out.append([Reading(t0, P, "formwork-1", "pour_active", 1.0)])
    for s in range(1, int(hours * 3600)):
        ts = t0 + s
        trip = s % 120
        speed = 0.6 if 20 <= trip < 80 else 0.0
        out.append(
            [
                Reading(ts, P, "hoist-1", "load_t", 0.8 + 0.4 * math.sin(s / 300)),
                Reading(ts, P, "hoist-1", "persons", float(6 + s // 120 % 8)),
                Reading(ts, P, "hoist-1", "speed_ms", speed),
                Reading(ts, P, "hoist-1", "door_state", 0.0 if speed else 2.0),
                Reading(ts, P, "hoist-1", "limit_state", 0.0),
                Reading(ts, P, "hoist-1", "arrester_ok", 1.0),
                Reading(ts, P, "hoist-1", "wind_ms", 6 + 3 * math.sin(s / 40)),
                Reading(ts, P, "hoist-1", "driver_id", "OP-1001"),
            ]
        )
        if s % 30 == 0:
            for j, code in enumerate(("M1", "M2", "M3", "M4")):
                grow = s / 3600
                out.append(
                    [
                        Reading(ts, P, "formwork-1", "settle_mm", 1 + grow + 0.1 * j, point=code),
                        Reading(ts, P, "formwork-1", "disp_h_mm", 0.5 + grow, point=code),
                        Reading(ts, P, "formwork-1", "tilt_deg", 0.02 + 0.01 * j, point=code),
                        Reading(ts, P, "formwork-1", "axial_kn", 5 + 3 * grow, point=code),
                    ]
                )
        if s % 60 == 0:
            out.append(
                [Reading(ts, P, "gate-1", "on_site", float(s // 60 % 2), point=f"W-{s // 120 % 50:04d}")]
            )
    return out


def measure(name: str, site: LoadedSite, batches: list[list[Reading]]) -> None:
    """Print the engine's and the replay's readings per second over ``batches``."""
    n = sum(len(b) for b in batches)
    engine = RuleEngine(site)
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        engine.process(batch)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{name}rules_engine_readings_per_s: {n / elapsed:.0f} readings/s")
    # CPU time: what the edge box pays, and steady on a machine shared with other work
    print(f"{name}rules_engine_readings_per_cpu_s: {n / cpu:.0f} readings/s")
    flat = [r for b in batches for r in b]
    started, cpu = time.perf_counter(), time.process_time()
    stats = replay(site, flat, lambda e: None)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{name}replay_readings_per_s: {n / elapsed:.0f} readings/s")
    print(f"{name}replay_readings_per_cpu_s: {n / cpu:.0f} readings/s")
    print(f"{name}replay_alert_events: {sum(stats.events.values())} events")
    with tempfile.TemporaryDirectory() as tmp:
        readings, alerts = Path(tmp) / "readings.csv", Path(tmp) / "alerts.jsonl"
        write_csv(readings, flat)
        cpu = time.process_time()
        stats = replay_file(site, readings, alerts)
        cpu = time.process_time() - cpu
    print(f"{name}replay_file_readings_per_cpu_s: {n / cpu:.0f} readings/s")
    print(f"{name}replay_file_alert_events: {sum(stats.events.values())} events")


def write_csv(path: Path, readings: list[Reading]) -> None:
    """``readings`` as a readings CSV of ``sitegw replay`` (every float written back exactly)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(REQUIRED)
        for r in readings:
            rows.writerow(
                [
                    repr(r.ts),
                    r.device,
                    r.point,
                    r.metric,
                    r.value if isinstance(r.value, str) else repr(r.value),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0, help="hours of site readings to generate")
    args = parser.parse_args()
    site = load_site(SITE)
    measure("", site, site_batches(args.hours))
    measure("new_devices_", site, new_device_batches(args.hours))

    with tempfile.TemporaryDirectory() as tmp:
        manager = AlertManager(Path(tmp) / "alerts.db", P, lambda e: None)
        levels: tuple[Level | None, ...] = ("warning", "alarm", "critical", None)
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
    with watched():
        main()
