"""The high slope's simulator: every monitoring point of a slope as its monitoring station reports it, at any
simulated second (``sitegw simulate slope``, ``sitegw simulate device`` and the demo).

Values follow what slope monitoring records look like: GNSS surface displacement creeping a few tenths of a mm
a day with 0.3 mm of noise, an inclinometer's largest displacement and its depth, a groundwater level
wandering by centimetres about its baseline, a rain gauge's rain since its last report, a building at the top
settling a few hundredths of a mm a day with its tilt still to a millionth, and an anchor's load in the middle
of its band within a kN; a crack meter's width breathing 0.02 mm with the day's temperature. Scenarios:

- ``normal``: every point well inside the GB 50330 §19.1.6 defaults (and the design's).
- ``creep``: the first surface point's horizontal displacement drifts 1.2 mm/d from 12 mm: slower than the
  rate's pre-warning (1.4 mm/d) at every reading, it still reaches 14 mm (70 %) after 1.7 days and passes
  20 mm after 6.7 days (slope.cumulative on the cumulative value alone).
- ``rate``: the first surface point moves 3 mm/d (above 2 mm/d: the alarm on the third day).
- ``rain``: the gauge measures 10 mm an hour from the first hour (50 mm in 24 h with the fifth hour's report,
  at the line; above it, the warning, with the sixth's).
- ``fault``: the first surface point sends the sentinel -9999 for three hours from the first hour.
- ``building``: the first building point's tilt grows 0.00012 a day from 0.0005 (above 0.00008 a day:
  slope.building_rate's warning after the first day, its alarm on the third; below 80 % of its allowable
  for weeks), and the first anchor has lost its prestress from the first hour: its load at 90 % of its band's
  lower end (slope.anchor alarm); the first support crack widens 0.1 mm a day from 0.1 mm (on the reference
  site's allowable 0.3 mm: 70 % reached after about 1.1 days, slope.crack_width's warning; the allowable
  reached, 达到, after about 2 days: its alarm) and the first ground or building crack grows 0.3 mm a day from
  its first reading (more than 0.2 mm above it within the first day: slope.crack_growth's alarm).
- ``rainstorm`` (what ``sitegw demo`` plays, from its first report): a rainstorm on a slope already moving, the
  first surface point at 22 mm (above 20 mm by more than its noise: slope.cumulative alarm), the water levels
  1.6 m above their baselines (70 % of the reference site's 2 m: slope.water warning), 60 mm of rain in the
  report's hour (slope.rain warning). Before it (``t`` below 0: the reports a station's logger kept from the
  days before, which the demo serves first) the slope is dry and the second surface point creeps 3 mm/d to
  12 mm at ``t`` = 0 (below the 70 % pre-warning of 20 mm): three days of that backlog put slope.rate's
  alarm (大于 2 mm/d three days running) on the first live report.

``t`` counts from the first live report; a backlog's reports have negative ``t``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.slope.kind import SlopeDevice, SlopePoint

DAY_S, HOUR_S = 86400.0, 3600.0
SENTINEL = -9999.0  # what monitoring stations send for a failed measurement
FAULT_S = 3 * HOUR_S
CREEP_FROM_MM, CREEP_MM_D, RATE_MM_D, RAIN_MM_H = 12.0, 1.2, 3.0, 10.0
DEMO_MM, DEMO_RISE_M, DEMO_RAIN_MM_H = 22.0, 1.6, 60.0
DEMO_CREEP_MM = 12.0  # rainstorm: the second surface point at t = 0, creeping RATE_MM_D
SHOWER_MM_H = 0.5  # the normal scenario's light rain, now and then
TILT_FROM, TILT_D, TILT_NOISE = 0.0005, 0.00012, 0.000002  # building: a tilt meter's ratio, a day, its noise
LOST_SHARE = 0.9  # building: the anchor's load, a share of its band's lower end
ANCHOR_KN = 500.0  # an anchor point without its band (check-config refuses it): a plausible load
SUPPORT_MM, SUPPORT_MM_D = (
    0.1,
    0.1,
)  # a support crack's width, and how fast it widens in the building scenario
GROUND_MM, GROWTH_MM_D = 2.0, 0.3  # a ground or building crack's width (no baseline given), its growth a day
CRACK_SWING_MM, CRACK_NOISE_MM = (
    0.02,
    0.005,
)  # a crack's daily breathing with the temperature, a meter's noise


class SlopeSim:
    """A slope of a site file as a DeviceSim (drivers/simulators/device_sim.py): every point at simulated
    second ``t``, keyed ``metric@point``."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, SlopeDevice)
        self.points = device.slope.points
        self.scenario, self.seed = scenario, seed
        surface = [p.code for p in self.points if p.kind == "surface"]
        self.special = surface[0] if surface else None  # the point the creep, rate and fault scenarios move
        self.creeper = surface[1] if len(surface) > 1 else None  # the rainstorm's slope moving for days
        self.tilter = next((p.code for p in self.points if p.kind == "building"), None)
        self.loser = next((p.code for p in self.points if p.kind == "anchor"), None)
        cracks = [p for p in self.points if p.kind == "crack"]
        self.widener = next((p.code for p in cracks if p.crack_in == "support"), None)
        self.grower = next((p.code for p in cracks if p.crack_in in ("ground", "building")), None)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every point's values ``t`` seconds in."""
        return {
            f"{m}@{p.code}": v for i, p in enumerate(self.points) for m, v in self._point(p, i, t).items()
        }

    def _point(self, p: SlopePoint, i: int, t: float) -> dict[str, float]:
        rng = random.Random(f"{self.seed}:{p.code}:{t:.0f}")  # same second, same noise, any order
        days = t / DAY_S
        if p.kind == "surface":
            h = 3.0 + 0.5 * i + 0.2 * days
            if p.code == self.special and self.scenario == "creep":
                h = CREEP_FROM_MM + CREEP_MM_D * days
            elif p.code == self.special and self.scenario == "rate":
                h = 2.0 + RATE_MM_D * days
            elif p.code == self.special and self.scenario == "rainstorm" and t >= 0:
                h = DEMO_MM + RATE_MM_D * days
            elif p.code == self.creeper and self.scenario == "rainstorm":
                h = DEMO_CREEP_MM + RATE_MM_D * days
            if p.code == self.special and self.scenario == "fault" and HOUR_S <= t < HOUR_S + FAULT_S:
                return {"disp_h_mm": SENTINEL, "disp_v_mm": SENTINEL}
            noise = 0.0 if self.scenario == "creep" and p.code == self.special else 0.3
            return {
                "disp_h_mm": round(h + rng.gauss(0, noise), 2),
                "disp_v_mm": round(1.5 + 0.1 * days + rng.gauss(0, 0.3), 2),
            }
        if p.kind == "inclinometer":
            return {"incl_mm": round(5.0 + 0.2 * days + rng.gauss(0, 0.2), 2), "incl_depth_m": 8.5}
        if p.kind == "building":
            return self._building(p, t, rng)
        if p.kind == "anchor":
            return self._anchor(p, t, rng)
        if p.kind == "crack":
            return self._crack(p, t, rng)
        if p.kind == "water_level":
            base = p.baseline_m if p.baseline_m is not None else -6.0
            base += DEMO_RISE_M if self.scenario == "rainstorm" and t >= 0 else 0.0
            wander = 0.05 * math.sin(2 * math.pi * days / 3)
            return {"water_level_m": round(base + wander + rng.gauss(0, 0.005), 3)}
        # a rain gauge: the rain since its last report
        if self.scenario == "rainstorm" and t >= 0:
            mm_h = DEMO_RAIN_MM_H
        elif self.scenario == "rain" and t >= HOUR_S:
            mm_h = RAIN_MM_H
        else:
            mm_h = SHOWER_MM_H * (rng.random() < 0.2)
        return {"rain_mm": round(mm_h * p.interval_s / HOUR_S, 1)}

    def _building(self, p: SlopePoint, t: float, rng: random.Random) -> dict[str, float]:
        """A building at the top: settling slowly, its tilt still but in the building scenario."""
        days = t / DAY_S
        tilt = TILT_FROM + (
            TILT_D * max(days, 0.0) if self.scenario == "building" and p.code == self.tilter else 0
        )
        return {
            "bldg_settle_mm": round(2.0 + 0.02 * days + rng.gauss(0, 0.1), 2),
            "bldg_tilt": round(tilt + rng.gauss(0, TILT_NOISE), 7),
        }

    def _anchor(self, p: SlopePoint, t: float, rng: random.Random) -> dict[str, float]:
        """An anchor's load: the middle of its band, or lost below it in the building scenario."""
        low, high = p.anchor_min_kn, p.anchor_max_kn
        load = (low + high) / 2 if low is not None and high is not None else ANCHOR_KN
        if self.scenario == "building" and p.code == self.loser and t >= HOUR_S and low is not None:
            load = low * LOST_SHARE
        return {"anchor_kn": round(load + rng.gauss(0, 1.0), 1)}

    def _crack(self, p: SlopePoint, t: float, rng: random.Random) -> dict[str, float]:
        """A crack meter's width: breathing a little with the day's temperature, widening in the building
        scenario (the first support crack, and the first ground or building crack)."""
        days = max(t / DAY_S, 0.0)
        moving = self.scenario == "building"
        if p.crack_in == "support":
            width = SUPPORT_MM + (SUPPORT_MM_D * days if moving and p.code == self.widener else 0.0)
        else:
            width = p.baseline_mm if p.baseline_mm is not None else GROUND_MM
            width += GROWTH_MM_D * days if moving and p.code == self.grower else 0.0
        width += CRACK_SWING_MM * math.sin(2 * math.pi * t / DAY_S) + rng.gauss(0, CRACK_NOISE_MM)
        return {"crack_mm": round(max(width, 0.0), 3)}
