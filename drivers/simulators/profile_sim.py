"""A generic device as a DeviceSim (drivers/simulators/device_sim.py): every value its profile maps,
slowly wandering about a level of its own, so a device sitegw has no kind for can be served and read."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.profile import DataType
from drivers.simulators.register_image import value_key


class ProfileSim:
    """Each of the profile's values: a number swinging about a level of its own, a bit 0, a text ``SIM``,
    a value sent as a word the first word's number."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        profile = site.profile_of(device.id)
        rng = random.Random(seed)
        self._fixed: dict[str, float | str] = {}
        self._swinging: dict[str, float] = {}
        for rv in profile.modbus.values if profile.modbus is not None else ():
            if rv.type is DataType.BIT:
                self._fixed[value_key(rv)] = 0.0
            elif rv.type is DataType.STRING:
                self._fixed[value_key(rv)] = "SIM"
            else:
                self._swinging[value_key(rv)] = rng.uniform(1, 50)
        for topic in profile.mqtt.topics if profile.mqtt is not None else ():
            for v in topic.values:
                if v.map:
                    self._fixed[v.metric] = next(iter(v.map.values()))
                else:
                    self._swinging[v.metric] = rng.uniform(1, 50)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every value at second ``t``."""
        swing = 1 + 0.1 * math.sin(t / 60)
        return {**self._fixed, **{k: round(level * swing, 2) for k, level in self._swinging.items()}}
