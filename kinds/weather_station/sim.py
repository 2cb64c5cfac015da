"""A site weather station: mean wind and gust, rain intensity, air temperature and a lightning counter.

Scenarios (``Kind.scenarios`` of kinds/weather_station/kind.py):
- ``normal``: a noisy working day: mean wind 2-5 m/s, gusts below 7.5 m/s (under Beaufort 5, the
  platforms' 8.0 m/s), 26-33 °C, no rain, no lightning: raises nothing;
- ``gale``: from t = 30 s the mean wind swells to ~13 m/s with gusts to ~16 m/s (Beaufort 6-7: platforms,
  erection, lifting and work at height stop), and stays;
- ``heat_day``: the temperature climbs 1 °C a minute from 34 °C to 41 °C (35, 37 and 40 °C schedules);
- ``rainstorm``: from t = 30 s the rain rises to ~20 mm/h (heavy rain, then rainstorm) with a lightning
  strike about every two minutes.

Time advances in 1 s steps whatever the read rate, so a seed gives the same weather at any poll rate.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite

STEP_S = 1.0
SWELL_AT_S = 30.0


class WeatherModel:
    """The station's weather for one scenario."""

    def __init__(self, scenario: str = "normal", seed: int = 1) -> None:
        self.scenario = scenario
        self._rng = random.Random(seed)
        self.t = 0.0
        self._ou = 0.0  # wind turbulence, m/s
        self._temp_noise = 0.0
        self.strikes = 0

    def advance_to(self, t: float) -> None:
        """Move forward to ``t`` seconds after the start (an earlier ``t`` is a no-op)."""
        while self.t + STEP_S <= t + 1e-9:
            self.t += STEP_S
            self._ou += -self._ou / 10.0 + 0.35 * self._rng.gauss(0.0, 1.0)
            self._temp_noise += -self._temp_noise / 30.0 + 0.05 * self._rng.gauss(0.0, 1.0)
            if self.scenario == "rainstorm" and self.t > SWELL_AT_S and self._rng.random() < STEP_S / 120.0:
                self.strikes += 1

    def _swell(self) -> float:
        """0 before the scenario's weather arrives, rising to 1 over a minute after SWELL_AT_S."""
        return min(1.0, max(0.0, (self.t - SWELL_AT_S) / 60.0))

    def values(self) -> dict[str, float]:
        """The readings now."""
        mean = 3.5 + 1.2 * math.sin(self.t / 900.0) + 0.5 * self._ou
        gust_extra = 1.5 + abs(self._ou)
        if self.scenario == "gale":
            mean += 9.5 * self._swell()
            gust_extra += 1.5 * self._swell()
        mean = max(0.0, mean)
        gust = mean + gust_extra
        if self.scenario != "gale":
            mean, gust = min(mean, 5.5), min(gust, 7.5)  # a calm day stays below Beaufort 5
        temp = 29.5 + 3.0 * math.sin(self.t / 3600.0) + self._temp_noise
        if self.scenario == "heat_day":
            temp = 34.0 + min(7.0, self.t / 60.0) + self._temp_noise
        else:
            temp = min(33.0, temp)
        rain = 0.0
        if self.scenario == "rainstorm":
            rain = max(0.0, 20.0 * self._swell() + 1.5 * self._ou)
        return {
            "wind_ms": round(mean, 1),
            "gust_ms": round(gust, 1),
            "rain_mm_h": round(rain, 1),
            "temp_c": round(temp, 1),
            "lightning_count": float(self.strikes),
        }


class WeatherSim:
    """A weather station of a site file as a DeviceSim (drivers/simulators/device_sim.py)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        self.model = WeatherModel(scenario, seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """The station's readings ``t`` seconds in."""
        self.model.advance_to(t)
        return self.model.values()
