"""One construction hoist's sample through its eight rules (hoist.load, .persons, .door, .limit,
.arrester, .wind, .tilt, .operator): the engine keeps each hoist's latest values and hands them here
once per sample, since most rules read several metrics at once (door and speed, driver and speed).

A hoist whose box reports the driver with every sample (``drivers_reported``: its profile maps
driver_id with speed_ms, rules.roster.reported_with) has its driver judged at every sample, and a
sample without one has nobody logged in; any other hoist's driver is the last one reported."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from contract.config.hoist import HoistSpec
from kinds.hoist.arrester import HoistArrester
from kinds.hoist.door import HoistDoor
from kinds.hoist.limit import HoistLimit
from kinds.hoist.load import HoistLoad
from kinds.hoist.operator import HoistOperator
from kinds.hoist.persons import HoistPersons
from kinds.hoist.thresholds import HoistLoadRule, HoistRule
from kinds.hoist.tilt import HoistTilt, allowed_mm
from kinds.hoist.wind import HoistWind
from rules.levels import crosses
from rules.result import RuleResult
from rules.roster import Roster, text_id

TILTS = frozenset({"tilt_x_deg", "tilt_y_deg"})


@dataclass
class HoistState:
    """The latest value of each judged metric of one hoist (None: not reported yet)."""

    numbers: dict[str, float] = field(default_factory=dict)
    driver_id: str | None = None

    def set(self, metric: str, value: float | str) -> bool:
        """Keep one reading's value; False when it cannot be kept (text for a numeric metric)."""
        if metric == "driver_id":
            self.driver_id = text_id(value)
        elif isinstance(value, str):
            return False
        else:
            self.numbers[metric] = float(value)
        return True


class HoistRules:
    """The hoist rule family of one site."""

    def __init__(self, roster: Roster, utc_offset_h: float, drivers_reported: Collection[str] = ()) -> None:
        # every attribute is a rule (RuleEngine.resume rearms each one's memories)
        self.load, self.persons, self.door = HoistLoad(), HoistPersons(), HoistDoor()
        self.limit, self.wind, self.tilt = HoistLimit(), HoistWind(), HoistTilt()
        self.arrester = HoistArrester(utc_offset_h)
        self.operator = HoistOperator(roster, drivers_reported)

    def evaluate(
        self,
        device: str,
        name: str,
        spec: HoistSpec,
        load_cfg: HoistLoadRule,
        cfg: HoistRule,
        state: HoistState,
        changed: set[str],
        ts: float,
        backfill: bool,
    ) -> list[RuleResult]:
        """Verdicts of one sample; rules whose inputs this sample did not report are not run."""
        n = state.numbers
        speed = n.get("speed_ms", 0.0)
        moving = crosses(abs(speed), cfg.moving_ms, strict=True)  # |speed| above moving_ms
        found: list[RuleResult | None] = []
        if "load_t" in changed:
            found.append(
                self.load.evaluate(device, name, spec.rated_load_t, load_cfg, n["load_t"], ts, backfill)
            )
        if "persons" in changed:
            found.append(self.persons.evaluate(device, name, spec.rated_persons, n["persons"], ts, backfill))
        if "door_state" in n and changed & {"door_state", "speed_ms"}:
            found.append(self.door.evaluate(device, name, moving, speed, n["door_state"], ts, backfill))
        if "limit_state" in n and changed & {"limit_state", "speed_ms"}:
            found.append(self.limit.evaluate(device, name, moving, n["limit_state"], ts, backfill))
        if "wind_ms" in changed:
            found.append(self.wind.evaluate(device, name, cfg, n["wind_ms"], ts, backfill))
        if changed & TILTS:
            # an axis its box has not reported yet is taken as plumb: the other still judges the mast
            height = spec.erected_height_m
            limit = spec.mast_deviation_mm or allowed_mm(height)
            x, y = n.get("tilt_x_deg", 0.0), n.get("tilt_y_deg", 0.0)
            found.append(
                self.tilt.evaluate(device, name, height, limit, cfg.hysteresis_pct, x, y, ts, backfill)
            )
        if changed & {"arrester_ok", "speed_ms"}:
            found.append(self.arrester.evaluate(device, name, spec, cfg, n.get("arrester_ok"), ts, backfill))
        if self.operator.reported_always(device):
            # judged at every sample: one without a driver id says nobody is logged in
            driver = state.driver_id if "driver_id" in changed else None
            found.append(self.operator.evaluate(device, name, moving, driver, ts, backfill))
        elif state.driver_id is not None and changed & {"driver_id", "speed_ms"}:
            found.append(self.operator.evaluate(device, name, moving, state.driver_id, ts, backfill))
        return [r for r in found if r is not None]
