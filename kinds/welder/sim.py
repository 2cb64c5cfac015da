"""A welding machine's simulator: arcs of 120-180 A with pauses at idle, its place under a permit or not
(the ``unpermitted`` scenario: the demo's permits do not cover it, so hot_work.unpermitted fires)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.welder.kind import CURRENT, WelderDevice

ARC_S, PAUSE_S = 40.0, 20.0  # a rod burns about 40 s; the welder changes it in 20


class WelderSim:
    """One welding machine's current sensor."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, WelderDevice)
        self.idle = device.welder.idle_current_a
        self.phase = seed % 60
        self.working = scenario == "unpermitted"  # the normal site welds nowhere without a permit: idle

    def values(self, t: float) -> Mapping[str, float | str]:
        in_arc = (t + self.phase) % (ARC_S + PAUSE_S) < ARC_S
        if not (self.working and in_arc):
            return {CURRENT: round(self.idle * 0.2, 1)}
        return {CURRENT: round(150.0 + 30.0 * math.sin(t / 3), 1)}
