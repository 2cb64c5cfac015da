"""Deep-pit monitoring simulator: every point of a PitSpec published over MQTT as a pit DAU would.

Values follow what pit monitoring records look like (GB 50497-2019 items): wall-top
displacement creeping slowly with 0.1-0.3 mm survey noise, vertical settlement, inclinometer
creep at depth, strut forces around their working load with a daily temperature swing, a
groundwater level wandering by centimetres. Points report every ``interval_s`` (2 h on real
sites) on a simulated clock: it starts ``history_hours`` in the past and runs ``time_scale``
simulated seconds per real second until it reaches the present, then follows real time, so a
payload ``ts`` is never in the future; with ``live_interval_s``, points report that often from the
start on (the history keeps ``interval_s``). The payload is the one ``config/profiles/pit_dau.yaml``
reads: topic ``{prefix}/points/<code>/data``, JSON ``{"ts", "point", <metric>: value}``.

Scenarios (the event time is the middle of the history, or the third report without history):

- ``normal``: every point well inside its GB 50497 grade-1 limits.
- ``rate``: the first wall-top point's horizontal displacement creeps at ``rate_mm_d``
  (3.5 mm/d by default, above the 2 mm/d grade-1 rate alarm) from the start of the history,
  so with the defaults (72 h at 7200x) the alarm is reached in the first ~15 s of a demo.
- ``jump``: the first wall-top point's horizontal displacement steps up by ``JUMP_MM`` at the
  event time and stays there (GB 50497 §8.0.9 sudden change).
- ``fault``: the first wall-top point sends the sentinel -9999 for three reports from the event
  time; the first strut (or the second wall-top point) is stuck at one exact value from then on.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.pit import PitPoint, PitSpec
from contract.kinds.pit import PitDevice
from drivers.simulators.mqtt_publish import MqttJsonSimulator

log = logging.getLogger(__name__)

SENTINEL = -9999.0  # what DAUs send for a failed measurement
JUMP_MM = 5.0
FAULT_REPORTS = 3  # sentinel reports in the fault scenario
DAY_S = 86400.0
STAGGER_S = 30.0  # points of one DAU are read one after another, not all in the same second


class PitScenario(StrEnum):
    """What the simulated pit does (see the module docstring)."""

    NORMAL = "normal"
    RATE = "rate"
    JUMP = "jump"
    FAULT = "fault"


# the metrics each point kind reports (docs/design.md names)
KIND_METRICS: dict[str, tuple[str, ...]] = {
    "wall_top": ("disp_h_mm", "disp_v_mm"),
    "inclinometer": ("incl_mm",),
    "strut": ("axial_kn",),
    "anchor": ("anchor_kn",),
    "water_level": ("water_level_m",),
    "settlement": ("settle_mm",),
    "column": ("settle_mm",),
}
DECIMALS = {
    "disp_h_mm": 2,
    "disp_v_mm": 2,
    "incl_mm": 2,
    "settle_mm": 2,
    "axial_kn": 1,
    "anchor_kn": 1,
    "water_level_m": 3,
}


class PitModel:
    """The value of every point's metrics at any simulated instant; deterministic for a seed.

    ``t0`` is the start of the simulated record (days of creep count from it), ``event_ts`` the
    instant of the scenario's jump or fault.
    """

    def __init__(
        self,
        spec: PitSpec,
        scenario: PitScenario,
        t0: float,
        event_ts: float,
        interval_s: float,
        seed: int = 1,
        rate_mm_d: float = 3.5,
    ) -> None:
        self.spec = spec
        self.scenario = scenario
        self.t0 = t0
        self.event_ts = event_ts
        self.interval_s = interval_s
        self.seed = seed
        self.rate_mm_d = rate_mm_d
        walls = [p.code for p in spec.points if p.kind == "wall_top"]
        struts = [p.code for p in spec.points if p.kind == "strut"]
        self.special = walls[0] if walls else None  # the point the rate/jump/sentinel scenario acts on
        self.stuck = struts[0] if struts else (walls[1] if len(walls) > 1 else None)
        self._rank = {}
        for kind in KIND_METRICS:
            for i, p in enumerate(q for q in spec.points if q.kind == kind):
                self._rank[p.code] = i

    def sample(self, point: PitPoint, ts: float) -> dict[str, float]:
        """The point's payload values (rounded as a DAU sends them) at simulated time ``ts``."""
        if self.scenario is PitScenario.FAULT and point.code == self.stuck and ts >= self.event_ts:
            return self._true(point, self.event_ts, noise=False)
        values = self._true(point, ts, noise=True)
        if point.code == self.special:
            if self.scenario is PitScenario.JUMP and ts >= self.event_ts:
                values["disp_h_mm"] = round(values["disp_h_mm"] + JUMP_MM, 2)
            if (
                self.scenario is PitScenario.FAULT
                and self.event_ts <= ts < self.event_ts + FAULT_REPORTS * self.interval_s
            ):
                values["disp_h_mm"] = SENTINEL
        return values

    def _true(self, point: PitPoint, ts: float, noise: bool) -> dict[str, float]:
        rng = random.Random(f"{self.seed}:{point.code}:{ts:.0f}")  # same report, same noise, any order
        n: Callable[[float], float] = (lambda sd: rng.gauss(0.0, sd)) if noise else (lambda sd: 0.0)
        days = (ts - self.t0) / DAY_S
        i = self._rank.get(point.code, 0)
        daily = math.sin(2 * math.pi * (ts / DAY_S - 0.375))  # peaks mid-afternoon (UTC+8 ignored)
        out: dict[str, float]
        if point.kind == "wall_top":
            if self.scenario is PitScenario.RATE and point.code == self.special:
                h = 2.0 + self.rate_mm_d * days
            else:
                h = 4.0 + 0.8 * (i % 6) + (0.2 + 0.05 * (i % 6)) * days
            out = {"disp_h_mm": h + n(0.15), "disp_v_mm": 2.0 + 0.4 * (i % 5) + 0.1 * days + n(0.1)}
        elif point.kind == "inclinometer":
            out = {"incl_mm": 6.0 + 1.5 * (i % 4) + 0.25 * days + n(0.2)}
        elif point.kind == "strut":
            cap = point.capacity_kn or 3000.0
            out = {"axial_kn": cap * (0.32 + 0.02 * daily) + 3.0 * days + n(cap * 0.002)}
        elif point.kind == "anchor":
            cap = point.capacity_kn or 500.0
            out = {"anchor_kn": cap * 0.95 - 0.5 * days + n(cap * 0.002)}
        elif point.kind == "water_level":
            wander = 0.02 * math.sin(2 * math.pi * days / 3)
            out = {"water_level_m": -3.2 - 0.1 * i + wander - 0.01 * days + n(0.005)}
        else:  # settlement, column
            out = {"settle_mm": 1.5 + 0.5 * (i % 4) + 0.08 * days + n(0.1)}
        return {m: round(v, DECIMALS[m]) for m, v in out.items()}


