"""A shield machine's PLC as the shield_plc profile delivers it, at simulated second ``t``, deterministic for a
seed: a drive in cycles of advancing (about 40 mm/min for 30 minutes, one ring) and building the ring (20
minutes stopped), the ring number counting up from the first ring of the plan's first special section less
three (so the drive enters it within the first hours), every reading well inside the plan.

- ``normal``: that alone; nothing reaches a line.
- ``tail_leak``: the tail seal leaks from 5 minutes in while the machine is still advancing (shield.leak
  critical, 建质规〔2024〕5号 Art. 13(五)); the crew stops the drive at 10 minutes (the leak, still there, is an
  alarm), seals it at 25 minutes (resolved), and the drive resumes its cycle.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.shield.kind import (
    ADVANCE,
    ARTICULATION,
    CHAMBER,
    CUTTER,
    DEV_H,
    DEV_V,
    GROUT,
    LEAK,
    MUCK,
    NO_LEAK,
    RING,
    ROLL,
    TAIL_SEAL,
    THRUST,
    TORQUE,
    ShieldDevice,
)
from kinds.shield.plan import chamber_band, thrust_max

ADVANCE_S, BUILD_S = 1800.0, 1200.0  # one ring: advancing, then building the ring, stopped
RATE_MM_MIN, TORQUE_KNM, CUTTER_RPM = 40.0, 2500.0, 1.2  # a 6 m class EPB's usual figures
LEAK_S, STOP_S, SEALED_S = 300.0, 600.0, 1500.0  # tail_leak: the leak, the drive stopped, the seal restored
# a machine the site file left without its plan (check-config refuses it): figures of a 6 m class drive
UNSET_THRUST_KN, UNSET_CHAMBER_KPA, UNSET_GROUT_M3, UNSET_MUCK_M3 = 20000.0, (150.0, 250.0), 6.0, 50.0
UNSET_ROLL_DEG, UNSET_DEVIATION_MM = 1.0, 50.0


class ShieldSim:
    """One shield machine's PLC."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, ShieldDevice)
        self._spec, self._leaks = device.shield, scenario == "tail_leak"
        sections = device.shield.sections
        self._first_ring = max(1, sections[0].from_ring - 3) if sections else 1
        self._seed = f"{seed}:{device.id}"

    def values(self, t: float) -> Mapping[str, float | str]:
        """The machine's readings ``t`` seconds in, rounded as its PLC sends them."""
        spec, rng = self._spec, random.Random(f"{self._seed}:{int(t)}")
        cycle, at = divmod(max(t, 0.0), ADVANCE_S + BUILD_S)
        ring = float(self._first_ring + int(cycle))
        advancing = at < ADVANCE_S and not (self._leaks and STOP_S <= t < SEALED_S)
        leaking = self._leaks and LEAK_S <= t < SEALED_S
        limit = thrust_max(spec, ring) or UNSET_THRUST_KN
        low, high = chamber_band(spec, ring) or UNSET_CHAMBER_KPA
        roll = spec.roll_max_deg or UNSET_ROLL_DEG
        dev_h, dev_v = spec.deviation_h_mm or UNSET_DEVIATION_MM, spec.deviation_v_mm or UNSET_DEVIATION_MM
        drift = math.sin(t / 900)  # the attitude wanders slowly as the pilot steers
        return {
            RING: ring,
            ADVANCE: round(RATE_MM_MIN + rng.gauss(0.0, 2.0), 1) if advancing else 0.0,
            THRUST: float(round(limit * (0.6 if advancing else 0.2) + rng.gauss(0.0, limit * 0.01))),
            TORQUE: float(round(TORQUE_KNM + rng.gauss(0.0, 50.0))) if advancing else 0.0,
            CUTTER: CUTTER_RPM if advancing else 0.0,
            CHAMBER: round((low + high) / 2 + (high - low) * 0.1 * drift + rng.gauss(0.0, 1.0), 1),
            GROUT: round((spec.grout_min_m3 or UNSET_GROUT_M3) * 1.15, 2),
            MUCK: round((spec.muck_max_m3 or UNSET_MUCK_M3) * 0.93, 1),
            ROLL: round(roll * 0.2 * drift, 2),
            DEV_H: float(round(dev_h * 0.3 * drift + rng.gauss(0.0, 1.0))),
            DEV_V: float(round(-dev_v * 0.2 * drift + rng.gauss(0.0, 1.0))),
            TAIL_SEAL: float(LEAK if leaking else NO_LEAK),
            ARTICULATION: float(NO_LEAK),
        }
