"""A camera's per-frame counts as a DeviceSim (drivers/simulators/device_sim.py): a few people, all in
hard hats, no edge missing, nobody in a danger zone (the cameras' own checks run on frames, in vision/)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite


class CameraSim:
    """A quiet camera's counts."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        self._seed = seed

    def values(self, t: float) -> Mapping[str, float | str]:
        """The counts of the frame analysed at second ``t``."""
        rng = random.Random(f"{self._seed}:{int(t)}")
        return {
            "persons": float(rng.randint(0, 6)),
            "no_helmet": 0.0,
            "edge_missing": 0.0,
            "zone_intrusions": 0.0,
        }
