"""A tower crane doing lift cycles, as its black box would report them.

Each lift: the empty hook travels to a pick point (trolley, slew, lowering), the load is slung,
hoisted to travel height, slewed and trolleyed to the drop point, lowered and released. Axes
move at realistic speeds and overlap as a driver would overlap them. The measured load and tilt
carry sensor noise; ``rated_load_t`` and ``moment_pct`` come from the crane's own load chart
(moment % = load / rated load at the current radius, docs/standards.md section 1).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from drivers.simulators.scenario import Scenario
from drivers.simulators.wind import STEP_S, WindModel
from kinds.crane.kind import CraneDevice

HOIST_MS = 0.8  # m/s, hook up/down
TROLLEY_MS = 0.6  # m/s
SLEW_DEG_S = 3.0  # deg/s (0.5 rpm)
LOAD_RAMP_S = 2.0  # slack rope taking the load
MIN_RADIUS_M = 2.5
OVERLOAD_EVERY = (
    10  # overload scenario: the first lift and every tenth after it (a few an hour, not a stream)
)


class LoadChart:
    """Rated load (t) by radius (m), linear between the chart's points, flat beyond its ends."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        if len(points) < 2:
            raise ValueError("a load chart needs at least two (radius, rated load) points")
        self.radii = [r for r, _ in points]
        self.rated = [t for _, t in points]

    @classmethod
    def of(cls, spec: CraneSpec) -> LoadChart:
        """The chart of a site's crane."""
        return cls([(p.radius_m, p.rated_t) for p in spec.load_chart])

    def rated_at(self, radius_m: float) -> float:
        """Rated load at ``radius_m``."""
        i = bisect.bisect_left(self.radii, radius_m)
        if i == 0:
            return self.rated[0]
        if i >= len(self.radii):
            return self.rated[-1]
        r0, r1, t0, t1 = self.radii[i - 1], self.radii[i], self.rated[i - 1], self.rated[i]
        return t0 + (t1 - t0) * (radius_m - r0) / (r1 - r0)


@dataclass
class _Lift:
    pick: tuple[float, float]  # (radius m, slew deg)
    drop: tuple[float, float]
    mass_t: float


