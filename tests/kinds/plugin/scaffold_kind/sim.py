"""The scaffold's simulator: a load swinging below 80 % of the rating, or at 120 % in the overload scenario."""

from __future__ import annotations

import math
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from scaffold_kind import ScaffoldDevice


class ScaffoldSim:
    """One scaffold's load monitor."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, ScaffoldDevice)
        self.rated = device.scaffold.rated_load_kn
        self.share = 1.2 if scenario == "overload" else 0.6

    def values(self, t: float) -> Mapping[str, float | str]:
        return {"load_kn": round(self.rated * self.share * (1 + 0.05 * math.sin(t)), 1), "lifting": 1.0}
