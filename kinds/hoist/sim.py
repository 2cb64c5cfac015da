"""A construction hoist (施工升降机, SC type) running trips, as its black box would report them.

Each stop at a landing: the cage arrives and stands with its doors closed for a moment, the doors
open while people get out and in (speed 0), the doors close, and the driver takes the cage up or
down at ~0.6 m/s (an SC200's 36 m/min, with a gentle start and stop) to the next landing, 3 m a
floor, from the ground landing (floor 1) to the top landing below the erected height. The driver
stops at landings with the controls, short of the travel limits, so the limit state stays 0
(JGJ 215-2010 §5.2.10 forbids stopping on the limit switch). Load and tilt carry sensor noise;
the wind is the mast top's own (a normal day, below Beaufort 6). docs/standards.md §5.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.config.device import DeviceConfig
from contract.config.hoist import HoistSpec
from contract.config.loader import LoadedSite
from drivers.simulators.scenario import HOIST_SCENARIOS, Scenario
from drivers.simulators.wind import STEP_S, WindModel
from kinds.hoist.kind import HoistDevice

FLOOR_M = 3.0  # storey height of the landings
TRAVEL_MS = 0.6  # m/s, SC200 rated speed (36 m/min)
ACCEL_MS2 = 0.5  # m/s^2, soft start and stop
TOP_CLEARANCE_M = 4.5  # mast above the top landing: upper travel limit, final limit, buffer
PERSON_T = 0.075  # t per person with tools
MAX_TRIP_FLOORS = 10  # from a floor, a trip goes back to the ground or at most this many floors on

ARRIVE_S = 1.0  # standing with doors closed before they open
CLOSE_S = 1.5  # doors closed, standing, before the start
BOARD_S = (6.0, 12.0)  # doors open while people get out and in
FIRST_BOARD_S = 15.0  # the shift's first load at the ground landing

DOOR_FIRST_S = 40.0  # hoist_door: the first departure with the landing door open
DOOR_EVERY_S = 300.0  # and then about every 5 min
DOOR_OPEN_S = 4.0  # seconds the cage moves before the landing door is closed
DOOR_MIN_BOARD_S = 2.0  # the faulty departure still lets people in first

OVERLOAD_EVERY_S = 300.0  # hoist_overload: the first trip, then the first one boarded every 5 min
OVERLOAD_FACTOR = 1.15  # of the rated load
OVERLOAD_EXTRA_PERSONS = 2  # above the rated number

# door_state values of the hoist_blackbox profile
DOORS_CLOSED, CAGE_DOOR_OPEN, LANDING_DOOR_OPEN = 0, 1, 2


@dataclass
class _Trip:
    persons: int
    load_t: float  # true load of the cage for this trip, t


@dataclass
class HoistModel:
    """One hoist cage's motion and black-box readings for a scenario (hoist_blackbox profile).

    Clock-driven like :class:`~kinds.crane.sim.CraneModel`: :meth:`advance_to`
    moves it to ``t`` seconds after its start in 0.1 s steps (the same seed gives the same day
    whatever the read rate), :meth:`values` reads the box.
    """

    spec: HoistSpec
    scenario: Scenario = Scenario.NORMAL
    seed: int = 1
    driver_id: str = "OP-2001"
    wind: WindModel | None = None
    t: float = 0.0
    height_m: float = 0.0
    speed_ms: float = 0.0  # signed, up positive
    trips: int = 0  # departures so far
    _phase: str = "board"
    _phase_left: float = FIRST_BOARD_S
    _board_len: float = FIRST_BOARD_S
    _target_m: float = 0.0
    _persons_from: int = 0
    _load_from: float = 0.0
    _trip: _Trip = field(default_factory=lambda: _Trip(0, 0.0))
    _persons: int = 0
    _load_t: float = 0.0
    _landing_door_until: float = -1.0  # the cage moves with the landing door open until then
    _next_door_at: float = DOOR_FIRST_S
    _door_pending: bool = False  # the door fault is due: the next departure carries it
    _next_overload_at: float = 0.0
    _rng: random.Random = field(init=False)  # the day's trips
    _noise: random.Random = field(init=False)  # sensor noise: reads must not change the trips

    def __post_init__(self) -> None:
        if self.scenario not in HOIST_SCENARIOS:
            allowed = ", ".join(sorted(s.value for s in HOIST_SCENARIOS))
            raise ValueError(f"a hoist plays {allowed}, not {self.scenario.value}")
        self._rng = random.Random(self.seed)
        self._noise = random.Random(self.seed + 7)
        if self.wind is None:
            # the mast top's own anemometer on a normal day, whatever the hoist's scenario
            self.wind = WindModel(Scenario.NORMAL, seed=self.seed + 1000)
        self._trip = self._plan_trip()

    @property
    def top_landing_m(self) -> float:
        """Height of the highest landing: whole floors below the erected height, clear of the limits."""
        return max(FLOOR_M, math.floor((self.spec.erected_height_m - TOP_CLEARANCE_M) / FLOOR_M) * FLOOR_M)

    @property
    def phase(self) -> str:
        """Where in its stop the cage is: arrive, board, close or travel."""
        return self._phase

    @property
    def floor(self) -> int:
        """Floor the cage is at or passing (1 = the ground landing)."""
        return round(self.height_m / FLOOR_M) + 1

    def door_state(self) -> int:
        """0 all closed, 1 cage door open (boarding), 2 landing door open."""
        if self._phase == "board":
            return CAGE_DOOR_OPEN
        if self._phase == "travel" and self.t < self._landing_door_until:
            return LANDING_DOOR_OPEN
        return DOORS_CLOSED

    def _overload_trip(self) -> bool:
        if self.scenario is not Scenario.HOIST_OVERLOAD or self.t < self._next_overload_at:
            return False
        while self._next_overload_at <= self.t:
            self._next_overload_at += OVERLOAD_EVERY_S
        return True

    def _plan_trip(self) -> _Trip:
        """Who and what the cage carries on its next trip."""
        rated_t, rated_n = self.spec.rated_load_t, self.spec.rated_persons
        if self._overload_trip():
            persons = rated_n + OVERLOAD_EXTRA_PERSONS
            return _Trip(persons, round(max(OVERLOAD_FACTOR * rated_t, persons * PERSON_T), 2))
        rng = self._rng
        persons = rng.randint(0, math.floor(0.6 * rated_n))
        room = 0.8 * rated_t - persons * PERSON_T  # a normal trip stays below 80 % of the rated load
        material = rng.uniform(0.1, 0.6) * max(0.0, room) if rng.random() < 0.4 else 0.0
        load = persons * PERSON_T + material
        if load > 0.8 * rated_t:  # a small cage: fewer people
            persons = math.floor(0.8 * rated_t / PERSON_T)
            load = persons * PERSON_T
        return _Trip(persons, round(load, 3))

    def _next_landing(self) -> float:
        """Up from the ground to any floor; from a floor, back down to the ground or a few floors on."""
        rng = self._rng
        here = round(self.height_m / FLOOR_M)
        top = round(self.top_landing_m / FLOOR_M)
        if here == 0:
            return rng.randint(1, top) * FLOOR_M
        if rng.random() < 0.5:
            return 0.0
        lowest, highest = max(0, here - MAX_TRIP_FLOORS), min(top, here + MAX_TRIP_FLOORS)
        choices = [f for f in range(lowest, highest + 1) if f != here]
        return rng.choice(choices) * FLOOR_M

    def advance_to(self, t: float) -> None:
        """Move the hoist (and its wind) forward to ``t`` seconds after the start; earlier is a no-op."""
        assert self.wind is not None
        self.wind.advance_to(t)
        while self.t + STEP_S <= t + 1e-9:
            self.t += STEP_S
            self._step(STEP_S)

    def _step(self, dt: float) -> None:
        if self.scenario is Scenario.HOIST_DOOR and self.t >= self._next_door_at:
            self._door_pending = True
            while self._next_door_at <= self.t:
                self._next_door_at += DOOR_EVERY_S
            if self._phase == "travel":
                self._stop_at_next_floor()
        if self._phase == "travel":
            if self._move(dt):
                self._phase, self._phase_left = "arrive", ARRIVE_S
            return
        self._phase_left -= dt
        if self._phase == "board":
            done = 1.0 - max(0.0, self._phase_left) / self._board_len
            self._persons = round(self._persons_from + (self._trip.persons - self._persons_from) * done)
            self._load_t = self._load_from + (self._trip.load_t - self._load_from) * done
            if self._door_pending and self._board_len - self._phase_left >= DOOR_MIN_BOARD_S:
                # the faulty departure does not wait for the doors to close
                self._persons, self._load_t = self._trip.persons, self._trip.load_t
                self._depart()
                return
        if self._phase_left > 0:
            return
        if self._phase == "arrive":
            self._persons_from, self._load_from = self._persons, self._load_t
            self._board_len = self._rng.uniform(*BOARD_S)
            self._phase, self._phase_left = "board", self._board_len
        elif self._phase == "board":
            self._phase, self._phase_left = "close", CLOSE_S
        elif self._phase == "close":
            self._depart()

    def _depart(self) -> None:
        self._target_m = self._next_landing()
        self._phase = "travel"
        if self._door_pending:  # the landing door's interlock fails: the cage leaves with it open
            self._door_pending = False
            self._landing_door_until = self.t + DOOR_OPEN_S
        self.trips += 1
        self._trip = self._plan_trip()  # boarded at the next landing

    def _stop_at_next_floor(self) -> None:
        """The driver stops at the next landing ahead (someone called the cage there)."""
        up = self._target_m > self.height_m
        brake = self.speed_ms**2 / (2 * ACCEL_MS2) + 0.05
        ahead = self.height_m + brake if up else self.height_m - brake
        landing = (math.ceil(ahead / FLOOR_M) if up else math.floor(ahead / FLOOR_M)) * FLOOR_M
        if (landing - self._target_m) * (1 if up else -1) < 0:  # nearer than the planned landing
            self._target_m = min(self.top_landing_m, max(0.0, landing))

    def _move(self, dt: float) -> bool:
        """Drive toward the target landing with soft start and stop; True once there."""
        remaining = self._target_m - self.height_m
        direction = 1.0 if remaining > 0 else -1.0
        v = min(TRAVEL_MS, abs(self.speed_ms) + ACCEL_MS2 * dt, math.sqrt(2 * ACCEL_MS2 * abs(remaining)))
        if abs(remaining) <= v * dt or abs(remaining) < 1e-3:
            self.height_m, self.speed_ms = self._target_m, 0.0
            return True
        self.height_m += direction * v * dt
        self.speed_ms = direction * v
        return False

    def values(self) -> dict[str, float | str]:
        """The black box's readings now, by metric name (hoist_blackbox profile), at register resolution."""
        assert self.wind is not None
        rng = self._noise
        load = max(0.0, self._load_t * (1 + rng.gauss(0.0, 0.003)) + rng.gauss(0.0, 0.004))
        # speed sensor noise, smaller while creeping so a stopping cage never reads the wrong way
        speed = self.speed_ms * (1 + rng.gauss(0.0, 0.006))
        wind = self.wind.speed()
        # mast sway: a lean of a few hundredths of a degree, the two axes together well inside the 70 mm
        # allowed at 70-100 m (0.045° at 90 m, hoist.tilt) even at a normal day's strongest wind
        tilt_x = 0.01 + 0.0006 * wind + rng.gauss(0.0, 0.003)
        tilt_y = -0.008 - 0.0004 * wind + rng.gauss(0.0, 0.003)
        return {
            "load_t": round(load, 2),
            "persons": float(self._persons),
            "height_m": round(self.height_m, 1),
            "floor": float(self.floor),
            "speed_ms": round(speed, 2) if self.speed_ms else 0.0,
            "wind_ms": round(wind, 1),
            "tilt_x_deg": round(tilt_x, 2),
            "tilt_y_deg": round(tilt_y, 2),
            "door_state": float(self.door_state()),
            "limit_state": 0.0,
            "arrester_ok": 1.0,
            "flag_sensor_fault": 0.0,
            "flag_driver_logged_in": float(bool(self.driver_id)),
            "driver_id": self.driver_id,
        }


class HoistSim:
    """A hoist of a site file as a DeviceSim (drivers/simulators/device_sim.py), its driver ``OP-2001``."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, HoistDevice)
        self.model = HoistModel(device.hoist, Scenario(scenario), seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """The black box's readings ``t`` seconds in."""
        self.model.advance_to(t)
        return self.model.values()