@dataclass
class CraneModel:
    """One crane's motion and black-box readings for a scenario."""

    spec: CraneSpec
    scenario: Scenario = Scenario.NORMAL
    seed: int = 1
    operator_id: str = "OP-1001"
    wind: WindModel | None = None
    t: float = 0.0
    radius_m: float = 12.0
    slew_deg: float = 0.0
    height_m: float = 20.0  # hook above ground
    _target: tuple[float, float, float] = (12.0, 0.0, 20.0)  # radius, slew, height
    _phase: str = "to_pick"
    _dwell: float = 0.0
    _attached: float = 0.0  # load on the hook, t
    _rope_load: float = 0.0  # what the load cell sees (ramps while the rope tensions)
    _trolley_ms: float = 0.0
    _lifts: int = 0
    _lift: _Lift | None = None
    _rng: random.Random = field(init=False)
    chart: LoadChart = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.chart = LoadChart.of(self.spec)
        if self.wind is None:
            self.wind = WindModel(self.scenario, seed=self.seed + 1000)
        self._start_lift(first=True)

    @property
    def travel_height_m(self) -> float:
        """Height the load is carried at (below the jib, above the site)."""
        return max(6.0, self.spec.jib_height_m - 8.0)

    def _overload_lift(self) -> bool:
        return self.scenario is Scenario.OVERLOAD and self._lifts % OVERLOAD_EVERY == 0

    def _start_lift(self, first: bool = False) -> None:
        rng, jib = self._rng, self.spec.jib_m
        r_pick = rng.uniform(max(MIN_RADIUS_M + 2, 0.25 * jib), 0.8 * jib)
        pick = (r_pick, rng.uniform(0.0, 360.0))
        if self._overload_lift():
            # same radius at both ends, so the overload stays within 104-115 % for the whole lift
            drop = (r_pick, (pick[1] + rng.uniform(40.0, 120.0)) % 360.0)
            mass = self.chart.rated_at(r_pick) * rng.uniform(1.05, 1.13)
        else:
            drop = (rng.uniform(max(MIN_RADIUS_M + 2, 0.2 * jib), 0.9 * jib), rng.uniform(0.0, 360.0))
            worst = min(self.chart.rated_at(pick[0]), self.chart.rated_at(drop[0]))
            mass = worst * rng.uniform(0.3, 0.85)
        self._lift = _Lift(pick, drop, round(mass, 2))
        if first:
            # the shift starts with the hook lowered at the first pick point: slinging takes seconds
            self.radius_m, self.slew_deg, self.height_m = pick[0], pick[1], 1.5
            self._phase, self._dwell = "sling", 4.0
        else:
            self._phase = "to_pick"
            self._target = (pick[0], pick[1], 1.5)

    def advance_to(self, t: float) -> None:
        """Move the crane (and its wind) forward to ``t`` seconds after the start."""
        assert self.wind is not None
        self.wind.advance_to(t)
        while self.t + STEP_S <= t + 1e-9:
            self.t += STEP_S
            self._step(STEP_S)

    def _step(self, dt: float) -> None:
        lift = self._lift
        assert lift is not None
        if self._phase in ("sling", "release"):
            self._dwell -= dt
            if self._dwell <= 0:
                if self._phase == "sling":
                    self._attached = lift.mass_t
                    self._phase, self._target = "hoist", (self.radius_m, self.slew_deg, self.travel_height_m)
                else:
                    self._lifts += 1
                    self._start_lift()
        elif self._move(dt):
            if self._phase == "to_pick":
                self._phase, self._dwell = "sling", self._rng.uniform(4.0, 8.0)
            elif self._phase == "hoist":
                self._phase, self._target = "carry", (lift.drop[0], lift.drop[1], self.travel_height_m)
            elif self._phase == "carry":
                self._phase, self._target = "lower", (lift.drop[0], lift.drop[1], 1.0)
            elif self._phase == "lower":
                self._attached = 0.0
                self._phase, self._dwell = "release", self._rng.uniform(3.0, 6.0)
        # the load cell follows the slung load with the rope's stretch
        step = lift.mass_t * dt / LOAD_RAMP_S if lift.mass_t else dt
        self._rope_load += max(-step, min(step, self._attached - self._rope_load))

    def _move(self, dt: float) -> bool:
        """Drive every axis toward the target; True once all have arrived."""
        r_t, s_t, h_t = self._target
        old_r = self.radius_m
        self.radius_m = _approach(self.radius_m, r_t, TROLLEY_MS * dt)
        self._trolley_ms = (self.radius_m - old_r) / dt
        diff = (s_t - self.slew_deg + 540.0) % 360.0 - 180.0  # shortest way round
        self.slew_deg = (self.slew_deg + max(-SLEW_DEG_S * dt, min(SLEW_DEG_S * dt, diff))) % 360.0
        self.height_m = _approach(self.height_m, h_t, HOIST_MS * dt)
        arrived = abs(self.radius_m - r_t) < 1e-6 and abs(diff) < 1e-6 and abs(self.height_m - h_t) < 1e-6
        if arrived:
            self._trolley_ms = 0.0
        return arrived

    def values(self) -> dict[str, float | str]:
        """The black box's readings now, by metric name (tower_crane_blackbox profile)."""
        assert self.wind is not None
        rng = self._rng
        rated = self.chart.rated_at(self.radius_m)
        load = round(max(0.0, self._rope_load * (1 + rng.gauss(0.0, 0.003)) + rng.gauss(0.0, 0.005)), 2)
        moment = load / rated * 100.0  # from the load as displayed, as a box computes it
        wind = self.wind.speed()
        tilt = 0.05 + 0.0008 * moment + 0.004 * wind + rng.gauss(0.0, 0.004)
        tilt_limit_deg = self.spec.tilt_limit_per_mille / 1000.0 * 57.29578
        return {
            "load_t": load,
            "radius_m": round(self.radius_m, 2),
            "height_m": round(self.height_m, 3),
            "slew_deg": round(self.slew_deg, 1) % 360.0,
            "wind_ms": round(wind, 1),
            "tilt_deg": round(tilt, 2),
            "moment_pct": round(moment, 1),
            "rated_load_t": round(rated, 3),
            "trolley_speed_ms": round(self._trolley_ms, 3),
            "reeving": float(self.spec.reeving),
            "operator_id": self.operator_id,
            "flag_overload": float(moment > 100.0),
            "flag_wind_alarm": float(wind > 13.8),
            "flag_tilt_alarm": float(abs(tilt) > tilt_limit_deg),
            "flag_sensor_fault": 0.0,
            "flag_limiter_bypass": 0.0,
            "flag_operator_logged_in": 1.0,
            "flag_limiter_fault": 0.0,
            "flag_anticollision": 0.0,
            "flag_zone_limit": 0.0,
        }

    @property
    def phase(self) -> str:
        """Where in the lift cycle the crane is (sling, hoist, carry, lower, release, to_pick)."""
        return self._phase


def _approach(x: float, target: float, step: float) -> float:
    return target if abs(target - x) <= step else x + step * (1 if target > x else -1)


class CraneSim:
    """A crane of a site file as a DeviceSim (drivers/simulators/device_sim.py): its own wind, the operator
    ``OP-1001`` (the demo's composition, modbus_sims.py, shares an anemometer's wind and the site's roster)."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, CraneDevice)
        self.model = CraneModel(device.crane, Scenario(scenario), seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """The black box's readings ``t`` seconds in."""
        self.model.advance_to(t)
        return self.model.values()
