"""The construction hoists' judge: each sample of a cage through the eight hoist rules."""

from __future__ import annotations

import math
from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.papers import INSTALL
from kinds.hoist.kind import HoistDevice
from kinds.hoist.sample import HoistRules, HoistState
from kinds.hoist.thresholds import HoistLoadRule, HoistRule
from kinds.hoist.tilt import allowed_mm
from rules.install_window import install_rules
from rules.kinds.base import LOADED_T, Judge, Shared
from rules.levels import attribute_values
from rules.probes import Probe, Sample
from rules.result import RuleResult
from rules.roster import Roster, reported_with
from rules.routes import Route
from rules.sample_ranges import SampleRanges

# what a hoist's box can report (docs/standards.md §5: load 0-9.99 t; no fewer than nobody; a mast-top wind
# its anemometer can read, §1's realistic range): outside, a sensor.fault, never a calm or an empty cage that
# clears hoist.load, hoist.persons or hoist.wind
RANGES = {"load_t": (0.0, 9.99), "persons": (0.0, math.inf), "wind_ms": (0.0, 60.0)}


class HoistJudge(Judge):
    """Every construction hoist of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        offset = shared.utc_offset_h
        drivers = reported_with(shared.site, "driver_id", "speed_ms")  # boxes whose samples always name one
        self._rules = HoistRules(Roster(shared.config.operators, offset, "hoist_driver"), offset, drivers)
        self._state = {d.id: HoistState() for d in devices}
        self._install = install_rules(shared)  # the site's 安拆 windows, the cranes' too
        self._ranges = SampleRanges(shared, RANGES, self.devices)  # a broken load cell clears no overload

    def families(self) -> Iterable[object]:
        return [*attribute_values(self._rules), self._install]

    def window_open(self, device: str, metric: str) -> bool:
        """Is the window of ``metric`` (安拆) open on ``device``?"""
        return metric == INSTALL and self._install.active(device)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        if metric != INSTALL:
            return None
        return Route(lambda r, value, backfill: (r, self._install.window(r.device, value, r.ts)))

    def tick(self, now: float) -> list[RuleResult]:
        return self._install.tick(now)

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id].numbers

    def keep(self, dev: DeviceConfig, metric: str, value: float | str) -> bool:
        return self._state[dev.id].set(metric, value)

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        assert isinstance(dev, HoistDevice)
        state, shared = self._state[dev.id], self.shared
        cfg = shared.section(dev.id, "hoist", HoistRule)
        numbers = state.numbers
        faults = self._ranges.check(dev.id, numbers, changed, ts, backfill)
        if abs(numbers.get("speed_ms", 0.0)) > cfg.moving_ms or numbers.get("load_t", 0.0) > LOADED_T:
            shared.work_seen(dev.id, (f"{shared.names[dev.id]}运行", f"{dev.id} running"), ts)
        else:
            shared.rest_seen(dev.id, ts)
        if "driver_id" in changed and state.driver_id:
            shared.worker_seen(dev.id, state.driver_id, ts)
        load_cfg = shared.section(dev.id, "hoist_load", HoistLoadRule)
        return faults + self._rules.evaluate(
            dev.id, shared.names[dev.id], dev.hoist, load_cfg, cfg, state, changed, ts, backfill
        )

    def _install_probe(self, dev: HoistDevice) -> list[Probe]:
        """hoist.install's crew inside an 安拆 window opened beforehand: the first installer leaving through
        the site's first gate, then back (the crew certified, as the reference site's are)."""
        gates = [d.id for d in self.shared.config.devices if d.kind == "attendance"]
        if dev.papers is None or not dev.papers.installers or not gates:
            return []
        others = tuple((gates[0], w, {"on_site": 1.0}) for w in dev.papers.installers[1:])
        return [
            Probe(
                "hoist.install",
                gates[0],
                "on_site",
                point=dev.papers.installers[0],
                interval_s=60.0,
                beyond=(0.0,),
                clear=1.0,
                setup=((dev.id, "", {INSTALL: 1.0}), *others),
                alert=(dev.id, "crew"),
            )
        ]

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each hoist rule with a standing or moving cage, the other readings quiet, a licensed driver
        logged in (the site's first operator), its limits from the site file."""
        assert isinstance(dev, HoistDevice)
        shared, spec = self.shared, dev.hoist
        cfg = shared.section(dev.id, "hoist", HoistRule)
        load_cfg = shared.section(dev.id, "hoist_load", HoistLoadRule)
        operators = shared.config.operators
        quiet: dict[str, float | str] = {
            "load_t": 0.0,
            "persons": 1.0,
            "speed_ms": 0.0,
            "door_state": 0.0,
            "limit_state": 0.0,
            "arrester_ok": 1.0,
            "wind_ms": 0.0,
            "tilt_x_deg": 0.0,
            "tilt_y_deg": 0.0,
            "driver_id": operators[0].id if operators else "",
        }
        moving = cfg.moving_ms * 6

        def probe(rule: str, metric: str, *, with_: Sample | None = None, **rest: object) -> Probe:
            context = {k: v for k, v in quiet.items() if k != metric} | dict(with_ or {})
            return Probe(rule, dev.id, metric, context=context, **rest)  # type: ignore[arg-type]

        warn = spec.rated_load_t * load_cfg.warning_pct / 100
        load_band = load_cfg.hysteresis_pct / 100
        wind, wind_band = cfg.wind_alarm_ms, cfg.hysteresis_pct / 100
        lo, hi = shared.faults(dev.id).ranges.get("wind_ms", (0.0, 60.0))
        allowed = spec.mast_deviation_mm or allowed_mm(spec.erected_height_m)
        lean = math.degrees(math.atan(allowed / (spec.erected_height_m * 1000)))  # the tilt at the limit
        return [
            *self._install_probe(dev),
            probe(
                "hoist.load",
                "load_t",
                beyond=(warn, spec.rated_load_t * 1.2),
                hold=(warn * (1 - load_band / 2),),
                clear=warn * (1 - load_band) * 0.9,
            ),
            probe(
                "hoist.persons",
                "persons",
                beyond=(spec.rated_persons + 1.0, spec.rated_persons + 5.0),
                clear=float(spec.rated_persons),
            ),
            # 大于 20 m/s: a hair above it is beyond, 20 m/s itself is inside the band
            probe(
                "hoist.wind",
                "wind_ms",
                beyond=(wind + 0.01, wind * 1.5),
                hold=(wind, wind * (1 - wind_band / 2)),
                clear=wind * (1 - wind_band) * 0.95,
                faults=(lo - 1.0, hi + 1.0),
            ),
            # beyond the deviation allowed (on it is within): the X axis alone, Y plumb
            probe(
                "hoist.tilt",
                "tilt_x_deg",
                beyond=(lean * 1.01, -lean * 2),
                hold=(lean, lean * (1 - wind_band / 2)),
                clear=0.0,
            ),
            probe("hoist.door", "door_state", beyond=(1.0, 2.0, 3.0), clear=0.0, with_={"speed_ms": moving}),
            probe("hoist.limit", "limit_state", beyond=(1.0, 2.0, 3.0), clear=0.0),
            probe("hoist.arrester", "arrester_ok", beyond=(0.0,), clear=1.0),
            # nobody logged in (255 or an empty card), a card nobody holds, while the cage moves
            probe(
                "hoist.operator",
                "driver_id",
                beyond=("", "255", 255.0, "NOBODY-0000"),
                clear=str(quiet["driver_id"]),
                with_={"speed_ms": moving},
            ),
        ]
