"""How long the rules' warm-up at start takes (sitegw/warmup.py). Prints ``name: value unit`` lines.

- pit: the demo site's pit (13 points, every 600 s as `sitegw demo` publishes them) over the 72 h the
  pit rate rule asks for;
- cranes: a 20-crane site at 1 Hz (load, radius, slew, height, tilt, wind, operator per crane) over
  the window its rules ask for (the offline alarm limit, 600 s).
Each writes the history into a real local store (SQLite, in a temporary folder), then times the
warm-up as the gateway runs it: the window from the site, the store read in chunks, the rules fed.

Run: ``.venv/bin/python bench/warmup.py``.
"""

from __future__ import annotations

import copy
import math
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.site_scale import keep_references
from contract.config import LoadedSite, load_site
from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from gateway.store.local import LocalStore
from rules import RuleEngine
from sitegw.warmup import warm_up, warmup_window_s

SITE = Path(__file__).resolve().parents[1] / "config" / "examples" / "site.yaml"
P = "GD-SZ-2026-0001"
PIT_INTERVAL_S = 600  # sitegw/demo.py: the pit simulator's interval
METRICS = {
    "wall_top": ("disp_h_mm", "disp_v_mm"),
    "inclinometer": ("incl_mm",),
    "strut": ("axial_kn",),
    "water_level": ("water_level_m",),
}


def pit_history(site: LoadedSite, end: float, hours: float) -> list[list[Reading]]:
    """Every point of pit-1 creeping slowly, one batch per point and instant."""
    pit = site.config.device("pit-1").pit
    assert pit is not None
    out = []
    steps = int(hours * 3600 / PIT_INTERVAL_S)
    for k in range(steps):
        ts = end - (steps - k) * PIT_INTERVAL_S
        for j, p in enumerate(pit.points):
            base = {"axial_kn": 1500.0, "water_level_m": -3.0}
            out.append(
                [
                    Reading(
                        ts,
                        P,
                        "pit-1",
                        m,
                        base.get(m, 2.0) + k * 0.002 + j * 0.01 + 0.001 * (k % 3),
                        point=p.code,
                    )
                    for m in METRICS[p.kind]
                ]
            )
    return out


def crane_site(folder: Path, cranes: int) -> LoadedSite:
    """The reference site's cranes copied ``cranes`` times along a line, 60 m apart; no pit."""
    data = yaml.safe_load(SITE.read_text(encoding="utf-8"))
    template = data["devices"][0]
    devices = []
    for i in range(cranes):
        dev = copy.deepcopy(template)
        dev["id"], dev["name"] = f"crane-{i + 1}", f"{i + 1}号塔吊"
        dev["crane"]["position_m"] = [60.0 * i, 0.0]
        devices.append(dev)
    data["devices"] = devices
    data["no_lift_zones"] = []
    keep_references(data)
    path = folder / "cranes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


def crane_history(site: LoadedSite, end: float, seconds: float) -> list[list[Reading]]:
    """Every crane slewing and lifting at 1 Hz."""
    out = []
    for s in range(int(seconds)):
        ts = end - seconds + s
        for i, d in enumerate(site.config.devices):
            phase = s / 60 + i
            out.append(
                [
                    Reading(ts, P, d.id, "load_t", 1.5 + math.sin(phase)),
                    Reading(ts, P, d.id, "radius_m", 25 + 15 * math.sin(phase / 3)),
                    Reading(ts, P, d.id, "slew_deg", (s * 0.5 + 40 * i) % 360),
                    Reading(ts, P, d.id, "height_m", 30 + 5 * math.cos(phase)),
                    Reading(ts, P, d.id, "tilt_deg", 0.1 + 0.001 * (s % 5)),
                    Reading(ts, P, d.id, "wind_ms", 6 + 2 * math.sin(s / 17)),
                    Reading(ts, P, d.id, "operator_id", "OP-1001"),
                ]
            )
    return out


def measure(name: str, site: LoadedSite, batches: list[list[Reading]], folder: Path, now: float) -> None:
    store = LocalStore(folder / f"{name}.sqlite", LocalStoreConfig())
    store.start()
    for batch in batches:
        store.add(batch)
    store.flush(600)
    store.stop()
    window = warmup_window_s(site.config)
    devices = {d.id for d in site.config.devices}
    started = time.perf_counter()
    history = store.reader.readings_since(now - window, P, devices)
    report = warm_up(RuleEngine(site), history, window)
    elapsed = time.perf_counter() - started
    print(f"warmup_{name}_window: {window / 3600:.2f} h")
    print(f"warmup_{name}_readings: {report.readings} readings")
    print(f"warmup_{name}_time: {elapsed:.2f} s")
    print(f"warmup_{name}_rate: {report.readings / elapsed:.0f} readings/s")


def main() -> None:
    now = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = load_site(SITE)
        measure("pit_72h", demo, pit_history(demo, now, 72), folder, now)
        cranes = crane_site(folder, 20)
        # a little more than the window is stored, as on a running site
        measure(
            "cranes_20", cranes, crane_history(cranes, now, warmup_window_s(cranes.config) + 120), folder, now
        )


if __name__ == "__main__":
    with watched():
        main()
