"""The anemometers' judge: each speed is the crane.wind of the cranes it serves (itself if none)."""

from __future__ import annotations

from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from kinds.anemometer.kind import AnemometerDevice
from kinds.crane import wind as crane_wind
from kinds.crane.judge import jacking_wind_probe, wind_probe, wind_route
from kinds.crane.kind import CraneDevice
from kinds.crane.wind import CraneWind
from rules.kinds.base import Judge, Shared
from rules.probes import Probe
from rules.routes import Route


class AnemometerJudge(Judge):
    """Every anemometer of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._wind = CraneWind()

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The run of samples above the alarm speed."""
        return crane_wind.history_s(site)

    def families(self) -> Iterable[object]:
        return (self._wind,)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        assert isinstance(dev, AnemometerDevice)
        if metric != "wind_ms":
            return None
        return wind_route(self.shared, self._wind, dev.id, dev.serves or [dev.id])

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """crane.wind through this anemometer's speeds."""
        lo, hi = self.shared.faults(dev.id).ranges.get("wind_ms", (0.0, 60.0))
        # a speed the anemometer cannot read is sensor.fault until it reads one it can
        fault = Probe("sensor.fault", dev.id, "wind_ms", beyond=(lo - 1.0, hi + 1.0), clear=(lo + hi) / 4)
        assert isinstance(dev, AnemometerDevice)
        cranes = [d for d in self.shared.config.devices if isinstance(d, CraneDevice) and d.id in dev.serves]
        jacking = [jacking_wind_probe(self.shared, dev.id, crane) for crane in cranes]
        return [wind_probe(self.shared, dev.id), fault, *jacking]