@dataclass
class SimClock:
    """Simulated time: starts ``history_s`` ago, runs ``time_scale`` times real time, never passes now."""

    time_scale: float
    history_s: float
    real: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.real0 = self.real()
        self.start = self.real0 - self.history_s

    def now(self) -> float:
        """Current simulated time (Unix s)."""
        real = self.real()
        return min(self.start + (real - self.real0) * self.time_scale, real)

    def real_wait(self, sim_ts: float) -> float:
        """Real seconds until the simulated clock reaches ``sim_ts``.

        The clock reads min(fast, real), so it reaches ``sim_ts`` once both the fast clock and
        the real one have.
        """
        fast_at = self.real0 + (sim_ts - self.start) / self.time_scale
        return max(0.0, max(fast_at, sim_ts) - self.real())


class PitSimulator(MqttJsonSimulator):
    """Publishes a pit's points to an MQTT broker; ``await start()`` / ``await stop()``, or ``run()``."""

    kind = "pit"

    def __init__(
        self,
        spec: PitSpec,
        host: str,
        port: int,
        prefix: str,
        *,
        scenario: PitScenario | str = PitScenario.NORMAL,
        time_scale: float = 7200.0,
        history_hours: float = 72.0,
        interval_s: float | None = None,
        live_interval_s: float | None = None,
        seed: int = 1,
        rate_mm_d: float = 3.5,
        username: str = "",
        password: str = "",
        client_id: str = "",
    ) -> None:
        if time_scale <= 0:
            raise ValueError(
                f"time_scale must be above 0 (simulated seconds per real second), got {time_scale}"
            )
        if history_hours < 0:
            raise ValueError(f"history_hours must be 0 or more, got {history_hours}")
        if live_interval_s is not None and live_interval_s <= 0:
            raise ValueError(f"live_interval_s must be above 0 seconds, got {live_interval_s}")
        super().__init__(host, port, username=username, password=password, client_id=client_id)
        self.spec = spec
        self.prefix = prefix.rstrip("/")
        self.scenario = PitScenario(scenario)
        self.time_scale = time_scale
        self.history_s = history_hours * 3600.0
        self.interval_s = interval_s
        self.live_interval_s = live_interval_s
        self.seed = seed
        self.rate_mm_d = rate_mm_d
        self.last_ts: float | None = None
        self.clock: SimClock | None = None
        self.model: PitModel | None = None

    def topic(self, code: str) -> str:
        """Where a point's messages go."""
        return f"{self.prefix}/points/{code}/data"

    def _on_connected(self) -> None:
        self.clock = SimClock(self.time_scale, self.history_s)
        first = min(p.interval_s for p in self.spec.points) if self.interval_s is None else self.interval_s
        event = self.clock.start + (self.history_s / 2 if self.history_s >= 4 * first else 2 * first)
        self.model = PitModel(
            self.spec, self.scenario, self.clock.start, event, first, self.seed, self.rate_mm_d
        )
        log.info(
            "pit simulator: %d points to %s:%d under %s, scenario %s, %.0fx from %.1f h ago",
            len(self.spec.points),
            self.host,
            self.port,
            self.prefix,
            self.scenario.value,
            self.time_scale,
            self.history_s / 3600,
        )

    async def _publish_loop(self) -> None:
        assert self.clock is not None and self.model is not None
        clock, points = self.clock, self.spec.points
        due = {p.code: clock.start + i * STAGGER_S for i, p in enumerate(points)}
        while True:
            now = clock.now()
            for p in points:
                while due[p.code] <= now:
                    self._publish(p, due[p.code])
                    due[p.code] = self._next(due[p.code], self.interval_s or p.interval_s)
            # wake for the next report, but at least every second so stop() is prompt
            await asyncio.sleep(min(clock.real_wait(min(due.values())), 1.0))

    def _next(self, ts: float, interval: float) -> float:
        """When a point reports after its report at ``ts``: ``interval`` later through the history; from the
        simulator's start on, every ``live_interval_s`` when given (a demo's pit is seen live, not once in
        two hours)."""
        assert self.clock is not None
        if self.live_interval_s is None or ts + interval <= self.clock.real0:
            return ts + interval
        return max(ts + self.live_interval_s, self.clock.real0)

    def _publish(self, point: PitPoint, ts: float) -> None:
        assert self.model is not None
        values = self.model.sample(point, ts)
        body = {"ts": round(ts, 3), "point": point.code, **values}
        self.publish_json(self.topic(point.code), body, len(values))
        self.last_ts = ts


class PitSim:
    """A pit of a site file as a DeviceSim (drivers/simulators/device_sim.py): every point at simulated
    second ``t``, its scenario's event an hour in."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, PitDevice)
        self.points = device.pit.points
        interval = min(p.interval_s for p in self.points)
        self.model = PitModel(device.pit, PitScenario(scenario), 0.0, 3600.0, interval, seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every point's values ``t`` seconds in, keyed ``metric@point``."""
        return {f"{m}@{p.code}": v for p in self.points for m, v in self.model.sample(p, t).items()}
