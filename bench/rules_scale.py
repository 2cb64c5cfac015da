"""The rules at 1×, 5×, 20× and 80× the example site's devices: CPU and memory per 1,000 readings/s.

The example site's every device (cranes, anemometer, pit, hoist, high formwork, gate) is copied
``k`` times, each copy 1 km east of the last (so a copy's cranes meet each other as in the example
and never another copy's), its zones with it; each copy gets the workload of
``bench/rules_replay.py`` (a working day's shape: cranes slewing and lifting at 1 Hz, wind, the
pit, the hoist's trips, a pour, the gate), ``--minutes`` of it. For each size it prints:

- the readings per simulated second the site sends (its rate);
- CPU of the rule engine, and of ``sitegw replay`` (engine + alert manager), per 1,000 readings/s
  of that rate, as a percentage of one core (``process_time``: what the edge box pays);
- the memory the rule engine keeps for the site after the run (Python allocations that remain,
  by tracemalloc in a pass of its own, untimed), in MB and per 1,000 readings/s.

Run: ``.venv/bin/python bench/rules_scale.py [--sizes 1 5 20 80] [--minutes M]``.
"""

from __future__ import annotations

import argparse
import copy
import gc
import heapq
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.rules_replay import SITE, new_device_batches, site_batches
from contract.config import LoadedSite, load_site
from contract.readings import Reading
from rules import RuleEngine
from sitegw.replay import replay

SPACING_M = 1000.0  # between copies: beyond any crane's reach


def suffix(k: int) -> str:
    """The copy's mark on its device ids (the first copy keeps the example's ids)."""
    return "" if k == 0 else f"-c{k}"


def scaled_site_data(copies: int) -> dict[str, Any]:
    """The example site's data with every device copied ``copies`` times, each copy on its own ground:
    ids, names, Modbus ports (or serial port names) and MQTT topics marked with the copy."""
    data: dict[str, Any] = yaml.safe_load(SITE.read_text(encoding="utf-8"))
    devices, zones, overrides = [], [], {}
    for k in range(copies):
        for template in data["devices"]:
            dev = copy.deepcopy(template)
            dev["id"] += suffix(k)
            dev["name"] = f"{dev.get('name', template['id'])}{suffix(k)}"
            transport = dev.get("transport", {})
            if "port" in transport and isinstance(transport["port"], int):
                transport["port"] += k
            elif "port" in transport:
                transport["port"] = f"{transport['port']}{suffix(k)}"
            if "topic_prefix" in transport:
                transport["topic_prefix"] += suffix(k)
            if dev.get("crane"):
                x, y = dev["crane"]["position_m"]
                dev["crane"]["position_m"] = [x + SPACING_M * k, y]
            if dev.get("serves"):
                dev["serves"] = [c + suffix(k) for c in dev["serves"]]
            devices.append(dev)
            per_device = data.get("rules", {}).get("devices", {}).get(template["id"])
            if per_device is not None:
                overrides[dev["id"]] = per_device
        for zone in data.get("no_lift_zones", []):
            moved = copy.deepcopy(zone)
            moved["name"] += suffix(k)
            moved["polygon"] = [[x + SPACING_M * k, y] for x, y in zone["polygon"]]
            zones.append(moved)
    data["devices"], data["no_lift_zones"] = devices, zones
    if overrides:
        data["rules"]["devices"] = overrides
    data["sirens"] = []  # the example's siren names the first copy's devices only; sirens are not rules
    return data


def scaled_site(folder: Path, copies: int) -> LoadedSite:
    """:func:`scaled_site_data` written to ``folder`` and loaded."""
    path = folder / f"site-{copies}x.yaml"
    path.write_text(yaml.safe_dump(scaled_site_data(copies), allow_unicode=True), encoding="utf-8")
    return load_site(path)


def scaled_batches(copies: int, hours: float) -> list[list[Reading]]:
    """rules_replay's two workloads for every copy, merged in time order (one batch per device sample)."""
    streams = []
    for batches in (site_batches(hours), new_device_batches(hours)):
        out = []
        for batch in batches:
            for k in range(copies):
                mark = suffix(k)
                out.append(
                    [
                        Reading(
                            r.ts, r.project, r.device + mark, r.metric, r.value, r.unit, r.quality, r.point
                        )
                        for r in batch
                    ]
                )
        streams.append(out)
    return list(heapq.merge(*streams, key=lambda b: b[0].ts))


def measure(copies: int, minutes: float, folder: Path) -> None:
    """Print the figures of one size."""
    site = scaled_site(folder, copies)
    batches = scaled_batches(copies, minutes / 60)
    n = sum(len(b) for b in batches)
    seconds = batches[-1][0].ts - batches[0][0].ts + 1
    rate = n / seconds
    engine = RuleEngine(site)
    cpu = time.process_time()
    for batch in batches:
        engine.process(batch)
    engine_cpu = time.process_time() - cpu
    del engine
    gc.collect()
    tracemalloc.start()
    engine = RuleEngine(site)
    for batch in batches:
        engine.process(batch)
    gc.collect()
    kept = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    flat = [r for b in batches for r in b]
    cpu = time.process_time()
    replay(site, flat, lambda e: None)
    replay_cpu = time.process_time() - cpu
    name = f"rules_scale_{copies}x"
    per_k = 1000 / rate  # thousands of readings/s the site sends, inverted
    print(f"{name}_devices: {len(site.config.devices)} devices")
    print(f"{name}_rate: {rate:.0f} readings/s")
    print(f"{name}_engine_cpu_per_1000_readings_per_s: {engine_cpu / n * 1000 * 100:.3f} % of a core")
    print(f"{name}_replay_cpu_per_1000_readings_per_s: {replay_cpu / n * 1000 * 100:.3f} % of a core")
    print(f"{name}_engine_readings_per_cpu_s: {n / engine_cpu:.0f} readings/s")
    print(f"{name}_rules_memory: {kept:.2f} MB")
    print(f"{name}_rules_memory_per_1000_readings_per_s: {kept * per_k:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20, 80], help="copies of the site")
    parser.add_argument("--minutes", type=float, default=10.0, help="minutes of site readings per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for copies in args.sizes:
            measure(copies, args.minutes, Path(tmp))


if __name__ == "__main__":
    with watched():
        main()
