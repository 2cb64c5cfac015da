"""A suspended platform (高处作业吊篮) at work on a façade, as its monitoring box would report it
(platform_monitor profile, docs/standards.md §8).

Two workers, each clipped to their own lifeline, work a drop: they stand at a storey for a while, then
the platform climbs or descends at a ZLP platform's 0.16 m/s to the next working height, never nearer the
top than 3 m. Material comes and goes (normal days stay below 80 % of the rated load); load, tilt, swing
and counterweight carry sensor noise; the wind is a light breeze with gusts, below level 5 (8.0 m/s).
Scenarios add one hazard each, from about 20-30 s in and again every 5 minutes, everything else normal:

- ``platform_overload``: bricks and a third worker come aboard: 105 % of the rated load for 60 s;
- ``platform_tilt_lock``: one hoist stalls: the tilt climbs past the lock angle to 9.5° and the safety lock
  does not act (安全锁失效) for 20 s, until the fitter's manual descent levels it;
- ``platform_wind``: a squall of 9.5 m/s (level 5) for 60 s;
- ``platform_buckles``: one worker unclips from the lifeline for 60 s.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.platform import PlatformSpec
from kinds.platform.kind import ROPES, PlatformDevice

SCENARIOS = ("normal", "platform_overload", "platform_tilt_lock", "platform_wind", "platform_buckles")
FACADE_M = 60.0  # height of the top of the run above the ground
LOWEST_M, TOP_CLEAR_M = 3.0, 3.0  # working heights stay this far from the ground and the top
SPEED_MS = 0.16  # ZLP rated lifting speed, 9.6 m/min
STAND_S = 90.0  # working at one height
STOREY_M = 6.0  # each move is two storeys
HAZARD_AT_S, HAZARD_EVERY_S = 25.0, 300.0
HAZARD_S = {
    "platform_overload": 60.0,
    "platform_tilt_lock": 20.0,
    "platform_wind": 60.0,
    "platform_buckles": 60.0,
}
PERSON_KG = 80.0  # a worker with tools


class PlatformModel:
    """One platform's box readings ``t`` seconds into a scenario; a pure function of ``t`` but for noise."""

    def __init__(
        self, spec: PlatformSpec, scenario: str = "normal", seed: int = 1, operator_id: str = "OP-3001"
    ):
        if scenario not in SCENARIOS:
            raise ValueError(f"a platform plays {', '.join(SCENARIOS)}, not {scenario}")
        self.spec, self.scenario, self.operator_id = spec, scenario, operator_id
        self._noise = random.Random(seed)
        self._phase = random.Random(seed + 1).uniform(0, 2 * math.pi)

    def hazard(self, t: float) -> float:
        """How far into its hazard the scenario is (0-1), or -1 outside it."""
        if self.scenario == "normal" or t < HAZARD_AT_S:
            return -1.0
        into = (t - HAZARD_AT_S) % HAZARD_EVERY_S
        length = HAZARD_S[self.scenario]
        return into / length if into < length else -1.0

    def height_m(self, t: float) -> float:
        """Height of the platform: stands, then moves two storeys, up the façade and back down."""
        stops = math.floor((FACADE_M - TOP_CLEAR_M - LOWEST_M) / STOREY_M)
        leg = STAND_S + STOREY_M / SPEED_MS
        n, into = divmod(t, leg)
        step = int(n) % (2 * stops)
        level = step if step < stops else 2 * stops - step
        going = 1 if step < stops else -1
        moved = max(0.0, into - STAND_S) * SPEED_MS
        return LOWEST_M + level * STOREY_M + going * moved

    def values(self, t: float) -> dict[str, float | str]:
        """The box's readings at ``t``, at register resolution."""
        spec, rng, h = self.spec, self._noise, self.hazard(t)
        persons, buckles = 2, 2
        material = spec.rated_load_kg * (0.25 + 0.2 * math.sin(t / 400 + self._phase) ** 2)
        tilt = 1.2 * math.sin(t / 37 + self._phase) + rng.gauss(0, 0.2)
        lock = 0
        wind = 3.0 + 1.5 * math.sin(t / 90) ** 2 + abs(rng.gauss(0, 0.6))
        if h >= 0 and self.scenario == "platform_overload":
            persons = buckles = 3
            material = 1.05 * spec.rated_load_kg - persons * PERSON_KG
        elif h >= 0 and self.scenario == "platform_tilt_lock":
            tilt = 9.5 * min(1.0, 4 * h, 4 * (1 - h))  # tilts over 5 s, stays, levels in the last 5 s
        elif h >= 0 and self.scenario == "platform_wind":
            wind = 9.5 + rng.gauss(0, 0.3)
        elif h >= 0 and self.scenario == "platform_buckles":
            buckles = 1
        load = max(0.0, persons * PERSON_KG + material + rng.gauss(0, 2.0))
        return {
            "load_kg": round(load, 1),
            "counterweight_kg": round(spec.rated_counterweight_kg + rng.gauss(0, 1.5), 1),
            "tilt_deg": round(tilt, 1),
            "swing_deg": round(0.4 * math.sin(t / 5) + rng.gauss(0, 0.1), 1),
            "top_distance_m": round(FACADE_M - self.height_m(t), 2),
            "persons": float(persons),
            "buckles": float(buckles),
            "wind_ms": round(wind, 1),
            **dict.fromkeys(ROPES, 1.0),
            "lock_state": float(lock),
            "operator_id": self.operator_id,
        }


class PlatformSim:
    """A platform of a site file as a DeviceSim (drivers/simulators/device_sim.py)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, PlatformDevice)
        self.model = PlatformModel(device.platform, scenario, seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """The box's readings ``t`` seconds in."""
        return self.model.values(t)
