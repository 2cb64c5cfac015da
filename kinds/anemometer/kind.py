"""Anemometers (风速仪) on a crane's jib or the site's mast: the wind of the cranes they serve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric


class AnemometerDevice(DeviceConfig):
    """An anemometer (RS-485 or MQTT)."""

    kind: Literal["anemometer"] = Field(title="Kind", description="anemometer: a wind sensor")
    serves: list[str] = Field(
        default_factory=list,
        title="Serves",
        description="the cranes whose wind this is: their wind alerts come from this anemometer alone",
    )

    def check_site(self, devices: Sequence[DeviceConfig]) -> list[str]:
        """``serves`` names cranes of this site, or says which are not."""
        cranes = {d.id for d in devices if d.kind == "crane"}
        unknown = [s for s in self.serves if s not in cranes]
        if unknown:
            return [
                f"device {self.id}: serves {unknown} which are not cranes of this site "
                f"(cranes: {sorted(cranes) or 'none'})"
            ]
        return []


KIND = Kind(
    name="anemometer",
    zh="风速仪",
    en="anemometer",
    device=AnemometerDevice,
    metrics=(Metric("wind_ms", "风速", "m/s", "wind", summary="max"),),
    offline_clause=offline.MACHINE,
    judge="kinds.anemometer.judge:AnemometerJudge",
    rules={"crane.wind": "塔吊大风"},
    simulator="drivers.simulators.wind:WindSim",
    scenarios=("normal", "high_wind"),
)
