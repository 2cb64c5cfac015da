"""High-formwork monitoring simulator: every point of a FormworkSpec through a pour, published over
MQTT as the formwork_monitor profile reads it (or served as its Modbus register map).

Before the pour the points read zero and sensor noise. Once the demo calls
:meth:`FormworkSimulator.start_pour`, concrete goes on: settlement, horizontal displacement, pole
tilt and axial force grow with the weight placed, to 12-45 % of their alarm values
(DBJ/T 15-197-2020 Table 8.0.4) when the pour is complete, and stay there. The pour runs on its
own clock, ``time_scale`` simulated seconds per real second (a 2 h pour takes 2 min at the
default 60x); the messages carry real time (``ts`` is when they are sent, never in the future).
Topic ``{prefix}/points/<code>/data``, JSON ``{"ts", "point", "settle_mm", "disp_h_mm",
"tilt_deg", "axial_kn"}``.

Scenarios:

- ``normal``: every point stays below half its alarm values.
- ``collapse``: a pour that goes wrong at one point (M3, or the third point): from 600 s of pour
  time its settlement and axial force accelerate: 80 % of their alarm values (8 mm, the axial
  design value, e.g. 20 kN) is passed at ~1700 s, 100 % at ~2100 s, and they go on to 2.5
  times the alarm value (at 60x: ~29 s, ~35 s and ~60 s after the pour began). Its horizontal
  displacement and tilt rise a little (below 80 % of their alarm values); every other point
  stays normal.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import random
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

from contract.config.device import DeviceConfig
from contract.config.formwork import FormworkPoint, FormworkSpec
from contract.config.loader import LoadedSite
from drivers.simulators.modbus_server import ValueSource
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from kinds.formwork.kind import POUR, FormworkDevice

log = logging.getLogger(__name__)

POUR_S = 7200.0  # a floor slab's pour: two hours of concrete
COLLAPSE_AT_S = 600.0  # pour seconds before the failing point starts to go
# failing point: fraction of its alarm value added, by pour seconds after the onset (accelerating)
COLLAPSE_CURVE = ((0.0, 0.0), (1200.0, 0.75), (1800.0, 1.0), (2400.0, 1.5), (3000.0, 2.5))
AXIAL_REF_KN = 20.0  # scale of a point's axial force when its design value is not given
NOISE = {"settle_mm": 0.03, "disp_h_mm": 0.04, "tilt_deg": 0.002, "axial_kn": 0.1}
DECIMALS = {"settle_mm": 2, "disp_h_mm": 2, "tilt_deg": 3, "axial_kn": 2}
METRICS = tuple(NOISE)


class FormworkScenario(StrEnum):
    """What the simulated pour does (see the module docstring)."""

    NORMAL = "normal"
    COLLAPSE = "collapse"


class PourClock:
    """Pour time: simulated seconds since :meth:`start`, ``time_scale`` per real second."""

    def __init__(self, time_scale: float, real: Callable[[], float] = time.monotonic) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be above 0 (pour seconds per real second), got {time_scale}")
        self.time_scale = time_scale
        self._real = real
        self._started_at: float | None = None

    @property
    def started(self) -> bool:
        """True once the pour has begun."""
        return self._started_at is not None

    def start(self) -> None:
        """The pour begins now (a second call changes nothing: a pour begins once)."""
        if self._started_at is None:
            self._started_at = self._real()

    def elapsed(self) -> float | None:
        """Pour seconds since the pour began, None before it."""
        if self._started_at is None:
            return None
        return (self._real() - self._started_at) * self.time_scale


class FormworkModel:
    """Every point's values at a moment of the pour; deterministic for a seed and report number."""

    def __init__(
        self,
        spec: FormworkSpec,
        scenario: FormworkScenario | str = FormworkScenario.NORMAL,
        seed: int = 1,
        pour_s: float = POUR_S,
        collapse_at_s: float = COLLAPSE_AT_S,
    ) -> None:
        if pour_s <= 0:
            raise ValueError(f"pour_s must be above 0, got {pour_s}")
        self.spec = spec
        self.scenario = FormworkScenario(scenario)
        self.seed = seed
        self.pour_s = pour_s
        self.collapse_at_s = collapse_at_s
        codes = [p.code for p in spec.points]
        # the reference site's M3; a site with other codes loses its third (or last) point
        self.failing = "M3" if "M3" in codes else codes[min(2, len(codes) - 1)]
        self._rank = {code: i for i, code in enumerate(codes)}

    def sample(self, point: FormworkPoint, pour_elapsed_s: float | None, report: int) -> dict[str, float]:
        """The point's values (rounded as the unit sends them); ``report`` numbers the noise draw."""
        rng = random.Random(f"{self.seed}:{point.code}:{report}")
        i = self._rank.get(point.code, 0) % 3
        axial_ref = point.axial_design_kn or AXIAL_REF_KN
        # share of each alarm value reached with the whole slab's weight on the supports
        full = {
            "settle_mm": point.settle_mm * (0.28 + 0.04 * i),
            "disp_h_mm": point.disp_h_mm * (0.12 + 0.03 * i),
            "tilt_deg": point.tilt_deg * (0.15 + 0.05 * i),
            "axial_kn": axial_ref * (0.35 + 0.05 * i),
        }
        weight = 0.0 if pour_elapsed_s is None else min(1.0, max(0.0, pour_elapsed_s / self.pour_s))
        values = {m: full[m] * weight for m in METRICS}
        if (
            self.scenario is FormworkScenario.COLLAPSE
            and point.code == self.failing
            and pour_elapsed_s is not None
        ):
            extra = collapse_fraction(pour_elapsed_s - self.collapse_at_s)
            values["settle_mm"] += point.settle_mm * extra
            values["axial_kn"] += axial_ref * extra
            # the pole leans and shifts too, but stays below its own pre-warning
            values["disp_h_mm"] += point.disp_h_mm * 0.15 * min(1.0, extra)
            values["tilt_deg"] += point.tilt_deg * 0.1 * min(1.0, extra)
        return {m: round(v + rng.gauss(0.0, NOISE[m]), DECIMALS[m]) for m, v in values.items()}

    def register_values(self, pour_elapsed_s: float | None, report: int) -> dict[str, float]:
        """Every point's values keyed ``metric@point``, as the formwork_monitor register map serves them."""
        return {
            f"{metric}@{p.code}": value
            for p in self.spec.points
            for metric, value in self.sample(p, pour_elapsed_s, report).items()
        }


