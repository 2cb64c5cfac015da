"""Gusty wind: a mean, Ornstein-Uhlenbeck turbulence and gusts (1 - cos shaped, as in IEC 61400-1).

Time advances in fixed 0.1 s steps whatever the read rate, so the same seed gives the same wind
whether it is polled every 100 ms or every 5 s.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from drivers.simulators.scenario import Scenario

STEP_S = 0.1
MAX_WIND_MS = 36.9  # top of the regulator's field range (docs/standards.md)

# high_wind script: one storm gust per 10 min, from 30 s to 80 s of each period: a smooth swell from
# 11 m/s (above Beaufort 6, 10.8 m/s: stop lifting) to 15.5 m/s (above the 13.8 m/s regulator alarm
# for ~30 s) and back, the turbulence riding on top; between storms the wind stays below 10 m/s. One
# explainable alert per storm (warning, alarm, warning, clear), never a flapping one.
_HIGH_WIND_PERIOD_S = 600.0
_STORM_START_S, _STORM_LENGTH_S = 30.0, 50.0
_STORM_EDGE_MS, _STORM_PEAK_MS = 11.0, 15.5


@dataclass
class _Gust:
    start: float
    length: float
    amplitude: float

    def at(self, t: float) -> float:
        x = (t - self.start) / self.length
        return 0.5 * self.amplitude * (1 - math.cos(2 * math.pi * x)) if 0.0 <= x <= 1.0 else 0.0


@dataclass
class WindModel:
    """Wind speed (m/s) at the jib, for one scenario."""

    scenario: Scenario = Scenario.NORMAL
    seed: int = 1
    mean_ms: float = 4.0
    turbulence: float = 0.18  # OU standard deviation as a fraction of the mean
    tau_s: float = 8.0  # OU correlation time
    gust_every_s: float = 25.0  # mean time between random gusts
    t: float = 0.0
    _ou: float = 0.0
    _gusts: list[_Gust] = field(default_factory=list)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def _mean(self, t: float) -> float:
        return self.mean_ms

    def advance_to(self, t: float) -> None:
        """Move the model forward to ``t`` seconds after its start (earlier times are a no-op, so
        several readers may share one model)."""
        while self.t + STEP_S <= t + 1e-9:
            self.t += STEP_S
            sigma = self.turbulence * self._mean(self.t)
            self._ou += (-self._ou / self.tau_s) * STEP_S + sigma * math.sqrt(
                2 * STEP_S / self.tau_s
            ) * self._rng.gauss(0.0, 1.0)
            if self._rng.random() < STEP_S / self.gust_every_s:
                self._gusts.append(
                    _Gust(
                        self.t, self._rng.uniform(3.0, 8.0), self._rng.uniform(0.25, 0.6) * self._mean(self.t)
                    )
                )
            self._gusts = [g for g in self._gusts if self.t <= g.start + g.length]

    def speed(self) -> float:
        """Current wind speed, m/s."""
        v = min(self._mean(self.t) + self._ou + sum(g.at(self.t) for g in self._gusts), 10.0)
        if self.scenario is Scenario.HIGH_WIND:
            x = (self.t % _HIGH_WIND_PERIOD_S - _STORM_START_S) / _STORM_LENGTH_S
            if 0.0 <= x <= 1.0:
                swell = _STORM_EDGE_MS + (_STORM_PEAK_MS - _STORM_EDGE_MS) * math.sin(math.pi * x)
                v = swell + 0.3 * abs(self._ou)  # the turbulence only adds: the swell never dips
        # a normal day, and a stormy one between storms, stays below Beaufort 6 (10.8 m/s)
        return round(min(MAX_WIND_MS, max(0.0, v)), 2)


class WindSim:
    """An anemometer of a site file as a DeviceSim (drivers/simulators/device_sim.py)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        self.model = WindModel(Scenario(scenario), seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """The wind speed ``t`` seconds in."""
        self.model.advance_to(t)
        return {"wind_ms": self.model.speed()}
