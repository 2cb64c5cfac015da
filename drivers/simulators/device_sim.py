"""One simulated device of any kind: what it reports at a moment of the simulation.

Each kind names its simulator in its declaration (``Kind.simulator``, contract/kinds/): a factory
``(device, scenario, seed) -> DeviceSim``. Any device can then be served as its profile says, over Modbus
(drivers/simulators/modbus_server.py, the register image built from these values) or MQTT
(drivers/simulators/profile_publish.py, the payloads built from them): ``sitegw simulate device`` and the
demo do so for every kind without a simulator of its own making.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.kinds import registry


class DeviceSim(Protocol):
    """A simulated device."""

    def values(self, t: float) -> Mapping[str, float | str]:
        """Its values ``t`` seconds into the simulation, keyed ``metric`` or ``metric@point``
        (drivers/simulators/register_image.py ``value_key``)."""
        ...


SimFactory = Callable[[DeviceConfig, LoadedSite, str, int], DeviceSim]
"""A kind's simulator: a device of that kind, its site (roster, profiles), the scenario it plays and a random
seed."""


def make_sim(device: DeviceConfig, site: LoadedSite, scenario: str = "normal", seed: int = 1) -> DeviceSim:
    """The simulator of ``device``'s kind playing ``scenario`` (ValueError naming the scenarios its kind
    plays, or saying the kind has no simulator)."""
    kind = registry.get(device.kind)
    if not kind.simulator:
        raise ValueError(f"kind {kind.name} declares no simulator (Kind.simulator, {kind.device.__module__})")
    if scenario not in kind.scenarios:
        raise ValueError(
            f"{device.id} is a {kind.name}: it plays {', '.join(kind.scenarios)}, not {scenario}"
        )
    factory: SimFactory = registry.resolve(kind.simulator)
    return factory(device, site, scenario, seed)