def collapse_fraction(after_onset_s: float) -> float:
    """Fraction of the alarm value the failing point has added ``after_onset_s`` pour seconds in."""
    xs = [x for x, _ in COLLAPSE_CURVE]
    if after_onset_s <= 0:
        return 0.0
    k = bisect.bisect_right(xs, after_onset_s)
    if k >= len(xs):
        return COLLAPSE_CURVE[-1][1]
    (x0, y0), (x1, y1) = COLLAPSE_CURVE[k - 1], COLLAPSE_CURVE[k]
    return y0 + (y1 - y0) * (after_onset_s - x0) / (x1 - x0)


def formwork_source(model: FormworkModel, pour: PourClock) -> ValueSource:
    """The model's register values at the pour time of each read, for a Modbus simulator server."""
    reads = 0

    def values() -> Mapping[str, float | str]:
        nonlocal reads
        reads += 1
        return model.register_values(pour.elapsed(), reads)

    return values


class FormworkSimulator(MqttJsonSimulator):
    """Publishes every point of a formwork support system to an MQTT broker, through a pour.

    ``interval_s`` is the real time between two reports of a point (DBJ/T 15-197-2020 §7.0.3 asks
    for at most 30 s during a pour); ``pour_after_s`` starts the pour by itself that many real
    seconds after :meth:`start` (None: only :meth:`start_pour` starts it).
    """

    kind = "formwork"

    def __init__(
        self,
        spec: FormworkSpec,
        host: str,
        port: int,
        topic_prefix: str,
        *,
        scenario: FormworkScenario | str = FormworkScenario.NORMAL,
        time_scale: float = 60.0,
        interval_s: float = 2.0,
        pour_after_s: float | None = None,
        seed: int = 1,
        pour_s: float = POUR_S,
        username: str = "",
        password: str = "",
        client_id: str = "",
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be above 0 (real seconds between reports), got {interval_s}")
        super().__init__(host, port, username=username, password=password, client_id=client_id)
        self.spec = spec
        self.prefix = topic_prefix.rstrip("/")
        self.model = FormworkModel(spec, scenario, seed=seed, pour_s=pour_s)
        self.pour = PourClock(time_scale)
        self.interval_s = interval_s
        self.pour_after_s = pour_after_s
        self.reports = 0  # rounds of every point published

    @property
    def scenario(self) -> FormworkScenario:
        """The scenario being played."""
        return self.model.scenario

    @property
    def pour_started(self) -> bool:
        """True once the pour has begun (the points carry concrete)."""
        return self.pour.started

    def start_pour(self) -> None:
        """The pour begins now: the points start to take the concrete's weight."""
        if not self.pour.started:
            log.info("formwork simulator %s: pour started (%s)", self.prefix, self.scenario.value)
        self.pour.start()

    def topic(self, code: str) -> str:
        """Where a point's messages go."""
        return f"{self.prefix}/points/{code}/data"

    def values_now(self) -> dict[str, dict[str, float]]:
        """Every point's values at this moment of the pour (a fresh noise draw), by point code."""
        elapsed = self.pour.elapsed()
        return {p.code: self.model.sample(p, elapsed, self.reports) for p in self.spec.points}

    def modbus_source(self) -> ValueSource:
        """The same points for a Modbus simulator server (formwork_monitor's register map)."""
        return formwork_source(self.model, self.pour)

    def _on_connected(self) -> None:
        log.info(
            "formwork simulator: %d points to %s:%d under %s, scenario %s, every %g s, pour at %gx",
            len(self.spec.points),
            self.host,
            self.port,
            self.prefix,
            self.scenario.value,
            self.interval_s,
            self.pour.time_scale,
        )

    async def _publish_loop(self) -> None:
        loop = asyncio.get_running_loop()
        began = loop.time()
        # points of one unit are read one after another, not all in the same instant
        stagger = self.interval_s / max(1, len(self.spec.points))
        while True:
            if self.pour_after_s is not None and loop.time() - began >= self.pour_after_s:
                self.start_pour()
            self.reports += 1
            elapsed = self.pour.elapsed()
            for p in self.spec.points:
                values = self.model.sample(p, elapsed, self.reports)
                body = {"ts": round(time.time(), 3), "point": p.code, **values}
                self.publish_json(self.topic(p.code), body, len(values))
                await asyncio.sleep(stagger)


class FormworkSim:
    """A formwork of a site file as a DeviceSim (drivers/simulators/device_sim.py): a pour under way from
    the start, every point at simulated second ``t``."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, FormworkDevice)
        self.points = device.formwork.points
        self.interval_s = device.poll_interval_s
        self.model = FormworkModel(device.formwork, FormworkScenario(scenario), seed=seed)

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every point's values ``t`` seconds into the pour (``metric@point``), and the pour itself."""
        report = int(t // self.interval_s)
        out: dict[str, float | str] = {POUR: 1.0}
        for p in self.points:
            out.update({f"{m}@{p.code}": v for m, v in self.model.sample(p, t, report).items()})
        return out
