"""What the crane collision check costs: `sitegw replay` readings per CPU-second (``replay_file``: the
CSV read, the rules, the alert manager), best of ``--runs``. Prints ``name: value unit`` lines.

- busy: the reference site (config/examples/site.yaml) with bench/rules_replay.py's half hour of both
  cranes slewing, trolleying and hoisting non-stop (crane-2's jib sweeping past crane-1's tower);
- apart: two cranes in one layer (both jibs 50 m at 45 m, 60 m apart, as
  config/examples/site-two-cranes.yaml) working their own sides for ten minutes with noise: nothing
  raised. The site is written here with the fields every checkout knows, so that
  ``bench/compare.py --base DIR bench/crane_collision.py`` measures the code before the prediction
  on the same day;
- in a checkout that predicts, each day again with the prediction replaced by none (``*_no_prediction``):
  the prediction's own share.

Run: ``.venv/bin/python bench/crane_collision.py`` (or through bench/compare.py for before/after).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kinds.crane.collision as collision
from bench.load import watched
from bench.rules_replay import SITE, site_batches, write_csv
from contract.config import LoadedSite, load_site
from contract.readings import Reading
from sitegw.replay import replay_file

P = "GD-SZ-2026-0001"
APART = """\
project: {code: GD-SZ-2026-0001, name: bench}
operators:
  - {id: OP-1001, name: 张建国, licence_no: T-440300-2021-1001, valid_until: 2027-12-31}
devices:
"""
CRANE = """\
  - id: {id}
    kind: crane
    profile: tower_crane_blackbox
    transport: {{type: modbus_tcp, host: 127.0.0.1, port: {port}}}
    crane:
      position_m: [{x}, 0]
      jib_m: 50
      counter_jib_m: 12
      jib_height_m: 45
      load_chart: [{{radius_m: 2.5, rated_t: 6.0}}, {{radius_m: 15.4, rated_t: 6.0}}, {{radius_m: 50, rated_t: 1.3}}]
"""


def apart_day() -> list[Reading]:
    """Ten minutes of crane-a around 150° ± 40° and crane-b around 30° ± 40°, with noise."""
    rng = random.Random(20261121)
    out = []
    for s in range(600):
        ts = 1795222800.0 + s
        for dev, centre, phase in (("crane-a", 150.0, 0.0), ("crane-b", 30.0, 1.3)):
            values = {
                "slew_deg": (centre + 40 * math.sin(s / 70 + phase) + rng.uniform(-0.2, 0.2)) % 360,
                "radius_m": 20 + 10 * math.sin(s / 45 + phase) + rng.uniform(-0.05, 0.05),
                "height_m": 25 + 15 * math.cos(s / 50 + phase) + rng.uniform(-0.05, 0.05),
                "load_t": 0.8 + 0.5 * math.sin(s / 30 + phase),
            }
            out += [Reading(ts, P, dev, metric, value) for metric, value in values.items()]
            out.append(Reading(ts, P, dev, "operator_id", "OP-1001"))
    return out


def measure(name: str, site: LoadedSite, readings: list[Reading], runs: int, folder: Path) -> None:
    """Print the best readings per CPU-second of ``runs`` replays of ``readings`` on ``site``."""
    csv = folder / f"{name}.csv"
    write_csv(csv, readings)
    best, events = 0.0, 0
    for _ in range(runs):
        cpu = time.process_time()
        stats = replay_file(site, csv, folder / "alerts.jsonl")
        best = max(best, len(readings) / (time.process_time() - cpu))
        events = sum(stats.events.values())
    print(f"{name}_replay_readings_per_cpu_s: {best:.0f} readings/s")
    print(f"{name}_alert_events: {events} events")


def _no_prediction(*_args: object, **_kwargs: object) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="replays of each day; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "site.yaml").write_text(
            APART + CRANE.format(id="crane-a", port=5021, x=0) + CRANE.format(id="crane-b", port=5022, x=60),
            encoding="utf-8",
        )
        days = [
            ("crane_busy", load_site(SITE), [r for batch in site_batches(0.5) for r in batch]),
            ("crane_apart", load_site(folder / "site.yaml"), apart_day()),
        ]
        for name, site, readings in days:
            measure(name, site, readings, args.runs, folder)
        predicted = getattr(collision, "predicted_clearance", None)
        if predicted is not None:  # a checkout that predicts: the same days without it
            collision.predicted_clearance = _no_prediction  # type: ignore[attr-defined]
            for name, site, readings in days:
                measure(f"{name}_no_prediction", site, readings, args.runs, folder)
            collision.predicted_clearance = predicted  # type: ignore[attr-defined]


if __name__ == "__main__":
    with watched():
        main()
